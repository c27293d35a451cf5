/* target.c — request-target parsing (see target.h). */
#include "http/target.h"

#include <string.h>
#include <strings.h>

#include "domain/validate.h"
#include "util/pool.h"

long target_decode(const char *s, size_t len, int plus, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (len - i < 3)
                return -1;
            int a = hex_digit(s[i + 1]), b = hex_digit(s[i + 2]);
            if (a < 0 || b < 0)
                return -1;
            c = (char)(a * 16 + b);
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        }
        if (c == '\0')
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return (long)o;
}

/* Splits "k=v&k2=v2" into decoded pairs. */
static int parse_query(const char *q, size_t len, struct pool *pool, struct target *t,
                       const char **err)
{
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += q[i] == '&';
    if (n > TARGET_MAX_PARAMS) {
        *err = "the query string has too many parameters";
        return -1;
    }
    t->query = pool_alloc(pool, n * sizeof(struct kv));
    size_t start = 0;
    while (start < len) {
        const char *amp = memchr(q + start, '&', len - start);
        size_t end = amp ? (size_t)(amp - q) : len;
        const char *eq = memchr(q + start, '=', end - start);
        if (end == start && end + 1 == len) {
            /* A trailing '&' ends the list. */
            break;
        }
        if (!eq || eq == q + start) {
            *err = "the query string is malformed: every parameter needs a name and '='";
            return -1;
        }
        size_t klen = (size_t)(eq - (q + start)), vlen = end - (size_t)(eq - q) - 1;
        char *k = pool_alloc(pool, klen + 1), *v = pool_alloc(pool, vlen + 1);
        long kn = target_decode(q + start, klen, 1, k), vn = target_decode(eq + 1, vlen, 1, v);
        if (kn < 0 || vn < 0) {
            *err = "the query string holds a malformed %-escape or a NUL";
            return -1;
        }
        if (!valid_utf8(k, (size_t)kn) || !valid_utf8(v, (size_t)vn)) {
            *err = "the query string is not UTF-8";
            return -1;
        }
        /* One value per name: which of two would count is a guess. */
        for (size_t i = 0; i < t->nquery; i++)
            if (strcmp(t->query[i].key, k) == 0) {
                *err = "a query parameter appears more than once";
                return -1;
            }
        t->query[t->nquery].key = k;
        t->query[t->nquery].value = v;
        t->nquery++;
        start = end + 1;
    }
    return 0;
}

int target_parse(const char *target, struct pool *pool, struct target *t, const char **err)
{
    memset(t, 0, sizeof(*t));
    const char *s = target;
    /* The absolute form names this server; only its path and query count. */
    if (strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0) {
        s = strstr(s, "//") + 2;
        s += strcspn(s, "/?#");
        if (*s != '/') {
            *err = "the request target has no path";
            return -1;
        }
    }
    if (*s != '/') {
        *err = "the request target must be a path";
        return -1;
    }
    size_t plen = strcspn(s, "?#");
    if (plen > 3 * TARGET_MAX_PATH) {
        *err = "the request path is too long";
        return -1;
    }
    char *path = pool_alloc(pool, plen + 1);
    long n = target_decode(s, plen, 0, path);
    if (n < 0) {
        *err = "the request path holds a malformed %-escape or a NUL";
        return -1;
    }
    if (n > TARGET_MAX_PATH) {
        *err = "the request path is too long";
        return -1;
    }
    if (!valid_utf8(path, (size_t)n)) {
        *err = "the request path is not UTF-8";
        return -1;
    }
    for (long i = 0; i < n; i++) {
        unsigned char c = (unsigned char)path[i];
        if (c < 0x20 || c == 0x7f) {
            *err = "the request path holds a control character";
            return -1;
        }
    }
    t->path = path;
    if (s[plen] == '?') {
        const char *q = s + plen + 1;
        if (parse_query(q, strcspn(q, "#"), pool, t, err) < 0)
            return -1;
    }
    return 0;
}

int target_host_valid(const char *host)
{
    const char *s = host;
    if (*s == '[') {
        /* An IP literal: hex digits, colons and dots (IPv4 in IPv6). */
        s++;
        size_t n = strspn(s, "0123456789abcdefABCDEF:.");
        if (n == 0 || s[n] != ']')
            return 0;
        s += n + 1;
    } else {
        /* A registered name or IPv4 address (RFC 3986 reg-name). */
        s += strspn(
            s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=%");
    }
    if (*s == ':') {
        s++;
        size_t n = strspn(s, "0123456789");
        if (n > 5)
            return 0;
        s += n;
    }
    return *s == '\0';
}
