/* main.c — fibertrackd: the commands serve, migrate, demo, user add and
 * token issue. */
#include <errno.h>
#include <event2/event.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/auth.h"
#include "api/housekeeping.h"
#include "api/meta.h"
#include "api/openapi.h"
#include "api/pipeline.h"
#include "api/routes.h"
#include "api/webapp.h"
#include "config.h"
#include "db/db.h"
#include "db/migrate.h"
#include "demo.h"
#include "gis/runtime.h"
#include "http/request.h"
#include "http/server.h"
#include "identity/credentials.h"
#include "identity/secret.h"
#include "mariadb_supervisor.h"
#include "media/blobstore.h"
#include "media/thumbnail.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/pool.h"

#define FIBERTRACKD_VERSION "1.0.0"

static const char usage[] =
    "usage: fibertrackd COMMAND [options]\n"
    "       fibertrackd --version | --help | COMMAND --help\n"
    "\n"
    "commands:\n"
    "  serve                      run the HTTP server\n"
    "  migrate                    apply database migrations from schema/\n"
    "  demo [--segments N] [--premises-per-segment N]\n"
    "                             load the demo project if the database has no project\n"
    "  user add --email E --name N --role R [--contractor ID]\n"
    "                             add a user; the password is read from standard input\n"
    "  token issue --email E [--name N]\n"
    "                             print a new API token for a user\n"
    "\n"
    "options (environment variable in brackets):\n"
    "  --listen HOST:PORT   [FT_LISTEN]    default 127.0.0.1:8080\n"
    "  --db-url URL         [FT_DB_URL]    mariadb://user:pass@host:3306/db or\n"
    "                                      mariadb://user@localhost/db?socket=/path;\n"
    "                                      without it a private MariaDB runs in DATA_DIR/mariadb\n"
    "  --data-dir DIR       [FT_DATA_DIR]  default ./var\n"
    "  --threads N          [FT_THREADS]   event loops, default: number of cores\n"
    "  --db-pool N          [FT_DB_POOL]   database connections, default 8\n"
    "  --db-queue N         [FT_DB_QUEUE]  requests that may wait for one, default 512\n"
    "  --max-connections N  [FT_MAX_CONNECTIONS] default 1024\n"
    "  --request-timeout S  [FT_REQUEST_TIMEOUT] seconds to send a request, default 30\n"
    "  --idle-timeout S     [FT_IDLE_TIMEOUT]    seconds a connection may wait for its next\n"
    "                                            request, default 5\n"
    "  --shutdown-grace S   [FT_SHUTDOWN_GRACE]  seconds for in-flight requests, default 20\n"
    "  --log LEVEL          [FT_LOG]       debug, info, warn or error; default info\n"
    "  --trusted-proxies LIST [FT_TRUSTED_PROXIES] addresses and CIDR ranges of proxies\n"
    "                                      whose X-Forwarded-For names the client; default none\n"
    "  --metrics-token T    [FT_METRICS_TOKEN] bearer token that opens /metrics to\n"
    "                                      non-loopback clients; default none\n"
    "  --secret S           [FT_SECRET]    key of request fingerprints (>= 32 characters);\n"
    "                                      default: made once in DATA_DIR/secret. Instances\n"
    "                                      sharing a database need the same FT_SECRET\n"
    "  --housekeeping-interval S [FT_HOUSEKEEPING_INTERVAL] seconds between purges of\n"
    "                                      expired keys, failures and tokens; default 60\n"
    "  --attachment-dir DIR [FT_ATTACHMENT_DIR] where uploaded photos and documents are\n"
    "                                      stored; default DATA_DIR/attachments. Instances\n"
    "                                      sharing a database need the same (shared) directory\n"
    "  --upload-rate N      [FT_UPLOAD_RATE] MiB/s at which all photo and document\n"
    "                                      uploads together are read, so that they leave\n"
    "                                      CPU to other requests; 0: no limit; default 12\n"
    "  --map-tiles URL      [FT_MAP_TILES] a base map for the dashboard: a tile URL\n"
    "                                      template with {z}, {x}, {y}; default none\n"
    "  --map-attribution T  [FT_MAP_ATTRIBUTION] the credit the tile server asks for\n";

/* The usage of each command for `fibertrackd COMMAND --help`. The
 * database options apply to all of them; serve takes every option. */
static const char db_options[] =
    "\n"
    "options (environment variable in brackets):\n"
    "  --db-url URL         [FT_DB_URL]    mariadb://user:pass@host:3306/db or\n"
    "                                      mariadb://user@localhost/db?socket=/path;\n"
    "                                      without it a private MariaDB runs in DATA_DIR/mariadb\n"
    "  --data-dir DIR       [FT_DATA_DIR]  default ./var\n"
    "  --log LEVEL          [FT_LOG]       debug, info, warn or error; default info\n";

struct command_help {
    const char *cmd, *sub; /* sub: NULL when the command has none */
    const char *text;
    int all_options; /* show the whole option list, not only the database's */
};

static const struct command_help command_helps[] = {
    {"serve", NULL,
     "usage: fibertrackd serve [options]\n"
     "\n"
     "Runs the HTTP server (API and dashboard). It refuses to start on a database\n"
     "whose schema is older than the code: run 'fibertrackd migrate' first. SIGTERM\n"
     "or SIGINT stop it gracefully.\n"
     "\n"
     "example: fibertrackd serve --listen 0.0.0.0:8080 --db-url mariadb://ft@db/fibertrack\n",
     1},
    {"migrate", NULL,
     "usage: fibertrackd migrate [--db-url URL | --data-dir DIR]\n"
     "\n"
     "Applies the migrations of schema/ that the database has not had yet, each\n"
     "once, in order. Without --db-url it starts the private MariaDB of DATA_DIR.\n"
     "\n"
     "example: FT_DB_URL=mariadb://ft@db/fibertrack fibertrackd migrate\n",
     0},
    {"demo", NULL,
     "usage: fibertrackd demo [--segments N] [--premises-per-segment N]\n"
     "\n"
     "Loads the demo project (Musterstadt, 240 segments and 2 premises each by\n"
     "default) when the database has no project yet, and prints one login per role.\n"
     "  --segments N               1 to 5000000\n"
     "  --premises-per-segment N   1 to 50\n"
     "\n"
     "example: fibertrackd demo --segments 100000\n",
     0},
    {"user", "add",
     "usage: fibertrackd user add --email E --name N --role R [--contractor ID] < password\n"
     "\n"
     "Adds a user; the password (at least 10 characters) is the first line of\n"
     "standard input. R is admin, manager, finance or contractor; --contractor ID\n"
     "is needed for, and only for, role contractor. Works whether or not serve runs.\n"
     "\n"
     "example: echo 'a long password' | fibertrackd user add --email anna@example.org \\\n"
     "             --name 'Anna Admin' --role admin\n",
     0},
    {"token", "issue",
     "usage: fibertrackd token issue --email E [--name N]\n"
     "\n"
     "Prints a new API token (ftk_...) of an active user, for scripts and CI.\n"
     "\n"
     "example: fibertrackd token issue --email ci@example.org --name 'nightly export'\n",
     0},
};

/* Whether argv asks for help or the version; prints it when so (the
 * command then exits 0). Runs before anything else, so that asking never
 * starts a database, creates a directory or reads the configuration. */
static int help_or_version(int argc, char **argv)
{
    if (argc < 2)
        return 0;
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0 ||
        strcmp(argv[1], "version") == 0) {
        printf("fibertrackd %s (database schema %d)\n", FIBERTRACKD_VERSION, SCHEMA_VERSION);
        return 1;
    }
    int asked = strcmp(argv[1], "help") == 0;
    for (int i = 1; i < argc; i++)
        asked |= strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
    if (!asked)
        return 0;
    const char *sub = argc > 2 ? argv[2] : "";
    for (size_t i = 0; i < sizeof(command_helps) / sizeof(command_helps[0]); i++) {
        const struct command_help *h = &command_helps[i];
        if (strcmp(argv[1], h->cmd) != 0 || (h->sub && strcmp(sub, h->sub) != 0))
            continue;
        fputs(h->text, stdout);
        if (h->all_options)
            fputs(strstr(usage, "\noptions"), stdout);
        else
            fputs(db_options, stdout);
        return 1;
    }
    fputs(usage, stdout);
    return 1;
}

/* The database this process uses: the embedded server, or FT_DB_URL. */
struct database {
    struct mdb_server mdb;
    int embedded;
    struct db_config cfg;
};

static int database_open(const struct config *cfg, struct database *d)
{
    char err[256];
    memset(d, 0, sizeof(*d));
    if (cfg->db_url[0]) {
        if (db_config_parse(cfg->db_url, &d->cfg, err, sizeof(err)) < 0) {
            fprintf(stderr, "fibertrackd: FT_DB_URL: %s\n", err);
            return -1;
        }
        return 0;
    }
    if (mdb_ensure(cfg->data_dir, &d->mdb) < 0)
        return -1;
    d->embedded = 1;
    snprintf(d->cfg.user, sizeof(d->cfg.user), "root");
    snprintf(d->cfg.database, sizeof(d->cfg.database), "fibertrack");
    snprintf(d->cfg.socket, sizeof(d->cfg.socket), "%s", d->mdb.socket_path);
    if (db_create_database(&d->cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "fibertrackd: %s\n", err);
        mdb_stop(&d->mdb);
        return -1;
    }
    return 0;
}

static void database_close(struct database *d)
{
    if (d->embedded)
        mdb_stop(&d->mdb);
}

static struct db *connect_or_say(const struct database *d)
{
    char err[512];
    struct db *db = db_connect(&d->cfg, err, sizeof(err));
    if (!db)
        fprintf(stderr, "fibertrackd: %s\n", err);
    return db;
}

/* ---- serve ---- */

static struct {
    struct event_base *base;
    struct database *db;
    int stopping;
} srv;

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    (void)arg;
    log_msg(LOG_INFO, "signal %d: stopping", (int)sig);
    srv.stopping = 1;
    event_base_loopbreak(srv.base);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    if (srv.db->embedded && mdb_check(&srv.db->mdb) < 0)
        log_msg(LOG_ERROR, "the private MariaDB server is down and could not be restarted");
}

/* Waits until no request is in flight; returns 0 if seconds passed first. */
static int wait_idle(double seconds)
{
    double end = clock_mono() + seconds;
    while (http_in_flight() > 0) {
        if (clock_mono() >= end)
            return 0;
        usleep(20000);
    }
    return 1;
}

/* Threads that hash, type and store uploads (see api/pipeline.h): two
 * keep a disk busy without taking the CPU from requests. */
#define FILE_WORKERS 2

/* Where uploads are spooled: beside the store when it is on the same
 * local file system as the data directory, so that a spooled upload is
 * kept without a copy; else (a store on shared storage) in the data
 * directory, so that an event loop never writes to a network file
 * system. */
static const char *raw_spool_dir(const char *spool, const char *store_tmp)
{
    struct stat a, b;
    if (stat(spool, &a) == 0 && stat(store_tmp, &b) == 0 && a.st_dev == b.st_dev)
        return store_tmp;
    return NULL;
}

static int cmd_serve(const struct config *cfg)
{
    char spool[300], attachments[600], raw_spool[700];
    snprintf(spool, sizeof(spool), "%s/tmp", cfg->data_dir);
    if (cfg->attachment_dir[0])
        snprintf(attachments, sizeof(attachments), "%s", cfg->attachment_dir);
    else
        snprintf(attachments, sizeof(attachments), "%s/attachments", cfg->data_dir);
    snprintf(raw_spool, sizeof(raw_spool), "%s/tmp", attachments);
    if (mkdir(cfg->data_dir, 0700) < 0 && errno != EEXIST)
        log_msg(LOG_WARN, "cannot create %s: %s", cfg->data_dir, strerror(errno));
    if (mkdir(spool, 0700) < 0 && errno != EEXIST)
        log_msg(LOG_WARN, "cannot create %s: %s", spool, strerror(errno));
    struct http_config hc = {
        .listen = cfg->listen,
        .threads = cfg->threads,
        .max_headers = 16 * 1024,
        .max_body = 1024 * 1024,
        .max_anon_body = 64 * 1024,
        .max_connections = cfg->max_connections,
        /* Database connections, report and spool files, the private
         * MariaDB's pipes, listeners and the loops' own descriptors. */
        .fd_reserve = cfg->db_pool + 64,
        .request_timeout = cfg->request_timeout,
        .idle_timeout = cfg->idle_timeout,
        .spool_dir = spool,
        .raw_spool_dir = NULL,
        .upload_rate = (double)cfg->upload_rate * 1024 * 1024,
    };
    if (http_check_fd_limit(&hc) < 0)
        return 1;
    struct database d;
    /* Settings that can be wrong are checked before a database is started. */
    char err[256];
    if (thumbnail_init("fibertrackd") < 0) {
        fprintf(stderr, "fibertrackd: the image library (libvips) cannot start\n");
        return 1;
    }
    /* GDAL's temporary files go where request bodies are spooled. */
    if (gis_runtime_start(spool) < 0) {
        fprintf(stderr, "fibertrackd: the GIS library (GDAL) cannot start\n");
        return 1;
    }
    if (blobstore_init(attachments, err, sizeof(err)) < 0 ||
        auth_init(cfg->trusted_proxies, err, sizeof(err)) < 0 ||
        meta_metrics_configure(cfg->metrics_token, err, sizeof(err)) < 0 ||
        secret_init(cfg->secret, cfg->data_dir, err, sizeof(err)) < 0) {
        fprintf(stderr, "fibertrackd: %s\n", err);
        return 2;
    }
    char origin[300];
    if (cfg->map_tiles[0] && webapp_map_origin(cfg->map_tiles, origin, sizeof(origin)) < 0) {
        fprintf(stderr, "fibertrackd: FT_MAP_TILES must be an http(s) URL template with {z}, {x} "
                        "and {y} in its path, e.g. https://tiles.example.org/{z}/{x}/{y}.png\n");
        return 2;
    }
    hc.raw_spool_dir = raw_spool_dir(spool, raw_spool);
    if (database_open(cfg, &d) < 0)
        return 1;
    struct db *db = connect_or_say(&d);
    if (!db) {
        database_close(&d);
        return 1;
    }
    int version = migrate_current(db);
    db_close(db);
    if (version < SCHEMA_VERSION) {
        fprintf(stderr,
                "fibertrackd: the database schema is at version %d, but this fibertrackd needs "
                "version %d.\nRun 'fibertrackd migrate' (with the same FT_DB_URL or FT_DATA_DIR) "
                "and start it again.\n",
                version, SCHEMA_VERSION);
        database_close(&d);
        return 1;
    }
    /* A fixed mmap threshold: left dynamic, glibc raises it (and the trim
     * threshold with it) the first time a large block is freed, and from
     * then on every DB worker's malloc arena kept up to ~9 MB of free
     * memory after each large report (VmRSS +88 MB after eight
     * progress.xlsx of 100,000 segments instead of +16 MB). */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    if (db_pool_start(&d.cfg, cfg->db_pool, cfg->db_queue) < 0 ||
        meta_init(api_routes, api_nroutes, SCHEMA_VERSION) < 0 ||
        pipeline_start(FILE_WORKERS) < 0) {
        fprintf(stderr, "fibertrackd: cannot start workers\n");
        database_close(&d);
        return 1;
    }
    if (openapi_init(api_routes, api_nroutes, hc.max_body, hc.max_anon_body) < 0) {
        fprintf(stderr, "fibertrackd: the route table does not make an OpenAPI document\n");
        pipeline_stop();
        db_pool_stop();
        database_close(&d);
        return 1;
    }
    char webdir[1024];
    webapp_dir(webdir, sizeof(webdir));
    int nweb = webapp_load(webdir);
    if (nweb == -2) {
        log_msg(LOG_ERROR,
                "%s holds more dashboard files than fibertrackd serves (MAX_FILES in "
                "server/api/webapp.c)",
                webdir);
        pipeline_stop();
        db_pool_stop();
        database_close(&d);
        return 1;
    }
    if (nweb <= 0)
        log_msg(LOG_WARN, "no dashboard files in %s; / answers 404", webdir);
    if (webapp_configure(cfg->map_tiles, cfg->map_attribution) < 0)
        log_msg(LOG_WARN, "the dashboard's settings (config.json) could not be made");
    struct http_app app = {
        .routes = api_routes,
        .nroutes = api_nroutes,
        .submit = pipeline_submit,
        .done = meta_count,
    };
    if (http_start(&hc, &app) < 0) {
        pipeline_stop();
        db_pool_stop();
        database_close(&d);
        return 1;
    }
    log_msg(LOG_INFO, "listening on http://%s/ with %d event loops and %d database connections",
            cfg->listen, cfg->threads, cfg->db_pool);
    printf("fibertrackd: listening on http://%s/\n", cfg->listen);
    fflush(stdout);

    srv.base = event_base_new();
    srv.db = &d;
    struct event *sigterm = evsignal_new(srv.base, SIGTERM, on_signal, NULL);
    struct event *sigint = evsignal_new(srv.base, SIGINT, on_signal, NULL);
    struct event *tick = event_new(srv.base, -1, EV_PERSIST, on_tick, NULL);
    struct timeval two = {2, 0};
    event_add(sigterm, NULL);
    event_add(sigint, NULL);
    event_add(tick, &two);
    if (housekeeping_start(srv.base, cfg->housekeeping_interval) < 0)
        log_msg(LOG_WARN, "housekeeping cannot start; nothing old is purged");
    event_base_dispatch(srv.base);
    housekeeping_stop();

    /* Stop accepting, let in-flight requests finish (bounded), then stop.
     * Requests still stuck in the database after the grace period are
     * interrupted so that they answer 503 instead of holding the exit. */
    http_stop_accepting();
    if (!wait_idle(cfg->shutdown_grace)) {
        log_msg(LOG_WARN, "%d requests still running after the grace period; interrupting them",
                http_in_flight());
        db_pool_interrupt();
        if (!wait_idle(5))
            log_msg(LOG_WARN, "%d requests not answered", http_in_flight());
    }
    http_stop();
    /* File workers first: what they finish goes on to a database worker. */
    pipeline_stop();
    db_pool_stop();
    gis_runtime_stop();
    meta_free();
    openapi_free();
    webapp_free();
    event_free(sigterm);
    event_free(sigint);
    event_free(tick);
    event_base_free(srv.base);
    database_close(&d);
    log_msg(LOG_INFO, "stopped");
    return 0;
}

/* ---- the other commands ---- */

static const char *flag(int argc, char **argv, const char *name)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return NULL;
}

static int cmd_migrate(const struct config *cfg)
{
    struct database d;
    if (database_open(cfg, &d) < 0)
        return 1;
    struct db *db = connect_or_say(&d);
    int rc = 1;
    if (db) {
        char dir[1024];
        migrate_schema_dir(dir, sizeof(dir));
        rc = migrate_apply(db, dir) == 0 ? 0 : 1;
        db_close(db);
    }
    database_close(&d);
    return rc;
}

/* Opens the database for a command that needs a current schema. */
static struct db *open_current(const struct config *cfg, struct database *d)
{
    if (database_open(cfg, d) < 0)
        return NULL;
    struct db *db = connect_or_say(d);
    if (db && migrate_current(db) < SCHEMA_VERSION) {
        fprintf(stderr, "fibertrackd: the database schema is not current; run 'fibertrackd "
                        "migrate' first\n");
        db_close(db);
        db = NULL;
    }
    if (!db)
        database_close(d);
    return db;
}

static int cmd_demo(const struct config *cfg, int argc, char **argv)
{
    const char *s = flag(argc, argv, "--segments");
    const char *p = flag(argc, argv, "--premises-per-segment");
    long segments = s ? strtol(s, NULL, 10) : 240;
    int per = p ? (int)strtol(p, NULL, 10) : 2;
    if (segments < 1 || segments > 5000000 || per < 1 || per > 50) {
        fprintf(stderr, "fibertrackd demo: --segments 1..5000000, --premises-per-segment 1..50\n");
        return 2;
    }
    struct database d;
    struct db *db = open_current(cfg, &d);
    if (!db)
        return 1;
    int rc = demo_load(db, segments, per);
    if (rc == 1)
        printf("fibertrackd: loaded the demo project (%ld segments, %ld premises)\n", segments,
               segments * per);
    else if (rc == 0)
        printf("fibertrackd: the database holds projects already; no demo loaded\n");
    db_close(db);
    database_close(&d);
    if (rc >= 0) {
        char url[160];
        snprintf(url, sizeof(url), "http://%s/", cfg->listen);
        demo_print_logins(url);
    }
    return rc < 0 ? 1 : 0;
}

static int cmd_user_add(const struct config *cfg, int argc, char **argv)
{
    const char *email = flag(argc, argv, "--email"), *name = flag(argc, argv, "--name");
    const char *role = flag(argc, argv, "--role"), *contractor = flag(argc, argv, "--contractor");
    if (!email || !name || !role || !role_parse(role)) {
        fprintf(stderr, "usage: fibertrackd user add --email E --name N "
                        "--role admin|manager|finance|contractor [--contractor ID] < password\n");
        return 2;
    }
    if ((strcmp(role, "contractor") == 0) != (contractor != NULL)) {
        fprintf(stderr,
                "fibertrackd: --contractor ID is needed for, and only for, role contractor\n");
        return 2;
    }
    char password[1024];
    if (!fgets(password, sizeof(password), stdin)) {
        fprintf(stderr, "fibertrackd: give the password on standard input\n");
        return 2;
    }
    password[strcspn(password, "\r\n")] = '\0';
    if (strlen(password) < 10) {
        fprintf(stderr, "fibertrackd: the password needs at least 10 characters\n");
        return 2;
    }
    char hash[PASSWORD_HASH_LEN];
    if (cred_hash_password(password, hash) < 0) {
        fprintf(stderr, "fibertrackd: cannot hash the password (out of memory?)\n");
        return 1;
    }
    struct database d;
    struct db *db = open_current(cfg, &d);
    if (!db)
        return 1;
    struct pool *pool = pool_new();
    struct db_param p[] = {DB_TEXTP(email), DB_TEXTP(name), DB_TEXTP(role),
                           contractor ? DB_INTP(atoll(contractor)) : DB_NULLP, DB_TEXTP(hash)};
    struct db_rows *rows;
    enum db_rc rc = db_begin(db);
    if (rc == DB_OK)
        rc = db_exec(db, pool,
                     "INSERT INTO users (email, name, role, contractor_id, password_hash) "
                     "VALUES (?, ?, ?, ?, ?)",
                     p, 5, &rows);
    if (rc == DB_OK) {
        struct db_param a[] = {DB_INTP((long long)rows->insert_id)};
        rc = db_exec(db, pool,
                     "INSERT INTO audit_log (user_name, request_id, action, entity, entity_id, "
                     "after_json) SELECT 'fibertrackd user add', 'cli', 'create', 'user', id, "
                     "JSON_OBJECT('id', id, 'email', email, 'name', name, 'role', role, "
                     "'contractor_id', contractor_id) FROM users WHERE id = ?",
                     a, 1, NULL);
    }
    if (rc == DB_OK)
        rc = db_commit(db);
    if (rc == DB_OK) {
        printf("fibertrackd: user %s added (id %llu, role %s)\n", email,
               (unsigned long long)rows->insert_id, role);
    } else {
        db_rollback(db);
        if (rc == DB_DUPLICATE)
            fprintf(stderr, "fibertrackd: a user with e-mail %s exists already\n", email);
        else if (rc == DB_FOREIGN_KEY)
            fprintf(stderr, "fibertrackd: there is no contractor with id %s\n", contractor);
        else
            fprintf(stderr, "fibertrackd: cannot add the user: %s\n", db_error(db));
    }
    pool_free(pool);
    db_close(db);
    database_close(&d);
    return rc == DB_OK ? 0 : 1;
}

static int cmd_token_issue(const struct config *cfg, int argc, char **argv)
{
    const char *email = flag(argc, argv, "--email");
    const char *name = flag(argc, argv, "--name");
    if (!email) {
        fprintf(stderr, "usage: fibertrackd token issue --email E [--name N]\n");
        return 2;
    }
    struct database d;
    struct db *db = open_current(cfg, &d);
    if (!db)
        return 1;
    struct pool *pool = pool_new();
    char text[TOKEN_TEXT_LEN], prefix[13];
    unsigned char hash[TOKEN_HASH_LEN];
    cred_new_token(text);
    cred_token_hash(text, hash);
    snprintf(prefix, sizeof(prefix), "%.12s", text);
    struct db_param p[] = {DB_TEXTP(name ? name : "issued by fibertrackd"),
                           DB_BLOBP(hash, sizeof(hash)), DB_TEXTP(prefix), DB_TEXTP(email)};
    struct db_rows *rows;
    enum db_rc rc = db_exec(db, pool,
                            "INSERT INTO tokens (user_id, name, hash, prefix) "
                            "SELECT id, ?, ?, ? FROM users WHERE email = ? AND active = 1",
                            p, 4, &rows);
    int status = 1;
    if (rc != DB_OK)
        fprintf(stderr, "fibertrackd: cannot issue the token: %s\n", db_error(db));
    else if (rows->affected == 0)
        fprintf(stderr, "fibertrackd: no active user with e-mail %s\n", email);
    else {
        printf("%s\n", text);
        status = 0;
    }
    pool_free(pool);
    db_close(db);
    database_close(&d);
    return status;
}

int main(int argc, char **argv)
{
    struct config cfg;
    char err[256];
    if (help_or_version(argc, argv))
        return 0;
    if (config_load(&cfg, &argc, argv, err, sizeof(err)) < 0) {
        fprintf(stderr, "fibertrackd: %s\n", err);
        return 2;
    }
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    if (log_set_level(cfg.log_level) < 0) {
        fprintf(stderr, "fibertrackd: FT_LOG must be debug, info, warn or error\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (cred_init() < 0) {
        fprintf(stderr, "fibertrackd: libsodium cannot initialise\n");
        return 1;
    }
    db_library_init();
    int rc;
    const char *cmd = argv[1];
    const char *sub = argc > 2 ? argv[2] : "";
    if (strcmp(cmd, "serve") == 0)
        rc = cmd_serve(&cfg);
    else if (strcmp(cmd, "migrate") == 0)
        rc = cmd_migrate(&cfg);
    else if (strcmp(cmd, "demo") == 0)
        rc = cmd_demo(&cfg, argc, argv);
    else if (strcmp(cmd, "user") == 0 && strcmp(sub, "add") == 0)
        rc = cmd_user_add(&cfg, argc, argv);
    else if (strcmp(cmd, "token") == 0 && strcmp(sub, "issue") == 0)
        rc = cmd_token_issue(&cfg, argc, argv);
    else {
        fprintf(stderr, "fibertrackd: unknown command '%s'\n\n%s", cmd, usage);
        rc = 2;
    }
    db_library_end();
    return rc;
}
