#!/usr/bin/env bash
# Load benchmark of the API on the demo project scaled to 100,000 segments
# and 200,000 premises. Prints one RESULT line per wrk run and the medians.
# Usage: bench/run-api-bench.sh [runs] [seconds]
#   CASES   which wrk scripts (default: segment_get segment_list progress_post)
#   CONNS   wrk connections (default 32)
#   DBLIMIT=1  also bin/dblimit (make dblimit): the same lookups straight on
#              MariaDB from 2 threads, with and without the token lookup
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
SECS=${2:-10}
BIN=${BINDIR:-bin}/fibertrackd
PORT=${PORT:-18900}
DATA=$(mktemp -d /tmp/ftbench.XXXXXX)
export FT_DATA_DIR=$DATA
cleanup() {
    [ -n "${PID:-}" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$DATA"
}
trap cleanup EXIT

"$BIN" migrate >/dev/null 2>&1
start=$(date +%s.%N)
"$BIN" demo --segments 100000 --premises-per-segment 2 >/dev/null
echo "demo load (100,000 segments, 200,000 premises): $(echo "$(date +%s.%N) - $start" | bc) s"
"$BIN" serve --listen "127.0.0.1:$PORT" --log warn >/dev/null 2>"$DATA/serve.log" &
PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
TOKEN=$(curl -s -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d '{"email":"manager@musterstadt.example","password":"fibertrack-demo"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
export TOKEN MAX_ID=100000
# The contractor's token and the segments it may report on, for progress_post.
CTOKEN=$(curl -s -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d '{"email":"bauleitung@tiefbau-nord.example","password":"fibertrack-demo"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
export SEGMENTS=$DATA/segments.txt
mariadb --no-defaults -S "$DATA/mariadb/mariadb.sock" -u root -N -B fibertrack -e \
    "SELECT s.id, s.status, s.built_length_m FROM segments s JOIN lots l ON l.id = s.lot_id
     JOIN users u ON u.contractor_id = l.contractor_id AND u.email = 'bauleitung@tiefbau-nord.example'
     WHERE s.status IN ('planned','permitted','in_construction','civil_done','cable_installed','spliced')" \
    >"$SEGMENTS"
echo "progress_post: $(wc -l <"$SEGMENTS") segments of the contractor's lots"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for script in ${CASES:-segment_get segment_list progress_post}; do
    : >"$DATA/$script.txt"
    tok=$TOKEN
    [ "$script" = progress_post ] && tok=$CTOKEN
    for _ in $(seq "$RUNS"); do
        TOKEN=$tok wrk -t2 -c"${CONNS:-32}" -d"${SECS}s" -s "bench/$script.lua" "http://127.0.0.1:$PORT/" |
            grep RESULT | tee -a "$DATA/$script.txt"
    done
    rps=$(sed -E 's/.*rps=([0-9.]+).*/\1/' "$DATA/$script.txt" | median)
    p50=$(sed -E 's/.*p50_ms=([0-9.]+).*/\1/' "$DATA/$script.txt" | median)
    p99=$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' "$DATA/$script.txt" | median)
    echo "MEDIAN $script: rps=$rps p50_ms=$p50 p99_ms=$p99"
done
if [ "${DBLIMIT:-0}" = 1 ]; then
    for lookups in 2 1; do
        : >"$DATA/dblimit$lookups.txt"
        for _ in $(seq "$RUNS"); do
            "${DBLIMIT_BIN:-bin/dblimit}" "$DATA/mariadb/mariadb.sock" 2 "$SECS" "$MAX_ID" "$lookups" |
                tee -a "$DATA/dblimit$lookups.txt"
        done
        echo "MEDIAN dblimit (statements per request: $lookups): rps=$(sed -E 's/.*rps=([0-9.]+).*/\1/' \
            "$DATA/dblimit$lookups.txt" | median)"
    done
fi
