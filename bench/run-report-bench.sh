#!/usr/bin/env bash
# progress.xlsx and costs.xlsx of a 100,000-segment project (bench/reports.md):
# a throwaway data dir with the private MariaDB, the big demo, one server,
# then ROUNDS downloads of each workbook, timed by the server's own log line
# (report=... seconds=...), with the server's VmHWM before and after; then
# (LAT=1, the default) ROUNDS pairs of wrk runs of GET /segments/{id}: one
# on the idle server, one while a progress.xlsx is written (p99 of each).
#
#   bench/run-report-bench.sh [ROUNDS] [SEGMENTS]     (defaults 3, 100000)
#   BINDIR   where fibertrackd is (default bin)
#   LAT=0    skip the latency rounds; CONN connections for wrk (default 2),
#   LAT_SECS seconds per wrk run (default 3: within one report)
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
rss() { awk '/VmRSS/ {print $2}' "/proc/$PID/status"; }
# The largest VmRSS seen every 50 ms until the file $1 exists (VmHWM says
# little when the server's start-up peak is higher than a report's).
rss_peak() {
    local max=0 v
    while [ ! -e "$1" ]; do
        v=$(rss)
        [ "${v:-0}" -gt "$max" ] && max=$v
        sleep 0.05
    done
    echo "$max"
}
# Only this run's lines of a kept data dir's log count.
LOG_FROM=$(($(wc -l <"$LOG") + 1))
echo "RESULT vmhwm_start $(hwm)"
get() { # name path
    local code
    code=$(curl -s -o "$(dirname "$DATA")/$1.xlsx" -w '%{http_code}' \
        -H "Authorization: Bearer $TOK" "$URL$2")
    [ "$code" = 200 ] || echo "RESULT $1 http $code"
}
for ((i = 1; i <= ROUNDS; i++)); do
    DONE=$(dirname "$DATA")/progress.done
    rm -f "$DONE"
    before=$(rss)
    rss_peak "$DONE" >"$DONE.rss" &
    RSSPID=$!
    get progress "/api/v1/projects/1/reports/progress.xlsx?as_of=2026-11-20&lang=de"
    touch "$DONE"
    wait "$RSSPID"
    echo "RESULT rss_growth_progress_$i $(($(cat "$DONE.rss") - before)) kB (VmRSS $before kB before)"
    echo "RESULT progress_bytes $(stat -c %s "$(dirname "$DATA")/progress.xlsx")"
    echo "RESULT vmhwm_after_progress_$i $(hwm)"
done
for ((i = 1; i <= ROUNDS; i++)); do
    get costs "/api/v1/projects/1/reports/costs.xlsx?from=2026-03-01&to=2026-11-20&lang=de"
done
tail -n +"$LOG_FROM" "$LOG" | grep -o 'report=[a-z.]* .*seconds=[0-9.]*' | sed 's/^/RESULT /'
# p99 of GET /segments/{id}: wrk's --latency table, in ms.
p99() {
    wrk -t1 -c"${CONN:-2}" -d"${LAT_SECS:-3}s" --latency -H "Authorization: Bearer $TOK" \
        "$URL/api/v1/segments/4242" |
        awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
                           if (u == "us") v /= 1000; else if (u == "s") v *= 1000;
                           printf "%.2f\n", v }'
}
if [ "${LAT:-1}" = 1 ]; then
    for ((i = 1; i <= ROUNDS; i++)); do
        echo "RESULT p99_idle_ms_$i $(p99)"
        get latency "/api/v1/projects/1/reports/progress.xlsx?as_of=2026-11-20&lang=de" &
        GETPID=$!
        sleep 0.3
        echo "RESULT p99_report_ms_$i $(p99)"
        wait "$GETPID"
    done
    echo "RESULT vmhwm_end $(hwm)"
fi
