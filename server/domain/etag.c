/* etag.c — If-Match parsing. */
#include "domain/etag.h"

#include <string.h>

#include "domain/validate.h"

int etag_parse_if_match(const char *header, long long *version)
{
    const char *h = header;
    if (!h || !*h)
        return -1;
    while (*h == ' ')
        h++;
    if (strcmp(h, "*") == 0) {
        *version = -1;
        return 0;
    }
    if (strncmp(h, "W/", 2) == 0)
        h += 2;
    char buf[32];
    size_t n = strlen(h);
    if (n >= 2 && h[0] == '"' && h[n - 1] == '"') {
        h++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof(buf)) {
        *version = 0;
        return 0;
    }
    memcpy(buf, h, n);
    buf[n] = '\0';
    *version = parse_id(buf);
    return 0;
}
