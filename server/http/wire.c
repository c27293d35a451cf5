/* wire.c — HTTP/1.1 request framing over http-parser (see wire.h).
 *
 * http-parser reports the request line and headers in pieces as they
 * arrive; the pieces of one token are contiguous and tokens never
 * interleave, so they are appended to one buffer and NUL-terminated at
 * token boundaries. Offsets are kept until the head is complete because the
 * buffer may move while it grows. */
#include "http/wire.h"

#include <http_parser.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum token { T_NONE, T_URL, T_NAME, T_VALUE };

struct wire {
    http_parser p;
    const struct wire_hooks *hooks;
    void *ctx;
    size_t max_head;

    /* Strings of the head, and where each starts. */
    char *buf;
    size_t len, cap;
    enum token tok;
    size_t url_off;
    size_t name_off[WIRE_MAX_HEADERS], value_off[WIRE_MAX_HEADERS];
    size_t nheaders;
    int has_url;

    /* The raw request line, kept to read an unknown method's target. */
    char *line;
    size_t line_len;
    int line_done; /* its LF was seen */
    int capturing; /* the parser refused the method: only the line is read on */

    struct wire_head head;
    int done, status;
    const char *detail;
};

static int refuse(struct wire *w, int status, const char *detail)
{
    if (!w->status) {
        w->status = status;
        w->detail = detail;
    }
    return -1;
}

/* Appends to the head buffer; fails once the head is larger than allowed. */
static int append(struct wire *w, const char *at, size_t n)
{
    if (w->len + n + 1 > w->max_head)
        return refuse(w, 431, "the request line and headers are larger than allowed");
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 1024;
        while (cap < w->len + n + 1)
            cap *= 2;
        if (cap > w->max_head)
            cap = w->max_head;
        char *b = realloc(w->buf, cap);
        if (!b)
            return refuse(w, 503, "the server is out of memory");
        w->buf = b;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, at, n);
    w->len += n;
    return 0;
}

/* Ends the token being collected with a NUL. */
static int close_token(struct wire *w)
{
    if (w->tok == T_NONE)
        return 0;
    w->tok = T_NONE;
    return append(w, "", 1);
}

static int is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int on_message_begin(http_parser *p)
{
    struct wire *w = p->data;
    w->len = 0;
    w->nheaders = 0;
    w->tok = T_NONE;
    w->has_url = 0;
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t n)
{
    struct wire *w = p->data;
    if (w->tok != T_URL) {
        w->url_off = w->len;
        w->tok = T_URL;
        w->has_url = 1;
    }
    return append(w, at, n);
}

static int on_header_field(http_parser *p, const char *at, size_t n)
{
    struct wire *w = p->data;
    if (w->tok != T_NAME) {
        if (close_token(w))
            return -1;
        if (w->nheaders == WIRE_MAX_HEADERS)
            return refuse(w, 431, "the request has too many header fields");
        w->name_off[w->nheaders++] = w->len;
        w->tok = T_NAME;
    }
    for (size_t i = 0; i < n; i++)
        if (!is_tchar((unsigned char)at[i]))
            return refuse(w, 400, "a header name holds a character that is not allowed");
    return append(w, at, n);
}

static int on_header_value(http_parser *p, const char *at, size_t n)
{
    struct wire *w = p->data;
    if (w->tok != T_VALUE) {
        if (close_token(w))
            return -1;
        w->value_off[w->nheaders - 1] = w->len;
        w->tok = T_VALUE;
    }
    /* A control character in a value (NUL, a bare CR or LF of a folded
     * line) would cut or split it where the server reads it. */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)at[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return refuse(w, 400, "a header value holds a control character");
    }
    return append(w, at, n);
}

static const char *find_header(const struct wire_head *h, const char *name)
{
    for (size_t i = 0; i < h->nheaders; i++)
        if (strcasecmp(h->headers[i].name, name) == 0)
            return h->headers[i].value;
    return NULL;
}

static const char DUPLICATE[] = "";

/* The value of a header that may appear once; DUPLICATE when it repeats. */
static const char *find_header_once(const struct wire_head *h, const char *name)
{
    const char *v = NULL;
    for (size_t i = 0; i < h->nheaders; i++)
        if (strcasecmp(h->headers[i].name, name) == 0) {
            if (v)
                return DUPLICATE;
            v = h->headers[i].value;
        }
    return v;
}

/* Whether the kept request line ends in " HTTP/1.0" or " HTTP/1.1". */
static int line_version_ok(const struct wire *w)
{
    if (!w->line_done || !w->line)
        return 0;
    size_t n = w->line_len;
    if (n && w->line[n - 1] == '\r')
        n--;
    return n > 9 && (memcmp(w->line + n - 9, " HTTP/1.1", 9) == 0 ||
                     memcmp(w->line + n - 9, " HTTP/1.0", 9) == 0);
}

static int on_headers_complete(http_parser *p)
{
    struct wire *w = p->data;
    /* A header name without a value (e.g. "X-A:" then the end) has no value
     * offset yet: give it the empty string. */
    if (w->tok == T_NAME) {
        if (close_token(w))
            return -1;
        w->value_off[w->nheaders - 1] = w->len;
        w->tok = T_VALUE;
    }
    if (close_token(w))
        return -1;
    if (!w->has_url)
        return refuse(w, 400, "the request line has no target");
    struct wire_head *h = &w->head;
    memset(h, 0, sizeof(*h));
    h->method = http_method_str((enum http_method)p->method);
    h->target = w->buf + w->url_off;
    h->http_major = p->http_major;
    h->http_minor = p->http_minor;
    for (size_t i = 0; i < w->nheaders; i++) {
        h->headers[i].name = w->buf + w->name_off[i];
        h->headers[i].value = w->buf + w->value_off[i];
    }
    h->nheaders = w->nheaders;
    /* http-parser reads any digits as a version and is lenient about the
     * protocol name: the line must end in HTTP/1.0 or HTTP/1.1. Other
     * versions are refused like any malformed request (HTTP/2 needs TLS
     * or an upgrade this server does not offer). */
    if (p->http_major != 1 || p->http_minor > 1 || !line_version_ok(w))
        return refuse(w, 400, "the request line must end in HTTP/1.1 or HTTP/1.0");
    const char *te = find_header_once(h, "Transfer-Encoding");
    if (te == DUPLICATE || (te && strcasecmp(te, "chunked") != 0))
        return refuse(w, 400, "only Transfer-Encoding: chunked is understood, once");
    h->chunked = (p->flags & F_CHUNKED) != 0;
    h->content_length = (p->flags & F_CONTENTLENGTH) ? (long long)p->content_length : -1;
    if (h->content_length > (long long)1 << 53)
        return refuse(w, 413, "the body is larger than allowed");
    h->keep_alive = http_should_keep_alive(p) && !p->upgrade;
    const char *expect = find_header(h, "Expect");
    if (expect) {
        if (strcasecmp(expect, "100-continue") != 0)
            return refuse(w, 417, "only Expect: 100-continue is understood");
        h->expect_continue = 1;
    }
    int st = w->hooks->head(w->ctx, h);
    if (st)
        return refuse(w, st, NULL);
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
    struct wire *w = p->data;
    int st = w->hooks->body(w->ctx, at, n);
    if (st)
        return refuse(w, st, NULL);
    return 0;
}

static int on_message_complete(http_parser *p)
{
    struct wire *w = p->data;
    w->done = 1;
    /* Stop here: the bytes after this message are the next request, which
     * the caller reads only once this one is answered. */
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

struct wire *wire_new(size_t max_head, const struct wire_hooks *hooks, void *ctx)
{
    struct wire *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    w->max_head = max_head;
    w->hooks = hooks;
    w->ctx = ctx;
    http_parser_init(&w->p, HTTP_REQUEST);
    w->p.data = w;
    return w;
}

void wire_free(struct wire *w)
{
    if (!w)
        return;
    free(w->buf);
    free(w->line);
    free(w);
}

void wire_next(struct wire *w)
{
    http_parser_init(&w->p, HTTP_REQUEST);
    w->p.data = w;
    w->len = 0;
    w->nheaders = 0;
    w->tok = T_NONE;
    w->has_url = 0;
    w->line_len = 0;
    w->line_done = 0;
    w->capturing = 0;
    w->done = w->status = 0;
    w->detail = NULL;
    memset(&w->head, 0, sizeof(w->head));
}

/* Keeps the bytes of the request line (without leading empty lines), up to
 * its LF, so an unknown method can be answered properly. */
static void keep_line(struct wire *w, const char *data, size_t len)
{
    for (size_t i = 0; i < len && !w->line_done; i++) {
        char c = data[i];
        if (w->line_len == 0 && (c == '\r' || c == '\n'))
            continue;
        if (c == '\n') {
            w->line_done = 1;
            break;
        }
        if (w->line_len + 1 >= w->max_head)
            continue; /* too long to be a request line worth reading */
        if (!w->line) {
            w->line = malloc(w->max_head);
            if (!w->line)
                return;
        }
        w->line[w->line_len++] = c;
    }
}

/* Whether the kept bytes can still become "TOKEN SP target SP version":
 * a token, then printable characters only. */
static int line_plausible(const struct wire *w)
{
    size_t i = 0;
    while (i < w->line_len && is_tchar((unsigned char)w->line[i]))
        i++;
    if (i < w->line_len && (i == 0 || w->line[i] != ' '))
        return 0;
    for (; i < w->line_len; i++) {
        unsigned char c = (unsigned char)w->line[i];
        if ((c < 0x20 && c != '\r') || c == 0x7f)
            return 0;
    }
    return 1;
}

/* Reads "TOKEN SP target SP HTTP/1.x" from the kept request line and
 * refuses the message: 405 when it is a well-formed line with a method this
 * server does not know, 400 (or 431) otherwise. */
static void unknown_method(struct wire *w)
{
    if (!w->line || w->line_len + 1 >= w->max_head) {
        refuse(w, 431, "the request line is longer than allowed");
        return;
    }
    char *s = w->line;
    s[w->line_len] = '\0';
    if (w->line_len && s[w->line_len - 1] == '\r')
        s[--w->line_len] = '\0';
    size_t m = 0;
    while (is_tchar((unsigned char)s[m]))
        m++;
    char *target = s + m + 1;
    char *sp = m && s[m] == ' ' ? strchr(target, ' ') : NULL;
    if (!sp || sp == target ||
        (strcmp(sp + 1, "HTTP/1.1") != 0 && strcmp(sp + 1, "HTTP/1.0") != 0)) {
        refuse(w, 400, "the request line is malformed");
        return;
    }
    s[m] = '\0';
    *sp = '\0';
    memset(&w->head, 0, sizeof(w->head));
    w->head.method = s;
    w->head.target = target;
    w->head.http_major = 1;
    w->head.content_length = -1;
    refuse(w, 405, "the method is not known here");
}

size_t wire_feed(struct wire *w, const char *data, size_t len, enum wire_state *state)
{
    if (w->status) {
        *state = WIRE_ERROR;
        return 0;
    }
    if (!w->line_done)
        keep_line(w, data, len);
    if (w->capturing) {
        if (w->line_done || w->line_len + 1 >= w->max_head || !line_plausible(w)) {
            unknown_method(w);
            *state = WIRE_ERROR;
            return 0;
        }
        *state = WIRE_MORE;
        return len;
    }
    size_t n = http_parser_execute(&w->p, &settings, data, len);
    enum http_errno e = HTTP_PARSER_ERRNO(&w->p);
    if (w->done) {
        *state = WIRE_MESSAGE;
        return n;
    }
    if (e == HPE_OK) {
        *state = WIRE_MORE;
        return n;
    }
    *state = WIRE_ERROR;
    if (w->status)
        return n;
    switch (e) {
    case HPE_INVALID_METHOD:
        /* Read on to the end of the request line to tell a method this
         * server does not know (405) from garbage (400), unless the bytes
         * so far cannot start a request line at all (a TLS handshake, say):
         * then at once, rather than waiting for a line end that never
         * comes. */
        w->capturing = 1;
        if (!w->line_done && w->line_len + 1 < w->max_head && line_plausible(w)) {
            *state = WIRE_MORE;
            return len;
        }
        unknown_method(w);
        return n;
    case HPE_HEADER_OVERFLOW:
        refuse(w, 431, "the request line and headers are larger than allowed");
        break;
    case HPE_UNEXPECTED_CONTENT_LENGTH:
        refuse(w, 400,
               "the request has more than one Content-Length, or one with chunked "
               "Transfer-Encoding");
        break;
    case HPE_INVALID_CONTENT_LENGTH:
        refuse(w, 400, "the Content-Length is not a number");
        break;
    case HPE_INVALID_CHUNK_SIZE:
        refuse(w, 400, "the chunked body is malformed");
        break;
    case HPE_INVALID_TRANSFER_ENCODING:
        refuse(w, 400, "only chunked Transfer-Encoding is understood");
        break;
    case HPE_INVALID_VERSION:
        refuse(w, 400, "the HTTP version is malformed");
        break;
    default:
        refuse(w, 400, "the request is malformed");
        break;
    }
    return n;
}

int wire_error(const struct wire *w, const char **detail)
{
    if (detail)
        *detail = w->detail;
    return w->status;
}

const struct wire_head *wire_head(const struct wire *w) { return &w->head; }

int wire_keep_alive(const struct wire *w) { return w->head.keep_alive && !w->p.upgrade; }
