#!/usr/bin/env bash
# Photo uploads against reads: GET /segments/{id} latency with no uploads,
# then again while 20 clients each upload 10 MB photos one after another
# (POST /progress-reports/{id}/attachments, a new Idempotency-Key each),
# and the server's resident memory (VmRSS) sampled every 100 ms.
# Usage: bench/run-upload-bench.sh [seconds]   (default 20 per phase: at the
# default FT_UPLOAD_RATE of 12 MiB/s, one round of 20 x 10 MB takes 17 s)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-20}
BIN=${BINDIR:-bin}/fibertrackd
PORT=${PORT:-18901}
CLIENTS=20
SIZE_MB=10
# The upload clients stand for phones elsewhere: on this machine they run
# at a lower priority, so that what is measured is the server's share of
# the CPU rather than curl's (CLIENT_NICE=0 to give them the same).
CLIENT_NICE=${CLIENT_NICE:-10}
DATA=$(mktemp -d /tmp/ftupb.XXXXXX)
export FT_DATA_DIR=$DATA
URL=http://127.0.0.1:$PORT
cleanup() {
    jobs -p | xargs -r kill 2>/dev/null || true
    [ -n "${PID:-}" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$DATA"
}
trap cleanup EXIT

"$BIN" migrate >/dev/null 2>&1
"$BIN" demo --segments 20000 >/dev/null
"$BIN" serve --listen "127.0.0.1:$PORT" --log warn >/dev/null 2>"$DATA/serve.log" &
PID=$!
for _ in $(seq 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done
token() {
    curl -s -X POST "$URL/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"fibertrack-demo\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
TOKEN=$(token manager@musterstadt.example)
CTOKEN=$(token montage@glasfaser-sued.example)
export TOKEN MAX_ID=20000

# A report of the contractor's to attach to, and one 10 MB photo per client.
REPORT=$(python3 - "$URL" "$CTOKEN" <<'PY'
import json, sys, urllib.request
url, tok = sys.argv[1], sys.argv[2]
def call(method, path, body=None, key=None):
    h = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
    if key:
        h["Idempotency-Key"] = key
    req = urllib.request.Request(url + "/api/v1" + path, method=method, headers=h,
                                 data=json.dumps(body).encode() if body is not None else None)
    return json.load(urllib.request.urlopen(req))
seg = call("GET", "/segments?limit=1")["items"][0]
rep = call("POST", "/progress-reports", {"segment_id": seg["id"], "report_date": "2026-11-20",
                                         "built_length_m": seg["built_length_m"], "status": seg["status"]}, "bench-report")
print(rep["id"])
PY
)
python3 - "$DATA" "$CLIENTS" "$SIZE_MB" <<'PY'
import sys
sys.path.insert(0, "tests/lib")
import photos
data, n, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    base = photos.jpeg("2026:11:20 10:15:00", "+01:00", 50.98, 11.03, salt=b"client %d" % i)
    with open("%s/photo-%d.jpg" % (data, i), "wb") as f:
        f.write(photos.jpeg("2026:11:20 10:15:00", "+01:00", 50.98, 11.03, salt=b"client %d" % i,
                            pad=mb * 1024 * 1024 - len(base)))
PY

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Warm up (thumbnails are not part of this), then the idle figures.
wrk -t2 -c32 -d3s -s bench/segment_get.lua "$URL/" >/dev/null
BASE_RSS=$(rss_kb)
echo "idle:    $(wrk -t2 -c32 -d"${SECS}s" -s bench/segment_get.lua "$URL/" | grep RESULT)"

# The uploads: each client sends its photo again and again until stopped.
: >"$DATA/uploads.txt"
for i in $(seq 0 $((CLIENTS - 1))); do
    (
        n=0
        while :; do
            n=$((n + 1))
            nice -n "$CLIENT_NICE" curl -s ${CLIENT_RATE:+--limit-rate $CLIENT_RATE} -o /dev/null -w '%{http_code} %{time_total}\n' -X POST \
                "$URL/api/v1/progress-reports/$REPORT/attachments" \
                -H "Authorization: Bearer $CTOKEN" -H "Idempotency-Key: bench-$i-$n" \
                -H 'Content-Type: image/jpeg' -H "Content-Disposition: attachment; filename=\"photo-$i.jpg\"" \
                --data-binary "@$DATA/photo-$i.jpg" >>"$DATA/uploads.txt"
        done
    ) &
done
: >"$DATA/rss.txt"
( while :; do rss_kb >>"$DATA/rss.txt"; sleep 0.1; done ) &
sleep 1
echo "uploads: $(wrk -t2 -c32 -d"${SECS}s" -s bench/segment_get.lua "$URL/" | grep RESULT)"
jobs -p | xargs -r kill 2>/dev/null || true
wait 2>/dev/null || true
MAX_RSS=$(sort -n "$DATA/rss.txt" | tail -1)
ok=$(grep -c '^201' "$DATA/uploads.txt" || true)
other=$( (grep -v '^201' "$DATA/uploads.txt" || true) | awk '{print $1}' | sort | uniq -c | tr '\n' ' ')
up_med=$(awk '$1 == 201 {print $2}' "$DATA/uploads.txt" | median)
echo "uploads: $ok answered 201 ($((ok * SIZE_MB)) MB); other answers (count, status; 000 = cut off at the end): ${other:-none}; median upload ${up_med} s"
echo "server RSS: $((BASE_RSS / 1024)) MiB before, max $((MAX_RSS / 1024)) MiB during: +$(((MAX_RSS - BASE_RSS) / 1024)) MiB"
