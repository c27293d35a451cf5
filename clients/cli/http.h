/* http.h — one HTTP exchange with the server over libcurl, with retries.
 *
 * http_send() tries again, with exponential backoff and jitter, when the
 * connection fails (refused, reset, timed out, cut mid-response) and when
 * the server answers 429, 502, 503 or 504; a Retry-After header sets the
 * wait instead. A retry sends exactly the same request: the caller makes
 * that safe (GET, PATCH with If-Match, POST with an Idempotency-Key).
 * Everything else, including every other 4xx, is returned to the caller
 * at once.
 */
#ifndef FT_CLI_HTTP_H
#define FT_CLI_HTTP_H

#include <stddef.h>
#include <stdio.h>

#define HTTP_WARN_UNUSED __attribute__((warn_unused_result))

struct http_request {
    const char *method;       /* "GET", "POST", "PATCH", "DELETE" */
    const char *url;          /* absolute */
    const char *token;        /* bearer token, or NULL */
    const char *content_type; /* of body; NULL: application/json when there is a body */
    const char *body;         /* NULL: none */
    size_t body_len;
    /* The body is this file instead, streamed from disk (photos up to
     * 25 MiB are not held in memory); it is opened again for each attempt. */
    const char *upload_path;
    const char *content_disposition; /* the header's value, or NULL */
    /* Ask with "Expect: 100-continue" before sending the body, so that a
     * refusal decided from the headers alone (413, 404, 401) costs no upload. */
    int expect_continue;
    const char *idempotency_key; /* NULL: none */
    const char *if_match;        /* the full header value ("\"3\""), or NULL */
    const char *accept;          /* NULL: application/json */
    /* A 2xx body goes to sink instead of memory (downloads). On a retry the
     * file is truncated first, so it must be a regular file or NULL. */
    FILE *sink;
    const char *progress_label; /* non-NULL: a progress bar on a terminal */
    /* Retry 409 answers that say the same Idempotency-Key is still being
     * processed (they clear up by themselves). */
    int retry_inflight_409;
    /* Do not retry 429 (a login refused for too many attempts: retrying
     * the same password does not help). */
    int no_retry_429;
};

struct http_response {
    long status; /* 0: no HTTP response (see error) */
    char *body;  /* NUL-terminated; the caller frees with http_response_free */
    size_t len;
    long long sunk; /* bytes written to the sink */
    char etag[128];
    char content_type[128];
    char content_disposition[2048];
    char request_id[128];
    char location[512];
    int replayed;       /* Idempotent-Replayed: true */
    double retry_after; /* seconds asked for by the last answer, -1 when not given */
    int attempts;       /* requests made */
    int local_error;    /* a failure on our side (file, memory, bad URL): do not retry */
    char error[512];    /* why there is no response */
};

/* Once per process, before any request. Returns 0, or -1. */
int http_global_init(void) HTTP_WARN_UNUSED;
void http_global_cleanup(void);

/* Sends req (with retries as above) and fills res (which it clears
 * first). Returns 0 when an HTTP answer arrived (any status; see
 * res->status), -1 when none did (res->error says why). The caller frees
 * res with http_response_free in both cases. */
int http_send(const struct http_request *req, struct http_response *res) HTTP_WARN_UNUSED;

void http_response_free(struct http_response *res);

/* Whether a 409 answer says that a request with the same Idempotency-Key is
 * still in flight, as opposed to a conflict with the data. */
int http_is_inflight_409(const struct http_response *res);

/* Percent-encodes s for a query string into out (size n). Returns 0, or -1
 * when it does not fit. */
int url_escape(const char *s, char *out, size_t n) HTTP_WARN_UNUSED;

#endif
