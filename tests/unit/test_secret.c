/* Unit tests for server/identity/secret.h: FT_SECRET, the secret file in
 * the data directory, and the HMAC over request parts. Each test runs in
 * its own process, so the loaded secret does not leak between tests. */
#include "test.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "identity/secret.h"
#include "util/log.h"

static char dir[64];

static void make_dir(void)
{
    ASSERT_EQ_INT(sodium_init() >= 0, 1);
    log_set_level("warn"); /* "made a new server secret" is expected here */
    snprintf(dir, sizeof(dir), "/tmp/ft-secret-XXXXXX");
    ASSERT_NOT_NULL(mkdtemp(dir));
}

static void remove_dir(void)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", dir, SECRET_FILE);
    unlink(path);
    rmdir(dir);
}

static void mac_of(const char *a, const char *b, unsigned char out[SECRET_MAC_LEN])
{
    struct secret_part parts[] = {{a, strlen(a)}, {b, strlen(b)}};
    secret_mac(parts, 2, out);
}

TEST(secret_from_text_hex_and_text)
{
    unsigned char k[SECRET_LEN], want[SECRET_LEN];
    const char *hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    ASSERT_EQ_INT(secret_from_text(hex, k), 0);
    for (int i = 0; i < SECRET_LEN; i++)
        want[i] = (unsigned char)i;
    ASSERT_MEMEQ(k, want, SECRET_LEN);
    /* Any other text of 32 characters or more is hashed. */
    const char *text = "correct horse battery staple 2026!";
    ASSERT_EQ_INT(secret_from_text(text, k), 0);
    crypto_hash_sha256(want, (const unsigned char *)text, strlen(text));
    ASSERT_MEMEQ(k, want, SECRET_LEN);
    /* 64 characters that are not all hex digits are text too. */
    const char *nothex = "g00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    ASSERT_EQ_INT(secret_from_text(nothex, k), 0);
    crypto_hash_sha256(want, (const unsigned char *)nothex, strlen(nothex));
    ASSERT_MEMEQ(k, want, SECRET_LEN);
    ASSERT_EQ_INT(secret_from_text("only thirty-one characters long", k), -1);
    ASSERT_EQ_INT(secret_from_text("", k), -1);
}

TEST(secret_configured_wins_and_short_is_refused)
{
    char err[256] = "";
    make_dir();
    ASSERT_EQ_INT(secret_init("too short", dir, err, sizeof(err)), -1);
    ASSERT(strstr(err, "FT_SECRET needs at least 32 characters") != NULL);
    const char *s = "a secret shared by every instance of this site";
    ASSERT_EQ_INT(secret_init(s, dir, err, sizeof(err)), 0);
    /* No file is made when FT_SECRET is given. */
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", dir, SECRET_FILE);
    ASSERT_EQ_INT(access(path, F_OK), -1);
    /* The MAC is HMAC-SHA-256 under the derived key of length-prefixed parts. */
    unsigned char k[SECRET_LEN], got[SECRET_MAC_LEN], want[SECRET_MAC_LEN];
    ASSERT_EQ_INT(secret_from_text(s, k), 0);
    unsigned char msg[8 + 4 + 8 + 3] = {4, 0, 0, 0, 0, 0, 0, 0, 'P', 'O', 'S', 'T',
                                        3, 0, 0, 0, 0, 0, 0, 0, '/', 'x', 'y'};
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, k, sizeof(k));
    crypto_auth_hmacsha256_update(&st, msg, sizeof(msg));
    crypto_auth_hmacsha256_final(&st, want);
    mac_of("POST", "/xy", got);
    ASSERT_MEMEQ(got, want, SECRET_MAC_LEN);
    remove_dir();
}

TEST(secret_file_made_once_and_read_again)
{
    char err[256] = "";
    make_dir();
    ASSERT_EQ_INT(secret_init("", dir, err, sizeof(err)), 0);
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", dir, SECRET_FILE);
    struct stat st;
    ASSERT_EQ_INT(stat(path, &st), 0);
    ASSERT_EQ_INT(st.st_mode & 0777, 0600);
    ASSERT_EQ_INT(st.st_size, 65);
    FILE *f = fopen(path, "r");
    ASSERT_NOT_NULL(f);
    char hex[80] = "";
    ASSERT_NOT_NULL(fgets(hex, sizeof(hex), f));
    fclose(f);
    unsigned char first[SECRET_MAC_LEN], second[SECRET_MAC_LEN], other[SECRET_MAC_LEN];
    mac_of("POST", "/api/v1/users", first);
    /* Started again, the server reads the same secret... */
    ASSERT_EQ_INT(secret_init(NULL, dir, err, sizeof(err)), 0);
    mac_of("POST", "/api/v1/users", second);
    ASSERT_MEMEQ(first, second, SECRET_MAC_LEN);
    /* ...and the file's content works as FT_SECRET on another instance. */
    hex[strcspn(hex, "\n")] = '\0';
    ASSERT_EQ_UINT(strlen(hex), 64);
    ASSERT_EQ_INT(secret_init(hex, "/nonexistent", err, sizeof(err)), 0);
    mac_of("POST", "/api/v1/users", other);
    ASSERT_MEMEQ(first, other, SECRET_MAC_LEN);
    /* Nothing but the secret file is left in the directory. */
    char tmp[160];
    snprintf(tmp, sizeof(tmp), "ls -A %s | wc -l | grep -qx 1", dir);
    ASSERT_EQ_INT(system(tmp), 0);
    remove_dir();
}

TEST(secret_file_two_dirs_differ)
{
    char err[256] = "";
    unsigned char a[SECRET_MAC_LEN], b[SECRET_MAC_LEN];
    make_dir();
    ASSERT_EQ_INT(secret_init("", dir, err, sizeof(err)), 0);
    mac_of("x", "y", a);
    remove_dir();
    make_dir();
    ASSERT_EQ_INT(secret_init("", dir, err, sizeof(err)), 0);
    mac_of("x", "y", b);
    remove_dir();
    ASSERT(memcmp(a, b, SECRET_MAC_LEN) != 0);
}

TEST(secret_file_damaged_is_refused)
{
    char err[256] = "";
    make_dir();
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", dir, SECRET_FILE);
    FILE *f = fopen(path, "w");
    ASSERT_NOT_NULL(f);
    fputs("0011223344\n", f);
    fclose(f);
    ASSERT_EQ_INT(secret_init("", dir, err, sizeof(err)), -1);
    ASSERT(strstr(err, "does not hold a secret") != NULL);
    /* The damaged file is left for the operator to look at. */
    ASSERT_EQ_INT(access(path, F_OK), 0);
    remove_dir();
}

TEST(secret_parts_do_not_run_together)
{
    char err[256] = "";
    unsigned char a[SECRET_MAC_LEN], b[SECRET_MAC_LEN];
    ASSERT_EQ_INT(
        secret_init("0123456789abcdef0123456789abcdef!", "/nonexistent", err, sizeof(err)), 0);
    mac_of("ab", "c", a);
    mac_of("a", "bc", b);
    ASSERT(memcmp(a, b, SECRET_MAC_LEN) != 0);
}

TEST(secret_data_dir_made_when_missing)
{
    char err[256] = "", nested[128], path[160];
    make_dir();
    snprintf(nested, sizeof(nested), "%s/a/b", dir);
    ASSERT_EQ_INT(secret_init("", nested, err, sizeof(err)), 0);
    snprintf(path, sizeof(path), "%s/%s", nested, SECRET_FILE);
    struct stat st;
    ASSERT_EQ_INT(stat(nested, &st), 0);
    ASSERT_EQ_INT(st.st_mode & 0777, 0700);
    ASSERT_EQ_INT(unlink(path), 0);
    ASSERT_EQ_INT(rmdir(nested), 0);
    snprintf(nested, sizeof(nested), "%s/a", dir);
    ASSERT_EQ_INT(rmdir(nested), 0);
    remove_dir();
}
