#!/usr/bin/env bash
# `make run`: migrate, load the demo project into an empty database, serve.
# Without FT_DB_URL, fibertrackd runs its own private MariaDB in $FT_DATA_DIR/mariadb.
set -euo pipefail
cd "$(dirname "$0")/.."

BINDIR=${BINDIR:-bin}
export FT_DATA_DIR=${FT_DATA_DIR:-./var}
FTD=$BINDIR/fibertrackd

if [ ! -x "$FTD" ]; then
    echo "run.sh: $FTD is missing; build it with make" >&2
    exit 1
fi

"$FTD" migrate
"$FTD" demo # loads the demo project only when there are no projects; prints the demo logins
exec "$FTD" serve
