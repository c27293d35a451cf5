#!/usr/bin/env bash
# `make test`: runs every test suite against a throwaway data directory (and so
# a throwaway private MariaDB) and ends with exactly one line "N passed, N failed".
#
#   BINDIR       where fibertrackd and unit-tests are (default bin)
#   FT_SUITE_TIMEOUT  seconds one suite may take (default 900)
#   FT_SUITES    only the suites whose names match one of these shell patterns,
#                e.g. FT_SUITES='unit api/test_auth workflow/*' (default: all)
#
# Suites:
#   $BINDIR/unit-tests             (no server needed)
#   tests/api/test_*.py            run with /usr/bin/python3 against the server started here
#   tests/*/run-*.sh (executable)  e.g. tests/fault, tests/cli, tests/web
# Each suite prints its own final "N passed, N failed" line; a suite without
# one (crashed, timed out) counts as 1 failed, and so does one that exits
# non-zero while reporting 0 failures. Suites get in their environment:
#   FT_BASE_URL   http://127.0.0.1:PORT of the running server
#   FT_DATA_DIR   its data dir (the private MariaDB socket is $FT_DATA_DIR/mariadb/mariadb.sock)
#   FT_BIN        $BINDIR/fibertrackd (absolute);  FT_CLI  $BINDIR/fibertrack
#   FT_PYTHON     /usr/bin/python3;  FT_ARTIFACTS  tests/artifacts (absolute)
#   FT_TMP        a scratch directory removed at the end
# Logs: tests/artifacts/server.log (server stdout+stderr), tests/artifacts/suite-*.log.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD

BINDIR=${BINDIR:-bin}
case $BINDIR in
/*) ;;
*) BINDIR=$ROOT/$BINDIR ;;
esac
PY=/usr/bin/python3 # Debian's, which has python3-openpyxl (not a pyenv one on PATH)
SUITE_TIMEOUT=${FT_SUITE_TIMEOUT:-900}
ART=$ROOT/tests/artifacts
mkdir -p "$ART"
rm -f "$ART"/*.log

# Short path: the MariaDB unix socket path must stay under 108 bytes.
TMP=$(mktemp -d /tmp/ftk-test.XXXXXX)
export FT_DATA_DIR=$TMP/data
unset FT_DB_URL # always the throwaway embedded MariaDB
SERVER_PID=
SERVER_LOG=$ART/server.log
: >"$SERVER_LOG"

passed=0
failed=0
problems=()

# Waits up to $2 seconds for process $1 to exit; returns 0 if it did.
wait_gone() {
    local pid=$1 i
    for ((i = 0; i < $2 * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    return 1
}

# The private mariadbd of the throwaway data dir, if one runs.
mariadbd_pid() {
    local pf=$FT_DATA_DIR/mariadb/mariadb.pid p
    [ -f "$pf" ] || return 1
    p=$(cat "$pf" 2>/dev/null) || return 1
    [ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = mariadbd ] || return 1
    echo "$p"
}

cleanup() {
    local p
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        wait_gone "$SERVER_PID" 30 || kill -KILL "$SERVER_PID" 2>/dev/null
    fi
    # a mariadbd left behind by a crashed or killed fibertrackd
    if p=$(mariadbd_pid); then
        kill -TERM "$p" 2>/dev/null
        wait_gone "$p" 30 || kill -KILL "$p" 2>/dev/null
        wait_gone "$p" 5
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "tests/run.sh: interrupted" >&2; exit 130' INT TERM

fail_test() { # name, reason
    echo "FAIL  $1: $2"
    failed=$((failed + 1))
    problems+=("$1: $2")
}

pass_test() {
    echo "ok    $1"
    passed=$((passed + 1))
}

# run_suite NAME COMMAND...: runs a suite (output indented, kept in
# tests/artifacts/suite-NAME.log) and adds its counts.
run_suite() {
    local name=$1
    shift
    local log rc line p f
    selected "$name" || return 0
    log=$ART/suite-$(echo "$name" | tr -c 'A-Za-z0-9_.\n-' '_').log
    echo "== $name"
    timeout --foreground --kill-after=10 "$SUITE_TIMEOUT" "$@" </dev/null 2>&1 | tee "$log" | sed -u 's/^/    /'
    rc=${PIPESTATUS[0]}
    if [ "$rc" = 130 ]; then # the suite got SIGINT: ^C
        echo "tests/run.sh: interrupted" >&2
        exit 130
    fi
    line=$(grep -aE '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
            fail_test "$name" "timed out after $SUITE_TIMEOUT s without a result line"
        else
            fail_test "$name" "crashed: no 'N passed, N failed' line (exit status $rc)"
        fi
        return
    fi
    p=${line%% passed*}
    f=${line#*, }
    f=${f%% failed}
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -gt 0 ]; then
        problems+=("$name: $f failed")
    elif [ "$rc" != 0 ]; then
        fail_test "$name" "reported 0 failed but exited with status $rc"
    fi
}

# selected NAME: whether FT_SUITES (if set) names this suite.
selected() {
    local pat pats
    [ -z "${FT_SUITES:-}" ] && return 0
    read -ra pats <<<"$FT_SUITES" # no pathname expansion of the patterns
    for pat in "${pats[@]}"; do
        # shellcheck disable=SC2053 # the pattern is meant to match as a glob
        [[ $1 == $pat ]] && return 0
    done
    return 1
}

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
        echo $((18080 + $$ % 1000))
}

# ---- unit tests ---------------------------------------------------------------

if [ -x "$BINDIR/unit-tests" ]; then
    run_suite unit "$BINDIR/unit-tests"
else
    fail_test unit "$BINDIR/unit-tests is missing (make unit-tests)"
fi

# ---- server ---------------------------------------------------------------------

FTD=$BINDIR/fibertrackd
PORT=$(free_port)
export FT_BASE_URL=http://127.0.0.1:$PORT
export FT_BIN=$FTD
export FT_CLI=$BINDIR/fibertrack
export FT_PYTHON=$PY
export FT_ARTIFACTS=$ART
export FT_TMP=$TMP
export PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1

server_up=0
if [ ! -x "$FTD" ]; then
    fail_test server "$FTD is missing (make)"
else
    echo "== migrate ($FT_DATA_DIR)"
    if ! "$FTD" migrate >>"$SERVER_LOG" 2>&1; then
        fail_test migrate "fibertrackd migrate failed (see $SERVER_LOG)"
    fi
    echo "== serve on $FT_BASE_URL"
    FT_LISTEN=127.0.0.1:$PORT "$FTD" serve >>"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    for ((i = 0; i < 600; i++)); do
        if curl -fsS -o /dev/null --max-time 2 "$FT_BASE_URL/healthz" 2>/dev/null; then
            server_up=1
            break
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [ "$server_up" != 1 ]; then
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            fail_test server "GET /healthz did not answer within 60 s"
        else
            wait "$SERVER_PID"
            fail_test server "fibertrackd serve exited early with status $?"
            SERVER_PID=
        fi
    fi
fi

# ---- suites that need the server ------------------------------------------------------

shopt -s nullglob
api_suites=(tests/api/test_*.py)
other_suites=()
for s in tests/*/run-*.sh; do
    [ -x "$s" ] && other_suites+=("$s")
done

for s in "${api_suites[@]}"; do
    name=api/$(basename "$s" .py)
    if [ "$server_up" = 1 ]; then
        run_suite "$name" "$PY" "$s"
    else
        fail_test "$name" "not run: the server is not up"
    fi
done

for s in "${other_suites[@]}"; do
    name=${s#tests/}
    name=${name%.sh}
    run_suite "$name" "$s"
done

# ---- graceful shutdown ---------------------------------------------------------------

if [ -n "$SERVER_PID" ]; then
    echo "== shutdown"
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        wait "$SERVER_PID"
        fail_test "graceful shutdown" "the server had already exited (status $?) before SIGTERM"
    else
        mdb=$(mariadbd_pid) || mdb=
        kill -TERM "$SERVER_PID"
        if wait_gone "$SERVER_PID" 30; then
            wait "$SERVER_PID"
            rc=$?
            if [ "$rc" = 0 ]; then
                pass_test "graceful shutdown"
            else
                fail_test "graceful shutdown" "exit status $rc after SIGTERM"
            fi
        else
            fail_test "graceful shutdown" "still running 30 s after SIGTERM"
            kill -KILL "$SERVER_PID" 2>/dev/null
            wait "$SERVER_PID" 2>/dev/null
        fi
        if [ -n "$mdb" ]; then
            if wait_gone "$mdb" 5; then
                pass_test "embedded mariadb stopped on exit"
            else
                fail_test "embedded mariadb stopped on exit" "mariadbd $mdb still runs after the server exited"
            fi
        fi
    fi
    SERVER_PID=
fi

# ---- summary -------------------------------------------------------------------------

if [ "$failed" -gt 0 ] || [ "${#problems[@]}" -gt 0 ]; then
    echo
    echo "---- last 50 lines of $SERVER_LOG ----"
    tail -n 50 "$SERVER_LOG"
    echo "---- problems ----"
    for p in "${problems[@]}"; do
        echo "  $p"
    done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
