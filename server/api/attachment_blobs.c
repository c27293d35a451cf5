/* attachment_blobs.c — the protocol between blob rows and stored files. */
#include "api/attachment_blobs.h"

#include <errno.h>
#include <string.h>

#include "media/blobstore.h"
#include "util/log.h"
#include "util/pool.h"
#include "util/sbuf.h"

/* How many names one sweep query asks about. */
#define SWEEP_BATCH 200
/* A temporary file older than this belongs to no running request (an
 * upload's lasts at most its request timeout plus 800 s). */
#define TMP_MAX_AGE (2 * 3600)

/* Removes the file of sha unless its row exists, holding the row's lock
 * (or the gap's) while deciding. Returns 1 when removed. */
static int remove_if_unused(struct db *db, struct pool *pool, const char *sha)
{
    if (db_begin(db) != DB_OK)
        return 0;
    struct db_param p[] = {DB_TEXTP(sha)};
    struct db_rows *rows;
    enum db_rc rc = db_exec(db, pool, "SELECT 1 FROM attachment_blobs WHERE sha256 = ? FOR UPDATE",
                            p, 1, &rows);
    int removed = 0;
    if (rc == DB_OK && rows->nrows == 0)
        removed = blob_remove(sha) == 0;
    if (rc != DB_OK || db_commit(db) != DB_OK)
        db_rollback(db);
    return removed;
}

static void on_rollback(struct req *r, void *arg)
{
    /* A connection lost with the transaction cannot decide: the sweep
     * will. */
    remove_if_unused(r->db, r->pool, arg);
}

enum db_rc attachment_blob_put(struct req *r, struct blob_stage *stage, const char *sha,
                               unsigned long long size, const char *media_type)
{
    struct db_param p[] = {DB_TEXTP(sha), DB_INTP(size), DB_TEXTP(media_type)};
    struct db_rows *rows;
    /* Creates the row (affected 1), or finds it there and holds a shared
     * lock on it, which keeps a remover out until this transaction ends.
     * (ON DUPLICATE KEY UPDATE would say 1 for both under the connection's
     * CLIENT_FOUND_ROWS.) */
    enum db_rc rc = db_exec(r->db, r->pool,
                            "INSERT IGNORE INTO attachment_blobs (sha256, size, media_type) "
                            "VALUES (?, ?, ?)",
                            p, 3, &rows);
    if (rc != DB_OK)
        return rc;
    /* A new row: the file is this transaction's to remove if it fails,
     * even if placing it fails half way. */
    if (rows->affected == 1)
        req_on_rollback(r, on_rollback, pool_strdup(r->pool, sha));
    if (blob_stage_place(stage, sha) != 0) {
        log_msg(LOG_ERROR, "cannot store file %s in %s: %s", sha, blobstore_dir(), strerror(errno));
        return DB_ERROR;
    }
    return DB_OK;
}

struct names {
    struct pool *pool;
    char **v;
    size_t n, cap;
};

static void collect(const char *sha, void *arg)
{
    struct names *ns = arg;
    if (ns->n == ns->cap) {
        size_t cap = ns->cap ? ns->cap * 2 : 256;
        char **v = pool_alloc(ns->pool, cap * sizeof(*v));
        if (ns->n)
            memcpy(v, ns->v, ns->n * sizeof(*v));
        ns->v = v;
        ns->cap = cap;
    }
    ns->v[ns->n++] = pool_strdup(ns->pool, sha);
}

unsigned attachment_blob_sweep(struct db *db, struct pool *pool)
{
    struct names ns = {.pool = pool};
    blob_each(collect, &ns, TMP_MAX_AGE);
    unsigned removed = 0;
    /* One statement for every batch: SWEEP_BATCH placeholders, the unused
     * ones bound to "", which no file is named. */
    struct sbuf sql;
    sbuf_init(&sql, pool);
    sbuf_add(&sql, "SELECT sha256 FROM attachment_blobs WHERE sha256 IN (?");
    for (int k = 1; k < SWEEP_BATCH; k++)
        sbuf_add(&sql, ",?");
    sbuf_add(&sql, ")");
    struct db_param p[SWEEP_BATCH];
    for (size_t at = 0; at < ns.n; at += SWEEP_BATCH) {
        size_t end = at + SWEEP_BATCH < ns.n ? at + SWEEP_BATCH : ns.n;
        for (size_t k = 0; k < SWEEP_BATCH; k++)
            p[k] = DB_TEXTP(at + k < end ? ns.v[at + k] : "");
        struct db_rows *rows;
        if (db_exec(db, pool, sql.s, p, SWEEP_BATCH, &rows) != DB_OK)
            return removed;
        for (size_t i = at; i < end; i++) {
            int known = 0;
            for (size_t k = 0; k < rows->nrows && !known; k++)
                known = strcmp(db_cell(rows, k, 0), ns.v[i]) == 0;
            if (!known && remove_if_unused(db, pool, ns.v[i]))
                removed++;
        }
    }
    return removed;
}
