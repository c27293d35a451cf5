/* sha256.h — SHA-256 (FIPS 180-4) for the files the CLI moves.
 *
 * The server names each attachment by the SHA-256 of its bytes (its ETag
 * too). The CLI computes it of every photo it queues and of every file it
 * downloads, to see that the server has exactly what was sent, and to
 * recognise an upload the server already holds once its Idempotency-Key
 * may be forgotten.
 */
#ifndef FT_CLI_SHA256_H
#define FT_CLI_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN 64 /* without the NUL */

struct sha256 {
    uint32_t h[8];
    uint64_t len; /* bytes hashed so far */
    unsigned char buf[64];
    size_t nbuf;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
/* Writes the digest as 64 lower-case hex digits and a NUL into hex (size
 * >= 65). The state is spent afterwards. */
void sha256_hex(struct sha256 *s, char *hex);

/* The SHA-256 of an open file from its start, as hex into hex (size >= 65).
 * Returns 0, or -1 with errno set when it cannot be read. */
int sha256_fd(int fd, char *hex);

#endif
