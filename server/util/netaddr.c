/* netaddr.c — IP addresses, CIDR lists and X-Forwarded-For resolution. */
#include "util/netaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest text an entry may have: a bracketed IPv6 address with an
 * embedded IPv4 part and a prefix length fits well within this. */
#define ENTRY_MAX 63

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* Parses n bytes at s as an address (see netaddr_parse). */
static int parse_span(const char *s, size_t n, struct netaddr *out)
{
    while (n && is_space(*s)) {
        s++;
        n--;
    }
    while (n && is_space(s[n - 1]))
        n--;
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
        if (!memchr(s, ':', n))
            return -1; /* brackets are for IPv6 only */
    }
    if (n == 0 || n > ENTRY_MAX)
        return -1;
    char text[ENTRY_MAX + 1];
    memcpy(text, s, n);
    text[n] = '\0';
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, text, out->bytes) == 1)
        return 0;
    unsigned char b6[16];
    if (inet_pton(AF_INET6, text, b6) != 1)
        return -1;
    if (memcmp(b6, v4_mapped, sizeof(v4_mapped)) == 0) {
        memcpy(out->bytes, b6 + 12, 4);
    } else {
        out->v6 = 1;
        memcpy(out->bytes, b6, 16);
    }
    return 0;
}

int netaddr_parse(const char *s, struct netaddr *out)
{
    return s ? parse_span(s, strlen(s), out) : -1;
}

static void format_into(const struct netaddr *a, char *out, socklen_t size)
{
    if (!inet_ntop(a->v6 ? AF_INET6 : AF_INET, a->bytes, out, size))
        snprintf(out, size, "-");
}

void netaddr_format(const struct netaddr *a, char out[NETADDR_TEXT_LEN])
{
    format_into(a, out, NETADDR_TEXT_LEN);
}

int netaddr_is_loopback(const struct netaddr *a)
{
    static const unsigned char v6_loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (a->v6)
        return memcmp(a->bytes, v6_loopback, 16) == 0;
    return a->bytes[0] == 127;
}

/* Clears the bits of a after the first bits. */
static void mask(struct netaddr *a, unsigned bits)
{
    unsigned total = a->v6 ? 128 : 32;
    for (unsigned i = bits; i < total; i++)
        a->bytes[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
}

void netaddr_limit_key(const struct netaddr *a, char out[NETADDR_TEXT_LEN])
{
    if (!a->v6) {
        netaddr_format(a, out);
        return;
    }
    struct netaddr net = *a;
    mask(&net, 64);
    char text[INET6_ADDRSTRLEN];
    format_into(&net, text, sizeof(text));
    snprintf(out, NETADDR_TEXT_LEN, "%s/64", text);
}

/* Parses one list entry: an address or address/bits. */
static int parse_range(const char *s, size_t n, struct netrange *out)
{
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    if (parse_span(s, alen, &out->addr) < 0)
        return -1;
    unsigned max = out->addr.v6 ? 128 : 32;
    out->bits = max;
    if (slash) {
        char digits[8];
        size_t dn = n - alen - 1;
        while (dn && is_space(slash[dn]))
            dn--;
        if (dn == 0 || dn >= sizeof(digits))
            return -1;
        memcpy(digits, slash + 1, dn);
        digits[dn] = '\0';
        char *end;
        long bits = strtol(digits, &end, 10);
        if (*end || digits[0] < '0' || digits[0] > '9')
            return -1;
        /* An IPv4-mapped range was read as its IPv4 address: shift the prefix. */
        int mapped = !out->addr.v6 && memchr(s, ':', alen) != NULL;
        if (mapped)
            bits -= 96;
        if (bits < 0 || bits > (long)max)
            return -1;
        out->bits = (unsigned)bits;
    }
    mask(&out->addr, out->bits);
    return 0;
}

int netlist_parse(const char *spec, struct netlist *out, char *err, size_t errlen)
{
    out->n = 0;
    const char *p = spec ? spec : "";
    for (;;) {
        size_t n = strcspn(p, ",");
        size_t lead = 0;
        while (lead < n && is_space(p[lead]))
            lead++;
        if (lead < n) {
            if (out->n == NETLIST_MAX) {
                snprintf(err, errlen, "more than %d addresses or ranges", NETLIST_MAX);
                return -1;
            }
            if (parse_range(p, n, &out->v[out->n]) < 0) {
                snprintf(err, errlen, "\"%.*s\" is not an IP address or CIDR range",
                         (int)(n > ENTRY_MAX ? ENTRY_MAX : n), p);
                return -1;
            }
            out->n++;
        }
        if (!p[n])
            break;
        p += n + 1;
    }
    return 0;
}

static int in_range(const struct netrange *r, const struct netaddr *a)
{
    if (r->addr.v6 != a->v6)
        return 0;
    struct netaddr m = *a;
    mask(&m, r->bits);
    return memcmp(m.bytes, r->addr.bytes, a->v6 ? 16 : 4) == 0;
}

int netlist_contains(const struct netlist *l, const struct netaddr *a)
{
    for (size_t i = 0; i < l->n; i++)
        if (in_range(&l->v[i], a))
            return 1;
    return 0;
}

int netaddr_client(const struct netlist *trusted, const char *peer, const char *xff,
                   struct netaddr *out)
{
    struct netaddr cur;
    if (netaddr_parse(peer, &cur) < 0)
        return -1;
    if (xff && netlist_contains(trusted, &cur)) {
        /* Each proxy appends the address it received the request from, so
         * the right-most entries are the ones our own proxies wrote; what is
         * left of the first untrusted address may be made up by the client. */
        size_t end = strlen(xff);
        while (end > 0) {
            size_t start = end;
            while (start > 0 && xff[start - 1] != ',')
                start--;
            size_t lead = start;
            while (lead < end && is_space(xff[lead]))
                lead++;
            if (lead < end) {
                struct netaddr a;
                if (parse_span(xff + start, end - start, &a) < 0)
                    break;
                cur = a;
                if (!netlist_contains(trusted, &a))
                    break;
            }
            end = start ? start - 1 : 0;
        }
    }
    *out = cur;
    return 0;
}
