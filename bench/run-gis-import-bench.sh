#!/usr/bin/env bash
# GIS import speed: 100,000 features (20,000 nodes, 30,000 segments with
# three positions each, 50,000 premises, all referring to each other by
# code) imported into a fresh project (create), then the same codes with
# other values (update), ROUNDS times; and once as a GeoPackage (the same
# features through ogr2ogr). /healthz is probed every 20 ms meanwhile.
# Prints one line per import and the medians.
#
# Usage: bench/run-gis-import-bench.sh [ROUNDS]   (default 3)
#   BINDIR=DIR       another build (default bin)
#   GIS_BENCH_GPKG=0 no GeoPackage import (for a build from before GDAL)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
BIN=${BINDIR:-bin}/fibertrackd
PORT=${PORT:-18921}
DATA=$(mktemp -d /tmp/ftgisb.XXXXXX)
export FT_DATA_DIR=$DATA
URL=http://127.0.0.1:$PORT
cleanup() {
    [ -n "${PID:-}" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$DATA"
}
trap cleanup EXIT

"$BIN" migrate >/dev/null 2>&1
"$BIN" demo >/dev/null
"$BIN" serve --listen "127.0.0.1:$PORT" --log warn >/dev/null 2>"$DATA/serve.log" &
PID=$!
for _ in $(seq 100); do curl -sf "$URL/readyz" >/dev/null && break; sleep 0.1; done
TOKEN=$(curl -s -X POST "$URL/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d '{"email":"manager@musterstadt.example","password":"fibertrack-demo"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
python3 bench/gis_features.py 20000 30000 50000 BENCH-LOT >"$DATA/create.geojson"
python3 bench/gis_features.py 20000 30000 50000 BENCH-LOT " (neu)" >"$DATA/update.geojson"
ogr2ogr -f GPKG "$DATA/create.gpkg" "$DATA/create.geojson" -nln network
python3 bench/gis_import_bench.py "$URL" "$TOKEN" "$ROUNDS" "$DATA"
