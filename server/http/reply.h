/* reply.h — the one place that writes responses into a request: JSON
 * bodies and RFC 9457 problem+json errors. Each returns the status so a
 * handler can end with `return reply_problem(r, 404, "...")`. */
#ifndef FT_REPLY_H
#define FT_REPLY_H

#include "http/request.h"

struct cJSON;
struct pool;

/* JSON built for a request belongs to its pool: req_json registers json to
 * be freed with r (NULL passes through) and returns it. A tree owned this
 * way is never added into another tree (use cJSON_AddItemReferenceTo*), and
 * handlers never call cJSON_Delete. The reply functions below borrow. */
struct cJSON *req_json(struct req *r, struct cJSON *json);
/* The same for a pool of its own, for scratch JSON freed before the
 * request ends (one feature of a large import, one chunk of an export). */
struct cJSON *pool_json(struct pool *pool, struct cJSON *json);

/* Serialises json (borrowed) as the response body. */
int reply_json(struct req *r, int status, const struct cJSON *json);
/* A raw body that already lives in r->pool or static memory. */
int reply_raw(struct req *r, int status, const char *type, const char *body, size_t len);
/* A file as the body: a stored one that stays (keep), or a temporary one
 * that is unlinked once sent, or when the reply is replaced or cleared. The
 * path must live in r's pool or static memory. */
int reply_file(struct req *r, int status, const char *type, const char *path, int keep);
/* Part of a stored file: len bytes from off (len < 0: to the end). The
 * caller has checked the range against the file's size. */
int reply_file_range(struct req *r, int status, const char *type, const char *path, long long off,
                     long long len);
/* Clears the reply (status, body, file, headers) so a transaction can run
 * again. */
void reply_clear(struct req *r);
/* An error with a formatted detail. Adds Retry-After for 429/503 and
 * WWW-Authenticate for 401. */
int reply_problem(struct req *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A problem with its own type (…/problems/<slug>), for answers a client
 * must tell apart from others with the same status. */
int reply_problem_typed(struct req *r, int status, const char *slug, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A 422 with errors[]: errors is a cJSON array of {pointer, detail}
 * (borrowed; owned by r). */
int reply_invalid(struct req *r, struct cJSON *errors);
/* A 422 with its own detail and errors (borrowed; owned by r). */
int reply_invalid_detail(struct req *r, const char *detail, struct cJSON *errors);
/* A 422 about one field, with detail both as the problem's detail and as
 * the field's error. */
int reply_invalid_field(struct req *r, const char *field, const char *detail);
/* Replies 400 when the request has a query parameter not in allowed
 * (NULL-terminated), naming what the route takes (usage); returns that
 * status, or 0. (The target parser already refuses a parameter given
 * twice.) */
int reply_unknown_query(struct req *r, const char *const *allowed, const char *usage);
/* Adds Content-Disposition: attachment for a download named filename
 * (UTF-8): a plain ASCII fallback name and the exact name as filename*. */
void reply_attachment(struct req *r, const char *filename);
/* The short title of a status ("Not Found"). */
const char *status_title(int status);

#endif
