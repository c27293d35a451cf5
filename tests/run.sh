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
#   FT_SERVER_PID the server's process id
#   FT_PYTHON     /usr/bin/python3;  FT_ARTIFACTS  tests/artifacts (absolute)
#   FT_TMP        a scratch directory removed at the end
# The server trusts X-Forwarded-For from 127.0.0.1 (FT_TRUSTED_PROXIES).
# Logs: tests/artifacts/server.log (server stdout+stderr), tests/artifacts/suite-*.log,
# and under ThreadSanitizer tests/artifacts/tsan.PID (each one fails the run).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD

BINDIR=${BINDIR:-bin}
case $BINDIR in
/*) ;;
*) BINDIR=$ROOT/$BINDIR ;;
esac
PY=/usr/bin/python3 # Debian's, which has python3-openpyxl (not a pyenv one on PATH)
# shellcheck source=SCRIPTDIR/lib/server.sh
. "$ROOT/tests/lib/server.sh"
SUITE_TIMEOUT=${FT_SUITE_TIMEOUT:-900}
ART=$ROOT/tests/artifacts
mkdir -p "$ART"
rm -f "$ART"/*.log "$ART"/tsan.*

# Under ThreadSanitizer (make test SANITIZE=thread) every process of ours
# writes its reports to tests/artifacts/tsan.PID, and any such file fails
# the run below: a race must not pass unseen in a log. A malloc too large
# returns NULL, as glibc's does (the unit tests check that pool_alloc then
# aborts), instead of being a report. Options given by the caller go
# between the defaults and the report path. Other builds ignore it.
export TSAN_OPTIONS="suppressions=$ROOT/tests/tsan.supp:halt_on_error=1:second_deadlock_stack=1:allocator_may_return_null=1${TSAN_OPTIONS:+:$TSAN_OPTIONS}:log_path=$ART/tsan"

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

cleanup() {
    if [ -n "$SERVER_PID" ]; then
        ft_server_stop "$SERVER_PID" 30
    fi
    # a mariadbd left behind by a crashed or killed fibertrackd
    ft_mariadbd_stop "$FT_DATA_DIR"
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

# ---- unit tests ---------------------------------------------------------------

if [ -x "$BINDIR/unit-tests" ]; then
    run_suite unit "$BINDIR/unit-tests"
else
    fail_test unit "$BINDIR/unit-tests is missing (make unit-tests)"
fi

# ---- server ---------------------------------------------------------------------

FTD=$BINDIR/fibertrackd
PORT=$(ft_free_port 18100 18199)
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
    # The suites play a proxy on loopback: X-Forwarded-For from 127.0.0.1
    # names the client, so sign-in limits can be tried from many addresses.
    FT_TRUSTED_PROXIES=127.0.0.1/32 ft_server_start SERVER_PID "$FT_DATA_DIR" "$PORT" "$SERVER_LOG" && server_up=1
    export FT_SERVER_PID=$SERVER_PID
    if [ "$server_up" != 1 ]; then
        if ft_alive "$SERVER_PID"; then
            fail_test server "GET /readyz did not answer 200 within 60 s"
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
    if ! ft_alive "$SERVER_PID"; then
        wait "$SERVER_PID"
        fail_test "graceful shutdown" "the server had already exited (status $?) before SIGTERM"
    else
        mdb=$(ft_mariadbd_pid "$FT_DATA_DIR") || mdb=
        ft_server_stop "$SERVER_PID" 30
        rc=$?
        if [ "$rc" = 0 ]; then
            pass_test "graceful shutdown"
        else
            fail_test "graceful shutdown" "exit $(ft_describe_exit "$rc") after SIGTERM"
        fi
        if [ -n "$mdb" ]; then
            if ft_wait_gone "$mdb" 5; then
                pass_test "embedded mariadb stopped on exit"
            else
                fail_test "embedded mariadb stopped on exit" "mariadbd $mdb still runs after the server exited"
            fi
        fi
    fi
    SERVER_PID=
fi

# ---- ThreadSanitizer -------------------------------------------------------------------

# A report from any process (the server, a suite's own servers, the CLI,
# the unit tests) fails the run, even when that process went on or exited 0.
tsan_reports=("$ART"/tsan.*)
if [ "${#tsan_reports[@]}" -gt 0 ]; then
    fail_test "ThreadSanitizer" "${#tsan_reports[@]} report file(s): ${tsan_reports[*]#"$ROOT"/}"
    for f in "${tsan_reports[@]}"; do
        echo "---- ${f#"$ROOT"/} ----"
        head -n 40 "$f"
    done
elif [ -x "$FTD" ] && grep -qa __tsan_init "$FTD"; then
    pass_test "ThreadSanitizer: no reports"
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
