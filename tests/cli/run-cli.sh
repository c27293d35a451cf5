#!/usr/bin/env bash
# End-to-end tests of the fibertrack command-line client (clients/cli)
# against a real fibertrackd with its embedded MariaDB. The cases are in
# cli_test.py (Python standard library only); it starts and stops its own
# servers on a throwaway data directory (ports 18500-18599) and leaves
# nothing behind.
#
#   BINDIR         where fibertrack and fibertrackd are (default bin)
#   FT_CLI_CASES   a regular expression: run only the cases whose name it
#                  finds (e.g. FT_CLI_CASES=finance); the finance cases
#                  need no other case before them
#
# Last line: "N passed, N failed"; exit status 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
BINDIR=${BINDIR:-bin}
case $BINDIR in
/*) ;;
*) BINDIR=$PWD/$BINDIR ;;
esac
export BINDIR
export PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
PY=${FT_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
# Our servers are configured by arguments only.
unset FT_DB_URL FT_LISTEN FT_THREADS FT_LOG FT_DATA_DIR
"$PY" tests/cli/cli_test.py
rc=$?
# A crash of the test driver itself still ends with the summary line.
if [ "$rc" -gt 1 ]; then
    echo "cli_test.py died with status $rc"
    echo "0 passed, 1 failed"
fi
exit "$rc"
