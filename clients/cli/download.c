/* download.c — downloads to a temporary file, renamed when complete (see
 * download.h). */
#include "download.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fsutil.h"
#include "output.h"
#include "sha256.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The value of parameter name= in a Content-Disposition value (quoted or
 * a token), into out; percent-decoded when pct. Returns 0, or -1 when
 * absent. */
static int cd_param(const char *cd, const char *name, int pct, char *out, size_t n)
{
    size_t nl = strlen(name);
    const char *p = cd;
    for (;;) {
        p = strchr(p, ';');
        if (!p)
            return -1;
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, name, nl) == 0 && p[nl] == '=')
            break;
    }
    p += nl + 1;
    char quote = 0;
    if (*p == '"')
        quote = *p++;
    size_t k = 0;
    for (; *p && k + 1 < n; p++) {
        if ((quote && *p == quote) || (!quote && (*p == ';' || *p == ' ' || *p == '\t')))
            break;
        if (quote && *p == '\\' && p[1])
            p++;
        if (pct && *p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
            out[k++] = (char)(hexval(p[1]) * 16 + hexval(p[2]));
            p += 2;
            continue;
        }
        out[k++] = *p;
    }
    out[k] = '\0';
    return 0;
}

int disposition_name(const char *cd, char *out, size_t n)
{
    char raw[1024];
    const char *name = NULL;
    if (cd_param(cd, "filename*", 1, raw, sizeof(raw)) == 0) {
        /* charset'language'value: only UTF-8 (and its ASCII subset) is taken;
         * otherwise the plain filename= below. */
        const char *q1 = strchr(raw, '\'');
        const char *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
        if (q2 && (strncasecmp(raw, "UTF-8'", 6) == 0 || strncasecmp(raw, "us-ascii'", 9) == 0))
            name = q2 + 1;
    }
    if (!name) {
        if (cd_param(cd, "filename", 0, raw, sizeof(raw)) != 0)
            return -1;
        name = raw;
    }
    /* Only a plain name: never a path the server chose. */
    const char *slash = strrchr(name, '/');
    const char *bslash = strrchr(name, '\\');
    if (bslash && (!slash || bslash > slash))
        slash = bslash;
    if (slash)
        name = slash + 1;
    snprintf(out, n, "%s", name);
    if (!out[0] || out[0] == '.')
        return -2;
    for (const unsigned char *c = (const unsigned char *)out; *c; c++)
        if (*c < 0x20 || *c == 0x7F)
            return -2;
    return 0;
}

/* Copies a file to stdout. Returns 0, or -1. */
static int copy_to_stdout(FILE *f)
{
    char buf[65536];
    size_t k;
    if (fseek(f, 0, SEEK_SET) != 0)
        return -1;
    for (;;) {
        k = fread(buf, 1, sizeof(buf), f);
        if (k == 0)
            break;
        if (fwrite(buf, 1, k, stdout) != k)
            return -1;
    }
    if (ferror(f))
        return -1;
    return fflush(stdout) == 0 ? 0 : -1;
}

/* Respects the umask for the saved file, as any other program would. */
static mode_t file_mode(void)
{
    mode_t m = umask(0);
    umask(m);
    return 0666 & ~m;
}

/* The SHA-256 an ETag names ("<64 hex digits>", also weak), into out (size
 * >= 65). Returns 0, or -1 when it names none. */
static int etag_sha256(const char *etag, char *out)
{
    const char *p = etag;
    if (strncmp(p, "W/", 2) == 0)
        p += 2;
    if (*p == '"')
        p++;
    for (int i = 0; i < SHA256_HEX_LEN; i++) {
        if (hexval(p[i]) < 0)
            return -1;
        out[i] = (char)(p[i] >= 'A' && p[i] <= 'F' ? p[i] - 'A' + 'a' : p[i]);
    }
    out[SHA256_HEX_LEN] = '\0';
    return (p[SHA256_HEX_LEN] == '"' || p[SHA256_HEX_LEN] == '\0') ? 0 : -1;
}

/* Renames tmp to final; without replacing an existing file when
 * no_clobber. Returns 0, or -1 with errno set (EEXIST: it is there). */
static int put_in_place(const char *tmp, const char *final, int no_clobber)
{
    if (!no_clobber)
        return rename(tmp, final);
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    /* A file system without RENAME_NOREPLACE: link() fails on an existing
     * name just the same. */
    if (link(tmp, final) != 0)
        return -1;
    unlink(tmp);
    return 0;
}

int download_file(struct api *a, const struct download *d)
{
    const char *out_path = d->out_path;
    int to_stdout = out_path && strcmp(out_path, "-") == 0;
    if (to_stdout && d->binary && isatty(STDOUT_FILENO)) {
        out_error("not writing a binary file to the terminal; give -o FILE");
        return EXIT_USAGE;
    }
    if (out_path && !to_stdout && d->no_clobber && access(out_path, F_OK) == 0) {
        out_error("%s exists already; give --force to replace it, or another -o FILE", out_path);
        return EXIT_USAGE;
    }
    /* The temporary file lives where the result will be, for the rename. */
    char dir[4096] = ".";
    if (out_path && !to_stdout) {
        char tmp[4096];
        snprintf(tmp, sizeof(tmp), "%s", out_path);
        snprintf(dir, sizeof(dir), "%s", dirname(tmp));
    }
    char tmpl[4200];
    if (fs_join(tmpl, sizeof(tmpl), dir, ".fibertrack-download.XXXXXX") != 0) {
        out_error("the output path is too long");
        return EXIT_USAGE;
    }
    int fd = mkstemp(tmpl);
    if (fd < 0) {
        out_error("cannot write in %s: %s", dir, strerror(errno));
        return EXIT_OTHER;
    }
    FILE *f = fdopen(fd, "w+");
    if (!f) {
        close(fd);
        unlink(tmpl);
        out_error("cannot write in %s: %s", dir, strerror(errno));
        return EXIT_OTHER;
    }

    char url[4096];
    int rc = EXIT_OTHER;
    struct http_response res = {0};
    if (api_url(a, url, sizeof(url), "%s", d->path) != 0) {
        out_error("%s: the address is too long", d->what);
        goto out;
    }
    struct http_request req;
    api_request(a, &req, "GET", url, NULL, 0);
    req.accept = "*/*";
    req.sink = f;
    req.progress_label = d->label;
    if (http_send(&req, &res) != 0) {
        rc = api_no_answer(a, &res, d->what);
        goto out;
    }
    if (res.status < 200 || res.status >= 300) {
        rc = out_problem(res.status, res.body, res.len, d->what);
        goto out;
    }
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        out_error("%s: cannot write the file: %s", d->what, strerror(errno));
        goto out;
    }
    char want[SHA256_HEX_LEN + 1], got[SHA256_HEX_LEN + 1] = "";
    if (d->verify_sha256 && etag_sha256(res.etag, want) == 0) {
        if (sha256_fd(fileno(f), got) != 0) {
            out_error("%s: cannot read the file again: %s", d->what, strerror(errno));
            goto out;
        }
        if (strcmp(want, got) != 0) {
            out_error("%s: the file arrived damaged (SHA-256 %s, the server's is %s); nothing "
                      "was saved, try again",
                      d->what, got, want);
            goto out;
        }
    }
    char bytes[32];
    human_bytes((double)res.sunk, bytes, sizeof(bytes));
    if (to_stdout) {
        if (copy_to_stdout(f) != 0) {
            out_error("%s: cannot write to stdout: %s", d->what, strerror(errno));
            goto out;
        }
        out_note("%s: %s written to stdout.", d->label, bytes);
        rc = EXIT_OK;
        goto out;
    }
    char final[4096], name[512];
    int named = out_path ? 0 : disposition_name(res.content_disposition, name, sizeof(name));
    if (out_path) {
        snprintf(final, sizeof(final), "%s", out_path);
    } else if (named == 0) {
        snprintf(final, sizeof(final), "%s", name);
    } else if (named == -2 && d->strict_name) {
        out_error("%s: the server names the file '%s', which is not used as a file name here; "
                  "give -o FILE",
                  d->what, name);
        rc = EXIT_USAGE;
        goto out;
    } else {
        snprintf(final, sizeof(final), "%s", d->fallback);
    }
    if (fchmod(fileno(f), file_mode()) != 0)
        out_warn("cannot set the permissions of %s: %s", final, strerror(errno));
    if (put_in_place(tmpl, final, d->no_clobber) != 0) {
        if (errno == EEXIST) {
            out_error("%s exists already; give --force to replace it, or -o FILE", final);
            rc = EXIT_USAGE;
        } else {
            out_error("%s: cannot save %s: %s", d->what, final, strerror(errno));
        }
        goto out;
    }
    tmpl[0] = '\0';
    if (fs_sync_dir(dir) != 0)
        out_warn("could not flush the directory %s: %s", dir, strerror(errno));
    if (g_cli.json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "file", final);
        cJSON_AddNumberToObject(j, "bytes", (double)res.sunk);
        cJSON_AddStringToObject(j, "content_type", res.content_type);
        if (got[0])
            cJSON_AddStringToObject(j, "sha256", got);
        out_json(j);
        cJSON_Delete(j);
    }
    out_say("Saved %s (%s).", final, bytes);
    rc = EXIT_OK;
out:
    http_response_free(&res);
    fclose(f);
    if (tmpl[0])
        unlink(tmpl);
    return rc;
}
