#!/usr/bin/env bash
# Fault-injection tests for fibertrackd (SPEC 2, 4, 7): a stalled database,
# a killed and a cleanly restarted database, graceful shutdown, slow and
# stuck clients, request limits, a full wait queue, deadlocks and lock waits.
#
# Starts its own fibertrackd servers (one after the other, with the options
# each case needs) on a throwaway data directory, so with a throwaway private
# MariaDB; everything it starts is stopped at exit. The cases themselves are
# in fault.py (Python standard library only).
#
#   BINDIR       where fibertrackd is (default bin)
#   FAULT_CASES  run only these cases (ids as in fault.py, e.g. "db-kill slowloris")
#   FAULT_KEEP_LOG  copy the servers' log to this file at the end
#
# Last line: "N passed, N failed"; exit status 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
BINDIR=${BINDIR:-bin}
case $BINDIR in
/*) ;;
*) BINDIR=$ROOT/$BINDIR ;;
esac
PY=/usr/bin/python3
HELPER=$ROOT/tests/fault/fault.py
# shellcheck source=SCRIPTDIR/../lib/server.sh
. "$ROOT/tests/lib/server.sh"
export PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# Our servers are configured by flags only.
unset FT_DB_URL FT_LISTEN FT_THREADS FT_DB_POOL FT_DB_QUEUE FT_MAX_CONNECTIONS \
    FT_REQUEST_TIMEOUT FT_SHUTDOWN_GRACE FT_LOG FT_DATA_DIR FT_SCHEMA_DIR

# A short path: the MariaDB socket path must stay under 108 bytes.
WORK=$(mktemp -d /tmp/ftfault.XXXXXX) || exit 2
DATA=$WORK/data
LOG=$WORK/server.log
MDB_PIDFILE=$DATA/mariadb/mariadb.pid
SOCK=$DATA/mariadb/mariadb.sock
SERVER_PID=
: >"$LOG"

# A snapshot of the binary and the migrations it finds beside itself, so that
# a rebuild in the work tree during the run does not change the server under test.
mkdir -p "$WORK/bin"
if ! cp "$BINDIR/fibertrackd" "$WORK/bin/fibertrackd" 2>/dev/null ||
    ! cp -r "$ROOT/schema" "$WORK/schema"; then
    echo "FAIL  setup: $BINDIR/fibertrackd or schema/ is missing (make)"
    echo "0 passed, 1 failed"
    rm -rf "$WORK"
    exit 1
fi
FTD=$WORK/bin/fibertrackd

passed=0
failed=0
failures=()

our_processes() { # pids of processes still using our throwaway directory
    pgrep -f "$WORK" 2>/dev/null | grep -vx "$$" || true
}

# The EXIT trap runs this. shellcheck 0.9 takes a function that only a trap
# calls for unreachable when the script ends in exit, as this one does (finish).
# shellcheck disable=SC2317
cleanup() {
    local p
    if [ -n "$SERVER_PID" ]; then
        kill -KILL "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    ft_mariadbd_stop "$DATA"
    for p in $(our_processes); do
        kill -KILL "$p" 2>/dev/null
    done
    if [ -n "${FT_ARTIFACTS:-}" ] && [ -d "$FT_ARTIFACTS" ]; then
        cp "$LOG" "$FT_ARTIFACTS/fault-server.log" 2>/dev/null
        cp "$DATA/mariadb/error.log" "$FT_ARTIFACTS/fault-mariadb.log" 2>/dev/null
    fi
    if [ -n "${FAULT_KEEP_LOG:-}" ]; then
        cp "$LOG" "$FAULT_KEEP_LOG" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "run-fault.sh: interrupted" >&2; exit 130' INT TERM

pass() {
    echo "ok    $1"
    passed=$((passed + 1))
}

fail() { # name reason
    echo "FAIL  $1${2:+: $2}"
    failed=$((failed + 1))
    failures+=("$1")
}

finish() {
    if [ "${#failures[@]}" -gt 0 ]; then
        echo "failed: ${failures[*]}"
    fi
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

PORT=$(ft_free_port 18200 18299)
if [ -z "$PORT" ]; then
    fail setup "no free port in 18200-18299"
    finish
fi
URL=http://127.0.0.1:$PORT
SERVER_OPTS=

start_server() { # fibertrackd serve options...
    SERVER_OPTS="$*"
    ft_server_start SERVER_PID "$DATA" "$PORT" "$LOG" "$@" && return 0
    echo "      fibertrackd serve $* did not get ready; the end of its log:"
    tail -n 15 "$LOG" | sed 's/^/      | /'
    return 1
}

# Stops the server with SIGTERM; returns its exit status. A mariadbd it
# leaves behind is stopped too (and reported).
stop_server() {
    local rc=0
    [ -n "$SERVER_PID" ] || return 0
    ft_server_stop "$SERVER_PID" 40
    rc=$?
    SERVER_PID=
    if ft_mariadbd_pid "$DATA" >/dev/null; then
        echo "      its mariadbd still runs after it exited; stopping it"
        ft_mariadbd_stop "$DATA"
        [ "$rc" = 0 ] && rc=99
    fi
    return $rc
}

# The server with these options, (re)started when it is not the one running.
ensure_server() {
    if [ -n "$SERVER_PID" ] && ft_alive "$SERVER_PID" && [ "$SERVER_OPTS" = "$*" ]; then
        return 0
    fi
    if [ -n "$SERVER_PID" ]; then
        stop_server
    fi
    start_server "$@"
}

# run_case NAME CASE [server options...]: runs fault.py CASE against a server
# with these options.
run_case() {
    local name=$1 case=$2
    shift 2
    selected "$case" || return 0
    echo "== $name"
    if ! ensure_server "$@"; then
        fail "$name" "the server did not start"
        return
    fi
    local from rc
    from=$(wc -l <"$LOG")
    FAULT_URL=$URL FAULT_PID=$SERVER_PID FAULT_SOCK=$SOCK FAULT_MDB_PIDFILE=$MDB_PIDFILE \
        FAULT_TOKEN=$TOKEN FAULT_REQUEST_TIMEOUT=$(opt --request-timeout 30 "$@") \
        FAULT_GRACE=$(opt --shutdown-grace 20 "$@") \
        FAULT_MAX_CONNECTIONS=$(opt --max-connections 1024 "$@") \
        FAULT_IDLE_TIMEOUT=$(opt --idle-timeout 5 "$@") FAULT_LOG=$LOG \
        timeout -k 5 150 "$PY" "$HELPER" "$case" </dev/null
    rc=$?
    if [ "$rc" = 0 ]; then
        pass "$name"
    else
        [ "$rc" = 124 ] && echo "    problem: the case timed out"
        fail "$name"
        server_log_since "$from"
    fi
}

selected() {
    [ -z "${FAULT_CASES:-}" ] || [[ " $FAULT_CASES " == *" $1 "* ]]
}

# The log lines since line $1 that tell about trouble.
server_log_since() {
    local lines
    lines=$(tail -n +"$(($1 + 1))" "$LOG" | grep -avE 'level=(info|debug)|request_id=|\[Note\]|^Version: |^---- ' | head -n 20)
    if [ -n "$lines" ]; then
        echo "    server log:"
        # shellcheck disable=SC2001 # sed prefixes every line, which no expansion does as plainly
        echo "$lines" | sed 's/^/      | /'
    fi
}

# The value of option $1 in the rest of the arguments, else $2.
opt() {
    local name=$1 def=$2
    shift 2
    while [ $# -gt 0 ]; do
        if [ "$1" = "$name" ] && [ $# -gt 1 ]; then
            echo "$2"
            return
        fi
        shift
    done
    echo "$def"
}

# run_shutdown_case NAME CASE [options...]: like run_case, for cases that
# SIGTERM the server: it must also exit with status 0.
run_shutdown_case() {
    local name=$1 case=$2
    shift 2
    selected "$case" || return 0
    echo "== $name"
    if ! ensure_server "$@"; then
        fail "$name" "the server did not start"
        return
    fi
    local from rc src
    from=$(wc -l <"$LOG")
    FAULT_URL=$URL FAULT_PID=$SERVER_PID FAULT_SOCK=$SOCK FAULT_MDB_PIDFILE=$MDB_PIDFILE \
        FAULT_TOKEN=$TOKEN FAULT_REQUEST_TIMEOUT=$(opt --request-timeout 30 "$@") \
        FAULT_GRACE=$(opt --shutdown-grace 20 "$@") \
        timeout -k 5 150 "$PY" "$HELPER" "$case" </dev/null
    rc=$?
    if ft_alive "$SERVER_PID"; then
        echo "    problem: fibertrackd still runs; killing it"
        kill -KILL "$SERVER_PID" 2>/dev/null
        rc=1
    fi
    wait "$SERVER_PID" 2>/dev/null
    src=$?
    SERVER_PID=
    echo "    fibertrackd exited with $(ft_describe_exit "$src")"
    if [ "$src" != 0 ]; then
        echo "    problem: fibertrackd should exit 0 after SIGTERM"
        rc=1
    fi
    ft_mariadbd_stop "$DATA"
    if [ "$rc" = 0 ]; then
        pass "$name"
    else
        fail "$name"
        server_log_since "$from"
    fi
}

# ---- set-up: schema, demo data, an admin and a token ----

echo "== set-up in $WORK"
if ! { FT_DATA_DIR=$DATA "$FTD" migrate &&
    FT_DATA_DIR=$DATA "$FTD" demo --segments 40 &&
    printf 'fault-admin-password\n' | FT_DATA_DIR=$DATA "$FTD" user add \
        --email fault-admin@fault.example --name 'Fault Admin' --role admin; } >>"$LOG" 2>&1; then
    fail setup "migrate, demo or user add failed"
    tail -n 20 "$LOG" | sed 's/^/      | /'
    finish
fi
TOKEN=$(FT_DATA_DIR=$DATA "$FTD" token issue --email fault-admin@fault.example 2>>"$LOG")
if [ -z "$TOKEN" ]; then
    fail setup "token issue failed"
    finish
fi

# ---- the cases ----

A=(--threads 2 --request-timeout 10)
run_case "db stall: FTWRL with writes in flight" db-stall "${A[@]}"
run_case "limits: headers over 16 KiB" big-headers "${A[@]}"
run_case "limits: body over 1 MiB" big-body "${A[@]}"
run_case "deadlocks: concurrent PATCH If-Match * and creates" deadlock-storm "${A[@]}"
run_case "deadlocks: forced deadlock is retried" deadlock-forced "${A[@]}"
run_case "deadlocks: lock wait timeout is retried" lock-wait-retry "${A[@]}"
run_case "db restart: kill -9 mariadbd" db-kill "${A[@]}"
run_case "db restart: clean shutdown of mariadbd" db-term "${A[@]}"
run_case "db restart: an Idempotency-Key cut off by the crash can be retried" idem-orphan "${A[@]}"
run_case "limits: wait queue full" queue-full --db-pool 1 --db-queue 2
B=(--threads 2 --request-timeout 3 --idle-timeout 2 --max-connections 24)
run_case "slow clients: slowloris" slowloris "${B[@]}"
run_case "slow clients: idle connections" idle "${B[@]}"
run_case "connections: at the cap the oldest idle one makes room" max-connections "${B[@]}"
run_case "connections: an attacker holding idle slots locks nobody out" idle-cap "${B[@]}"
run_case "connections: at a busy cap a new client gets 503" busy-cap "${B[@]}"
run_case "descriptors: out of files, accept backs off" fd-exhaustion --threads 2

# A cap the open-files limit cannot hold is refused at start, with the fix.
if selected fd-limit; then
    echo "== descriptors: a cap over the open-files limit is refused at start"
    [ -n "$SERVER_PID" ] && stop_server
    out=$( (ulimit -n 256 && FT_DATA_DIR=$DATA timeout 30 "$FTD" serve --listen "127.0.0.1:$PORT" \
        --max-connections 1024) 2>&1)
    rc=$?
    if [ "$rc" != 0 ] && grep -q 'max-connections' <<<"$out" && ! ft_mariadbd_pid "$DATA" >/dev/null; then
        pass "descriptors: a cap over the open-files limit is refused at start"
        echo "    $(grep -m1 'max-connections' <<<"$out")"
    else
        fail "descriptors: a cap over the open-files limit is refused at start" \
            "exit $rc: $(tail -n 3 <<<"$out")"
        ft_mariadbd_stop "$DATA"
    fi
fi
run_shutdown_case "graceful shutdown: SIGTERM with logins in flight" shutdown \
    --db-pool 1 --shutdown-grace 15
run_shutdown_case "graceful shutdown: grace period ends with requests stuck on the DB" \
    shutdown-grace --shutdown-grace 2

# ---- nothing left behind ----

if [ -n "$SERVER_PID" ]; then
    stop_server
fi
sleep 0.3
left=$(our_processes)
if [ -z "$left" ]; then
    pass "no process left behind"
else
    fail "no process left behind" "$(ps -o pid=,args= -p "$(paste -sd, <<<"$left")" | head -n 5)"
fi
finish
