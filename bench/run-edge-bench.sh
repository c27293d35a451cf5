#!/usr/bin/env bash
# The attacks on the HTTP edge that need no account, measured against one
# fibertrackd build: a many-key login body, 8 parallel 60 MB bodies, running
# out of descriptors, idle keep-alive connections at the cap, failed logins,
# NUL bytes, malformed framing and response headers. Prints one line per
# figure; bench/edge.md has the results.
#
#   bench/run-edge-bench.sh [BINDIR]     (default bin)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-bin}/fibertrackd
PORT=${PORT:-18950}
DATA=$(mktemp -d /tmp/ftedge.XXXXXX)
export FT_DATA_DIR=$DATA
cleanup() {
    [ -n "${PID:-}" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$DATA"
}
trap cleanup EXIT

"$BIN" migrate >/dev/null 2>&1
"$BIN" demo --segments 200 >/dev/null
printf 'edge-bench-password\n' | "$BIN" user add --email edge@bench.example --name Edge \
    --role admin >/dev/null
TOKEN=$("$BIN" token issue --email edge@bench.example)
# The attacks come through a proxy on loopback that names the client.
FT_TRUSTED_PROXIES=127.0.0.1/32 "$BIN" serve --listen "127.0.0.1:$PORT" >"$DATA/serve.log" 2>&1 &
PID=$!
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
EDGE_URL=http://127.0.0.1:$PORT EDGE_PID=$PID EDGE_TOKEN=$TOKEN EDGE_LOG=$DATA/serve.log \
    python3 bench/edge_attacks.py
