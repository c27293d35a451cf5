#!/usr/bin/env bash
# The Excel reports (SPEC 5 and 12): progress.xlsx, costs.xlsx and a
# drawdown's Mittelabruf, read back with openpyxl, checked against /summary
# and the API, printed to PDF by LibreOffice and read back with poppler.
#
# Starts its own fibertrackd with the demo project on a throwaway data
# directory (so a throwaway private MariaDB) on a port in 18400-18499, and
# stops everything it started at exit. The cases are in test_reports.py.
# Installs LibreOffice Calc (Debian's libreoffice-calc-nogui) and
# poppler-utils (pdfinfo, pdftotext) when they are missing and we are root.
#
#   BINDIR   where fibertrackd is (default bin)
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
FTD=$BINDIR/fibertrackd
PY=/usr/bin/python3 # Debian's, with python3-openpyxl
# shellcheck source=SCRIPTDIR/../lib/server.sh
. "$ROOT/tests/lib/server.sh"
export PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
unset FT_DB_URL FT_LISTEN FT_THREADS FT_DB_POOL FT_DB_QUEUE FT_MAX_CONNECTIONS \
    FT_REQUEST_TIMEOUT FT_SHUTDOWN_GRACE FT_LOG FT_DATA_DIR

# A short path: the MariaDB socket path must stay under 108 bytes.
WORK=$(mktemp -d /tmp/ftrep.XXXXXX) || exit 2
DATA=$WORK/data
LOG=$WORK/server.log
SERVER_PID=

cleanup() {
    if [ -n "$SERVER_PID" ]; then
        ft_server_stop "$SERVER_PID" 40
    fi
    # a mariadbd left behind by a crashed server
    ft_mariadbd_stop "$DATA"
    if [ -n "${FT_ARTIFACTS:-}" ] && [ -d "$FT_ARTIFACTS" ]; then
        cp "$LOG" "$FT_ARTIFACTS/reports-server.log" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "run-reports.sh: interrupted" >&2; exit 130' INT TERM

give_up() { # reason
    echo "FAIL  setup: $1"
    tail -n 15 "$LOG" 2>/dev/null | sed 's/^/      | /'
    echo "0 passed, 1 failed"
    exit 1
}

[ -x "$FTD" ] || give_up "$FTD is missing (make)"

# LibreOffice for the "opens without a repair prompt" check.
SOFFICE=$(command -v libreoffice || command -v soffice || true)
if [ -z "$SOFFICE" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing libreoffice-calc-nogui ..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libreoffice-calc-nogui >"$WORK/apt.log" 2>&1 ||
        { apt-get update >>"$WORK/apt.log" 2>&1 &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
                libreoffice-calc-nogui >>"$WORK/apt.log" 2>&1; }
    SOFFICE=$(command -v libreoffice || command -v soffice || true)
fi

# poppler-utils for reading the PDFs back (page count, page text).
if ! command -v pdftotext >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing poppler-utils ..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends poppler-utils \
        >>"$WORK/apt.log" 2>&1 ||
        { apt-get update >>"$WORK/apt.log" 2>&1 &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
                poppler-utils >>"$WORK/apt.log" 2>&1; }
fi

PORT=$(ft_free_port 18400 18499)
[ -n "$PORT" ] || give_up "no free port in 18400-18499"
URL=http://127.0.0.1:$PORT

FT_DATA_DIR=$DATA "$FTD" migrate >>"$LOG" 2>&1 || give_up "fibertrackd migrate failed"
FT_DATA_DIR=$DATA "$FTD" demo >>"$LOG" 2>&1 || give_up "fibertrackd demo failed"
ft_server_start SERVER_PID "$DATA" "$PORT" "$LOG" || give_up "fibertrackd serve did not get ready"

mkdir -p "$WORK/scratch"
OUT=$WORK/suite.out
FT_BASE_URL=$URL FT_DATA_DIR=$DATA FT_WORK=$WORK/scratch FT_SOFFICE=$SOFFICE \
    "$PY" tests/reports/test_reports.py 2>&1 | tee "$OUT" | grep -avE '^[0-9]+ passed, [0-9]+ failed$'
line=$(grep -aE '^[0-9]+ passed, [0-9]+ failed$' "$OUT" | tail -n 1)
if [ -z "$line" ]; then
    echo "FAIL  test_reports.py ended without a result line"
    passed=0
    failed=1
else
    passed=${line%% passed*}
    failed=${line#*, }
    failed=${failed%% failed}
fi
# One more check: the server is still there after every report.
if ft_alive "$SERVER_PID"; then
    passed=$((passed + 1))
else
    echo "FAIL  the server died during the tests (see its log)"
    tail -n 20 "$LOG" | sed 's/^/      | /'
    failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
