/* timestamp.c — fuzzes the value checks that bodies and query parameters
 * share: parse_timestamp, valid_date, parse_id, valid_utf8 and utf8_chars.
 *
 * Input: the text, given to each check. */
#include "fuzz.h"

#include <ctype.h>

#include "domain/validate.h"

/* Well-formed UTF-8 as Unicode's table 3-7 lists it, written as a second,
 * independent reading to compare valid_utf8 with. Returns the number of
 * characters, or -1. */
static long ref_utf8(const uint8_t *s, size_t n)
{
    long chars = 0;
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t more;
        uint8_t lo = 0x80, hi = 0xbf;
        if (c <= 0x7f)
            more = 0;
        else if (c >= 0xc2 && c <= 0xdf)
            more = 1;
        else if (c == 0xe0)
            more = 2, lo = 0xa0;
        else if (c == 0xed)
            more = 2, hi = 0x9f;
        else if (c >= 0xe1 && c <= 0xef)
            more = 2;
        else if (c == 0xf0)
            more = 3, lo = 0x90;
        else if (c == 0xf4)
            more = 3, hi = 0x8f;
        else if (c >= 0xf1 && c <= 0xf3)
            more = 3;
        else
            return -1;
        if (n - i <= more)
            return -1;
        for (size_t k = 1; k <= more; k++) {
            uint8_t b = s[i + k];
            if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf))
                return -1;
        }
        i += more + 1;
        chars++;
    }
    return chars;
}

/* "YYYY-MM-DD HH:MM:SS.fff", as the database takes it. */
static int stored_form(const char *t)
{
    static const char form[] = "dddd-dd-dd dd:dd:dd.ddd";
    if (strlen(t) != sizeof(form) - 1)
        return 0;
    for (size_t i = 0; form[i]; i++)
        if (form[i] == 'd' ? !isdigit((unsigned char)t[i]) : t[i] != form[i])
            return 0;
    return 1;
}

static void check_timestamp(const char *s)
{
    char out[32];
    memset(out, 'Z', sizeof(out));
    if (parse_timestamp(s, out) < 0)
        return;
    FUZZ_ASSERT(memchr(out, '\0', sizeof(out)) != NULL);
    FUZZ_ASSERT(stored_form(out));
    /* Without an offset or a fraction the text is kept as it is. */
    if (strlen(s) == 20 && (s[19] == 'Z' || s[19] == 'z')) {
        FUZZ_ASSERT(memcmp(out, s, 10) == 0 && memcmp(out + 11, s + 11, 8) == 0);
        FUZZ_ASSERT(strcmp(out + 19, ".000") == 0);
    }
}

static void check_date(const char *s)
{
    if (!valid_date(s))
        return;
    FUZZ_ASSERT(strlen(s) == 10);
    /* Every valid date is midnight of a valid timestamp. */
    char ts[32], out[32];
    snprintf(ts, sizeof(ts), "%sT00:00:00Z", s);
    FUZZ_ASSERT(parse_timestamp(ts, out) == 0);
    FUZZ_ASSERT(memcmp(out, s, 10) == 0 && strcmp(out + 10, " 00:00:00.000") == 0);
}

static void check_id(const char *s)
{
    long long id = parse_id(s);
    FUZZ_ASSERT(id >= 0);
    /* Ids are canonical decimals: no sign, no leading zero, no spaces. */
    int canonical = s[0] >= '1' && s[0] <= '9' && strlen(s) <= 19;
    for (const char *c = s; *c && canonical; c++)
        canonical = *c >= '0' && *c <= '9';
    if (canonical && strlen(s) == 19 && strcmp(s, "9223372036854775807") > 0)
        canonical = 0;
    FUZZ_ASSERT((id > 0) == canonical);
    if (id > 0) {
        char back[32];
        snprintf(back, sizeof(back), "%lld", id);
        FUZZ_ASSERT(strcmp(back, s) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long chars = ref_utf8(data, size);
    FUZZ_ASSERT(valid_utf8((const char *)data, size) == (chars >= 0));

    char *s = fuzz_cstring(data, size);
    if (chars >= 0 && strlen(s) == size)
        FUZZ_ASSERT(utf8_chars(s) == (size_t)chars);
    check_timestamp(s);
    check_date(s);
    check_id(s);
    free(s);
    return 0;
}
