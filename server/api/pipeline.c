/* pipeline.c — the worker-side request pipeline. */
#include "api/pipeline.h"

#include <cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/token_cache.h"
#include "db/db.h"
#include "domain/validate.h"
#include "http/reply.h"
#include "http/server.h"
#include "identity/credentials.h"
#include "identity/secret.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/pool.h"
#include "util/workers.h"

#define MAX_ATTEMPTS 5

int reply_db(struct req *r, enum db_rc rc)
{
    /* No default: a new result code must be given its answer here. */
    switch (rc) {
    case DB_OK:
        return r->status;
    case DB_RETRY:
        r->retry = 1;
        return reply_problem(r, 503, "the database is busy; retry shortly");
    case DB_GONE:
        return reply_problem(r, 503, "the database is unavailable; retry shortly");
    case DB_DUPLICATE:
        return reply_problem(r, 409, "an object with this code or name exists already");
    case DB_FOREIGN_KEY:
        return reply_problem(r, 409, "the object is still referenced by other objects");
    case DB_CONSTRAINT:
        return reply_problem(r, 422, "a value is out of the range the database accepts");
    case DB_ERROR:
        break;
    }
    return reply_problem(r, 500, "internal error (request %s)", r->request_id);
}

/* Resolves the bearer token into r->user. Returns 0, or the error status. */
static int authenticate(struct req *r)
{
    const char *h = r->authorization;
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return reply_problem(r, 401, "sign in: this resource needs an Authorization: Bearer token");
    const char *tok = h + 7;
    while (*tok == ' ')
        tok++;
    if (!cred_token_wellformed(tok))
        return reply_problem(r, 401, "the bearer token is not valid");
    unsigned char hash[TOKEN_HASH_LEN];
    cred_token_hash(tok, hash);
    if (token_cache_get(hash, &r->user))
        return 0;
    unsigned long gen = token_cache_generation();
    struct db_param p[] = {DB_BLOBP(hash, sizeof(hash))};
    struct db_rows *rows;
    enum db_rc rc =
        db_exec(r->db, r->pool,
                "SELECT t.id, u.id, u.role, u.contractor_id, u.name, u.email, "
                "t.last_used_at IS NULL OR t.last_used_at < NOW(3) - INTERVAL 60 SECOND, "
                "TIMESTAMPDIFF(MICROSECOND, NOW(3), t.expires_at) "
                "FROM tokens t JOIN users u ON u.id = t.user_id "
                "WHERE t.hash = ? AND t.revoked_at IS NULL AND u.active = 1 "
                "AND (t.expires_at IS NULL OR t.expires_at > NOW(3))",
                p, 1, &rows);
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (rows->nrows == 0)
        return reply_problem(r, 401, "the bearer token is unknown, expired or revoked");
    r->user.token_id = atoll(db_cell(rows, 0, 0));
    r->user.id = atoll(db_cell(rows, 0, 1));
    r->user.role = role_parse(db_cell(rows, 0, 2));
    r->user.contractor_id = db_cell(rows, 0, 3) ? atoll(db_cell(rows, 0, 3)) : 0;
    snprintf(r->user.name, sizeof(r->user.name), "%s", db_cell(rows, 0, 4));
    snprintf(r->user.email, sizeof(r->user.email), "%s", db_cell(rows, 0, 5));
    if (strcmp(db_cell(rows, 0, 6), "1") == 0) {
        /* last_used_at is kept to the minute: one write per token per minute. */
        struct db_param q[] = {DB_INTP(r->user.token_id)};
        rc = db_exec(r->db, r->pool, "UPDATE tokens SET last_used_at = NOW(3) WHERE id = ?", q, 1,
                     NULL);
        if (rc != DB_OK && rc != DB_RETRY)
            return reply_db(r, rc);
    }
    const char *left = db_cell(rows, 0, 7);
    token_cache_put(hash, &r->user, gen, left ? (double)atoll(left) / 1e6 : -1);
    return 0;
}

static int parse_body(struct req *r)
{
    if (!req_media_is(r, "application/json") && !req_media_is(r, "application/geo+json"))
        return reply_problem(r, 415, "send the body as application/json");
    char err[160];
    cJSON *json = json_parse_strict(r->body, r->body_len, err, sizeof(err));
    if (!json)
        return reply_problem(r, 400, "%s", err);
    req_json(r, json);
    if (!cJSON_IsObject(json))
        return reply_problem(r, 400, "the body must be a JSON object");
    r->json = json;
    return 0;
}

/* ---- Idempotency-Key ----
 *
 * A key is claimed in its own short transaction ('running'), and the
 * handler's transaction marks it 'done' with the answer, so a crash leaves
 * either no effect and a claim, or both. A claim is orphaned when its
 * connection is gone: on the same MariaDB server that is certain (the
 * server restarted, or the connection id is no longer in the process
 * list); a claim made through another Galera node is trusted for
 * IDEM_FOREIGN_STALE seconds, longer than any request may run. */

#define IDEM_NODE "CONCAT(@@hostname, ':', @@port)"
#define IDEM_BOOT                                                                                  \
    "(UNIX_TIMESTAMP() - (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "            \
    "WHERE VARIABLE_NAME = 'UPTIME'))"
#define IDEM_FOREIGN_STALE "300"

struct idem {
    int active;
    unsigned char hash[SECRET_MAC_LEN];
};

static int key_wellformed(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > 200)
        return 0;
    for (const char *c = k; *c; c++)
        if ((unsigned char)*c < 0x21 || (unsigned char)*c > 0x7e)
            return 0;
    return 1;
}

/* Claims the key for this request. Returns 0 when the handler should run,
 * or the status of a reply already made (replay, 409, 422, 503). */
static int idem_claim(struct req *r, struct idem *id)
{
    /* A keyed hash: the body may hold a password (POST /users), and a plain
     * hash of it in the database could be tested against guesses. */
    /* The query is part of the request: an import with ?dry_run=true must
     * not replay as the real one. */
    const char *m = http_method_name(r->method);
    size_t n = 0;
    struct secret_part *parts = pool_alloc(r->pool, (3 + 2 * r->nquery) * sizeof(*parts));
    parts[n++] = (struct secret_part){m, strlen(m)};
    parts[n++] = (struct secret_part){r->path, strlen(r->path)};
    for (size_t i = 0; i < r->nquery; i++) {
        parts[n++] = (struct secret_part){r->query[i].key, strlen(r->query[i].key)};
        parts[n++] = (struct secret_part){r->query[i].value, strlen(r->query[i].value)};
    }
    unsigned char digest[32];
    if (r->match.route->flags & ROUTE_RAW_BODY) {
        /* A file upload is hashed in pieces, never mapped whole. */
        if (req_body_sha256(r, digest) < 0)
            return reply_problem(r, 503, "the uploaded body could not be read; retry shortly");
        parts[n++] = (struct secret_part){digest, sizeof(digest)};
    } else {
        parts[n++] = (struct secret_part){r->body, r->body ? r->body_len : 0};
    }
    secret_mac(parts, n, id->hash);

    for (int attempt = 0; attempt < 3; attempt++) {
        struct db_param ins[] = {DB_INTP(r->user.id), DB_TEXTP(r->idempotency_key),
                                 DB_BLOBP(id->hash, sizeof(id->hash))};
        enum db_rc rc =
            db_exec(r->db, r->pool,
                    "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, state, "
                    "owner_conn, owner_node, owner_boot) VALUES (?, ?, ?, 'running', "
                    "CONNECTION_ID(), " IDEM_NODE ", " IDEM_BOOT ")",
                    ins, 3, NULL);
        if (rc == DB_OK) {
            id->active = 1;
            return 0;
        }
        if (rc != DB_DUPLICATE)
            return reply_db(r, rc);
        struct db_param key[] = {DB_INTP(r->user.id), DB_TEXTP(r->idempotency_key)};
        struct db_rows *rows;
        rc = db_exec(r->db, r->pool,
                     "SELECT request_hash = ?, state, status, response, location, "
                     "created_at < NOW(3) - INTERVAL 24 HOUR, "
                     "owner_conn IS NULL "
                     "OR (owner_node = " IDEM_NODE " AND (ABS(owner_boot - " IDEM_BOOT ") > 5 "
                     "    OR owner_conn NOT IN (SELECT ID FROM information_schema.PROCESSLIST))) "
                     "OR (owner_node <> " IDEM_NODE " AND created_at < NOW(3) - INTERVAL "
                     "    " IDEM_FOREIGN_STALE " SECOND), etag "
                     "FROM idempotency_keys WHERE user_id = ? AND idem_key = ?",
                     (struct db_param[]){DB_BLOBP(id->hash, sizeof(id->hash)), key[0], key[1]}, 3,
                     &rows);
        if (rc != DB_OK)
            return reply_db(r, rc);
        if (rows->nrows == 0)
            continue; /* released meanwhile: claim again */
        int same = strcmp(db_cell(rows, 0, 0), "1") == 0;
        int done = strcmp(db_cell(rows, 0, 1), "done") == 0;
        int expired = strcmp(db_cell(rows, 0, 5), "1") == 0;
        int orphaned = strcmp(db_cell(rows, 0, 6), "1") == 0;
        if (expired || (!done && orphaned)) {
            /* An expired key, or one whose request died before committing
             * (its connection is gone, so its transaction was rolled back). */
            rc = db_exec(r->db, r->pool,
                         "DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ? "
                         "AND (state = 'running' OR created_at < NOW(3) - INTERVAL 24 HOUR)",
                         key, 2, NULL);
            if (rc != DB_OK)
                return reply_db(r, rc);
            continue;
        }
        if (!same)
            return reply_invalid_field(r, "",
                                       "this Idempotency-Key was used for a different "
                                       "request; use a new key for a new request");
        if (!done) {
            /* Not a conflict with the data: the first attempt is still
             * running, and a retry will get its answer. */
            reply_problem_typed(r, 409, "idempotency-key-in-flight",
                                "a request with this Idempotency-Key is still being processed; "
                                "retry shortly");
            req_add_header(r, "Retry-After", "1");
            return 409;
        }
        r->status = atoi(db_cell(rows, 0, 2));
        const char *body = db_cell(rows, 0, 3);
        reply_raw(r, r->status, r->status >= 400 ? "application/problem+json" : "application/json",
                  body ? body : "", body ? strlen(body) : 0);
        if (db_cell(rows, 0, 4))
            req_add_header(r, "Location", db_cell(rows, 0, 4));
        if (db_cell(rows, 0, 7))
            req_add_header(r, "ETag", db_cell(rows, 0, 7));
        req_add_header(r, "Idempotent-Replayed", "true");
        return r->status;
    }
    reply_problem_typed(r, 409, "idempotency-key-in-flight",
                        "the Idempotency-Key is contended; retry shortly");
    req_add_header(r, "Retry-After", "1");
    return 409;
}

static const char *header_value(const struct req *r, const char *key)
{
    for (int i = 0; i < r->nresp_headers; i++)
        if (strcasecmp(r->resp_headers[i].key, key) == 0)
            return r->resp_headers[i].value;
    return NULL;
}

/* Records the response under the key, inside the handler's transaction. */
static int idem_store(struct req *r)
{
    const char *body = r->replay_body ? r->replay_body : r->resp_body;
    size_t len = r->replay_body ? strlen(r->replay_body) : r->resp_len;
    struct db_param p[] = {
        DB_INTP(r->status),
        DB_BLOBP(body ? body : "", body ? len : 0),
        DB_TEXTP(header_value(r, "Location")),
        DB_TEXTP(header_value(r, "ETag")),
        DB_INTP(r->user.id),
        DB_TEXTP(r->idempotency_key),
    };
    return db_exec(r->db, r->pool,
                   "UPDATE idempotency_keys SET state = 'done', status = ?, response = ?, "
                   "location = ?, etag = ?, owner_conn = NULL WHERE user_id = ? AND idem_key = ?",
                   p, 6, NULL);
}

static void idem_release(struct req *r)
{
    struct db_param p[] = {DB_INTP(r->user.id), DB_TEXTP(r->idempotency_key)};
    enum db_rc rc = db_exec(r->db, r->pool,
                            "DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ? "
                            "AND state = 'running'",
                            p, 2, NULL);
    (void)rc; /* If it fails, the key is released once our connection is gone. */
}

/* Runs the handler of a changing route in a transaction, again from the
 * start when the database reports a deadlock or lock timeout. */
static void run_write(struct req *r, struct idem *id)
{
    for (int attempt = 1;; attempt++) {
        reply_clear(r);
        enum db_rc rc = db_begin(r->db);
        if (rc != DB_OK) {
            reply_db(r, rc);
        } else {
            int status = r->match.route->handler(r);
            if (!r->retry && status >= 200 && status < 300 && !r->rollback_only) {
                rc = id->active ? idem_store(r) : DB_OK;
                int committing = rc == DB_OK;
                if (committing)
                    rc = db_commit(r->db);
                if (rc == DB_OK) {
                    req_run_hooks(r, 1);
                } else {
                    db_rollback(r->db);
                    /* A COMMIT cut off with the connection may have taken
                     * effect: then nothing may be undone. */
                    if (!(committing && rc == DB_GONE))
                        req_run_hooks(r, 0);
                    reply_db(r, rc);
                }
            } else {
                db_rollback(r->db);
                req_run_hooks(r, 0);
            }
        }
        if (!r->retry || attempt >= MAX_ATTEMPTS)
            break;
        /* Back off a little, with jitter, before running it again. */
        usleep((useconds_t)(randombytes_uniform(20000) + 5000u * (unsigned)attempt));
    }
    if (id->active && (r->status < 200 || r->status >= 300 || r->rollback_only))
        idem_release(r);
}

static void run_read(struct req *r)
{
    for (int attempt = 1;; attempt++) {
        reply_clear(r);
        int status = r->match.route->handler(r);
        /* No transaction: a successful answer counts as committed. */
        req_run_hooks(r, !r->retry && status >= 200 && status < 300);
        if (!r->retry || attempt >= MAX_ATTEMPTS)
            break;
        usleep((useconds_t)(randombytes_uniform(20000) + 5000u * (unsigned)attempt));
    }
}

/* ---- file workers ----
 *
 * A route's prepare step (an upload's hashing, typing and copying) runs
 * on a file worker, between the caller's authentication on one database
 * worker and the transaction on another, so that no database worker, and
 * none of the requests waiting for one, waits for a file to be read and
 * synced. */

static struct workers *files;

int pipeline_start(int file_threads)
{
    files = workers_start(file_threads, PIPELINE_FILE_QUEUE, PIPELINE_FILE_NICE);
    return files ? 0 : -1;
}

void pipeline_stop(void)
{
    workers_stop(files);
    files = NULL;
}

static void prepare_run(void *arg)
{
    struct req *r = arg;
    r->prepared = 1;
    if (r->match.route->prepare(r) == 0 && pipeline_submit(r) == 0)
        return; /* on to a database worker */
    if (!r->status)
        reply_problem(r, 503, "the server is busy; retry shortly");
    http_complete(r);
}

/* Hands r to a file worker for its route's prepare step. Returns 1 when
 * handed over, 0 when answered here. */
static int hand_to_files(struct req *r)
{
    struct work *w = pool_alloc(r->pool, sizeof(*w));
    w->run = prepare_run;
    w->arg = r;
    r->db = NULL;
    if (!files || workers_submit(files, w) != 0) {
        reply_problem(r, 503, "the server is busy with uploads; retry shortly");
        req_add_header(r, "Retry-After", "2");
        return 0;
    }
    return 1;
}

/* Runs the request on this worker; returns 1 when it was handed on
 * instead (the file worker completes it). */
static int process(struct req *r)
{
    const struct route *route = r->match.route;
    if (route->roles) {
        if (authenticate(r))
            return 0;
        if (!(route->roles & r->user.role)) {
            reply_problem(r, 403, "your role (%s) may not use %s %s", role_name(r->user.role),
                          http_method_name(r->method), route->pattern);
            return 0;
        }
    }
    /* What a header alone settles is settled before any file work. */
    if (r->idempotency_key && r->method == HTTP_POST && r->user.id &&
        !key_wellformed(r->idempotency_key)) {
        reply_problem(r, 400, "the Idempotency-Key must be 1 to 200 visible ASCII characters");
        return 0;
    }
    if ((route->flags & ROUTE_IDEMPOTENCY_REQUIRED) && !r->idempotency_key) {
        reply_problem(r, 400,
                      "this request needs an Idempotency-Key header, so that a retry "
                      "cannot create it twice");
        return 0;
    }
    /* The body's hash, which the Idempotency-Key's claim needs too, is
     * made on the file worker. */
    if (route->prepare && !r->prepared)
        return hand_to_files(r);
    int wants_body =
        (route->flags & ROUTE_JSON) || ((route->flags & ROUTE_JSON_OPTIONAL) && r->body_len > 0);
    if (wants_body && parse_body(r))
        return 0;
    struct idem id = {0};
    if (r->idempotency_key && r->method == HTTP_POST && r->user.id && idem_claim(r, &id))
        return 0;
    if (route->flags & ROUTE_WRITE)
        run_write(r, &id);
    else
        run_read(r);
    return 0;
}

static void job_run(struct db *db, void *arg)
{
    struct req *r = arg;
    r->db = db;
    if (!db) {
        reply_problem(r, 503, "the database is unavailable; retry shortly");
    } else if (clock_mono() - r->queued_at > PIPELINE_QUEUE_DEADLINE) {
        reply_problem(r, 503, "the server is overloaded; retry shortly");
    } else if (process(r)) {
        return; /* a file worker has it now */
    }
    r->db = NULL;
    http_complete(r);
}

int pipeline_submit(struct req *r)
{
    struct db_job *job = pool_alloc(r->pool, sizeof(*job));
    job->run = job_run;
    job->arg = r;
    r->queued_at = clock_mono();
    return db_pool_submit(job);
}
