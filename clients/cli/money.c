/* money.c — euros in and out (see money.h). */
#include "money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_EURO_DIGITS 11 /* MONEY_MAX_CENTS has 11 digits of euros */

/* Whether s[0..n) are all digits. */
static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Checks that the n bytes at s are digits grouped by sep in threes
 * ("1.234.567"; the first group 1 to 3 digits, not led by a 0 unless it
 * is the only digit) and copies the digits to out (size >= n + 1).
 * Returns 0, or -1. */
static int ungroup(const char *s, size_t n, char sep, char *out)
{
    size_t k = 0, group = 0, groups = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == sep) {
            if (groups == 0 ? (group < 1 || group > 3) : group != 3)
                return -1;
            if (groups == 0 && group > 1 && s[0] == '0')
                return -1;
            groups++;
            group = 0;
            continue;
        }
        if (s[i] < '0' || s[i] > '9')
            return -1;
        out[k++] = s[i];
        group++;
    }
    out[k] = '\0';
    return 0;
}

int money_parse(const char *s, long long *cents, char *why, size_t n)
{
    char buf[64];
    const char *p = s;
    while (*p == ' ')
        p++;
    size_t len = strlen(p);
    if (len >= sizeof(buf)) {
        snprintf(why, n, "is too long for an amount");
        return -1;
    }
    memcpy(buf, p, len + 1);
    /* "1.234,56 €", "1234 EUR": the currency is allowed, and only euros. */
    while (len > 0 && buf[len - 1] == ' ')
        buf[--len] = '\0';
    if (len >= 3 && strcmp(buf + len - 3, "\xe2\x82\xac") == 0)
        buf[len -= 3] = '\0';
    else if (len >= 3 && strcasecmp(buf + len - 3, "EUR") == 0)
        buf[len -= 3] = '\0';
    while (len > 0 && buf[len - 1] == ' ')
        buf[--len] = '\0';
    if (len == 0) {
        snprintf(why, n, "is no amount");
        return -1;
    }
    if (buf[0] == '-') {
        snprintf(why, n, "must not be negative");
        return -1;
    }
    size_t dots = 0, commas = 0, last = 0;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '.' || buf[i] == ',') {
            dots += buf[i] == '.';
            commas += buf[i] == ',';
            last = i;
        } else if (buf[i] < '0' || buf[i] > '9') {
            snprintf(why, n, "is not an amount in euros such as 1.234,56 or 1234.56");
            return -1;
        }
    }

    /* Which mark, if any, separates the cents. */
    char decimal = 0, group = 0;
    if (dots && commas) {
        decimal = buf[last];
        group = decimal == ',' ? '.' : ',';
        if ((decimal == ',' ? commas : dots) != 1) {
            snprintf(why, n, "has two decimal marks");
            return -1;
        }
    } else if (dots + commas > 1) {
        group = dots ? '.' : ','; /* "1.000.000": only thousands */
    } else if (dots + commas == 1) {
        size_t after = len - last - 1;
        char mark = buf[last];
        if (after == 3 && last >= 1 && last <= 3 && buf[0] != '0') {
            /* "1.234": a thousands separator, or a decimal mark with a
             * third decimal? Only the writer knows. */
            snprintf(why, n,
                     "is ambiguous (a thousands separator or a decimal mark?): write %.*s%s, or "
                     "%s%c00",
                     (int)last, buf, buf + last + 1, buf, mark == '.' ? ',' : '.');
            return -1;
        }
        decimal = mark;
    }

    size_t int_len = decimal ? last : len;
    const char *frac = decimal ? buf + last + 1 : "";
    size_t frac_len = strlen(frac);
    if (decimal && frac_len == 0) {
        snprintf(why, n, "has no digits after the decimal mark");
        return -1;
    }
    if (frac_len > 2) {
        snprintf(why, n, "has more than two decimals (amounts are in euros and cents)");
        return -1;
    }
    char digits[64];
    if (int_len == 0) {
        snprintf(why, n, "needs a digit before the decimal mark (0,50)");
        return -1;
    }
    if (group ? ungroup(buf, int_len, group, digits) != 0
              : !all_digits(buf, int_len) || int_len >= sizeof(digits)) {
        snprintf(why, n, "has a misplaced thousands separator (write 1.234.567,89 or 1234567.89)");
        return -1;
    }
    if (!group) {
        memcpy(digits, buf, int_len);
        digits[int_len] = '\0';
    }
    const char *d = digits;
    while (d[0] == '0' && d[1])
        d++;
    if (strlen(d) > MAX_EURO_DIGITS) {
        snprintf(why, n, "is too large");
        return -1;
    }
    long long euros = strtoll(d, NULL, 10);
    long long c = 0;
    if (frac_len >= 1)
        c = (frac[0] - '0') * 10;
    if (frac_len == 2)
        c += frac[1] - '0';
    long long total = euros * 100 + c;
    if (total > MONEY_MAX_CENTS) {
        snprintf(why, n, "is too large");
        return -1;
    }
    *cents = total;
    return 0;
}

int money_german(void)
{
    static const char *const vars[] = {"LC_ALL", "LC_NUMERIC", "LANG"};
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strncmp(v, "de", 2) == 0 && (v[2] == '\0' || v[2] == '_' || v[2] == '.');
    }
    return 0;
}

const char *money_format(long long cents, char *buf, size_t n)
{
    int german = money_german();
    char sep = german ? '.' : ',', dec = german ? ',' : '.';
    unsigned long long v = cents < 0 ? 0ULL - (unsigned long long)cents : (unsigned long long)cents;
    char digits[32], out[48];
    int nd = snprintf(digits, sizeof(digits), "%llu", v / 100);
    size_t k = 0;
    if (cents < 0)
        out[k++] = '-';
    for (int i = 0; i < nd; i++) {
        if (i > 0 && (nd - i) % 3 == 0)
            out[k++] = sep;
        out[k++] = digits[i];
    }
    out[k] = '\0';
    snprintf(buf, n, "%s%c%02llu", out, dec, v % 100);
    return buf;
}
