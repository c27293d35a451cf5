#!/usr/bin/env bash
# fibertrack on a three-node MariaDB Galera cluster behind HAProxy, with a
# database node and an instance killed under load (cluster.py says what is
# proven). Starts everything it needs itself in a throwaway directory and
# stops it at exit.
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
export BINDIR FT_BIN=$BINDIR/fibertrackd PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
unset FT_DB_URL FT_LISTEN FT_DATA_DIR FT_DB_POOL FT_THREADS FT_SCHEMA_DIR

for need in /usr/lib/galera/libgalera_smm.so /usr/sbin/haproxy /usr/bin/mariadb-backup /usr/bin/socat; do
    if [ ! -e "$need" ]; then
        echo "FAIL  cluster: $need is missing (scripts/install-deps.sh installs it)"
        echo "0 passed, 1 failed"
        exit 1
    fi
done

# A short path: the MariaDB socket paths must stay under 108 bytes.
CLUSTER_WORK=$(mktemp -d /tmp/ftcl.XXXXXX) || exit 2
export CLUSTER_WORK
cleanup() {
    # A node or proxy left behind by a crash of the Python side.
    pkill -KILL -f "$CLUSTER_WORK" 2>/dev/null
    rm -rf "$CLUSTER_WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

/usr/bin/python3 "$ROOT/tests/cluster/cluster.py"
