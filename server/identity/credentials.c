/* credentials.c — argon2id passwords and SHA-256-hashed bearer tokens. */
#include "identity/credentials.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

/* OWASP's minimum for argon2id: 19 MiB, two passes. */
#define PW_OPSLIMIT 2
#define PW_MEMLIMIT (19u * 1024 * 1024)

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static int hashing;
static char dummy_hash[crypto_pwhash_STRBYTES];

/* Bounds concurrent hashing: each call takes 19 MiB and a core. */
static void gate_enter(void)
{
    pthread_mutex_lock(&gate_lock);
    while (hashing >= CRED_MAX_HASHING)
        pthread_cond_wait(&gate_cond, &gate_lock);
    hashing++;
    pthread_mutex_unlock(&gate_lock);
}

static void gate_leave(void)
{
    pthread_mutex_lock(&gate_lock);
    hashing--;
    pthread_cond_signal(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
}

int cred_init(void)
{
    if (sodium_init() < 0)
        return -1;
    return cred_hash_password("fibertrack-dummy-password", dummy_hash);
}

int cred_hash_password(const char *password, char out[PASSWORD_HASH_LEN])
{
    gate_enter();
    int rc = crypto_pwhash_str(out, password, strlen(password), PW_OPSLIMIT, PW_MEMLIMIT);
    gate_leave();
    return rc == 0 ? 0 : -1;
}

int cred_verify_password(const char *hash, const char *password)
{
    gate_enter();
    int ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    gate_leave();
    return ok;
}

void cred_verify_dummy(const char *password) { (void)cred_verify_password(dummy_hash, password); }

void cred_new_token(char text[TOKEN_TEXT_LEN])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof(raw));
    memcpy(text, TOKEN_PREFIX, 4);
    sodium_bin2base64(text + 4, TOKEN_TEXT_LEN - 4, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

void cred_token_hash(const char *text, unsigned char out[TOKEN_HASH_LEN])
{
    crypto_hash_sha256(out, (const unsigned char *)text, strlen(text));
}

int cred_token_wellformed(const char *text)
{
    size_t n = strlen(text);
    if (n != TOKEN_TEXT_LEN - 1 || strncmp(text, TOKEN_PREFIX, 4) != 0)
        return 0;
    for (size_t i = 4; i < n; i++) {
        char c = text[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}
