/* codes.c — codes for ids, from the server or the local cache (see codes.h). */
#include "codes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "args.h"
#include "cli.h"
#include "config.h"
#include "fsutil.h"
#include "output.h"

#define CODES_FILE "codes.json"
#define CODES_MAX_FILE (64L * 1024 * 1024)
#define CODE_MAX 200 /* the server's filters take at most 200 bytes */
#define SUGGESTIONS 3

struct row {
    char *code;
    long long id, project, parent;
    unsigned seq; /* 0 for rows known before; newer rows win when they clash */
};

struct rows {
    struct row *v;
    size_t n, cap;
};

/* The cache of one server, loaded once per process. */
static struct {
    int loaded;
    char server[1024];
    struct rows k[CODE_KINDS];
    unsigned seq;
} C;

struct kind_desc {
    const char *name;   /* singular, for people and for the completion script */
    const char *key;    /* in codes.json, and the API's collection */
    const char *code;   /* the field people know it by */
    const char *parent; /* the field kept as its parent, or NULL */
    const char *fields; /* what a list for the cache asks for (?fields=) */
};

static const struct kind_desc kinds[CODE_KINDS] = {
    [CODE_PROJECT] = {"project", "projects", "code", NULL, "id,code"},
    [CODE_CONTRACTOR] = {"contractor", "contractors", "name", NULL, "id,name"},
    [CODE_LOT] = {"lot", "lots", "code", "contractor_id", "id,code,project_id,contractor_id"},
    [CODE_NODE] = {"node", "nodes", "code", NULL, "id,code,project_id"},
    [CODE_SEGMENT] = {"segment", "segments", "code", "lot_id", "id,code,project_id,lot_id"},
    [CODE_PREMISE] = {"premise", "premises", "code", NULL, "id,code,project_id"},
};

const char *codes_kind_name(enum code_kind k) { return kinds[k].name; }

int codes_kind_parse(const char *name)
{
    for (int k = 0; k < CODE_KINDS; k++)
        if (strcmp(name, kinds[k].name) == 0 || strcmp(name, kinds[k].key) == 0)
            return k;
    return -1;
}

/* ---- the rows ---- */

static void rows_clear(struct rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].code);
    r->n = 0;
}

static void rows_add(struct rows *r, const char *code, long long id, long long project,
                     long long parent, unsigned seq)
{
    if (r->n == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 256;
        struct row *nv = realloc(r->v, ncap * sizeof(*nv));
        if (!nv) {
            out_error("out of memory");
            exit(EXIT_OTHER);
        }
        r->v = nv;
        r->cap = ncap;
    }
    char *c = strdup(code);
    if (!c) {
        out_error("out of memory");
        exit(EXIT_OTHER);
    }
    struct row *x = &r->v[r->n++];
    x->code = c;
    x->id = id;
    x->project = project;
    x->parent = parent;
    x->seq = seq;
}

static int by_code(const void *pa, const void *pb)
{
    const struct row *a = pa, *b = pb;
    int c = strcmp(a->code, b->code);
    if (c)
        return c;
    if (a->project != b->project)
        return a->project < b->project ? -1 : 1;
    return a->seq == b->seq ? 0 : (a->seq > b->seq ? -1 : 1);
}

static int by_id(const void *pa, const void *pb)
{
    const struct row *a = pa, *b = pb;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return a->seq == b->seq ? 0 : (a->seq > b->seq ? -1 : 1);
}

/* Keeps the newest row of each code (per project) and of each id, and
 * leaves the rows sorted by id. A code that now names another id means the
 * old object is gone; an id with another code was renamed. */
static void rows_settle(struct rows *r)
{
    size_t out = 0;
    /* qsort must not see the NULL of an empty kind. */
    if (r->n == 0)
        return;
    qsort(r->v, r->n, sizeof(*r->v), by_code);
    for (size_t i = 0; i < r->n; i++) {
        if (out > 0 && strcmp(r->v[out - 1].code, r->v[i].code) == 0 &&
            r->v[out - 1].project == r->v[i].project) {
            free(r->v[i].code);
            continue;
        }
        r->v[out++] = r->v[i];
    }
    r->n = out;
    out = 0;
    qsort(r->v, r->n, sizeof(*r->v), by_id);
    for (size_t i = 0; i < r->n; i++) {
        if (out > 0 && r->v[out - 1].id == r->v[i].id) {
            free(r->v[i].code);
            continue;
        }
        r->v[out] = r->v[i];
        r->v[out].seq = 0;
        out++;
    }
    r->n = out;
}

static const struct row *rows_by_id(const struct rows *r, long long id)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->v[mid].id == id)
            return &r->v[mid];
        if (r->v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- the file ---- */

static long long num_at(const cJSON *arr, int i)
{
    const cJSON *v = cJSON_GetArrayItem(arr, i);
    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 9e15
               ? (long long)v->valuedouble
               : 0;
}

/* Loads the cache for server, once. A missing or damaged file, or one of
 * another server, is an empty cache: it only ever saves a lookup. */
static void load(const char *server)
{
    if (C.loaded && strcmp(C.server, server) == 0)
        return;
    for (int k = 0; k < CODE_KINDS; k++)
        rows_clear(&C.k[k]);
    C.loaded = 1;
    snprintf(C.server, sizeof(C.server), "%s", server);
    char dir[4096], path[4096];
    if (config_dir(dir, sizeof(dir)) != 0 || fs_join(path, sizeof(path), dir, CODES_FILE) != 0)
        return;
    size_t len;
    char *text = fs_read_file(path, (size_t)CODES_MAX_FILE, &len);
    if (!text)
        return;
    cJSON *j = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *srv = cJSON_GetObjectItemCaseSensitive(j, "server");
    if (!cJSON_IsString(srv) || strcmp(srv->valuestring, server) != 0) {
        cJSON_Delete(j);
        return;
    }
    for (int k = 0; k < CODE_KINDS; k++) {
        const cJSON *row;
        cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(j, kinds[k].key))
        {
            const cJSON *code = cJSON_GetArrayItem(row, 0);
            long long id = num_at(row, 1);
            if (cJSON_IsString(code) && *code->valuestring && id > 0)
                rows_add(&C.k[k], code->valuestring, id, num_at(row, 2), num_at(row, 3), 0);
        }
        rows_settle(&C.k[k]);
    }
    cJSON_Delete(j);
}

static void save(void)
{
    char dir[4096];
    if (config_dir(dir, sizeof(dir)) != 0 || fs_mkdirs(dir, 0700) != 0)
        return;
    cJSON *j = cJSON_CreateObject();
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_AddStringToObject(j, "server", C.server);
    cJSON_AddStringToObject(j, "saved_at", now);
    for (int k = 0; k < CODE_KINDS; k++) {
        cJSON *arr = cJSON_AddArrayToObject(j, kinds[k].key);
        for (size_t i = 0; i < C.k[k].n; i++) {
            const struct row *r = &C.k[k].v[i];
            cJSON *row = cJSON_CreateArray();
            cJSON_AddItemToArray(row, cJSON_CreateString(r->code));
            cJSON_AddItemToArray(row, cJSON_CreateNumber((double)r->id));
            cJSON_AddItemToArray(row, cJSON_CreateNumber((double)r->project));
            cJSON_AddItemToArray(row, cJSON_CreateNumber((double)r->parent));
            cJSON_AddItemToArray(arr, row);
        }
    }
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!text)
        return;
    /* The cache only saves lookups: a failure to write it is no error. */
    if (fs_write_atomic(dir, CODES_FILE, text, strlen(text), 0600) != 0 && g_cli.verbose)
        out_warn("cannot write %s/%s: %s", dir, CODES_FILE, strerror(errno));
    free(text);
}

/* ---- learning ---- */

static long long item_num(const cJSON *it, const char *field)
{
    const cJSON *v = field ? cJSON_GetObjectItemCaseSensitive(it, field) : NULL;
    return cJSON_IsNumber(v) && v->valuedouble > 0 && v->valuedouble < 9e15
               ? (long long)v->valuedouble
               : 0;
}

void codes_learn(const struct api *a, enum code_kind k, const cJSON *items, int complete)
{
    load(a->server);
    struct rows *r = &C.k[k];
    if (complete)
        rows_clear(r);
    const cJSON *it;
    int added = 0;
    C.seq++;
    cJSON_ArrayForEach(it, items)
    {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(it, kinds[k].code);
        long long id = item_num(it, "id");
        if (!cJSON_IsString(code) || !*code->valuestring || strlen(code->valuestring) > CODE_MAX ||
            id <= 0)
            continue;
        rows_add(r, code->valuestring, id, item_num(it, "project_id"),
                 item_num(it, kinds[k].parent), C.seq);
        added++;
    }
    if (!added && !complete)
        return;
    rows_settle(r);
    save();
}

/* Forgets code in project (0: in any project) after the server said it is
 * not there. */
static void forget(const struct api *a, enum code_kind k, const char *code, long long project)
{
    load(a->server);
    struct rows *r = &C.k[k];
    size_t out = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (strcasecmp(r->v[i].code, code) == 0 && (!project || r->v[i].project == project)) {
            free(r->v[i].code);
            continue;
        }
        r->v[out++] = r->v[i];
    }
    if (out != r->n) {
        r->n = out;
        save();
    }
}

const char *codes_code_of(const struct api *a, enum code_kind k, long long id)
{
    load(a->server);
    const struct row *r = rows_by_id(&C.k[k], id);
    return r ? r->code : NULL;
}

void codes_print(enum code_kind k, FILE *f)
{
    char server[1024];
    if (server_effective(server, sizeof(server)) != 0)
        return;
    load(server);
    for (size_t i = 0; i < C.k[k].n; i++)
        fprintf(f, "%s\n", C.k[k].v[i].code);
}

/* ---- looking up ---- */

/* The cached rows whose code is text (exactly, else ignoring case) in
 * project (0: any). Returns how many; *hit is the first. */
static int cache_find(const struct api *a, enum code_kind k, const char *text, long long project,
                      const struct row **hit)
{
    load(a->server);
    const struct rows *r = &C.k[k];
    int n = 0;
    *hit = NULL;
    for (int exact = 1; exact >= 0 && n == 0; exact--) {
        for (size_t i = 0; i < r->n; i++) {
            const struct row *x = &r->v[i];
            if (project && k != CODE_PROJECT && k != CODE_CONTRACTOR && x->project != project)
                continue;
            if (exact ? strcmp(x->code, text) == 0 : strcasecmp(x->code, text) == 0) {
                if (!*hit)
                    *hit = x;
                n++;
            }
        }
    }
    return n;
}

struct candidate {
    const char *code;
    size_t dist;
};

static int by_dist(const void *pa, const void *pb)
{
    const struct candidate *a = pa, *b = pb;
    if (a->dist != b->dist)
        return a->dist < b->dist ? -1 : 1;
    return strcmp(a->code, b->code);
}

const char *codes_suggest(const struct api *a, enum code_kind k, const char *text, char *buf,
                          size_t n)
{
    load(a->server);
    const struct rows *r = &C.k[k];
    struct candidate best[SUGGESTIONS + 1];
    int nbest = 0;
    size_t len = strlen(text);
    /* Typos of one character in four, at least one, are worth suggesting. */
    size_t limit = len / 4 > 1 ? len / 4 : 1;
    buf[0] = '\0';
    for (size_t i = 0; i < r->n; i++) {
        const char *code = r->v[i].code;
        size_t d = args_distance(text, code);
        /* A fragment of a code ("000082") is as good as a close typo. */
        if (d > limit && len >= 3 && strcasestr(code, text))
            d = limit;
        if (d > limit)
            continue;
        int dup = 0;
        for (int j = 0; j < nbest; j++)
            dup |= strcmp(best[j].code, code) == 0;
        if (dup)
            continue;
        best[nbest++] = (struct candidate){code, d};
        qsort(best, (size_t)nbest, sizeof(best[0]), by_dist);
        if (nbest > SUGGESTIONS)
            nbest = SUGGESTIONS;
    }
    size_t k2 = 0;
    for (int j = 0; j < nbest; j++) {
        int w = snprintf(buf + k2, n - k2, "%s%s", j ? ", " : "", best[j].code);
        if (w < 0 || (size_t)w >= n - k2)
            break;
        k2 += (size_t)w;
    }
    return buf;
}

/* GET a list without a word on the terminal and without retries: a lookup
 * must not hold up an offline foreman. Returns EXIT_OK with *items (the
 * caller frees), EXIT_NETWORK without an answer (or a busy server), or
 * the exit code of the server's refusal. */
static int quiet_list(struct api *a, const char *path, cJSON **items)
{
    int saved_quiet = g_cli.quiet, saved_retries = g_cli.retries;
    g_cli.quiet = 1;
    g_cli.retries = 0;
    int rc = api_list_quiet(a, path, 0, items);
    g_cli.quiet = saved_quiet;
    g_cli.retries = saved_retries;
    return rc;
}

static int ambiguous(enum code_kind k, const char *text, const char *opt)
{
    return args_usage(NULL,
                      "%s '%s': several projects have a %s with this code; choose one with "
                      "--project CODE",
                      opt, text, kinds[k].name);
}

/* Says that the code is not there, with the close ones the server knows. */
static int not_found(struct api *a, enum code_kind k, const char *text, long long project,
                     const char *opt)
{
    char path[256];
    cJSON *all = NULL;
    if (project && k != CODE_PROJECT && k != CODE_CONTRACTOR)
        snprintf(path, sizeof(path), "/%s?fields=%s&project_id=%lld", kinds[k].key, kinds[k].fields,
                 project);
    else
        snprintf(path, sizeof(path), "/%s?fields=%s", kinds[k].key, kinds[k].fields);
    if (quiet_list(a, path, &all) == EXIT_OK)
        codes_learn(a, k, all, !project || k == CODE_PROJECT || k == CODE_CONTRACTOR);
    cJSON_Delete(all);
    char sugg[300];
    codes_suggest(a, k, text, sugg, sizeof(sugg));
    if (sugg[0])
        out_error("%s '%s': there is no such %s%s (did you mean %s?)", opt, text, kinds[k].name,
                  project ? " in this project" : " you can see", sugg);
    else
        out_error("%s '%s': there is no such %s%s (see: fibertrack %s)", opt, text, kinds[k].name,
                  project ? " in this project" : " you can see",
                  k == CODE_PROJECT   ? "projects"
                  : k == CODE_PREMISE ? "premises"
                                      : "segments");
    return EXIT_NOT_FOUND;
}

/* Without a connection: the cache's answer for text, or EXIT_NETWORK with
 * what to do. */
static int from_cache(const struct api *a, enum code_kind k, const char *text, long long project,
                      const char *opt, long long *id)
{
    const struct row *hit;
    int n = cache_find(a, k, text, project, &hit);
    if (n > 1)
        return ambiguous(k, text, opt);
    if (n == 1) {
        *id = hit->id;
        out_note("No connection to %s: %s %s is id %lld (from the local code cache).", a->server,
                 kinds[k].name, hit->code, hit->id);
        return EXIT_OK;
    }
    out_error("%s '%s': %s cannot be reached, and this %s code is not in the local code cache", opt,
              text, a->server, kinds[k].name);
    fprintf(stderr,
            "  Run `fibertrack sync` (or `fibertrack %s`) once while online: it fills the cache.\n"
            "  Or give the %s id instead of its code.\n",
            k == CODE_PROJECT   ? "projects"
            : k == CODE_PREMISE ? "premises"
                                : "segments",
            kinds[k].name);
    return EXIT_NETWORK;
}

int codes_resolve(struct api *a, enum code_kind k, const char *text, long long project_id,
                  const char *opt, int prefer_cache, long long *id)
{
    *id = 0;
    if (args_id(text, id) == 0)
        return EXIT_OK;
    if (!*text || strlen(text) > CODE_MAX)
        return args_usage(NULL, "%s needs an id or a %s code, not '%s'", opt, kinds[k].name, text);
    if (k == CODE_PROJECT || k == CODE_CONTRACTOR)
        project_id = 0;
    const struct row *cached;
    if (prefer_cache && cache_find(a, k, text, project_id, &cached) == 1) {
        *id = cached->id;
        return EXIT_OK;
    }

    char esc[3 * CODE_MAX + 1], path[1024];
    if (url_escape(text, esc, sizeof(esc)) != 0)
        return args_usage(NULL, "%s: the code is too long", opt);
    /* Contractors have no code; their name is searched and compared. */
    if (k == CODE_CONTRACTOR)
        snprintf(path, sizeof(path), "/contractors?q=%s", esc);
    else if (project_id)
        snprintf(path, sizeof(path), "/%s?code=%s&project_id=%lld", kinds[k].key, esc, project_id);
    else
        snprintf(path, sizeof(path), "/%s?code=%s", kinds[k].key, esc);
    cJSON *items = NULL;
    int rc = quiet_list(a, path, &items);
    if (rc == EXIT_NETWORK)
        return from_cache(a, k, text, project_id, opt, id);
    if (rc != EXIT_OK) {
        /* Refused (a lost session, a server error): ask again aloud, so
         * that the server's reason is told as everywhere else. */
        char what[128];
        snprintf(what, sizeof(what), "looking up %s %s", kinds[k].name, text);
        rc = api_list(a, path, 0, &items, what);
        if (rc != EXIT_OK)
            return rc;
    }
    /* The server's filter ignores case, as its collation does; a name
     * search also finds longer names. */
    codes_learn(a, k, items, 0);
    const cJSON *it, *hit = NULL;
    int n = 0;
    cJSON_ArrayForEach(it, items)
    {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, kinds[k].code);
        if (cJSON_IsString(c) && strcasecmp(c->valuestring, text) == 0) {
            if (!hit)
                hit = it;
            n++;
        }
    }
    /* A contractor may be named by the start of its name ("Tiefbau
     * Nord" for "Tiefbau Nord GmbH") when no other name starts so. */
    if (n == 0 && k == CODE_CONTRACTOR) {
        size_t len = strlen(text);
        cJSON_ArrayForEach(it, items)
        {
            const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, kinds[k].code);
            if (cJSON_IsString(c) && strncasecmp(c->valuestring, text, len) == 0) {
                if (!hit)
                    hit = it;
                n++;
            }
        }
    }
    if (n == 1)
        *id = item_num(hit, "id");
    cJSON_Delete(items);
    if (n > 1 && k == CODE_CONTRACTOR)
        return args_usage(NULL, "%s '%s': several contractors' names start so; give more of it",
                          opt, text);
    if (n > 1)
        return ambiguous(k, text, opt);
    if (n == 1 && *id > 0)
        return EXIT_OK;
    forget(a, k, text, project_id);
    return not_found(a, k, text, project_id, opt);
}

int codes_refresh(struct api *a)
{
    static const enum code_kind order[] = {CODE_PROJECT, CODE_CONTRACTOR, CODE_LOT, CODE_SEGMENT};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        enum code_kind k = order[i];
        char path[256];
        snprintf(path, sizeof(path), "/%s?fields=%s", kinds[k].key, kinds[k].fields);
        cJSON *items = NULL;
        int rc = quiet_list(a, path, &items);
        if (rc != EXIT_OK)
            return rc;
        codes_learn(a, k, items, 1);
        cJSON_Delete(items);
    }
    return EXIT_OK;
}

void codes_annotate(struct api *a, enum code_kind k, cJSON *items, const char *id_field,
                    const char *out_field)
{
    int missing = 0;
    cJSON *it;
    cJSON_ArrayForEach(it, items)
    {
        long long id = item_num(it, id_field);
        missing |= id > 0 && !codes_code_of(a, k, id);
    }
    if (missing) {
        char path[256];
        snprintf(path, sizeof(path), "/%s?fields=%s", kinds[k].key, kinds[k].fields);
        cJSON *all = NULL;
        if (quiet_list(a, path, &all) == EXIT_OK)
            codes_learn(a, k, all, 1);
        cJSON_Delete(all);
    }
    cJSON_ArrayForEach(it, items)
    {
        long long id = item_num(it, id_field);
        if (id <= 0)
            continue;
        const char *code = codes_code_of(a, k, id);
        char num[32];
        snprintf(num, sizeof(num), "#%lld", id);
        cJSON_DeleteItemFromObjectCaseSensitive(it, out_field);
        cJSON_AddStringToObject(it, out_field, code ? code : num);
    }
}
