/* http.c — libcurl exchanges with retries, backoff and Retry-After
 * (see http.h). */
#include "http.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"

#define MAX_BODY (64L * 1024 * 1024) /* in-memory answers: lists, errors */
#define BACKOFF_BASE_S 0.5           /* the first wait; doubled each time */
#define BACKOFF_MAX_S 30.0           /* the longest wait we choose ourselves */
#define RETRY_AFTER_MAX_S 300.0      /* a longer Retry-After: give up instead */
#define CONNECT_TIMEOUT_S 10L

int http_global_init(void) { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1; }

void http_global_cleanup(void) { curl_global_cleanup(); }

void http_response_free(struct http_response *res)
{
    free(res->body);
    res->body = NULL;
    res->len = 0;
}

/* ---- one attempt ---- */

struct xfer {
    CURL *curl;
    const struct http_request *req;
    struct http_response *res;
    size_t cap;
    int sink_failed;
    int too_big;
    int source_failed; /* errno of a failed read of upload_path */
    FILE *source;      /* upload_path, open during the attempt */
    struct progress bar;
};

static int status_2xx(CURL *curl)
{
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    return code >= 200 && code < 300;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    struct xfer *x = userp;
    size_t n = size * nmemb;
    if (x->req->sink && status_2xx(x->curl)) {
        if (fwrite(data, 1, n, x->req->sink) != n) {
            x->sink_failed = errno ? errno : EIO;
            return 0;
        }
        x->res->sunk += (long long)n;
        return n;
    }
    if (x->res->len + n + 1 > (size_t)MAX_BODY) {
        x->too_big = 1;
        return 0;
    }
    if (x->res->len + n + 1 > x->cap) {
        size_t ncap = x->cap ? x->cap : 8192;
        while (ncap < x->res->len + n + 1)
            ncap *= 2;
        char *nb = realloc(x->res->body, ncap);
        if (!nb) {
            x->too_big = 1;
            return 0;
        }
        x->res->body = nb;
        x->cap = ncap;
    }
    memcpy(x->res->body + x->res->len, data, n);
    x->res->len += n;
    x->res->body[x->res->len] = '\0';
    return n;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *userp)
{
    struct xfer *x = userp;
    size_t k = fread(buf, 1, size * nitems, x->source);
    if (k == 0 && ferror(x->source)) {
        x->source_failed = errno ? errno : EIO;
        return CURL_READFUNC_ABORT;
    }
    return k;
}

/* libcurl rewinds the body when it must send it again on the same
 * attempt (after a redirect or an authentication round). */
static int on_seek(void *userp, curl_off_t offset, int origin)
{
    struct xfer *x = userp;
    return fseeko(x->source, (off_t)offset, origin) == 0 ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_FAIL;
}

/* Copies a header's value, trimmed, into dst when name matches. */
static int header_value(const char *line, size_t len, const char *name, char *dst, size_t n)
{
    size_t nl = strlen(name);
    if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return 0;
    const char *v = line + nl + 1;
    const char *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    size_t k = (size_t)(end - v);
    if (k >= n)
        k = n - 1;
    memcpy(dst, v, k);
    dst[k] = '\0';
    return 1;
}

/* Retry-After: delay-seconds or an HTTP-date (RFC 9110 10.2.3). */
static double parse_retry_after(const char *v)
{
    char *end;
    errno = 0;
    long s = strtol(v, &end, 10);
    if (end != v && *end == '\0' && errno == 0 && s >= 0)
        return (double)s;
    struct tm tm = {0};
    const char *rest = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (rest && *rest == '\0') {
        time_t t = timegm(&tm);
        double d = difftime(t, time(NULL));
        return d > 0 ? d : 0;
    }
    return -1;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *userp)
{
    struct xfer *x = userp;
    size_t n = size * nmemb;
    struct http_response *res = x->res;
    char v[64];
    /* A new status line (after a 100 Continue or a redirect) starts over. */
    if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        res->etag[0] = res->content_type[0] = res->content_disposition[0] = '\0';
        res->request_id[0] = res->location[0] = '\0';
        res->replayed = 0;
        res->retry_after = -1;
        return n;
    }
    header_value(line, n, "ETag", res->etag, sizeof(res->etag));
    header_value(line, n, "Content-Type", res->content_type, sizeof(res->content_type));
    header_value(line, n, "Content-Disposition", res->content_disposition,
                 sizeof(res->content_disposition));
    header_value(line, n, "X-Request-ID", res->request_id, sizeof(res->request_id));
    header_value(line, n, "Location", res->location, sizeof(res->location));
    if (header_value(line, n, "Idempotent-Replayed", v, sizeof(v)))
        res->replayed = strcasecmp(v, "true") == 0;
    if (header_value(line, n, "Retry-After", v, sizeof(v)))
        res->retry_after = parse_retry_after(v);
    return n;
}

static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    struct xfer *x = userp;
    if (ultotal > 0) {
        /* An upload (imports): its progress, then the wait for the answer. */
        if (ulnow < ultotal)
            progress_update(&x->bar, (long long)ulnow, (long long)ultotal);
        else
            progress_waiting(&x->bar, (long long)ulnow);
    } else if (dlnow > 0 || dltotal > 0) {
        progress_update(&x->bar, (long long)dlnow, (long long)dltotal);
    }
    return 0;
}

static int network_retryable(CURLcode rc)
{
    switch (rc) {
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_WRITE_ERROR:
    case CURLE_READ_ERROR:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_ABORTED_BY_CALLBACK:
    case CURLE_FAILED_INIT:
    case CURLE_BAD_FUNCTION_ARGUMENT:
        return 0;
    default:
        return 1;
    }
}

/* One request. Returns 0 with an answer, 1 after a retryable network
 * failure, -1 after a local failure. */
static int attempt(const struct http_request *req, struct http_response *res)
{
    struct xfer x = {0};
    x.req = req;
    x.res = res;
    free(res->body);
    res->body = NULL;
    res->len = 0;
    res->sunk = 0;
    res->status = 0;
    res->retry_after = -1;
    res->error[0] = '\0';
    if (req->sink) {
        /* A retry starts the download over. */
        if (fflush(req->sink) != 0 || ftruncate(fileno(req->sink), 0) != 0 ||
            fseek(req->sink, 0, SEEK_SET) != 0) {
            snprintf(res->error, sizeof(res->error), "cannot write the output file: %s",
                     strerror(errno));
            res->local_error = 1;
            return -1;
        }
    }

    curl_off_t upload_size = 0;
    if (req->upload_path) {
        x.source = fopen(req->upload_path, "rbe");
        struct stat st;
        if (!x.source || fstat(fileno(x.source), &st) != 0) {
            snprintf(res->error, sizeof(res->error), "cannot read %s: %s", req->upload_path,
                     strerror(errno));
            if (x.source)
                fclose(x.source);
            res->local_error = 1;
            return -1;
        }
        upload_size = (curl_off_t)st.st_size;
    }

    CURL *curl = curl_easy_init();
    if (!curl) {
        snprintf(res->error, sizeof(res->error), "cannot initialise libcurl");
        res->local_error = 1;
        if (x.source)
            fclose(x.source);
        return -1;
    }
    x.curl = curl;
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs = NULL;
    char line[2048];

    snprintf(line, sizeof(line), "Accept: %s", req->accept ? req->accept : "application/json");
    hdrs = curl_slist_append(hdrs, line);
    if (req->token) {
        snprintf(line, sizeof(line), "Authorization: Bearer %s", req->token);
        hdrs = curl_slist_append(hdrs, line);
    }
    if (req->body || req->upload_path) {
        snprintf(line, sizeof(line), "Content-Type: %s",
                 req->content_type ? req->content_type : "application/json");
        hdrs = curl_slist_append(hdrs, line);
    }
    if (req->content_disposition) {
        snprintf(line, sizeof(line), "Content-Disposition: %s", req->content_disposition);
        hdrs = curl_slist_append(hdrs, line);
    }
    if (req->idempotency_key) {
        snprintf(line, sizeof(line), "Idempotency-Key: %s", req->idempotency_key);
        hdrs = curl_slist_append(hdrs, line);
    }
    if (req->if_match) {
        snprintf(line, sizeof(line), "If-Match: %s", req->if_match);
        hdrs = curl_slist_append(hdrs, line);
    }
    /* A round trip before the body only where the caller asks for it. */
    hdrs = curl_slist_append(hdrs, req->expect_continue ? "Expect: 100-continue" : "Expect:");

    curl_easy_setopt(curl, CURLOPT_URL, req->url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
    if (strcmp(req->method, "GET") == 0)
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    if (req->upload_path) {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(curl, CURLOPT_READDATA, &x);
        curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, on_seek);
        curl_easy_setopt(curl, CURLOPT_SEEKDATA, &x);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, upload_size);
    } else if (req->body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "fibertrack-cli/" FT_CLI_VERSION);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    /* The token goes to this server only: never follow a redirect with it. */
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    if (req->sink || req->progress_label || req->upload_path) {
        /* Long transfers: no overall limit, but a stalled one is cut. */
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, g_cli.timeout_s > 0 ? g_cli.timeout_s : 60L);
    } else if (g_cli.timeout_s > 0) {
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, g_cli.timeout_s);
    }
    if (req->progress_label) {
        progress_init(&x.bar, req->progress_label);
        if (x.bar.enabled) {
            curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
            curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &x);
            curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        }
    }
    if (g_cli.verbose)
        fprintf(stderr, "> %s %s%s\n", req->method, req->url,
                req->idempotency_key ? " (Idempotency-Key set)" : "");

    CURLcode rc = curl_easy_perform(curl);
    progress_done(&x.bar);
    int ret = 0;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res->status);
        if (!res->body) {
            res->body = calloc(1, 1);
            if (!res->body) {
                snprintf(res->error, sizeof(res->error), "out of memory");
                res->local_error = 1;
                ret = -1;
            }
        }
        if (g_cli.verbose)
            fprintf(stderr, "< %ld%s%s%s\n", res->status, res->replayed ? " (replayed)" : "",
                    res->request_id[0] ? " request " : "", res->request_id);
    } else if (x.sink_failed) {
        snprintf(res->error, sizeof(res->error), "cannot write the output file: %s",
                 strerror(x.sink_failed));
        res->local_error = 1;
        ret = -1;
    } else if (x.source_failed) {
        snprintf(res->error, sizeof(res->error), "cannot read %s: %s", req->upload_path,
                 strerror(x.source_failed));
        res->local_error = 1;
        ret = -1;
    } else if (x.too_big) {
        snprintf(res->error, sizeof(res->error), "the answer is larger than %ld MB",
                 MAX_BODY >> 20);
        res->local_error = 1;
        ret = -1;
    } else {
        snprintf(res->error, sizeof(res->error), "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
        size_t el = strlen(res->error);
        while (el > 0 && res->error[el - 1] == '\n')
            res->error[--el] = '\0';
        if (!network_retryable(rc)) {
            res->local_error = 1;
            ret = -1;
        } else {
            ret = 1;
        }
    }
    res->attempts++;
    if (x.source)
        fclose(x.source);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(curl);
    if (ret != 0) {
        free(res->body);
        res->body = NULL;
        res->len = 0;
        res->status = 0;
    }
    return ret;
}

/* ---- retries ---- */

int http_is_inflight_409(const struct http_response *res)
{
    if (res->status != 409)
        return 0;
    /* Asking to come back later is what tells a passing state from a real
     * conflict; the server also names the Idempotency-Key in its detail. */
    if (res->retry_after >= 0)
        return 1;
    return res->body && strstr(res->body, "Idempotency-Key") && strstr(res->body, "retry");
}

static int status_retryable(const struct http_request *req, const struct http_response *res)
{
    switch (res->status) {
    case 429:
        return !req->no_retry_429;
    case 502:
    case 503:
    case 504:
        return 1;
    case 409:
        return req->retry_inflight_409 && http_is_inflight_409(res);
    default:
        return 0;
    }
}

static double jitter01(void)
{
    unsigned int r;
    if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
        r = (unsigned int)rand();
    return (double)r / 4294967296.0;
}

static void sleep_s(double s)
{
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int http_send(const struct http_request *req, struct http_response *res)
{
    memset(res, 0, sizeof(*res));
    res->retry_after = -1;
    int max_attempts = 1 + (g_cli.retries > 0 ? g_cli.retries : 0);
    for (int n = 1;; n++) {
        int rc = attempt(req, res);
        if (rc < 0)
            return -1;
        int again = rc == 1 || status_retryable(req, res);
        if (!again)
            return rc == 0 ? 0 : -1;
        if (n >= max_attempts)
            return rc == 0 ? 0 : -1;

        /* Exponential backoff with jitter, unless the server says when. */
        double wait = BACKOFF_BASE_S * pow(2.0, n - 1);
        if (wait > BACKOFF_MAX_S)
            wait = BACKOFF_MAX_S;
        wait = wait / 2 + jitter01() * wait / 2;
        if (rc == 0 && res->retry_after >= 0) {
            if (res->retry_after > RETRY_AFTER_MAX_S) {
                out_note("The server asks to wait %.0f s before trying again; giving up for now.",
                         res->retry_after);
                return 0;
            }
            wait = res->retry_after;
        }
        char why[600];
        if (rc == 1)
            snprintf(why, sizeof(why), "no connection (%s)", res->error);
        else if (res->status == 409)
            snprintf(why, sizeof(why), "the server is still processing the same request");
        else
            snprintf(why, sizeof(why), "the server is busy (HTTP %ld)", res->status);
        out_note("%s; trying again in %.1f s (attempt %d of %d)", why, wait, n + 1, max_attempts);
        sleep_s(wait);
    }
}

int url_escape(const char *s, char *out, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t k = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '~';
        if (k + (plain ? 1 : 3) >= n)
            return -1;
        if (plain) {
            out[k++] = (char)c;
        } else {
            out[k++] = '%';
            out[k++] = hex[c >> 4];
            out[k++] = hex[c & 15];
        }
    }
    out[k] = '\0';
    return 0;
}
