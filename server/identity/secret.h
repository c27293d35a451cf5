/* secret.h — the server secret: the key of the HMACs that fingerprint what
 * the server stores about requests (an Idempotency-Key's request), so that
 * a copy of the database never holds a plain hash of a body that may carry
 * a password.
 *
 * The secret is FT_SECRET when set, else 32 random bytes kept in
 * $FT_DATA_DIR/secret (64 hex digits, mode 0600), made on first start.
 * Instances that share a database must share the secret: give each the
 * same FT_SECRET (e.g. the content of one instance's secret file). */
#ifndef FT_SECRET_H
#define FT_SECRET_H

#include <stddef.h>

#define SECRET_LEN 32
#define SECRET_MAC_LEN 32
#define SECRET_MIN_TEXT 32 /* characters FT_SECRET needs at least */
#define SECRET_FILE "secret"

/* Sets the process's secret, once at start, before any thread uses it:
 * from configured (FT_SECRET) when it is not empty, else from data_dir's
 * secret file, creating it when missing. Returns 0, or -1 with a message in
 * err. */
int secret_init(const char *configured, const char *data_dir, char *err, size_t errlen);

/* The key FT_SECRET text stands for: 64 hex digits are the 32 bytes they
 * spell; any other text of at least SECRET_MIN_TEXT characters is hashed
 * (SHA-256). Returns 0, or -1 when the text is too short. Pure. */
int secret_from_text(const char *text, unsigned char key[SECRET_LEN]);

struct secret_part {
    const void *data;
    size_t len;
};

/* HMAC-SHA-256 under the secret of the parts, each preceded by its length
 * (8 bytes, little-endian) so that no two lists of parts collide. */
void secret_mac(const struct secret_part *parts, size_t nparts, unsigned char out[SECRET_MAC_LEN]);

#endif
