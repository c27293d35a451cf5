#!/usr/bin/env bash
# Load benchmark of the inventory API on the demo project scaled to 100,000
# segments and 200,000 premises. Prints one RESULT line per wrk run and the
# medians. Usage: bench/run-api-bench.sh [runs] [seconds]
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

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for script in segment_get segment_list; do
    : >"$DATA/$script.txt"
    for _ in $(seq "$RUNS"); do
        wrk -t2 -c32 -d"${SECS}s" -s bench/$script.lua "http://127.0.0.1:$PORT/" | grep RESULT | tee -a "$DATA/$script.txt"
    done
    rps=$(sed -E 's/.*rps=([0-9.]+).*/\1/' "$DATA/$script.txt" | median)
    p50=$(sed -E 's/.*p50_ms=([0-9.]+).*/\1/' "$DATA/$script.txt" | median)
    p99=$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' "$DATA/$script.txt" | median)
    echo "MEDIAN $script: rps=$rps p50_ms=$p50 p99_ms=$p99"
done
