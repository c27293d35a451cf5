/* upload_headers.c — fuzzes the file-transfer headers
 * (server/http/upload_headers.c): the file name of an upload's
 * Content-Disposition and a download's Range.
 *
 * Invariants: a file name is valid UTF-8 of at most FILE_NAME_MAX bytes,
 * with no path separator or control character and not only dots; a range
 * lies inside the file. */
#include "fuzz.h"

#include "domain/validate.h"
#include "http/upload_headers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstring(data, size);
    char name[FILE_NAME_MAX + 1];
    if (disposition_file_name(s, name, sizeof(name))) {
        size_t n = strlen(name);
        FUZZ_ASSERT(n > 0 && n <= FILE_NAME_MAX);
        FUZZ_ASSERT(valid_utf8(name, n));
        FUZZ_ASSERT(strspn(name, ". ") < n);
        for (const char *c = name; *c; c++)
            FUZZ_ASSERT(*c != '/' && *c != '\\' && (unsigned char)*c >= 0x20 && *c != 0x7f);
    }
    static const unsigned long long sizes[] = {0, 1, 100, 25ULL << 20, ~0ULL};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        unsigned long long off = 0, len = 0;
        if (range_parse(s, sizes[i], &off, &len) == RANGE_PART) {
            FUZZ_ASSERT(len > 0 && off < sizes[i]);
            FUZZ_ASSERT(len <= sizes[i] - off);
        }
    }
    free(s);
    return 0;
}
