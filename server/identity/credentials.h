/* credentials.h — passwords (argon2id) and API tokens. Pure libsodium, no
 * I/O. Hashing is slow on purpose: callers run it on worker threads only,
 * and at most CRED_MAX_HASHING at once. */
#ifndef FT_CREDENTIALS_H
#define FT_CREDENTIALS_H

#include <stddef.h>

#define TOKEN_PREFIX "ftk_"
#define TOKEN_TEXT_LEN 48 /* "ftk_" + 43 base64url characters of 32 bytes + NUL */
#define TOKEN_HASH_LEN 32
#define PASSWORD_HASH_LEN 128 /* crypto_pwhash_STRBYTES */
#define CRED_MAX_HASHING 2

/* Call once at start; returns -1 if libsodium cannot initialise. */
int cred_init(void);
/* argon2id string of password into out (PASSWORD_HASH_LEN). Returns 0 or -1. */
int cred_hash_password(const char *password, char out[PASSWORD_HASH_LEN]);
/* 1 when password matches hash. */
int cred_verify_password(const char *hash, const char *password);
/* Burns the same time as a verify, so unknown e-mail addresses are not
 * told apart from wrong passwords by timing. */
void cred_verify_dummy(const char *password);
/* A new random token ("ftk_…") into text. */
void cred_new_token(char text[TOKEN_TEXT_LEN]);
/* SHA-256 of a token's text: what the database stores. */
void cred_token_hash(const char *text, unsigned char out[TOKEN_HASH_LEN]);
/* 1 when text looks like a token (prefix, length, alphabet). */
int cred_token_wellformed(const char *text);

#endif
