#!/usr/bin/env bash
# Backup and restore of a fibertrack installation (SPEC 14, docs/backup.md).
#
# Makes its own installation in a throwaway data directory (migrate, the
# default demo, a progress report and a PDF through the API), takes a hot
# mariadb-backup of its running private MariaDB and restores it into a fresh
# data directory, then loads a mariadb-dump into another fresh instance. The
# restored servers must hold the same tables (CHECKSUM TABLE), answer the
# same GETs byte for byte, serve the same attachment and replay the same
# Idempotency-Key; the dump must bring every trigger along.
#
# Starts its own servers (ports 18800-18899), so it never touches the data
# of the server tests/run.sh started; everything it starts is stopped at exit.
#
#   BINDIR  where fibertrackd is (default bin)
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
PY=${FT_PYTHON:-/usr/bin/python3}
# shellcheck source=SCRIPTDIR/../lib/server.sh
. "$ROOT/tests/lib/server.sh"
# Our servers are configured by flags only; an inherited FT_SECRET or
# FT_ATTACHMENT_DIR would hide what the data directory itself holds.
unset FT_DB_URL FT_LISTEN FT_THREADS FT_DB_POOL FT_DB_QUEUE FT_MAX_CONNECTIONS \
    FT_LOG FT_DATA_DIR FT_SCHEMA_DIR FT_SECRET FT_ATTACHMENT_DIR FT_HOUSEKEEPING_INTERVAL

# A short path: the MariaDB socket path must stay under 108 bytes.
WORK=$(mktemp -d /tmp/ftbackup.XXXXXX) || exit 2
SRC=$WORK/src # the installation that is backed up
HOT=$WORK/hot # restored from the mariadb-backup
DMP=$WORK/dmp # a fresh instance loaded from the mariadb-dump
SRC_PID=
HOT_PID=
DMP_PID=

passed=0
failed=0
failures=()

# The EXIT trap runs this. shellcheck 0.9 takes a function that only a trap
# calls for unreachable when the script ends in exit, as this one does (finish).
# shellcheck disable=SC2317
cleanup() {
    local p d
    for p in "$SRC_PID" "$HOT_PID" "$DMP_PID"; do
        [ -n "$p" ] && ft_server_stop "$p" 20 >/dev/null
    done
    for d in "$SRC" "$HOT" "$DMP"; do
        ft_mariadbd_stop "$d"
    done
    if [ -n "${FT_ARTIFACTS:-}" ] && [ -d "$FT_ARTIFACTS" ]; then
        for d in src hot dmp; do
            cp "$WORK/$d.log" "$FT_ARTIFACTS/backup-$d-server.log" 2>/dev/null
            cp "$WORK/$d/mariadb/error.log" "$FT_ARTIFACTS/backup-$d-mariadb.log" 2>/dev/null
        done
        cp "$WORK/mariadb-backup.log" "$FT_ARTIFACTS/backup-mariadb-backup.log" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "run-backup.sh: interrupted" >&2; exit 130' INT TERM

pass() {
    echo "ok    $1"
    passed=$((passed + 1))
}

fail() { # name reason
    echo "FAIL  $1${2:+: $2}"
    failed=$((failed + 1))
    failures+=("$1")
}

finish() {
    if [ "${#failures[@]}" -gt 0 ]; then
        echo "failed: ${failures[*]}"
    fi
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

# check NAME COMMAND...: passes when the command succeeds.
check() {
    local name=$1
    shift
    if "$@"; then
        pass "$name"
    else
        fail "$name"
    fi
}

# same NAME FILE1 FILE2: passes when the files are byte-identical and not
# empty, else shows where they differ.
same() {
    # Two empty files (a query that failed twice) prove nothing.
    if [ -s "$2" ] && cmp -s "$2" "$3"; then
        pass "$1"
    else
        fail "$1" "$(basename "$2") and $(basename "$3") differ"
        diff "$2" "$3" 2>&1 | head -n 6 | cut -c1-200 | sed 's/^/      | /'
    fi
}

indent() {
    sed 's/^/      | /'
}

# A snapshot of the binary and the migrations it finds beside itself, so that
# a rebuild in the work tree during the run does not change the server under test.
mkdir -p "$WORK/bin"
if ! cp "$BINDIR/fibertrackd" "$WORK/bin/fibertrackd" 2>/dev/null ||
    ! cp -r "$ROOT/schema" "$WORK/schema"; then
    fail setup "$BINDIR/fibertrackd or schema/ is missing (make)"
    finish
fi
FTD=$WORK/bin/fibertrackd

ftd() { # data dir, fibertrackd arguments...
    local data=$1
    shift
    FT_DATA_DIR=$data "$FTD" "$@"
}

# sql DATA STATEMENT: the rows, tab-separated, of a statement run as root on
# DATA's private MariaDB (through its socket, as docs/backup.md does).
sql() {
    mariadb --no-defaults --socket="$1/mariadb/mariadb.sock" --user=root \
        --batch --skip-column-names --database=fibertrack -e "$2"
}

# checksums DATA: the names of the tables of the fibertrack database and
# CHECKSUM TABLE of each, so that a missing or extra table shows as well.
checksums() {
    local tables
    tables=$(sql "$1" "SELECT CONCAT('\`', table_name, '\`') FROM information_schema.tables
        WHERE table_schema = 'fibertrack' AND table_type = 'BASE TABLE' ORDER BY table_name") || return 1
    [ -n "$tables" ] || return 1
    sql "$1" "CHECKSUM TABLE $(paste -sd, <<<"$tables")"
}

triggers() { # DATA: the triggers of the fibertrack database, one a line
    sql "$1" "SELECT trigger_name, event_object_table, action_timing, event_manipulation
        FROM information_schema.triggers WHERE trigger_schema = 'fibertrack' ORDER BY trigger_name"
}

# api PORT TOKEN METHOD PATH OUT [curl options...]: the body goes to OUT, the
# headers to OUT.h; prints the status.
api() {
    local port=$1 token=$2 method=$3 path=$4 out=$5
    shift 5
    curl -sS --max-time 30 -X "$method" -H "Authorization: Bearer $token" \
        -o "$out" -D "$out.h" -w '%{http_code}' "$@" "http://127.0.0.1:$port/api/v1$path"
}

start() { # VAR DATA NAME: starts a server for DATA with its log in $WORK/NAME.log
    local port
    port=$(ft_free_port 18800 18899)
    if [ -z "$port" ]; then
        echo "      no free port in 18800-18899"
        return 1
    fi
    # No housekeeping while the test runs: a purge between two checksums
    # would be a difference the backup did not make.
    if ft_server_start "$1" "$2" "$port" "$WORK/$3.log" --threads 2 \
        --housekeeping-interval 3600; then
        printf -v "${1%_PID}_PORT" '%s' "$port"
        return 0
    fi
    echo "      fibertrackd serve for $2 did not get ready; the end of its log:"
    tail -n 15 "$WORK/$3.log" | indent
    return 1
}

# ---- the installation to back up ----

echo "== an installation in $SRC: migrate, demo, a progress report, an attachment"
ADMIN=backup-admin@backup.example
CONTRACTOR=bauleitung@tiefbau-nord.example # a user of the default demo
if ! { ftd "$SRC" migrate && ftd "$SRC" demo &&
    printf 'backup-admin-password\n' | ftd "$SRC" user add --email "$ADMIN" \
        --name 'Backup Admin' --role admin; } >"$WORK/setup.log" 2>&1; then
    fail setup "migrate, demo or user add failed"
    tail -n 20 "$WORK/setup.log" | indent
    finish
fi
ADMIN_TOKEN=$(ftd "$SRC" token issue --email "$ADMIN" 2>>"$WORK/setup.log")
CTR_TOKEN=$(ftd "$SRC" token issue --email "$CONTRACTOR" 2>>"$WORK/setup.log")
if [ -z "$ADMIN_TOKEN" ] || [ -z "$CTR_TOKEN" ]; then
    fail setup "token issue failed (is $CONTRACTOR still a demo user?)"
    tail -n 5 "$WORK/setup.log" | indent
    finish
fi
SRC_PORT=
HOT_PORT=
DMP_PORT=
if ! start SRC_PID "$SRC" src; then
    fail setup "the server did not start"
    finish
fi

# A segment of the contractor's, reported a little further built.
read -r SEG BUILT STATUS < <(sql "$SRC" "SELECT s.id,
        CAST(LEAST(s.planned_length_m, FLOOR(s.built_length_m) + 5) AS UNSIGNED), s.status
    FROM segments s JOIN lots l ON l.id = s.lot_id JOIN users u ON u.contractor_id = l.contractor_id
    WHERE u.email = '$CONTRACTOR' AND s.status = 'in_construction' ORDER BY s.id LIMIT 1")
if [ -z "${SEG:-}" ]; then
    fail setup "the demo has no segment in construction for $CONTRACTOR"
    finish
fi
REPORT_BODY="{\"segment_id\":$SEG,\"report_date\":\"2026-11-26\",\"built_length_m\":$BUILT,\"status\":\"$STATUS\",\"note\":\"before the backup\"}"
REPORT_KEY=backup-report-$$
st=$(api "$SRC_PORT" "$CTR_TOKEN" POST /progress-reports "$WORK/report.json" \
    -H 'Content-Type: application/json' -H "Idempotency-Key: $REPORT_KEY" --data-binary "$REPORT_BODY")
REPORT=$(sed -n 's/^{"id":\([0-9]*\),.*/\1/p' "$WORK/report.json")
if [ "$st" != 201 ] || [ -z "$REPORT" ]; then
    fail setup "POST /progress-reports answered $st: $(head -c 300 "$WORK/report.json")"
    finish
fi
"$PY" -c 'import sys; sys.path.insert(0, "tests/lib"); import photos; sys.stdout.buffer.write(photos.pdf())' \
    >"$WORK/plan.pdf"
st=$(api "$SRC_PORT" "$CTR_TOKEN" POST "/progress-reports/$REPORT/attachments" "$WORK/att.json" \
    -H 'Content-Type: application/pdf' -H "Idempotency-Key: backup-att-$$" \
    -H 'Content-Disposition: attachment; filename="plan.pdf"' --data-binary "@$WORK/plan.pdf")
ATT=$(sed -n 's/^{"id":\([0-9]*\),.*/\1/p' "$WORK/att.json")
if [ "$st" != 201 ] || [ -z "$ATT" ]; then
    fail setup "the attachment upload answered $st: $(head -c 300 "$WORK/att.json")"
    finish
fi
# The approval changes the segment too, so its history and audit rows grow.
st=$(api "$SRC_PORT" "$ADMIN_TOKEN" POST "/progress-reports/$REPORT/approve" "$WORK/approve.json" \
    -H 'Content-Type: application/json' -H "Idempotency-Key: backup-approve-$$" --data-binary '{}')
if [ "$st" != 200 ]; then
    fail setup "approving the report answered $st: $(head -c 300 "$WORK/approve.json")"
    finish
fi
pass "set-up: report $REPORT on segment $SEG with attachment $ATT, approved"

# ---- the backups, while the server runs ----

echo "== backups of the running server"
HAVE_BACKUP=0
if ! command -v mariadb-backup >/dev/null 2>&1; then
    fail "mariadb-backup --backup of the running private MariaDB" \
        "mariadb-backup is not installed (Debian package mariadb-backup; make deps)"
else
    echo "    $(mariadb-backup --version 2>&1 | head -n 1)"
    echo "    server: $(sql "$SRC" 'SELECT VERSION()')"
    # --no-defaults: the private MariaDB reads no option file either, and
    # the host's /etc/mysql must not point mariadb-backup elsewhere.
    if mariadb-backup --no-defaults --backup --socket="$SRC/mariadb/mariadb.sock" --user=root \
        --target-dir="$WORK/hot-backup" >"$WORK/mariadb-backup.log" 2>&1 &&
        grep -q 'completed OK!' "$WORK/mariadb-backup.log"; then
        pass "mariadb-backup --backup of the running private MariaDB"
        HAVE_BACKUP=1
    else
        fail "mariadb-backup --backup of the running private MariaDB"
        tail -n 10 "$WORK/mariadb-backup.log" | indent
    fi
fi
if mariadb-dump --no-defaults --socket="$SRC/mariadb/mariadb.sock" --user=root \
    --single-transaction --routines --triggers --events fibertrack \
    >"$WORK/dump.sql" 2>"$WORK/mariadb-dump.log"; then
    pass "mariadb-dump --single-transaction --routines --triggers of the running server"
else
    fail "mariadb-dump of the running server" "$(head -n 3 "$WORK/mariadb-dump.log")"
fi
# The files after the database: every file a restored row names is then there.
# cp, where docs/backup.md uses rsync: make deps does not install rsync.
mkdir -p "$WORK/files"
cp -p "$SRC/secret" "$WORK/files/secret"
check "a copy of the attachment directory after the database" \
    cp -a "$SRC/attachments" "$WORK/files/attachments"

# Nothing has written since the backups were taken: these are their contents.
checksums "$SRC" >"$WORK/src.sums"
triggers "$SRC" >"$WORK/src.triggers"

# ---- restore of the mariadb-backup into a fresh data directory ----

if [ "$HAVE_BACKUP" = 1 ]; then
    echo "== restore of the mariadb-backup into $HOT"
    if mariadb-backup --no-defaults --prepare --target-dir="$WORK/hot-backup" \
        >>"$WORK/mariadb-backup.log" 2>&1 &&
        mkdir -m 0700 "$HOT" "$HOT/mariadb" &&
        mariadb-backup --no-defaults --copy-back --target-dir="$WORK/hot-backup" \
            --datadir="$HOT/mariadb/data" >>"$WORK/mariadb-backup.log" 2>&1; then
        pass "mariadb-backup --prepare and --copy-back into an empty datadir"
    else
        fail "mariadb-backup --prepare and --copy-back into an empty datadir"
        tail -n 10 "$WORK/mariadb-backup.log" | indent
        HAVE_BACKUP=0
    fi
fi
if [ "$HAVE_BACKUP" = 1 ]; then
    cp -p "$WORK/files/secret" "$HOT/secret"
    cp -a "$WORK/files/attachments" "$HOT/attachments"
    if start HOT_PID "$HOT" hot; then
        pass "fibertrackd serve on the restored data directory is ready"
        # Before any request with a token: its use would be a write.
        checksums "$HOT" >"$WORK/hot.sums"
        same "mariadb-backup: CHECKSUM TABLE of every table equal" "$WORK/src.sums" "$WORK/hot.sums"
        out=$(ftd "$HOT" migrate 2>&1)
        if grep -q 'the schema is current' <<<"$out"; then
            pass "mariadb-backup: fibertrackd migrate says the schema is current"
        else
            fail "mariadb-backup: fibertrackd migrate says the schema is current" "$out"
        fi
        for what in "segment:$ADMIN_TOKEN:/segments/$SEG" \
            "progress report:$CTR_TOKEN:/progress-reports/$REPORT" \
            "audit list:$ADMIN_TOKEN:/audit?limit=200" \
            "attachment download:$CTR_TOKEN:/attachments/$ATT"; do
            IFS=: read -r name token path <<<"$what"
            a=$(api "$SRC_PORT" "$token" GET "$path" "$WORK/src.get")
            b=$(api "$HOT_PORT" "$token" GET "$path" "$WORK/hot.get")
            if [ "$a" = 200 ] && [ "$b" = 200 ]; then
                same "mariadb-backup: GET $path ($name) byte-identical" "$WORK/src.get" "$WORK/hot.get"
            else
                fail "mariadb-backup: GET $path ($name)" "answered $a and $b"
            fi
            [ "$name" = "audit list" ] && cp "$WORK/hot.get" "$WORK/hot-audit.json"
        done
        # The page compared must hold the entries written before the backup.
        check "mariadb-backup: the restored audit list holds the approval" \
            grep -q "\"action\":\"approve\",\"entity\":\"progress_report\",\"entity_id\":$REPORT," \
            "$WORK/hot-audit.json"
        api "$HOT_PORT" "$CTR_TOKEN" GET "/attachments/$ATT" "$WORK/hot.pdf" >/dev/null
        same "mariadb-backup: the restored attachment is the uploaded file" "$WORK/plan.pdf" "$WORK/hot.pdf"
        before=$(sql "$HOT" 'SELECT COUNT(*) FROM progress_reports')
        st=$(api "$HOT_PORT" "$CTR_TOKEN" POST /progress-reports "$WORK/replay.json" \
            -H 'Content-Type: application/json' -H "Idempotency-Key: $REPORT_KEY" \
            --data-binary "$REPORT_BODY")
        after=$(sql "$HOT" 'SELECT COUNT(*) FROM progress_reports')
        if [ "$st" = 201 ] && grep -qi '^Idempotent-Replayed: true' "$WORK/replay.json.h" &&
            cmp -s "$WORK/report.json" "$WORK/replay.json" && [ "$before" = "$after" ]; then
            pass "mariadb-backup: the same Idempotency-Key replays the first answer"
        else
            fail "mariadb-backup: the same Idempotency-Key replays the first answer" \
                "status $st, reports $before then $after: $(head -c 200 "$WORK/replay.json")"
        fi
    else
        fail "fibertrackd serve on the restored data directory is ready"
    fi
fi

# ---- the mariadb-dump loaded into a fresh instance ----

echo "== the mariadb-dump loaded into a fresh instance in $DMP"
# migrate makes the private MariaDB and an empty schema of the same version;
# the dump then replaces every table. The secret is left behind on purpose:
# this instance makes its own, which shows what losing it means.
if ftd "$DMP" migrate >"$WORK/dmp.log" 2>&1 && start DMP_PID "$DMP" dmp &&
    mariadb --no-defaults --socket="$DMP/mariadb/mariadb.sock" --user=root --database=fibertrack \
        <"$WORK/dump.sql" >>"$WORK/dmp.log" 2>&1; then
    pass "mariadb-dump: loaded into a fresh instance"
    rm -rf "$DMP/attachments" && cp -a "$WORK/files/attachments" "$DMP/attachments"
    checksums "$DMP" >"$WORK/dmp.sums"
    same "mariadb-dump: CHECKSUM TABLE of every table equal" "$WORK/src.sums" "$WORK/dmp.sums"
    triggers "$DMP" >"$WORK/dmp.triggers"
    n_src=$(sql "$SRC" 'SHOW TRIGGERS FROM fibertrack' | wc -l)
    n_dmp=$(sql "$DMP" 'SHOW TRIGGERS FROM fibertrack' | wc -l)
    if [ "$n_src" -gt 0 ] && [ "$n_src" = "$n_dmp" ] && cmp -s "$WORK/src.triggers" "$WORK/dmp.triggers"; then
        pass "mariadb-dump: the same $n_dmp triggers (history tables, append-only audit log)"
    else
        fail "mariadb-dump: the same triggers" "SHOW TRIGGERS: $n_src in the source, $n_dmp restored"
    fi
    # The append-only trigger works in the restored database too.
    if sql "$DMP" 'DELETE FROM audit_log LIMIT 1' >/dev/null 2>&1; then
        fail "mariadb-dump: the restored audit log refuses a DELETE"
    else
        pass "mariadb-dump: the restored audit log refuses a DELETE"
    fi
    a=$(api "$SRC_PORT" "$ADMIN_TOKEN" GET "/segments/$SEG" "$WORK/src.get")
    b=$(api "$DMP_PORT" "$ADMIN_TOKEN" GET "/segments/$SEG" "$WORK/dmp.get")
    if [ "$a" = 200 ] && [ "$b" = 200 ]; then
        same "mariadb-dump: GET /segments/$SEG byte-identical" "$WORK/src.get" "$WORK/dmp.get"
    else
        fail "mariadb-dump: GET /segments/$SEG" "answered $a and $b"
    fi
    st=$(api "$DMP_PORT" "$CTR_TOKEN" POST /progress-reports "$WORK/replay2.json" \
        -H 'Content-Type: application/json' -H "Idempotency-Key: $REPORT_KEY" \
        --data-binary "$REPORT_BODY")
    if [ "$st" = 422 ]; then
        pass "mariadb-dump: with a new secret the same Idempotency-Key is refused (422), not replayed"
    else
        fail "mariadb-dump: with a new secret the same Idempotency-Key is refused (422)" \
            "status $st: $(head -c 200 "$WORK/replay2.json")"
    fi
    out=$(ftd "$DMP" migrate 2>&1)
    if grep -q 'the schema is current' <<<"$out"; then
        pass "mariadb-dump: fibertrackd migrate says the schema is current"
    else
        fail "mariadb-dump: fibertrackd migrate says the schema is current" "$out"
    fi
else
    fail "mariadb-dump: loaded into a fresh instance"
    tail -n 10 "$WORK/dmp.log" | indent
fi

# ---- nothing left behind ----

for v in SRC_PID HOT_PID DMP_PID; do
    if [ -n "${!v}" ]; then
        ft_server_stop "${!v}" 20
        rc=$?
        [ "$rc" = 0 ] || fail "fibertrackd (${v%_PID}) exits 0 after SIGTERM" "$(ft_describe_exit "$rc")"
        printf -v "$v" '%s' ""
    fi
done
left=
for d in "$SRC" "$HOT" "$DMP"; do
    if p=$(ft_mariadbd_pid "$d"); then
        left="$left $p"
        ft_mariadbd_stop "$d"
    fi
done
if [ -z "$left" ]; then
    pass "every server and its mariadbd stopped"
else
    fail "every server and its mariadbd stopped" "mariadbd still ran:$left"
fi
finish
