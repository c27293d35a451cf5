#!/usr/bin/env bash
# progress.xlsx and costs.xlsx of a 100,000-segment project (bench/reports.md):
# a throwaway data dir with the private MariaDB, the big demo, one server,
# then ROUNDS downloads of each workbook, timed by the server's own log line
# (report=... seconds=...), with the server's VmHWM before and after.
#
#   bench/run-report-bench.sh [ROUNDS] [SEGMENTS]     (defaults 3, 100000)
#   BINDIR   where fibertrackd is (default bin)
#   KEEP=1   keep the data dir (its path is printed) for another run:
#            DATA=/that/dir bench/run-report-bench.sh skips the demo load
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
ROUNDS=${1:-3}
NSEG=${2:-100000}
BINDIR=${BINDIR:-bin}
case $BINDIR in /*) ;; *) BINDIR=$ROOT/$BINDIR ;; esac
FTD=$BINDIR/fibertrackd
# shellcheck source=SCRIPTDIR/../tests/lib/server.sh
. "$ROOT/tests/lib/server.sh"
unset FT_DB_URL FT_LISTEN FT_LOG FT_DATA_DIR
LOAD=1
if [ -n "${DATA:-}" ]; then
    LOAD=0
else
    DATA=$(mktemp -d /tmp/ftrb.XXXXXX)/data
fi
LOG=$(dirname "$DATA")/server.log
PID=
cleanup() {
    [ -n "$PID" ] && ft_server_stop "$PID" 40
    ft_mariadbd_stop "$DATA"
    if [ "${KEEP:-0}" = 1 ]; then
        echo "kept $DATA"
    else
        rm -rf "$(dirname "$DATA")"
    fi
}
trap cleanup EXIT
if [ "$LOAD" = 1 ]; then
    FT_DATA_DIR=$DATA "$FTD" migrate >>"$LOG" 2>&1 || { echo "migrate failed"; exit 1; }
    t0=$(date +%s.%N)
    FT_DATA_DIR=$DATA "$FTD" demo --segments "$NSEG" --premises-per-segment 2 >>"$LOG" 2>&1 ||
        { echo "demo failed"; tail "$LOG"; exit 1; }
    echo "RESULT demo_load_s $(echo "$(date +%s.%N) - $t0" | bc)"
else
    FT_DATA_DIR=$DATA "$FTD" migrate >>"$LOG" 2>&1 || { echo "migrate failed"; exit 1; }
fi
PORT=$(ft_free_port 18600 18699)
ft_server_start PID "$DATA" "$PORT" "$LOG" || { echo "server did not start"; tail "$LOG"; exit 1; }
URL=http://127.0.0.1:$PORT
TOK=$(curl -s -X POST "$URL/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d '{"email":"finance@musterstadt.example","password":"fibertrack-demo"}' |
    /usr/bin/python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
hwm() { awk '/VmHWM/ {print $2 " kB"}' "/proc/$PID/status"; }
echo "RESULT vmhwm_start $(hwm)"
get() { # name path
    local code
    code=$(curl -s -o "$(dirname "$DATA")/$1.xlsx" -w '%{http_code}' \
        -H "Authorization: Bearer $TOK" "$URL$2")
    [ "$code" = 200 ] || echo "RESULT $1 http $code"
}
for ((i = 1; i <= ROUNDS; i++)); do
    get progress "/api/v1/projects/1/reports/progress.xlsx?as_of=2026-11-20&lang=de"
    echo "RESULT progress_bytes $(stat -c %s "$(dirname "$DATA")/progress.xlsx")"
    echo "RESULT vmhwm_after_progress_$i $(hwm)"
done
for ((i = 1; i <= ROUNDS; i++)); do
    get costs "/api/v1/projects/1/reports/costs.xlsx?from=2026-03-01&to=2026-11-20&lang=de"
done
grep -o 'report=[a-z.]* .*seconds=[0-9.]*' "$LOG" | sed 's/^/RESULT /'
