/* fuzz.h — what the libFuzzer drivers in tests/fuzz share.
 *
 * Each driver feeds one parser of user bytes with the fuzzer's input and
 * checks what must hold for every input. A broken invariant aborts, so
 * libFuzzer keeps the input as a crash just as it does for a sanitizer
 * report. */
#ifndef FT_FUZZ_H
#define FT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The server hands these parsers C strings, so the input becomes one; an
 * embedded NUL ends it as it would in the server. The caller frees. */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
