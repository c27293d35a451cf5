/* webapp.c — static files of the dashboard, from memory, with ETags. */
#include "api/webapp.h"

#include <cJSON.h>
#include <dirent.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/reply.h"
#include "util/paths.h"

#define MAX_FILES 128
#define MAX_FILE_SIZE (4 * 1024 * 1024)

struct webfile {
    char name[128];
    char *data;
    size_t len;
    const char *type;
    char etag[24];
};

static struct webfile files[MAX_FILES];
static int nfiles;
/* The page's Content-Security-Policy: images from the map's tile server
 * too, when one is configured. */
static char csp[700] = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
                       "frame-ancestors 'none'";

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".webmanifest", "application/manifest+json"},
    {".txt", "text/plain; charset=utf-8"},
};

static const char *type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

static void set_etag(struct webfile *w)
{
    unsigned char h[crypto_generichash_BYTES_MIN];
    crypto_generichash(h, sizeof(h), (const unsigned char *)w->data, w->len, NULL, 0);
    snprintf(w->etag, sizeof(w->etag), "\"%02x%02x%02x%02x%02x%02x%02x%02x\"", h[0], h[1], h[2],
             h[3], h[4], h[5], h[6], h[7]);
}

void webapp_dir(char *out, unsigned size)
{
    path_beside_exe("FT_WEB_DIR", "clients/web", "web", out, size);
}

int webapp_load(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *type = type_of(e->d_name);
        if (e->d_name[0] == '.' || !type || strlen(e->d_name) >= sizeof(files[0].name))
            continue;
        if (nfiles == MAX_FILES) {
            /* A dashboard without some of its modules would fail in the browser. */
            closedir(d);
            return -2;
        }
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        struct stat st;
        if (!f)
            continue;
        if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_FILE_SIZE) {
            fclose(f);
            continue;
        }
        struct webfile *w = &files[nfiles];
        w->data = malloc((size_t)st.st_size + 1);
        if (w->data && fread(w->data, 1, (size_t)st.st_size, f) == (size_t)st.st_size) {
            w->len = (size_t)st.st_size;
            w->type = type;
            snprintf(w->name, sizeof(w->name), "%s", e->d_name);
            set_etag(w);
            nfiles++;
        } else {
            free(w->data);
            w->data = NULL;
        }
        fclose(f);
    }
    closedir(d);
    return nfiles;
}

int webapp_map_origin(const char *tiles, char *origin, size_t size)
{
    size_t scheme = strncmp(tiles, "https://", 8) == 0  ? 8
                    : strncmp(tiles, "http://", 7) == 0 ? 7
                                                        : 0;
    if (!scheme || !strstr(tiles, "{z}") || !strstr(tiles, "{x}") || !strstr(tiles, "{y}"))
        return -1;
    size_t host = strcspn(tiles + scheme, "/?#");
    if (host == 0 || scheme + host >= size)
        return -1;
    /* Only what a CSP source may hold: no quotes, spaces or semicolons. */
    for (size_t i = scheme; i < scheme + host; i++) {
        char c = tiles[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '{' || c == '}'))
            return -1;
    }
    if (memchr(tiles + scheme, '{', host))
        return -1; /* a placeholder in the host ({s} sub-domains) is not supported */
    memcpy(origin, tiles, scheme + host);
    origin[scheme + host] = '\0';
    return 0;
}

/* The app shell for the service worker (sw.js): every file of the dashboard
 * (but config.json, which is made here) and a version that changes with
 * any of them, so that a new build replaces what browsers keep offline. */
static int add_shell(cJSON *c)
{
    cJSON *app = cJSON_AddObjectToObject(c, "app");
    cJSON *list = app ? cJSON_AddArrayToObject(app, "files") : NULL;
    crypto_generichash_state st;
    unsigned char h[crypto_generichash_BYTES_MIN];
    char version[2 * sizeof(h) + 1];
    if (!list || crypto_generichash_init(&st, NULL, 0, sizeof(h)) != 0)
        return -1;
    for (int i = 0; i < nfiles; i++) {
        if (strcmp(files[i].name, "config.json") == 0)
            continue;
        cJSON *name = cJSON_CreateString(files[i].name);
        if (!name || !cJSON_AddItemToArray(list, name)) {
            cJSON_Delete(name);
            return -1;
        }
        /* name and ETag, each with its terminating NUL, so that no two lists hash alike */
        crypto_generichash_update(&st, (const unsigned char *)files[i].name,
                                  strlen(files[i].name) + 1);
        crypto_generichash_update(&st, (const unsigned char *)files[i].etag,
                                  strlen(files[i].etag) + 1);
    }
    crypto_generichash_final(&st, h, sizeof(h));
    for (size_t i = 0; i < sizeof(h); i++)
        snprintf(version + 2 * i, 3, "%02x", h[i]);
    return cJSON_AddStringToObject(app, "version", version) ? 0 : -1;
}

int webapp_configure(const char *tiles, const char *attribution)
{
    cJSON *c = cJSON_CreateObject();
    if (tiles && *tiles) {
        char origin[300];
        if (webapp_map_origin(tiles, origin, sizeof(origin)) < 0) {
            cJSON_Delete(c);
            return -1;
        }
        snprintf(csp, sizeof(csp),
                 "default-src 'self'; img-src 'self' data: blob: %s; style-src 'self'; "
                 "frame-ancestors 'none'",
                 origin);
        cJSON *map = cJSON_AddObjectToObject(c, "map");
        cJSON_AddStringToObject(map, "tiles", tiles);
        cJSON_AddStringToObject(map, "attribution", attribution ? attribution : "");
    } else {
        cJSON_AddNullToObject(c, "map");
    }
    char *text = add_shell(c) == 0 ? cJSON_PrintUnformatted(c) : NULL;
    cJSON_Delete(c);
    if (!text || nfiles >= MAX_FILES) {
        free(text);
        return -1;
    }
    /* Served like the dashboard's own files, after them: it wins over a
     * config.json in the directory. */
    struct webfile *w = NULL;
    for (int i = 0; i < nfiles && !w; i++)
        if (strcmp(files[i].name, "config.json") == 0)
            w = &files[i];
    if (w)
        free(w->data);
    else
        w = &files[nfiles++];
    snprintf(w->name, sizeof(w->name), "config.json");
    w->data = text;
    w->len = strlen(text);
    w->type = "application/json";
    set_etag(w);
    return 0;
}

void webapp_free(void)
{
    for (int i = 0; i < nfiles; i++)
        free(files[i].data);
    nfiles = 0;
}

static int serve(struct req *r, const char *name)
{
    for (int i = 0; i < nfiles; i++) {
        struct webfile *w = &files[i];
        if (strcmp(w->name, name) != 0)
            continue;
        /* Revalidate every time: a new release shows at once, and an
         * unchanged file costs a 304 without a body. */
        req_add_header(r, "Cache-Control", "no-cache");
        req_add_header(r, "ETag", w->etag);
        req_add_header(r, "X-Content-Type-Options", "nosniff");
        if (strcmp(w->type, "text/html; charset=utf-8") == 0) {
            req_add_header(r, "Content-Security-Policy", csp);
            req_add_header(r, "Referrer-Policy", "no-referrer");
        }
        if (r->if_none_match && strcmp(r->if_none_match, w->etag) == 0)
            return reply_raw(r, 304, NULL, NULL, 0);
        return reply_raw(r, 200, w->type, w->data, w->len);
    }
    return reply_problem(r, 404, "no resource at %s", r->path);
}

int webapp_index(struct req *r) { return serve(r, "index.html"); }

int webapp_file(struct req *r) { return serve(r, req_param(r, 0)); }
