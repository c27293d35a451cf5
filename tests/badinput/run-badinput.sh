#!/usr/bin/env bash
# Bad-input suite: thousands of malformed, oversized and hostile requests
# against the server tests/run.sh started (FT_BASE_URL, FT_DATA_DIR, FT_BIN);
# each must be refused with problem+json and leave the database unchanged.
# How the cases are made, and how to add one: tests/badinput/badinput.py.
#
# Last line: "N passed, N failed"; exit status 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
export PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
PY=${FT_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=/usr/bin/python3
"$PY" tests/badinput/badinput.py
rc=$?
# A crash of the driver itself still ends with a result line.
if [ "$rc" -gt 1 ]; then
    echo "badinput.py died with status $rc"
    echo "0 passed, 1 failed"
fi
exit "$rc"
