/* etag.c — If-Match parsing and the strong comparison. */
#include "domain/etag.h"

#include <string.h>

#include "domain/validate.h"

static const char *skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

int etag_parse_if_match(const char *h, struct if_match *m)
{
    memset(m, 0, sizeof(*m));
    const char *p = skip_ows(h);
    if (*p == '*') {
        if (*skip_ows(p + 1) != '\0')
            goto malformed;
        m->any = 1;
        return 0;
    }
    size_t tags = 0;
    for (;;) {
        /* Empty list elements (", ,") are allowed by RFC 9110 5.6.1. */
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        int weak = 0;
        if (p[0] == 'W' && p[1] == '/') {
            weak = 1;
            p += 2;
        }
        if (*p != '"')
            goto malformed;
        const char *start = ++p;
        /* etagc: %x21 / %x23-7E / obs-text; the closing quote ends it. */
        while (*p && *p != '"') {
            unsigned char c = (unsigned char)*p;
            if (c < 0x21 || c == 0x7f)
                goto malformed;
            p++;
        }
        if (*p != '"')
            goto malformed;
        size_t len = (size_t)(p - start);
        p = skip_ows(p + 1);
        if (*p && *p != ',')
            goto malformed;
        tags++;
        if (weak) {
            m->weak++;
            continue;
        }
        char text[20];
        if (len == 0 || len >= sizeof(text) || m->n == ETAG_MAX_TAGS)
            continue;
        memcpy(text, start, len);
        text[len] = '\0';
        long long v = parse_id(text);
        if (v)
            m->versions[m->n++] = v;
    }
    if (tags == 0)
        goto malformed;
    return 0;
malformed:
    memset(m, 0, sizeof(*m));
    m->malformed = 1;
    return -1;
}

int etag_matches(const struct if_match *m, long long version)
{
    if (m->any)
        return 1;
    for (size_t i = 0; i < m->n; i++)
        if (m->versions[i] == version)
            return 1;
    return 0;
}
