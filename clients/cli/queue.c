/* queue.c — durable queue of unsent progress reports (see queue.h). */
#include "queue.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "fsutil.h"
#include "output.h"
#include "sha256.h"

#define MAX_ENTRY (1024 * 1024)
#define STALE_TMP_S 600 /* a temporary file this old was left by a crash */

static char q_root[4096], q_pending[4096], q_failed[4096], q_files[4096];

int queue_open(void)
{
    char dir[4096];
    if (q_root[0])
        return 0;
    if (config_dir_ensure(dir, sizeof(dir)) != 0)
        return -1;
    if (fs_join(q_root, sizeof(q_root), dir, "queue") != 0 ||
        fs_join(q_pending, sizeof(q_pending), q_root, QUEUE_PENDING) != 0 ||
        fs_join(q_failed, sizeof(q_failed), q_root, QUEUE_FAILED) != 0 ||
        fs_join(q_files, sizeof(q_files), q_root, "files") != 0) {
        out_error("the configuration directory path is too long");
        q_root[0] = '\0';
        return -1;
    }
    if (fs_mkdirs(q_pending, 0700) != 0 || fs_mkdirs(q_failed, 0700) != 0 ||
        fs_mkdirs(q_files, 0700) != 0) {
        out_error("cannot create the queue in %s: %s", q_root, strerror(errno));
        q_root[0] = '\0';
        return -1;
    }
    return 0;
}

const char *queue_dir(const char *which)
{
    return strcmp(which, QUEUE_FAILED) == 0 ? q_failed : q_pending;
}

static int random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t k = getrandom(p, n, 0);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static void to_hex(const unsigned char *b, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[2 * n] = '\0';
}

int queue_new_key(char *key)
{
    unsigned char b[16];
    if (random_bytes(b, sizeof(b)) != 0)
        return -1;
    to_hex(b, sizeof(b), key);
    return 0;
}

/* Whether a directory entry is a queue file (not a temporary one). */
static int is_entry(const char *n)
{
    size_t len = strlen(n);
    return n[0] != '.' && len > 5 && strcmp(n + len - 5, ".json") == 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void queue_names_free(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Removes temporary files that a crash mid-write left behind: the write
 * never completed, so nobody was told it was stored. */
static void sweep_tmp(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    size_t len = strlen(name);
    if (name[0] != '.' || len < 5 || strcmp(name + len - 4, ".tmp") != 0)
        return;
    if (fs_join(path, sizeof(path), dir, name) != 0 || stat(path, &st) != 0)
        return;
    if (time(NULL) - st.st_mtime > STALE_TMP_S)
        unlink(path);
}

int queue_names(const char *which, char ***names)
{
    const char *dir = queue_dir(which);
    *names = NULL;
    DIR *d = opendir(dir);
    if (!d) {
        out_error("cannot read the queue %s: %s", dir, strerror(errno));
        return -1;
    }
    int n = 0, cap = 0;
    char **v = NULL;
    struct dirent *de;
    for (;;) {
        de = readdir(d);
        if (!de)
            break;
        if (!is_entry(de->d_name)) {
            sweep_tmp(dir, de->d_name);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nv = realloc(v, (size_t)cap * sizeof(char *));
            if (!nv)
                goto oom;
            v = nv;
        }
        v[n] = strdup(de->d_name);
        if (!v[n])
            goto oom;
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(v, (size_t)n, sizeof(char *), cmp_names);
    *names = v;
    return n;
oom:
    closedir(d);
    queue_names_free(v, n);
    out_error("out of memory");
    return -1;
}

int queue_count(const char *which)
{
    if (queue_open() != 0)
        return -1;
    char **names;
    int n = queue_names(which, &names);
    if (n >= 0)
        queue_names_free(names, n);
    return n;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

void queue_entry_free(struct queue_entry *e)
{
    cJSON_Delete(e->json);
    memset(e, 0, sizeof(*e));
}

/* The short id of a file name "<time>-<id>.json". */
static void short_id(const char *name, char *id, size_t n)
{
    const char *dash = strrchr(name, '-');
    const char *start = dash ? dash + 1 : name;
    size_t len = strcspn(start, ".");
    if (len >= n)
        len = n - 1;
    memcpy(id, start, len);
    id[len] = '\0';
}

int queue_load(const char *which, const char *name, struct queue_entry *e)
{
    char path[4096];
    memset(e, 0, sizeof(*e));
    if (fs_join(path, sizeof(path), queue_dir(which), name) != 0 ||
        strlen(name) >= sizeof(e->name)) {
        out_error("queue file name too long: %s", name);
        return -1;
    }
    size_t len;
    char *text = fs_read_file(path, MAX_ENTRY, &len);
    if (!text) {
        out_error("cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    e->json = cJSON_ParseWithLength(text, len);
    free(text);
    snprintf(e->name, sizeof(e->name), "%s", name);
    short_id(name, e->id, sizeof(e->id));
    e->key = str(e->json, "idempotency_key");
    e->server = str(e->json, "server");
    e->email = str(e->json, "user_email");
    e->created_at = str(e->json, "created_at");
    e->path = str(e->json, "path");
    e->body = str(e->json, "body");
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(e->json, "user_id");
    e->user_id = cJSON_IsNumber(uid) ? (long long)uid->valuedouble : 0;
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(e->json, "report_id");
    e->report_id = cJSON_IsNumber(rid) ? (long long)rid->valuedouble : 0;
    cJSON *photos = cJSON_GetObjectItemCaseSensitive(e->json, "photos");
    e->photos = cJSON_IsArray(photos) && cJSON_GetArraySize(photos) > 0 ? photos : NULL;
    if (!e->key || !e->server || !e->path || !e->body) {
        out_error("%s is damaged (it lacks its key, server or body); look at it, then remove it",
                  path);
        queue_entry_free(e);
        return -1;
    }
    return 0;
}

/* Writes j as dir/name, durably and for the user's eyes only. Returns 0;
 * -1 when out of memory (said here); -2 with errno set when the file could
 * not be written, which the caller reports in its own words. */
static int write_json(const char *dir, const char *name, const cJSON *j)
{
    char *text = cJSON_Print(j);
    if (!text) {
        out_error("out of memory");
        return -1;
    }
    int rc = fs_write_atomic(dir, name, text, strlen(text), 0600);
    int saved = errno;
    free(text);
    errno = saved;
    return rc == 0 ? 0 : -2;
}

/* Moves name from dir_from to dir_to with j as its new content. It is
 * written to dir_to first: a crash in between leaves it in both, and the
 * next run meets it again rather than losing it. Returns 0, or -1 with a
 * message printed. */
static int move_json(const char *dir_from, const char *dir_to, const char *name, const cJSON *j)
{
    int rc = write_json(dir_to, name, j);
    if (rc == -2)
        out_error("cannot write %s/%s: %s", dir_to, name, strerror(errno));
    if (rc != 0)
        return -1;
    if (fs_remove(dir_from, name) != 0) {
        out_error("cannot remove %s/%s: %s", dir_from, name, strerror(errno));
        return -1;
    }
    return 0;
}

/* The directory of an entry's photo copies: its file name without .json. */
static int files_dir(const char *entry_name, char *out, size_t n)
{
    size_t len = strlen(entry_name);
    if (len > 5 && strcmp(entry_name + len - 5, ".json") == 0)
        len -= 5;
    int k = snprintf(out, n, "%s/%.*s", q_files, (int)len, entry_name);
    return (k < 0 || (size_t)k >= n) ? -1 : 0;
}

int queue_photo_path(const struct queue_entry *e, const char *file, char *out, size_t n)
{
    char dir[4096];
    /* Only a plain name: a damaged entry must not point elsewhere. */
    if (!file || !*file || strchr(file, '/') || file[0] == '.')
        return -1;
    if (files_dir(e->name, dir, sizeof(dir)) != 0)
        return -1;
    return fs_join(out, n, dir, file);
}

/* Copies what fd holds to dir/name (a temporary name, fsync, rename), at
 * most max bytes, and hashes it. Returns 0, or -1 with errno set (EFBIG
 * when the file grew beyond max since it was checked). */
static int copy_file(int fd, const char *dir, const char *name, long long max, char *sha,
                     long long *size)
{
    char tmp[4096], final[4096], tmpname[128];
    snprintf(tmpname, sizeof(tmpname), ".%s.tmp", name);
    if (fs_join(tmp, sizeof(tmp), dir, tmpname) != 0 || fs_join(final, sizeof(final), dir, name))
        return -1;
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0)
        return -1;
    struct sha256 h;
    sha256_init(&h);
    unsigned char buf[1 << 16];
    long long total = 0;
    int saved = 0;
    for (;;) {
        ssize_t k = pread(fd, buf, sizeof(buf), (off_t)total);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            saved = errno;
            break;
        }
        if (k == 0)
            break;
        total += k;
        if (total > max) {
            saved = EFBIG;
            break;
        }
        sha256_update(&h, buf, (size_t)k);
        if (fs_write_all(out, buf, (size_t)k) != 0) {
            saved = errno;
            break;
        }
    }
    if (!saved && fsync(out) != 0)
        saved = errno;
    if (close(out) != 0 && !saved)
        saved = errno;
    if (!saved && rename(tmp, final) != 0)
        saved = errno;
    if (saved) {
        unlink(tmp);
        errno = saved;
        return -1;
    }
    sha256_hex(&h, sha);
    *size = total;
    return 0;
}

/* A photo's Idempotency-Key, made from the report's key, its place and its
 * content: unique as the report's key is, and the same again when a script
 * submits the very same report with its own key twice (a replay then, not a
 * second photo). */
static void photo_key(const char *report_key, int index, const char *sha, char *out)
{
    struct sha256 h;
    char num[16], hex[SHA256_HEX_LEN + 1];
    snprintf(num, sizeof(num), "%d", index);
    sha256_init(&h);
    sha256_update(&h, "fibertrack photo\n", 17);
    sha256_update(&h, report_key, strlen(report_key));
    sha256_update(&h, "\n", 1);
    sha256_update(&h, num, strlen(num));
    sha256_update(&h, "\n", 1);
    sha256_update(&h, sha, strlen(sha));
    sha256_hex(&h, hex);
    memcpy(out, hex, 32);
    out[32] = '\0';
}

/* Copies the photos of a new entry into its directory and describes them
 * in a JSON array. Returns the array, or NULL with a message printed (the
 * directory is removed again). */
static cJSON *copy_photos(const char *name, const char *key, const struct photo_src *photos, int n,
                          const char *caption)
{
    char dir[4096];
    if (files_dir(name, dir, sizeof(dir)) != 0) {
        out_error("the configuration directory path is too long");
        return NULL;
    }
    if (mkdir(dir, 0700) != 0) {
        out_error("cannot create %s: %s", dir, strerror(errno));
        return NULL;
    }
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        char file[32], sha[SHA256_HEX_LEN + 1], pkey[33];
        long long size;
        snprintf(file, sizeof(file), "photo-%d", i + 1);
        if (copy_file(photos[i].fd, dir, file, PHOTO_MAX_BYTES, sha, &size) != 0) {
            if (errno == EFBIG)
                out_error("%s grew beyond 25 MiB while it was copied", photos[i].path);
            else
                out_error("cannot copy %s into the queue (%s): %s", photos[i].path, dir,
                          strerror(errno));
            goto fail;
        }
        photo_key(key, i + 1, sha, pkey);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "file", file);
        cJSON_AddStringToObject(o, "file_name", photos[i].name);
        cJSON_AddStringToObject(o, "media_type", photos[i].media_type);
        cJSON_AddNumberToObject(o, "size", (double)size);
        cJSON_AddStringToObject(o, "sha256", sha);
        cJSON_AddStringToObject(o, "idempotency_key", pkey);
        if (caption && *caption)
            cJSON_AddStringToObject(o, "caption", caption);
        cJSON_AddStringToObject(o, "state", "pending");
        cJSON_AddItemToArray(arr, o);
    }
    /* The copies' names, then the directory's, are on disk before the
     * entry that names them. */
    if (fs_sync_dir(dir) != 0 || fs_sync_dir(q_files) != 0) {
        out_error("cannot flush %s: %s", dir, strerror(errno));
        goto fail;
    }
    return arr;
fail:
    cJSON_Delete(arr);
    if (fs_remove_dir(dir) != 0)
        out_warn("could not remove %s: %s", dir, strerror(errno));
    return NULL;
}

int queue_add(const char *server, long long user_id, const char *email, const char *key,
              const char *path, const char *body, const struct photo_src *photos, int nphotos,
              const char *caption, char *id)
{
    if (queue_open() != 0)
        return -1;
    unsigned char r[4];
    if (random_bytes(r, sizeof(r)) != 0) {
        out_error("no randomness available");
        return -1;
    }
    to_hex(r, sizeof(r), id);

    /* The name sorts by creation time (UTC, microseconds): the queue is sent
     * in the order the reports were made. */
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    time_t secs = tv.tv_sec;
    gmtime_r(&secs, &tm);
    char stamp[32], created[32], name[96];
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
    strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(name, sizeof(name), "%s.%06ldZ-%s.json", stamp, (long)tv.tv_usec, id);

    cJSON *copies = NULL;
    if (nphotos > 0) {
        copies = copy_photos(name, key, photos, nphotos, caption);
        if (!copies)
            return -1;
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "format", 1);
    cJSON_AddStringToObject(j, "idempotency_key", key);
    cJSON_AddStringToObject(j, "server", server);
    cJSON_AddNumberToObject(j, "user_id", (double)user_id);
    cJSON_AddStringToObject(j, "user_email", email ? email : "");
    cJSON_AddStringToObject(j, "created_at", created);
    cJSON_AddStringToObject(j, "method", "POST");
    cJSON_AddStringToObject(j, "path", path);
    cJSON_AddStringToObject(j, "body", body);
    if (copies)
        cJSON_AddItemToObject(j, "photos", copies);
    int rc = write_json(q_pending, name, j);
    if (rc == -2)
        out_error("cannot store the report in %s: %s", q_pending, strerror(errno));
    cJSON_Delete(j);
    if (rc != 0 && nphotos > 0) {
        char dir[4096];
        if (files_dir(name, dir, sizeof(dir)) == 0 && fs_remove_dir(dir) != 0)
            out_warn("could not remove %s: %s", dir, strerror(errno));
    }
    return rc == 0 ? 0 : -1;
}

int queue_update(const struct queue_entry *e)
{
    int rc = write_json(q_pending, e->name, e->json);
    if (rc == -2)
        out_error("cannot write %s/%s: %s", q_pending, e->name, strerror(errno));
    return rc == 0 ? 0 : -1;
}

void queue_photo_remove(const struct queue_entry *e, const char *file)
{
    char dir[4096];
    if (files_dir(e->name, dir, sizeof(dir)) == 0 && fs_remove(dir, file) != 0)
        out_warn("could not remove the sent copy %s/%s: %s", dir, file, strerror(errno));
}

/* Removes the photo copies of an entry that is gone. */
static int remove_files(const char *name)
{
    char dir[4096];
    if (files_dir(name, dir, sizeof(dir)) != 0)
        return -1;
    if (fs_remove_dir(dir) != 0) {
        out_warn("could not remove the photo copies in %s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* Whether dir/name exists. */
static int exists_in(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    return fs_join(path, sizeof(path), dir, name) == 0 && lstat(path, &st) == 0;
}

void queue_sweep_files(void)
{
    DIR *d = opendir(q_files);
    if (!d)
        return;
    struct dirent *de;
    for (;;) {
        de = readdir(d);
        if (!de)
            break;
        char entry[300], path[4096];
        struct stat st;
        if (de->d_name[0] == '.' || strlen(de->d_name) > 250)
            continue;
        snprintf(entry, sizeof(entry), "%s.json", de->d_name);
        if (exists_in(q_pending, entry) || exists_in(q_failed, entry))
            continue;
        /* A young one may belong to a submission being written right now. */
        if (fs_join(path, sizeof(path), q_files, de->d_name) != 0 || lstat(path, &st) != 0 ||
            !S_ISDIR(st.st_mode) || time(NULL) - st.st_mtime <= STALE_TMP_S)
            continue;
        if (fs_remove_dir(path) != 0)
            out_warn("could not remove the left-over photo copies in %s: %s", path,
                     strerror(errno));
    }
    closedir(d);
}

int queue_find(const char *which, const char *id, char *name, size_t n)
{
    if (queue_open() != 0)
        return -1;
    char **names;
    int count = queue_names(which, &names);
    if (count < 0)
        return -1;
    int found = 0;
    for (int i = 0; i < count; i++) {
        char sid[16];
        short_id(names[i], sid, sizeof(sid));
        if (strcmp(names[i], id) == 0 || strcmp(sid, id) == 0) {
            if (found) {
                out_error("'%s' matches more than one queued report; give the file name", id);
                queue_names_free(names, count);
                return -1;
            }
            snprintf(name, n, "%s", names[i]);
            found = 1;
        }
    }
    queue_names_free(names, count);
    return found;
}

int queue_done(const struct queue_entry *e)
{
    fs_fault_point("sent-before-remove");
    if (fs_remove(q_pending, e->name) != 0) {
        out_error("the report was received, but removing %s/%s failed: %s (it would be sent "
                  "again, harmlessly: the server recognises it)",
                  q_pending, e->name, strerror(errno));
        return -1;
    }
    /* Without the entry nothing names the copies any more; should this
     * fail, the next sync sweeps them. */
    remove_files(e->name);
    return 0;
}

int queue_fail(const struct queue_entry *e, long status, const char *problem, const char *photo)
{
    cJSON *j = cJSON_Duplicate(e->json, 1);
    cJSON *f = cJSON_CreateObject();
    char at[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_AddStringToObject(f, "at", at);
    cJSON_AddNumberToObject(f, "status", (double)status);
    cJSON *p = problem ? cJSON_Parse(problem) : NULL;
    if (p)
        cJSON_AddItemToObject(f, "problem", p);
    if (photo)
        cJSON_AddStringToObject(f, "photo", photo);
    cJSON_DeleteItemFromObjectCaseSensitive(j, "failed");
    cJSON_AddItemToObject(j, "failed", f);
    /* Should a crash leave it in both, the next sync meets the same
     * refusal again. */
    int rc = move_json(q_pending, q_failed, e->name, j);
    cJSON_Delete(j);
    return rc;
}

int queue_retry(const char *name)
{
    struct queue_entry e;
    if (queue_load(QUEUE_FAILED, name, &e) != 0)
        return -1;
    cJSON_DeleteItemFromObjectCaseSensitive(e.json, "failed");
    cJSON *ph;
    cJSON_ArrayForEach(ph, e.photos)
    {
        cJSON_DeleteItemFromObjectCaseSensitive(ph, "failed");
        cJSON_ReplaceItemInObjectCaseSensitive(ph, "state", cJSON_CreateString("pending"));
    }
    int rc = move_json(q_failed, q_pending, name, e.json);
    queue_entry_free(&e);
    return rc;
}

int queue_drop(const char *name)
{
    if (fs_remove(q_failed, name) != 0) {
        out_error("cannot remove %s/%s: %s", q_failed, name, strerror(errno));
        return -1;
    }
    remove_files(name);
    return 0;
}

int queue_lock(double wait_s)
{
    char path[4096];
    if (queue_open() != 0)
        return -1;
    if (fs_join(path, sizeof(path), q_root, ".lock") != 0)
        return -1;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        out_error("cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    for (double waited = 0;; waited += 0.2) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return fd;
        if (errno != EWOULDBLOCK && errno != EINTR) {
            out_error("cannot lock %s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        if (waited >= wait_s) {
            close(fd);
            return -2;
        }
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

void queue_unlock(int fd)
{
    if (fd >= 0) {
        flock(fd, LOCK_UN);
        close(fd);
    }
}
