#!/usr/bin/env bash
# tests/web/run-web.sh — the dashboard (clients/web) in headless Chromium.
#
# Installs what it needs (Debian's chromium, playwright-core from npm into
# tests/web/node_modules), starts its own fibertrackd servers on throwaway data
# directories (ports 18600-18699):
#   A: `demo` (project WF-MUSTER-2026, 240 segments) for the functional tests;
#   B: `demo --segments 20000` for the map benchmark (skip with FT_WEB_SKIP_BIG=1);
#   M: A's data again, with a base map (FT_MAP_TILES) from tiles.py, a tiny
#      local tile server, for the base-map tests (offline.spec.mjs);
#   C: an empty install (migrated, one admin, no project) for the guided first
#      run, in a database of A's MariaDB (skip with FT_WEB_SKIP_EMPTY=1);
# runs web.test.mjs and ends with one line "N passed, N failed".
#
#   BINDIR         where fibertrackd is (default bin; as `make test` sets it)
#   FT_WEB_KEEP=1  leave the data directories in place (for debugging)
#   FT_WEB_GREP=RE run only the tests whose name matches RE (e.g. '20,000' for the map benchmark)
# Screenshots: tests/artifacts/web/*.png (not committed).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BINDIR=${BINDIR:-bin}
case $BINDIR in /*) ;; *) BINDIR=$ROOT/$BINDIR ;; esac
FTD=$BINDIR/fibertrackd
ART=$ROOT/tests/artifacts/web
# shellcheck source=SCRIPTDIR/../lib/server.sh
. "$ROOT/tests/lib/server.sh"
mkdir -p "$ART"
rm -f "$ART"/*.png "$ART"/*.log "$ART"/*.json

die() { # reason
    echo "run-web: $1" >&2
    echo "0 passed, 1 failed"
    exit 1
}

log() { echo "run-web: $*" >&2; }

# ---- what the tests need ---------------------------------------------------------

[ -x "$FTD" ] || die "$FTD is missing (make)"

apt_install() {
    [ "$(id -u)" = 0 ] || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >"$ART/apt.log" 2>&1 && return 0
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >>"$ART/apt.log" 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >>"$ART/apt.log" 2>&1
}

if [ ! -x /usr/bin/chromium ]; then
    log "installing chromium (Debian package)"
    apt_install chromium || die "could not install chromium (see $ART/apt.log)"
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    log "installing nodejs and npm (Debian packages)"
    apt_install nodejs npm || die "could not install node and npm (see $ART/apt.log)"
fi
command -v curl >/dev/null || apt_install curl || die "curl is missing"

cd "$HERE" || die "no $HERE"
if [ ! -f node_modules/playwright-core/package.json ] ||
    [ "$(node -p 'require("./node_modules/playwright-core/package.json").version' 2>/dev/null)" != \
        "$(node -p 'require("./package-lock.json").packages["node_modules/playwright-core"].version' 2>/dev/null)" ]; then
    log "npm ci (playwright-core)"
    npm ci --no-audit --no-fund --loglevel=error >"$ART/npm.log" 2>&1 ||
        npm install --no-audit --no-fund --loglevel=error >>"$ART/npm.log" 2>&1 ||
        die "npm ci failed (see $ART/npm.log)"
fi

# ---- servers ---------------------------------------------------------------------------

# Short path: the private MariaDB's unix socket path must stay under 108 bytes.
TMP=$(mktemp -d /tmp/ftweb.XXXXXX)
PIDS=()
DIRS=()

# The EXIT trap runs this. shellcheck 0.9 takes the functions that only a trap
# calls for unreachable when the script ends in exit, as this one does.
# shellcheck disable=SC2317
cleanup() {
    local p d
    for p in "${PIDS[@]}"; do
        ft_server_stop "$p" 30 >&2
    done
    for d in "${DIRS[@]}"; do
        ft_mariadbd_stop "$d"
    done
    cp "$TMP"/server-*.log "$ART"/ 2>/dev/null
    [ "${FT_WEB_KEEP:-}" = 1 ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pick_port VAR: reserves the first free port from 18600 and stores it in VAR.
# fibertrackd listens with SO_REUSEPORT, so a second server on a taken port
# would not fail to bind but share the port with the first: a port is ours only
# while we hold its lock file (for the whole run), and only if nothing listens.
pick_port() {
    local p fd
    for ((p = 18600; p < 18700; p++)); do
        exec {fd}>"/tmp/fibertrack-web-port-$p.lock" || continue
        if flock -n "$fd" && port_free "$p"; then
            printf -v "$1" '%s' "$p"
            return 0
        fi
        exec {fd}>&-
    done
    return 1
}

# start_server NAME PORT DEMO-ARGS...: migrate, load the demo, serve; sets SERVER_PID
start_server() {
    local name=$1 port=$2
    shift 2
    local dir=$TMP/$name slog=$TMP/server-$name.log
    mkdir -p "$dir"
    DIRS+=("$dir")
    export FT_WEB_DIR=$ROOT/clients/web
    FT_DATA_DIR=$dir "$FTD" migrate >"$slog" 2>&1 || { log "migrate failed (see $ART/server-$name.log)"; return 1; }
    FT_DATA_DIR=$dir "$FTD" demo "$@" >>"$slog" 2>&1 || { log "demo failed (see $ART/server-$name.log)"; return 1; }
    ft_server_start SERVER_PID "$dir" "$port" "$slog" && { PIDS+=("$SERVER_PID"); return 0; }
    PIDS+=("$SERVER_PID")
    if ft_alive "$SERVER_PID"; then
        log "server $name did not get ready in 60 s (see $ART/server-$name.log)"
    else
        log "server $name exited (see $ART/server-$name.log)"
    fi
    return 1
}

pick_port PORT_A || die "no free port in 18600-18699"
start_server a "$PORT_A" || die "could not start the test server"
export FT_WEB_URL=http://127.0.0.1:$PORT_A
log "server A (demo) on $FT_WEB_URL"

# The tile server, then M: a second fibertrackd on A's data directory (it
# attaches to A's MariaDB), whose dashboard has a base map.
pick_port PORT_T || die "no free port in 18600-18699"
python3 "$HERE/tiles.py" "$PORT_T" >"$TMP/server-tiles.log" 2>&1 &
PIDS+=("$!")
for ((i = 0; i < 100; i++)); do
    curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$PORT_T/health" 2>/dev/null && break
    sleep 0.1
done
export FT_WEB_TILES=http://127.0.0.1:$PORT_T
pick_port PORT_M || die "no free port in 18600-18699"
ft_server_start SERVER_PID "$TMP/a" "$PORT_M" "$TMP/server-m.log" \
    --map-tiles "$FT_WEB_TILES/{z}/{x}/{y}.png" --map-attribution "© Musterstadt Kataster, fibertrack test tiles"
started=$?
# Stopped before A, whose MariaDB it uses.
PIDS=("$SERVER_PID" "${PIDS[@]}")
[ "$started" = 0 ] || die "could not start the server with a base map (see $ART/server-m.log)"
export FT_WEB_MAP_URL=http://127.0.0.1:$PORT_M
log "server M (A's data, base map from $FT_WEB_TILES) on $FT_WEB_MAP_URL"
# What the service-worker test needs to start a server of its own on A's data.
export FT_WEB_FTD=$FTD FT_WEB_DATA_A=$TMP/a

if [ "${FT_WEB_SKIP_BIG:-}" != 1 ]; then
    pick_port PORT_B || die "no free port in 18600-18699"
    start_server b "$PORT_B" --segments 20000 || die "could not start the 20,000-segment server"
    export FT_WEB_BIG_URL=http://127.0.0.1:$PORT_B
    log "server B (demo --segments 20000) on $FT_WEB_BIG_URL"
fi

# start_empty PORT: server C, an install as `make run` leaves it before the demo:
# migrated, one admin (FT_WEB_EMPTY_ADMIN, the demo password), no project. It
# keeps its data in a database of its own on A's MariaDB, so it costs no
# database server of its own; sets SERVER_PID.
start_empty() {
    local port=$1 dir=$TMP/c slog=$TMP/server-c.log sock=$TMP/a/mariadb/mariadb.sock
    local db=()
    mkdir -p "$dir"
    if command -v mariadb >/dev/null && [ -S "$sock" ]; then
        mariadb --socket="$sock" -u root \
            -e 'CREATE DATABASE fibertrack_empty CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci' >"$slog" 2>&1 ||
            { log "could not create the empty database (see $ART/server-c.log)"; return 1; }
        db=(--db-url "mariadb://root@localhost/fibertrack_empty?socket=$sock")
    else
        DIRS+=("$dir") # no client for A's database: a private MariaDB of its own
    fi
    FT_DATA_DIR=$dir "$FTD" migrate "${db[@]}" >>"$slog" 2>&1 || { log "migrate failed (see $ART/server-c.log)"; return 1; }
    printf 'fibertrack-demo\n' | FT_DATA_DIR=$dir "$FTD" user add "${db[@]}" --email "$FT_WEB_EMPTY_ADMIN" \
        --name 'Erika Einrichter' --role admin >>"$slog" 2>&1 || { log "user add failed (see $ART/server-c.log)"; return 1; }
    ft_server_start SERVER_PID "$dir" "$port" "$slog" "${db[@]}" --threads 1 --db-pool 2
    local rc=$?
    # stopped before A, whose MariaDB it uses
    PIDS=("$SERVER_PID" "${PIDS[@]}")
    [ "$rc" = 0 ] || log "server c did not start (see $ART/server-c.log)"
    return "$rc"
}

if [ "${FT_WEB_SKIP_EMPTY:-}" != 1 ]; then
    export FT_WEB_EMPTY_ADMIN=admin@neustadt.example
    pick_port PORT_C || die "no free port in 18600-18699"
    start_empty "$PORT_C" || die "could not start the empty server"
    export FT_WEB_EMPTY_URL=http://127.0.0.1:$PORT_C
    log "server C (empty install) on $FT_WEB_EMPTY_URL"
fi

export FT_WEB_ARTIFACTS=$ART
# The 2 s budget is for the real build; a sanitizer build of the server is several times slower.
if grep -qE "__asan_init|__tsan_init" "$FTD" 2>/dev/null; then
    export FT_WEB_SANITIZED=1
    export FT_WEB_MAP_BUDGET_MS=${FT_WEB_MAP_BUDGET_MS:-10000}
    log "sanitizer build: map budget ${FT_WEB_MAP_BUDGET_MS} ms"
fi
node "$HERE/web.test.mjs" 2>&1 | tee "$ART/web-test.log"
rc=${PIPESTATUS[0]}
if ! tail -n 1 "$ART/web-test.log" | grep -qE '^[0-9]+ passed, [0-9]+ failed$'; then
    echo "run-web: web.test.mjs ended without a result (exit status $rc)"
    echo "0 passed, 1 failed"
    exit 1
fi
exit "$rc"
