/* request.h — the request context shared by the http layer and handlers.
 *
 * The http layer fills the request part on its event-loop thread; the
 * handler (on a DB worker thread, or on the loop for ROUTE_LOOP routes)
 * fills the response part through the reply_* helpers; the http layer sends
 * it from the loop that owns the connection, exactly once. */
#ifndef FT_REQUEST_H
#define FT_REQUEST_H

#include <stddef.h>

#include "http/router.h"

struct pool;
struct db;
struct cJSON;
struct req;

/* Something to do once the request's transaction has ended (see
 * req_on_commit). */
struct req_hook {
    void (*fn)(struct req *r, void *arg);
    void *arg;
    int on_commit; /* 1: after COMMIT; 0: after ROLLBACK */
    struct req_hook *next;
};

enum role {
    ROLE_ADMIN = 1 << 0,
    ROLE_MANAGER = 1 << 1,
    ROLE_FINANCE = 1 << 2,
    ROLE_CONTRACTOR = 1 << 3,
};
#define ROLE_ANY (ROLE_ADMIN | ROLE_MANAGER | ROLE_FINANCE | ROLE_CONTRACTOR)
#define ROLE_STAFF (ROLE_ADMIN | ROLE_MANAGER | ROLE_FINANCE)

/* Route flags. */
enum {
    ROUTE_LOOP = 1 << 0,  /* answered on the event loop: never touches the database */
    ROUTE_JSON = 1 << 1,  /* needs a JSON object body */
    ROUTE_WRITE = 1 << 2, /* changes data: runs in a transaction, honours Idempotency-Key */
    ROUTE_IDEMPOTENCY_REQUIRED = 1 << 3,
    ROUTE_JSON_OPTIONAL = 1 << 4, /* a JSON object body may be sent, or none */
    /* The body is a file that may be large: once spooled it stays in its
     * file (body_fd, body NULL) and is read with req_body_read, never
     * mapped, so uploads cost no memory however many run at once. */
    ROUTE_RAW_BODY = 1 << 5,
};

struct kv {
    const char *key;
    const char *value;
};

struct user {
    long long id;
    unsigned role;           /* one ROLE_* bit */
    long long contractor_id; /* 0 unless role is contractor */
    long long token_id;
    char name[201];
    char email[255];
};

#define REQ_MAX_HEADERS 8

struct req {
    struct pool *pool;

    /* Request, filled by the http layer. */
    unsigned method;
    const char *path;
    struct route_match match;
    struct kv *query;
    size_t nquery;
    const char *body; /* NUL-terminated after body_len bytes; NULL for a
                         ROUTE_RAW_BODY body kept in body_fd */
    size_t body_len;
    int body_fd;                   /* a large body's spool file (read-only), or -1 */
    unsigned char body_sha256[32]; /* see req_body_sha256 */
    int body_sha256_done;
    const char *authorization;
    const char *if_match;
    const char *if_none_match;
    const char *idempotency_key;
    const char *content_type;
    const char *content_disposition; /* an upload's file name (see disposition.h) */
    const char *range;               /* Range, for downloads (see range.h) */
    const char *client_ip;           /* the peer's address */
    const char
        *forwarded_for; /* X-Forwarded-For as received (trusted only from FT_TRUSTED_PROXIES) */
    char request_id[65];
    double received_at; /* monotonic seconds, for the request deadline */

    /* Filled by the pipeline on the worker thread. */
    struct db *db;
    struct cJSON *json; /* parsed body (owned by pool) */
    struct user user;   /* id 0 while unauthenticated */
    int retry;          /* set by reply_db: the transaction must be run again */
    int rollback_only;  /* a successful answer whose changes are undone (dry runs) */
    /* What an Idempotency-Key replay answers instead of resp_body, for
     * answers that hold a secret shown only once (NULL: resp_body). */
    const char *replay_body;
    struct req_hook *hooks; /* newest first */
    int prepared;           /* the route's prepare step has run */
    void *prep;             /* what it left for the handler (in the pool) */
    double queued_at;       /* monotonic: when last handed to the database workers */

    /* Response. */
    int status;
    const char *resp_type;
    const char *resp_body;
    size_t resp_len;
    const char *resp_file; /* a file to send instead of resp_body (see reply_file) */
    int resp_file_keep;    /* 1: a stored file; 0: a temporary one, unlinked once sent */
    long long resp_file_off, resp_file_len; /* the part to send; len < 0: to the end */
    struct kv resp_headers[REQ_MAX_HEADERS];
    int nresp_headers;

    void *http; /* the http layer's own state for this request */
};

/* Returns the value of query parameter key, or NULL. */
const char *req_query(const struct req *r, const char *key);
/* Whether the request's Content-Type names the media type type (case does
 * not matter; parameters such as charset are ignored). */
int req_media_is(const struct req *r, const char *type);
/* Path parameter i (0-based) of the matched route. */
const char *req_param(const struct req *r, int i);
/* Reads up to n bytes of the body from offset off, wherever it is kept.
 * Returns the number read (0 at the end), or -1 with errno set. */
long long req_body_read(const struct req *r, void *buf, size_t n, unsigned long long off);
/* The SHA-256 of the body, computed once (reading a spooled body in
 * pieces). Returns 0, or -1 when the spool file cannot be read. */
int req_body_sha256(struct req *r, unsigned char out[32]);
/* Adds a response header (copied into the request pool). */
void req_add_header(struct req *r, const char *key, const char *value);
/* Sets a response header, replacing one of the same name added before: a
 * route's own Retry-After wins over the one every 503 gets. */
void req_set_header(struct req *r, const char *key, const char *value);
/* Registers fn(r, arg) to run on the worker once the request's transaction
 * is committed (req_on_commit) or rolled back (req_on_rollback: an error, a
 * dry run, or an attempt that is run again after a deadlock), newest
 * first, each at most once. When the outcome of COMMIT is unknown (the
 * connection was lost during it) neither runs. Made for what must follow
 * the data, such as a file written during the request. Allocates in r's
 * pool. */
void req_on_commit(struct req *r, void (*fn)(struct req *r, void *arg), void *arg);
void req_on_rollback(struct req *r, void (*fn)(struct req *r, void *arg), void *arg);
/* Runs the hooks for the outcome (committed or not) and forgets them all. */
void req_run_hooks(struct req *r, int committed);
/* Role name for a ROLE_* bit, and back (0 for unknown). */
const char *role_name(unsigned role);
unsigned role_parse(const char *name);

#endif
