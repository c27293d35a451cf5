/* upload_headers.c — Content-Disposition file names and Range. */
#include "http/upload_headers.h"

#include <string.h>
#include <strings.h>

#include "domain/validate.h"

/* Finds parameter name (case-insensitive) in a header's parameter list;
 * returns the start of its value and its raw length, or NULL. */
static const char *param(const char *h, const char *name, size_t *len)
{
    size_t nlen = strlen(name);
    const char *p = strchr(h, ';');
    while (p) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, name, nlen) == 0) {
            const char *v = p + nlen;
            while (*v == ' ' || *v == '\t')
                v++;
            if (*v == '=') {
                v++;
                while (*v == ' ' || *v == '\t')
                    v++;
                if (*v == '"') {
                    /* A quoted string ends at the first unescaped quote. */
                    const char *e = v + 1;
                    while (*e && *e != '"')
                        e += (e[0] == '\\' && e[1]) ? 2 : 1;
                    *len = (size_t)(e - v) + (*e == '"');
                } else {
                    *len = strcspn(v, ";");
                    while (*len && (v[*len - 1] == ' ' || v[*len - 1] == '\t'))
                        (*len)--;
                }
                return v;
            }
        }
        /* Skip to the next ';' outside quotes. */
        int quoted = 0;
        for (; *p; p++) {
            if (*p == '\\' && quoted && p[1])
                p++;
            else if (*p == '"')
                quoted = !quoted;
            else if (*p == ';' && !quoted)
                break;
        }
        p = *p ? p : NULL;
    }
    return NULL;
}

/* Keeps the last path component, drops control characters, and cuts at
 * a UTF-8 boundary. */
static int finish_name(char *raw, size_t n, char *out, size_t size)
{
    raw[n] = '\0';
    if (!valid_utf8(raw, n))
        return 0;
    const char *base = raw;
    for (const char *c = raw; *c; c++)
        if (*c == '/' || *c == '\\')
            base = c + 1;
    size_t o = 0, max = size - 1 < FILE_NAME_MAX ? size - 1 : FILE_NAME_MAX;
    for (const unsigned char *c = (const unsigned char *)base; *c;) {
        size_t clen = *c < 0x80 ? 1 : *c < 0xE0 ? 2 : *c < 0xF0 ? 3 : 4;
        if (o + clen > max)
            break;
        if (*c >= 0x20 && *c != 0x7F)
            memcpy(out + o, c, clen), o += clen;
        c += clen;
    }
    out[o] = '\0';
    /* Names made only of dots and spaces say nothing. */
    return strspn(out, ". ") < o;
}

int disposition_file_name(const char *h, char *out, size_t size)
{
    if (!h || size <= 1)
        return 0;
    char raw[1024];
    size_t len;
    const char *v = param(h, "filename*", &len);
    if (v && len > 7 && strncasecmp(v, "UTF-8''", 7) == 0) {
        /* RFC 8187: charset'language'percent-encoded */
        size_t n = 0;
        for (size_t i = 7; i < len && n < sizeof(raw) - 1; i++) {
            if (v[i] == '%' && i + 2 < len && hex_digit(v[i + 1]) >= 0 &&
                hex_digit(v[i + 2]) >= 0) {
                raw[n++] = (char)(hex_digit(v[i + 1]) * 16 + hex_digit(v[i + 2]));
                i += 2;
            } else if (v[i] == '%') {
                return 0;
            } else {
                raw[n++] = v[i];
            }
        }
        if (finish_name(raw, n, out, size))
            return 1;
    }
    v = param(h, "filename", &len);
    if (!v)
        return 0;
    size_t n = 0;
    if (*v == '"') {
        for (size_t i = 1; i < len && v[i] != '"' && n < sizeof(raw) - 1; i++) {
            if (v[i] == '\\' && i + 1 < len)
                i++;
            raw[n++] = v[i];
        }
    } else {
        for (size_t i = 0; i < len && n < sizeof(raw) - 1; i++)
            raw[n++] = v[i];
    }
    return finish_name(raw, n, out, size);
}

/* Reads decimal digits into *v; returns the number of digits (0: none or
 * overflow). */
static size_t number(const char *s, unsigned long long *v)
{
    size_t i = 0;
    *v = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        if (*v > (~0ULL - 9) / 10)
            return 0;
        *v = *v * 10 + (unsigned long long)(s[i] - '0');
    }
    return i;
}

enum range_result range_parse(const char *h, unsigned long long size, unsigned long long *off,
                              unsigned long long *len)
{
    if (!h || strncasecmp(h, "bytes=", 6) != 0)
        return RANGE_NONE;
    const char *s = h + 6;
    while (*s == ' ')
        s++;
    if (strchr(s, ','))
        return RANGE_NONE; /* several ranges: the whole file instead */
    unsigned long long first, last;
    size_t n1 = number(s, &first);
    if (s[n1] != '-')
        return RANGE_NONE;
    const char *t = s + n1 + 1;
    size_t n2 = number(t, &last);
    const char *end = t + n2;
    while (*end == ' ')
        end++;
    if (*end)
        return RANGE_NONE;
    if (n1 == 0) {
        /* bytes=-N: the last N bytes */
        if (n2 == 0)
            return RANGE_NONE;
        if (last == 0 || size == 0)
            return RANGE_UNSATISFIABLE;
        *len = last < size ? last : size;
        *off = size - *len;
        return RANGE_PART;
    }
    if (n2 && last < first)
        return RANGE_NONE;
    if (first >= size)
        return RANGE_UNSATISFIABLE;
    if (!n2 || last >= size)
        last = size - 1;
    *off = first;
    *len = last - first + 1;
    return RANGE_PART;
}
