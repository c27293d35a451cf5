#!/usr/bin/env bash
# The construction-workflow suite: progress reports and their review,
# idempotency under cut connections and SIGKILL, milestones, invoices,
# premises, GIS import/export with ogr2ogr (and import speed), the summary as
# of a date, and the authorization matrix (tests/artifacts/authz-matrix.txt).
#
# It starts its own fibertrackd (ports 18700-18799) on a throwaway data dir with
# its own private MariaDB, and stops everything it started. Last line:
# "N passed, N failed"; exit status non-zero when something failed.
#
#   BINDIR        where fibertrackd is (default bin)
#   WF_MODULES    e.g. "test_progress test_gis" to run only those modules
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
export BINDIR=${BINDIR:-bin}
case $BINDIR in
/*) ;;
*) BINDIR=$ROOT/$BINDIR ;;
esac
export FT_ARTIFACTS=${FT_ARTIFACTS:-$ROOT/tests/artifacts}
mkdir -p "$FT_ARTIFACTS"
# shellcheck source=SCRIPTDIR/../lib/server.sh
. "$ROOT/tests/lib/server.sh"

WF_TMP=$(mktemp -d /tmp/ftwf-run.XXXXXX)
export WF_PIDFILE=$WF_TMP/pids WF_RESULT=$WF_TMP/result
export PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
: >"$WF_PIDFILE"
PY_PID=

# Stops what the Python side recorded. Python stops its servers gracefully
# itself; this is for a crash or an interrupt, so it is quick (the data is
# throwaway): SIGKILL to the fibertrackd processes it started and to the
# private mariadbd of each data dir (found by its pid file), then the dirs go.
# Only pids we recorded, and only while they are still what we started.
cleanup() {
    local kind pid path p
    if [ -n "$PY_PID" ] && ft_alive "$PY_PID"; then
        kill -TERM "$PY_PID" 2>/dev/null
        ft_wait_gone "$PY_PID" 3 || kill -KILL "$PY_PID" 2>/dev/null
    fi
    while read -r kind pid path; do
        if [ "$kind" = fibertrackd ] && ft_alive "$pid" &&
            [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = fibertrackd ]; then
            kill -KILL "$pid" 2>/dev/null
        fi
    done <"$WF_PIDFILE"
    while read -r kind pid path; do
        [ "$kind" = dir ] || continue
        if p=$(ft_mariadbd_pid "$path"); then
            kill -KILL "$p" 2>/dev/null
            ft_wait_gone "$p" 5
        fi
        case $path in /tmp/ftwf-*) rm -rf "$path" ;; esac
    done <"$WF_PIDFILE"
    rm -rf "$WF_TMP"
}
trap cleanup EXIT
trap 'echo "run-workflow.sh: interrupted" >&2; exit 130' INT TERM

if [ ! -x "$BINDIR/fibertrackd" ]; then
    echo "FAIL  $BINDIR/fibertrackd is missing (make)"
    echo "0 passed, 1 failed"
    exit 1
fi
for tool in mariadb ogr2ogr ogrinfo; do
    command -v "$tool" >/dev/null || echo "note: $tool is not installed; tests that need it will fail"
done

# shellcheck disable=SC2086
/usr/bin/python3 "$ROOT/tests/workflow/main.py" ${WF_MODULES:-} &
PY_PID=$!
wait "$PY_PID"
rc=$?
PY_PID=

passed=0
failed=0
if [ -s "$WF_RESULT" ]; then
    read -r passed failed <"$WF_RESULT"
else
    echo "FAIL  tests/workflow/main.py ended without a result (exit status $rc)"
    failed=$((failed + 1))
fi
if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
    echo "FAIL  tests/workflow/main.py exited with status $rc"
    failed=1
fi
cleanup
trap - EXIT
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
