/* secret.c — loading or creating the server secret, and HMACs under it. */
#include "identity/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"
#include "util/paths.h"

#define HEX_LEN (SECRET_LEN * 2)

static unsigned char key[SECRET_LEN];
static int loaded;

/* 1 when text is exactly HEX_LEN hex digits, optionally followed by
 * whitespace (a newline at the end of the file). Decodes into out. */
static int parse_hex(const char *text, size_t n, unsigned char out[SECRET_LEN])
{
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
        n--;
    size_t bin_len = 0;
    const char *end;
    if (n != HEX_LEN || sodium_hex2bin(out, SECRET_LEN, text, n, NULL, &bin_len, &end) != 0 ||
        bin_len != SECRET_LEN || end != text + n)
        return 0;
    return 1;
}

int secret_from_text(const char *text, unsigned char out[SECRET_LEN])
{
    size_t n = strlen(text);
    if (n < SECRET_MIN_TEXT)
        return -1;
    if (n == HEX_LEN && parse_hex(text, n, out))
        return 0;
    crypto_hash_sha256(out, (const unsigned char *)text, n);
    return 0;
}

static int read_secret(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    char buf[HEX_LEN + 8];
    ssize_t n = -1;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        n = read(fd, buf, sizeof(buf));
    close(fd);
    if (n < 0 || !parse_hex(buf, (size_t)n, key)) {
        snprintf(err, errlen,
                 "%s does not hold a secret (64 hex digits); remove it to have a new "
                 "one made, or set FT_SECRET",
                 path);
        return -1;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        log_msg(LOG_WARN, "%s is accessible to other users; chmod 600 it", path);
    return 0;
}

/* Writes a new random secret to path. The file appears whole or not at
 * all: it is written under a temporary name created with O_EXCL and then
 * linked to its name, which fails when another process was first. Returns
 * 0 when written, 1 when path existed already, -1 on error. */
static int create_secret(const char *dir, const char *path, char *err, size_t errlen)
{
    char tmp[PATH_MAX];
    unsigned char fresh[SECRET_LEN];
    char hex[HEX_LEN + 2];
    snprintf(tmp, sizeof(tmp), "%s/.%s.%ld.%08x", dir, SECRET_FILE, (long)getpid(),
             (unsigned)randombytes_random());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a secret in %s: %s", dir, strerror(errno));
        return -1;
    }
    randombytes_buf(fresh, sizeof(fresh));
    sodium_bin2hex(hex, sizeof(hex), fresh, sizeof(fresh));
    hex[HEX_LEN] = '\n';
    int ok = write(fd, hex, HEX_LEN + 1) == HEX_LEN + 1 && fsync(fd) == 0;
    int saved = errno;
    ok = close(fd) == 0 && ok;
    int rc = -1;
    if (!ok) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(saved));
    } else if (link(tmp, path) == 0) {
        memcpy(key, fresh, sizeof(key));
        rc = 0;
    } else if (errno == EEXIST) {
        rc = 1;
    } else {
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
    }
    unlink(tmp);
    if (rc == 0) {
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)fsync(dfd); /* The name survives a crash; the content is synced already. */
            close(dfd);
        }
    }
    sodium_memzero(fresh, sizeof(fresh));
    sodium_memzero(hex, sizeof(hex));
    return rc;
}

int secret_init(const char *configured, const char *data_dir, char *err, size_t errlen)
{
    if (configured && *configured) {
        if (secret_from_text(configured, key) < 0) {
            snprintf(err, errlen, "FT_SECRET needs at least %d characters (e.g. 64 hex digits)",
                     SECRET_MIN_TEXT);
            return -1;
        }
        loaded = 1;
        return 0;
    }
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", data_dir, SECRET_FILE) >= (int)sizeof(path)) {
        snprintf(err, errlen, "the data directory's name is too long");
        return -1;
    }
    if (path_mkdir_p(data_dir) < 0) {
        snprintf(err, errlen, "cannot create the data directory %s: %s", data_dir, strerror(errno));
        return -1;
    }
    struct stat st;
    int rc = 1;
    if (lstat(path, &st) < 0 && errno == ENOENT) {
        rc = create_secret(data_dir, path, err, errlen);
        if (rc == 0)
            log_msg(LOG_INFO, "made a new server secret in %s", path);
    }
    if (rc < 0 || (rc == 1 && read_secret(path, err, errlen) < 0))
        return -1;
    loaded = 1;
    return 0;
}

void secret_mac(const struct secret_part *parts, size_t nparts, unsigned char out[SECRET_MAC_LEN])
{
    if (!loaded) {
        /* A MAC under no secret would look valid and be worthless. */
        log_msg(LOG_ERROR, "secret_mac before secret_init");
        abort();
    }
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, sizeof(key));
    for (size_t i = 0; i < nparts; i++) {
        unsigned char len[8];
        unsigned long long n = parts[i].len;
        for (int b = 0; b < 8; b++)
            len[b] = (unsigned char)(n >> (8 * b));
        crypto_auth_hmacsha256_update(&st, len, sizeof(len));
        if (parts[i].len)
            crypto_auth_hmacsha256_update(&st, parts[i].data, parts[i].len);
    }
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof(st));
}
