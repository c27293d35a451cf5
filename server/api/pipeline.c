/* pipeline.c — the worker-side request pipeline. */
#include "api/pipeline.h"

#include <cJSON.h>
#include <sodium.h>
#include <stdatomic.h>
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

/* Shared transactions committed, the requests they held, and those that
 * ended in a deadlock or lost connection and ran again one by one. */
static atomic_ullong groups_committed, groups_requests, groups_rerun;

void pipeline_stats(struct pipeline_stats *out)
{
    out->group_commits = atomic_load(&groups_committed);
    out->grouped_requests = atomic_load(&groups_requests);
    out->group_reruns = atomic_load(&groups_rerun);
}

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
 * A key is claimed inside the request's own transaction, as its first
 * statement, and marked 'done' with the answer before the commit: the claim
 * and the request's effects are committed together or not at all, and a
 * crash leaves neither. A second request with the same key waits at its
 * claim (the key's row is locked by the first) until the first commits,
 * then replays its answer; or, when the first rolled back, runs itself.
 * Only when the first still runs after innodb_lock_wait_timeout does the
 * second get 409. Rows left 'running' by fibertrack before this scheme
 * (claims committed on their own) are taken over after
 * IDEM_LEGACY_STALE seconds. */

#define IDEM_LEGACY_STALE "300"

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

static int wants_key(const struct req *r)
{
    return r->idempotency_key && r->method == HTTP_POST && r->user.id &&
           (r->match.route->flags & ROUTE_WRITE);
}

/* The keyed hash of what makes a request the same request. */
static int idem_hash(struct req *r, struct idem *id)
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
    return 0;
}

static int in_flight(struct req *r)
{
    reply_problem_typed(r, 409, "idempotency-key-in-flight",
                        "a request with this Idempotency-Key is still being processed; "
                        "retry shortly");
    req_add_header(r, "Retry-After", "1");
    return 409;
}

/* Claims the key inside the open transaction. Returns 0 when the handler
 * should run, or the status of a reply already made (replay, 409, 422,
 * 503); nothing is written then. */
static int idem_claim(struct req *r, struct idem *id)
{
    struct db_param key[] = {DB_INTP(r->user.id), DB_TEXTP(r->idempotency_key)};
    for (int attempt = 0; attempt < 3; attempt++) {
        struct db_param ins[] = {key[0], key[1], DB_BLOBP(id->hash, sizeof(id->hash))};
        enum db_rc rc = db_exec(r->db, r->pool,
                                "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, "
                                "state) VALUES (?, ?, ?, 'running')",
                                ins, 3, NULL);
        if (rc == DB_OK) {
            id->active = 1;
            return 0;
        }
        /* The first request with this key held it past the lock wait. */
        if (rc == DB_RETRY && db_lock_wait_timed_out(r->db))
            return in_flight(r);
        if (rc != DB_DUPLICATE)
            return reply_db(r, rc);
        /* A locking read: it sees the committed row even when this
         * transaction's snapshot is older. */
        struct db_rows *rows;
        rc = db_exec(r->db, r->pool,
                     "SELECT request_hash = ?, state, status, response, location, "
                     "created_at < NOW(3) - INTERVAL 24 HOUR, "
                     "created_at < NOW(3) - INTERVAL " IDEM_LEGACY_STALE " SECOND, etag "
                     "FROM idempotency_keys WHERE user_id = ? AND idem_key = ? "
                     "LOCK IN SHARE MODE",
                     (struct db_param[]){DB_BLOBP(id->hash, sizeof(id->hash)), key[0], key[1]}, 3,
                     &rows);
        if (rc == DB_RETRY && db_lock_wait_timed_out(r->db))
            return in_flight(r);
        if (rc != DB_OK)
            return reply_db(r, rc);
        if (rows->nrows == 0)
            continue; /* purged meanwhile: claim again */
        int same = strcmp(db_cell(rows, 0, 0), "1") == 0;
        int done = strcmp(db_cell(rows, 0, 1), "done") == 0;
        int expired = strcmp(db_cell(rows, 0, 5), "1") == 0;
        int stale = strcmp(db_cell(rows, 0, 6), "1") == 0;
        if (expired || (!done && stale)) {
            rc = db_exec(r->db, r->pool,
                         "DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ?", key, 2,
                         NULL);
            if (rc != DB_OK)
                return reply_db(r, rc);
            continue;
        }
        if (!same)
            return reply_invalid_field(r, "",
                                       "this Idempotency-Key was used for a different "
                                       "request; use a new key for a new request");
        if (!done)
            return in_flight(r);
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
    return in_flight(r);
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
                   "location = ?, etag = ? WHERE user_id = ? AND idem_key = ?",
                   p, 6, NULL);
}

/* ---- writes ----
 *
 * A changing request runs as its part of a transaction: the key's claim,
 * the handler, the key's answer. Alone, the part is the transaction; in a
 * group (requests that waited for a worker together), each part starts at
 * a savepoint and an error undoes that part alone, and one COMMIT (one
 * fsync) makes them all durable. A deadlock or lost connection ends the
 * whole shared transaction: then every request of the group runs again,
 * alone. */

/* Runs r's part of the open transaction. Returns 1 when its changes are to
 * be committed, 0 when they are to be undone (an error answer, a replay, a
 * dry run); r->retry is set when the whole transaction must run again. */
static int run_part(struct req *r)
{
    reply_clear(r);
    struct idem id = {0};
    if (wants_key(r) && (idem_hash(r, &id) || idem_claim(r, &id)))
        return 0;
    int status = r->match.route->handler(r);
    if (r->retry || status < 200 || status >= 300 || r->rollback_only)
        return 0;
    if (id.active) {
        enum db_rc rc = idem_store(r);
        if (rc != DB_OK) {
            reply_db(r, rc);
            return 0;
        }
    }
    return 1;
}

/* Runs one changing request in its own transaction, again from the start
 * when the database reports a deadlock or lock timeout. */
static void run_write(struct req *r)
{
    for (int attempt = 1;; attempt++) {
        r->retry = 0;
        enum db_rc rc = db_begin(r->db);
        if (rc != DB_OK) {
            reply_clear(r);
            reply_db(r, rc);
        } else {
            int keep = run_part(r);
            rc = keep ? db_commit(r->db) : DB_OK;
            if (keep && rc == DB_OK) {
                req_run_hooks(r, 1);
            } else {
                db_rollback(r->db);
                /* A COMMIT cut off with the connection may have taken
                 * effect: then nothing may be undone. */
                if (!(keep && rc == DB_GONE))
                    req_run_hooks(r, 0);
                if (rc != DB_OK)
                    reply_db(r, rc);
            }
        }
        if (!r->retry || attempt >= MAX_ATTEMPTS)
            break;
        /* Back off a little, with jitter, before running it again. */
        usleep((useconds_t)(randombytes_uniform(20000) + 5000u * (unsigned)attempt));
    }
}

/* Runs n changing requests in one shared transaction (group commit). */
static void run_write_group(struct req **rs, int n)
{
    struct db *db = rs[0]->db;
    int keep[DB_GROUP_MAX] = {0};
    int ran = 0, lost = db_begin_shared(db) != DB_OK;
    for (; ran < n && !lost; ran++) {
        struct req *r = rs[ran];
        r->retry = 0;
        if (db_savepoint(db) != DB_OK) {
            lost = 1;
            break;
        }
        keep[ran] = run_part(r);
        if (r->retry || (!keep[ran] && db_rollback_savepoint(db) != DB_OK)) {
            lost = 1;
            req_run_hooks(r, 0);
            keep[ran] = 0;
            ran++;
            break;
        }
        if (!keep[ran])
            req_run_hooks(r, 0);
    }
    if (!lost) {
        /* Galera certifies the transaction at its COMMIT: a conflict there
         * is a deadlock that ends the whole group, which runs again alone. */
        enum db_rc rc = db_commit(db);
        if (rc == DB_OK) {
            atomic_fetch_add(&groups_committed, 1);
            atomic_fetch_add(&groups_requests, (unsigned long long)n);
            for (int i = 0; i < n; i++)
                if (keep[i])
                    req_run_hooks(rs[i], 1);
            return;
        }
        db_rollback(db);
        if (rc != DB_RETRY) {
            for (int i = 0; i < n; i++) {
                if (!keep[i])
                    continue;
                if (rc != DB_GONE)
                    req_run_hooks(rs[i], 0);
                reply_db(rs[i], rc);
            }
            return;
        }
    } else {
        db_rollback(db);
    }
    atomic_fetch_add(&groups_rerun, 1);
    for (int i = 0; i < ran; i++)
        if (keep[i])
            req_run_hooks(rs[i], 0);
    for (int i = 0; i < n; i++)
        run_write(rs[i]);
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
        return 0;
    }
    return 1;
}

enum admission { ADMIT_RUN, ADMIT_ANSWERED, ADMIT_HANDED_ON };

/* What comes before a request's own work: authentication, role, the
 * headers, the prepare step's hand-over and the body. */
static enum admission admit(struct req *r)
{
    const struct route *route = r->match.route;
    if (!r->db) {
        reply_problem(r, 503, "the database is unavailable; retry shortly");
        return ADMIT_ANSWERED;
    }
    if (clock_mono() - r->queued_at > PIPELINE_QUEUE_DEADLINE) {
        reply_problem(r, 503, "the server is overloaded; retry shortly");
        return ADMIT_ANSWERED;
    }
    if (route->roles) {
        if (authenticate(r))
            return ADMIT_ANSWERED;
        if (!(route->roles & r->user.role)) {
            reply_problem(r, 403, "your role (%s) may not use %s %s", role_name(r->user.role),
                          http_method_name(r->method), route->pattern);
            return ADMIT_ANSWERED;
        }
    }
    /* What a header alone settles is settled before any file work. */
    if (r->idempotency_key && r->method == HTTP_POST && r->user.id &&
        !key_wellformed(r->idempotency_key)) {
        reply_problem(r, 400, "the Idempotency-Key must be 1 to 200 visible ASCII characters");
        return ADMIT_ANSWERED;
    }
    if ((route->flags & ROUTE_IDEMPOTENCY_REQUIRED) && !r->idempotency_key) {
        reply_problem(r, 400,
                      "this request needs an Idempotency-Key header, so that a retry "
                      "cannot create it twice");
        return ADMIT_ANSWERED;
    }
    /* The body's hash, which the Idempotency-Key's claim needs too, is
     * made on the file worker. */
    if (route->prepare && !r->prepared)
        return hand_to_files(r) ? ADMIT_HANDED_ON : ADMIT_ANSWERED;
    int wants_body =
        (route->flags & ROUTE_JSON) || ((route->flags & ROUTE_JSON_OPTIONAL) && r->body_len > 0);
    if (wants_body && parse_body(r))
        return ADMIT_ANSWERED;
    return ADMIT_RUN;
}

static void finish(struct req *r)
{
    r->db = NULL;
    http_complete(r);
}

static void job_run(struct db *db, void *arg)
{
    struct req *r = arg;
    r->db = db;
    enum admission a = admit(r);
    if (a == ADMIT_HANDED_ON)
        return; /* a file worker has it now */
    if (a == ADMIT_RUN) {
        if (r->match.route->flags & ROUTE_WRITE)
            run_write(r);
        else
            run_read(r);
    }
    finish(r);
}

/* Whether r repeats the Idempotency-Key of one of the n before it: the
 * repeat must see the first committed to replay it, so it runs after. */
static int repeats_key(struct req *r, struct req **before, int n)
{
    if (!wants_key(r))
        return 0;
    for (int i = 0; i < n; i++)
        if (wants_key(before[i]) && before[i]->user.id == r->user.id &&
            strcmp(before[i]->idempotency_key, r->idempotency_key) == 0)
            return 1;
    return 0;
}

/* Changing requests that waited together: admitted one by one, then run in
 * one shared transaction. */
static void job_run_group(struct db *db, struct db_job **jobs, int n)
{
    struct req *rs[DB_GROUP_MAX], *later[DB_GROUP_MAX];
    int nrun = 0, nlater = 0;
    for (int i = 0; i < n; i++) {
        struct req *r = jobs[i]->arg;
        r->db = db;
        enum admission a = admit(r);
        if (a == ADMIT_RUN && repeats_key(r, rs, nrun))
            later[nlater++] = r;
        else if (a == ADMIT_RUN)
            rs[nrun++] = r;
        else if (a == ADMIT_ANSWERED)
            finish(r);
    }
    if (nrun == 1)
        run_write(rs[0]);
    else if (nrun > 1)
        run_write_group(rs, nrun);
    for (int i = 0; i < nrun; i++)
        finish(rs[i]);
    for (int i = 0; i < nlater; i++) {
        run_write(later[i]);
        finish(later[i]);
    }
}

int pipeline_submit(struct req *r)
{
    struct db_job *job = pool_alloc(r->pool, sizeof(*job));
    job->run = job_run;
    /* Small changes share transactions; uploads and imports (routes with
     * a prepare step) run alone, since they hold their locks longer. */
    const struct route *route = r->match.route;
    if ((route->flags & ROUTE_WRITE) && !route->prepare)
        job->run_group = job_run_group;
    job->arg = r;
    r->queued_at = clock_mono();
    return db_pool_submit(job);
}
