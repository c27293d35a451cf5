/* db.c — MariaDB connections, prepared statements and the worker pool. */
#include "db/db.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/log.h"
#include "util/pool.h"

#define STMT_CACHE 256

struct stmt_entry {
    char *sql;
    MYSQL_STMT *stmt;
};

struct db {
    MYSQL *mysql;
    struct db_config cfg;
    struct stmt_entry cache[STMT_CACHE];
    int nerr;
    char err[512];
    time_t last_used;
};

/* ---- configuration ---- */

static int copy_part(char *dst, size_t size, const char *src, size_t len)
{
    if (len >= size)
        return -1;
    memcpy(dst, src, len);
    dst[len] = '\0';
    return 0;
}

/* Decodes %XX escapes in place (passwords may contain '@' or ':'). */
static void url_unescape(char *s)
{
    char *out = s;
    for (; *s; s++) {
        if (s[0] == '%' && s[1] && s[2]) {
            char hex[3] = {s[1], s[2], 0};
            char *end;
            long v = strtol(hex, &end, 16);
            if (*end == '\0') {
                *out++ = (char)v;
                s += 2;
                continue;
            }
        }
        *out++ = *s;
    }
    *out = '\0';
}

int db_config_parse(const char *url, struct db_config *cfg, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof(*cfg));
    const char *p = url;
    if (strncmp(p, "mariadb://", 10) == 0)
        p += 10;
    else if (strncmp(p, "mysql://", 8) == 0)
        p += 8;
    else {
        snprintf(err, errlen, "database URL must start with mariadb://");
        return -1;
    }
    const char *slash = strchr(p, '/');
    const char *query = strchr(p, '?');
    if (!slash || (query && query < slash)) {
        snprintf(err, errlen, "database URL names no database (mariadb://user@host/DATABASE)");
        return -1;
    }
    const char *at = memchr(p, '@', (size_t)(slash - p));
    const char *hostpart = p;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        size_t ulen = colon ? (size_t)(colon - p) : (size_t)(at - p);
        if (copy_part(cfg->user, sizeof(cfg->user), p, ulen) < 0)
            goto toolong;
        if (colon && copy_part(cfg->password, sizeof(cfg->password), colon + 1,
                               (size_t)(at - colon - 1)) < 0)
            goto toolong;
        hostpart = at + 1;
    }
    const char *pcolon = memchr(hostpart, ':', (size_t)(slash - hostpart));
    size_t hlen = pcolon ? (size_t)(pcolon - hostpart) : (size_t)(slash - hostpart);
    if (copy_part(cfg->host, sizeof(cfg->host), hostpart, hlen) < 0)
        goto toolong;
    cfg->port = 3306;
    if (pcolon) {
        char *end;
        long port = strtol(pcolon + 1, &end, 10);
        if (end != slash || port <= 0 || port > 65535) {
            snprintf(err, errlen, "database URL has an invalid port");
            return -1;
        }
        cfg->port = (unsigned)port;
    }
    const char *q = strchr(slash + 1, '?');
    size_t dlen = q ? (size_t)(q - slash - 1) : strlen(slash + 1);
    if (dlen == 0) {
        snprintf(err, errlen, "database URL names no database (mariadb://user@host/DATABASE)");
        return -1;
    }
    if (copy_part(cfg->database, sizeof(cfg->database), slash + 1, dlen) < 0)
        goto toolong;
    while (q && *q) {
        q++;
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        if (strncmp(q, "socket=", 7) == 0) {
            if (copy_part(cfg->socket, sizeof(cfg->socket), q + 7, len - 7) < 0)
                goto toolong;
        } else {
            snprintf(err, errlen, "database URL has an unknown option '%.*s'", (int)len, q);
            return -1;
        }
        q = amp;
    }
    if (!cfg->user[0])
        snprintf(cfg->user, sizeof(cfg->user), "root");
    url_unescape(cfg->user);
    url_unescape(cfg->password);
    url_unescape(cfg->socket);
    return 0;
toolong:
    snprintf(err, errlen, "database URL has a part that is too long");
    return -1;
}

/* ---- errors ---- */

static enum db_rc classify(unsigned err)
{
    switch (err) {
    case 0:
        return DB_OK;
    case ER_LOCK_DEADLOCK:
    case ER_LOCK_WAIT_TIMEOUT:
        return DB_RETRY;
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_LOST_EXTENDED:
    case CR_COMMANDS_OUT_OF_SYNC:
    case ER_CONNECTION_KILLED:
    case ER_SERVER_SHUTDOWN:
    case ER_NORMAL_SHUTDOWN:
    case ER_OPTION_PREVENTS_STATEMENT:
    case ER_UNKNOWN_COM_ERROR: /* also Galera's "WSREP has not yet prepared node" */
    case 4031:                 /* ER_CLIENT_INTERACTION_TIMEOUT */
    case 1180:                 /* Galera: got error during COMMIT */
        return DB_GONE;
    case ER_DUP_ENTRY:
        return DB_DUPLICATE;
    case ER_NO_REFERENCED_ROW:
    case ER_NO_REFERENCED_ROW_2:
    case ER_ROW_IS_REFERENCED:
    case ER_ROW_IS_REFERENCED_2:
        return DB_FOREIGN_KEY;
    case 4025: /* ER_CONSTRAINT_FAILED */
    case ER_WARN_DATA_OUT_OF_RANGE:
    case ER_DATA_TOO_LONG:
    case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
    case ER_TRUNCATED_WRONG_VALUE:
    case ER_CANT_CREATE_GEOMETRY_OBJECT:
    case 4038: /* ER_GEOJSON_INCORRECT */
    case 4048: /* ER_GEOJSON_EMPTY_COORDINATES */
    case ER_DIVISION_BY_ZERO:
        return DB_CONSTRAINT;
    default:
        return DB_ERROR;
    }
}

static void cache_clear(struct db *db)
{
    for (int i = 0; i < STMT_CACHE; i++) {
        if (db->cache[i].stmt)
            mysql_stmt_close(db->cache[i].stmt);
        free(db->cache[i].sql);
        db->cache[i].stmt = NULL;
        db->cache[i].sql = NULL;
    }
}

/* Records an error; a lost connection is dropped so the next job reconnects
 * and re-prepares. */
static enum db_rc fail(struct db *db, unsigned err, const char *msg)
{
    db->nerr = (int)err;
    snprintf(db->err, sizeof(db->err), "%u: %s", err, msg);
    enum db_rc rc = classify(err);
    if (rc == DB_GONE && db->mysql) {
        cache_clear(db);
        mysql_close(db->mysql);
        db->mysql = NULL;
    }
    if (rc == DB_ERROR)
        log_msg(LOG_ERROR, "database error %s", db->err);
    return rc;
}

const char *db_error(struct db *db) { return db->err; }

int db_errno(struct db *db) { return db->nerr; }

int db_lock_wait_timed_out(struct db *db) { return db->nerr == ER_LOCK_WAIT_TIMEOUT; }

/* ---- connections ---- */

static MYSQL *open_conn(const struct db_config *cfg, const char *database, char *err, size_t errlen)
{
    MYSQL *m = mysql_init(NULL);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    unsigned timeout = 3;
    unsigned rw_timeout = 120;
    my_bool off = 0;
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rw_timeout);
    mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout);
    mysql_options(m, MYSQL_OPT_RECONNECT, &off);
    mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    /* UTC timestamps; bounded lock waits so a stalled server turns into
     * retries and then 503s instead of requests that hang for a year. */
    mysql_options(m, MYSQL_INIT_COMMAND,
                  "SET time_zone='+00:00', lock_wait_timeout=10, innodb_lock_wait_timeout=5, "
                  "sql_mode='STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
                  "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
    const char *host = cfg->socket[0] ? "localhost" : cfg->host;
    if (!mysql_real_connect(m, host, cfg->user, cfg->password[0] ? cfg->password : NULL, database,
                            cfg->port, cfg->socket[0] ? cfg->socket : NULL, CLIENT_FOUND_ROWS)) {
        snprintf(err, errlen, "cannot connect to the database: %s", mysql_error(m));
        mysql_close(m);
        return NULL;
    }
    return m;
}

struct db *db_connect(const struct db_config *cfg, char *err, size_t errlen)
{
    struct db *db = calloc(1, sizeof(*db));
    if (!db) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    db->cfg = *cfg;
    db->mysql = open_conn(cfg, cfg->database, err, errlen);
    if (!db->mysql) {
        free(db);
        return NULL;
    }
    db->last_used = time(NULL);
    return db;
}

/* Reconnects a pooled handle after a loss; returns 0 when connected. */
static int db_reconnect(struct db *db)
{
    char err[512];
    if (db->mysql)
        return 0;
    db->mysql = open_conn(&db->cfg, db->cfg.database, err, sizeof(err));
    if (!db->mysql) {
        snprintf(db->err, sizeof(db->err), "%s", err);
        return -1;
    }
    db->last_used = time(NULL);
    return 0;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    cache_clear(db);
    if (db->mysql)
        mysql_close(db->mysql);
    free(db);
}

int db_create_database(const struct db_config *cfg, char *err, size_t errlen)
{
    MYSQL *m = open_conn(cfg, NULL, err, errlen);
    if (!m)
        return -1;
    /* The name comes from our own configuration, never from a request;
     * identifiers cannot be bound as parameters, so it is checked instead. */
    for (const char *c = cfg->database; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_')) {
            snprintf(err, errlen, "database name may use only letters, digits and '_'");
            mysql_close(m);
            return -1;
        }
    }
    char sql[256];
    snprintf(sql, sizeof(sql),
             "CREATE DATABASE IF NOT EXISTS `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
             cfg->database);
    int rc = mysql_query(m, sql);
    if (rc)
        snprintf(err, errlen, "cannot create database: %s", mysql_error(m));
    mysql_close(m);
    return rc ? -1 : 0;
}

/* ---- statements ---- */

static unsigned long hash_str(const char *s)
{
    unsigned long h = 5381;
    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h;
}

static MYSQL_STMT *stmt_get(struct db *db, const char *sql, int *rc)
{
    unsigned long h = hash_str(sql) % STMT_CACHE;
    for (int probe = 0; probe < STMT_CACHE; probe++) {
        struct stmt_entry *e = &db->cache[(h + (unsigned long)probe) % STMT_CACHE];
        if (e->sql && strcmp(e->sql, sql) == 0)
            return e->stmt;
        if (!e->sql) {
            MYSQL_STMT *st = mysql_stmt_init(db->mysql);
            if (!st) {
                *rc = fail(db, CR_OUT_OF_MEMORY, "out of memory");
                return NULL;
            }
            if (mysql_stmt_prepare(st, sql, strlen(sql))) {
                unsigned e_no = mysql_stmt_errno(st);
                char msg[400];
                snprintf(msg, sizeof(msg), "%s (preparing: %.200s)", mysql_stmt_error(st), sql);
                mysql_stmt_close(st);
                *rc = fail(db, e_no, msg);
                return NULL;
            }
            e->sql = strdup(sql);
            e->stmt = st;
            return st;
        }
    }
    /* The cache is full of distinct statements; start over. */
    cache_clear(db);
    return stmt_get(db, sql, rc);
}

/* Drops one cached statement (after ER_NEED_REPREPARE). */
static void stmt_forget(struct db *db, const char *sql)
{
    for (int i = 0; i < STMT_CACHE; i++) {
        if (db->cache[i].sql && strcmp(db->cache[i].sql, sql) == 0) {
            mysql_stmt_close(db->cache[i].stmt);
            free(db->cache[i].sql);
            db->cache[i].sql = NULL;
            db->cache[i].stmt = NULL;
            /* Re-insert the rest of the probe chain would be needed for an
             * open-addressing table; clearing everything is simpler and rare. */
            cache_clear(db);
            return;
        }
    }
}

static enum db_rc fetch_rows(struct db *db, MYSQL_STMT *st, struct pool *pool, struct db_rows *out)
{
    MYSQL_RES *meta = mysql_stmt_result_metadata(st);
    if (!meta)
        return DB_OK;
    size_t ncols = mysql_num_fields(meta);
    MYSQL_FIELD *fields = mysql_fetch_fields(meta);
    out->ncols = ncols;
    out->names = pool_alloc(pool, sizeof(char *) * ncols);
    for (size_t c = 0; c < ncols; c++)
        out->names[c] = pool_strdup(pool, fields[c].name);
    mysql_free_result(meta);

    if (mysql_stmt_store_result(st))
        return fail(db, mysql_stmt_errno(st), mysql_stmt_error(st));
    size_t nrows = (size_t)mysql_stmt_num_rows(st);
    out->nrows = nrows;
    out->cells = pool_alloc(pool, sizeof(char *) * (nrows * ncols + 1));

    enum { BUF = 256 };
    MYSQL_BIND *bind = calloc(ncols, sizeof(MYSQL_BIND));
    char *bufs = malloc(ncols * BUF);
    unsigned long *lens = calloc(ncols, sizeof(unsigned long));
    my_bool *nulls = calloc(ncols, sizeof(my_bool));
    /* An error is recorded only after the statement's result is freed:
     * fail() closes every statement when the connection is lost. */
    unsigned err = 0;
    char msg[256] = "";
    if (!bind || !bufs || !lens || !nulls) {
        err = CR_OUT_OF_MEMORY;
        snprintf(msg, sizeof(msg), "out of memory");
        goto out;
    }
    for (size_t c = 0; c < ncols; c++) {
        bind[c].buffer_type = MYSQL_TYPE_STRING;
        bind[c].buffer = bufs + c * BUF;
        bind[c].buffer_length = BUF;
        bind[c].length = &lens[c];
        bind[c].is_null = &nulls[c];
    }
    if (mysql_stmt_bind_result(st, bind)) {
        err = mysql_stmt_errno(st);
        snprintf(msg, sizeof(msg), "%s", mysql_stmt_error(st));
        goto out;
    }
    for (size_t r = 0; r < nrows; r++) {
        int f = mysql_stmt_fetch(st);
        if (f == 1) {
            err = mysql_stmt_errno(st);
            snprintf(msg, sizeof(msg), "%s", mysql_stmt_error(st));
            goto out;
        }
        if (f == MYSQL_NO_DATA)
            break;
        for (size_t c = 0; c < ncols; c++) {
            const char **cell = &out->cells[r * ncols + c];
            if (nulls[c]) {
                *cell = NULL;
            } else if (lens[c] <= BUF) {
                *cell = pool_strndup(pool, bufs + c * BUF, lens[c]);
            } else {
                /* Longer than the bind buffer: fetch this column whole. */
                char *big = pool_alloc(pool, lens[c] + 1);
                MYSQL_BIND one = {0};
                unsigned long len = 0;
                one.buffer_type = MYSQL_TYPE_STRING;
                one.buffer = big;
                one.buffer_length = lens[c] + 1;
                one.length = &len;
                if (mysql_stmt_fetch_column(st, &one, (unsigned)c, 0)) {
                    err = mysql_stmt_errno(st);
                    snprintf(msg, sizeof(msg), "%s", mysql_stmt_error(st));
                    goto out;
                }
                big[lens[c]] = '\0';
                *cell = big;
            }
        }
    }
out:
    mysql_stmt_free_result(st);
    free(bind);
    free(bufs);
    free(lens);
    free(nulls);
    return err ? fail(db, err, msg) : DB_OK;
}

enum db_rc db_exec(struct db *db, struct pool *pool, const char *sql, const struct db_param *params,
                   size_t nparams, struct db_rows **rows)
{
    if (rows)
        *rows = NULL;
    if (!db->mysql)
        return fail(db, CR_SERVER_GONE_ERROR, "not connected");
    db->last_used = time(NULL);
    for (int attempt = 0;; attempt++) {
        int rc = DB_OK;
        MYSQL_STMT *st = stmt_get(db, sql, &rc);
        if (!st)
            return rc;
        if (nparams != mysql_stmt_param_count(st))
            return fail(db, CR_PARAMS_NOT_BOUND, "parameter count does not match statement");
        MYSQL_BIND *bind = pool_alloc(pool, sizeof(MYSQL_BIND) * (nparams ? nparams : 1));
        for (size_t i = 0; i < nparams; i++) {
            switch (params[i].type) {
            case DBT_NULL:
                bind[i].buffer_type = MYSQL_TYPE_NULL;
                break;
            case DBT_INT:
                bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
                bind[i].buffer = (void *)(uintptr_t)&params[i].i; /* only read by the library */
                break;
            case DBT_DOUBLE:
                bind[i].buffer_type = MYSQL_TYPE_DOUBLE;
                bind[i].buffer = (void *)(uintptr_t)&params[i].d;
                break;
            case DBT_TEXT:
                bind[i].buffer_type = MYSQL_TYPE_STRING;
                bind[i].buffer = (void *)(uintptr_t)params[i].s;
                bind[i].buffer_length = params[i].len;
                break;
            }
        }
        if (nparams && mysql_stmt_bind_param(st, bind))
            return fail(db, mysql_stmt_errno(st), mysql_stmt_error(st));
        if (mysql_stmt_execute(st)) {
            unsigned e = mysql_stmt_errno(st);
            if (e == ER_NEED_REPREPARE && attempt == 0) {
                stmt_forget(db, sql);
                continue;
            }
            return fail(db, e, mysql_stmt_error(st));
        }
        struct db_rows *res = pool_alloc(pool, sizeof(*res));
        rc = fetch_rows(db, st, pool, res);
        if (rc != DB_OK)
            return rc;
        res->affected = (unsigned long long)mysql_stmt_affected_rows(st);
        res->insert_id = (unsigned long long)mysql_stmt_insert_id(st);
        if (rows)
            *rows = res;
        return DB_OK;
    }
}

static enum db_rc simple(struct db *db, const char *sql)
{
    if (!db->mysql)
        return fail(db, CR_SERVER_GONE_ERROR, "not connected");
    if (mysql_real_query(db->mysql, sql, strlen(sql)))
        return fail(db, mysql_errno(db->mysql), mysql_error(db->mysql));
    return DB_OK;
}

enum db_rc db_begin(struct db *db) { return simple(db, "START TRANSACTION"); }

enum db_rc db_begin_shared(struct db *db)
{
    /* Applies to the next transaction only: each request's statements see
     * what is committed when they run, not a snapshot taken by the
     * request before it in the same transaction. */
    enum db_rc rc = simple(db, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
    return rc == DB_OK ? simple(db, "START TRANSACTION") : rc;
}

enum db_rc db_savepoint(struct db *db) { return simple(db, "SAVEPOINT part"); }

enum db_rc db_rollback_savepoint(struct db *db) { return simple(db, "ROLLBACK TO SAVEPOINT part"); }

enum db_rc db_commit(struct db *db) { return simple(db, "COMMIT"); }

void db_rollback(struct db *db)
{
    if (db->mysql && mysql_real_query(db->mysql, "ROLLBACK", 8))
        fail(db, mysql_errno(db->mysql), mysql_error(db->mysql));
}

int db_exec_script(struct db *db, const char *sql)
{
    if (!db->mysql)
        return fail(db, CR_SERVER_GONE_ERROR, "not connected");
    if (mysql_set_server_option(db->mysql, MYSQL_OPTION_MULTI_STATEMENTS_ON))
        return fail(db, mysql_errno(db->mysql), mysql_error(db->mysql));
    int rc = DB_OK;
    if (mysql_real_query(db->mysql, sql, strlen(sql))) {
        rc = fail(db, mysql_errno(db->mysql), mysql_error(db->mysql));
    } else {
        int more;
        do {
            MYSQL_RES *res = mysql_store_result(db->mysql);
            if (res)
                mysql_free_result(res);
            more = mysql_next_result(db->mysql);
            if (more > 0) {
                rc = fail(db, mysql_errno(db->mysql), mysql_error(db->mysql));
                break;
            }
        } while (more == 0);
    }
    if (db->mysql)
        mysql_set_server_option(db->mysql, MYSQL_OPTION_MULTI_STATEMENTS_OFF);
    return rc;
}

/* ---- the pool ---- */

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct db_job *head, *tail;
    int queued, queue_max, nthreads, stopping;
    pthread_t *threads;
    atomic_ulong *conn_ids; /* each worker's MariaDB connection id, 0 when none */
    struct db_config cfg;
    atomic_int busy, connected, down;
    atomic_ullong reconnects, rejected;
    time_t down_until; /* under lock: no new connect attempts before this */
} P = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

/* Makes sure db has a live connection; idle ones are pinged first so a
 * connection the server closed does not fail a user's request. */
static int worker_ensure(struct db *db)
{
    if (db->mysql && time(NULL) - db->last_used > 30 && mysql_ping(db->mysql)) {
        fail(db, CR_SERVER_GONE_ERROR, "idle connection lost");
    }
    if (db->mysql)
        return 0;
    pthread_mutex_lock(&P.lock);
    int skip = time(NULL) < P.down_until;
    pthread_mutex_unlock(&P.lock);
    if (skip)
        return -1;
    if (db_reconnect(db) == 0) {
        atomic_fetch_add(&P.reconnects, 1);
        atomic_store(&P.down, 0);
        return 0;
    }
    /* Back off for a second so a dead server costs each request a fast
     * 503, not a connect timeout. */
    pthread_mutex_lock(&P.lock);
    P.down_until = time(NULL) + 1;
    pthread_mutex_unlock(&P.lock);
    if (!atomic_exchange(&P.down, 1))
        log_msg(LOG_WARN, "database unavailable: %s", db->err);
    return -1;
}

/* Unlinks up to max queued jobs that share first's run_group, oldest
 * first, into out; called with P.lock held. Returns how many. */
static int take_group(const struct db_job *first, struct db_job **out, int max)
{
    int n = 0;
    struct db_job *prev = NULL, *j = P.head;
    while (j && n < max) {
        struct db_job *next = j->next;
        if (j->run_group == first->run_group) {
            if (prev)
                prev->next = next;
            else
                P.head = next;
            if (P.tail == j)
                P.tail = prev;
            P.queued--;
            out[n++] = j;
        } else {
            prev = j;
        }
        j = next;
    }
    return n;
}

static void *worker_main(void *arg)
{
    size_t index = (size_t)(uintptr_t)arg;
    mysql_thread_init();
    struct db *db = calloc(1, sizeof(*db));
    if (!db)
        abort();
    db->cfg = P.cfg;
    int had = 0;
    for (;;) {
        pthread_mutex_lock(&P.lock);
        while (!P.head && !P.stopping)
            pthread_cond_wait(&P.cond, &P.lock);
        struct db_job *job = P.head;
        if (!job) {
            pthread_mutex_unlock(&P.lock);
            break;
        }
        P.head = job->next;
        if (!P.head)
            P.tail = NULL;
        P.queued--;
        struct db_job *group[DB_GROUP_MAX];
        int n = 1;
        group[0] = job;
        if (job->run_group)
            n += take_group(job, group + 1, DB_GROUP_MAX - 1);
        pthread_mutex_unlock(&P.lock);

        atomic_fetch_add(&P.busy, 1);
        int ok = worker_ensure(db) == 0;
        atomic_store(&P.conn_ids[index], ok ? mysql_thread_id(db->mysql) : 0);
        if (n > 1)
            job->run_group(ok ? db : NULL, group, n);
        else
            job->run(ok ? db : NULL, job->arg);
        atomic_store(&P.conn_ids[index], 0);
        int has = db->mysql != NULL;
        if (had != has)
            atomic_fetch_add(&P.connected, has ? 1 : -1);
        had = has;
        atomic_fetch_sub(&P.busy, 1);
    }
    db_close(db);
    mysql_thread_end();
    return NULL;
}

int db_pool_start(const struct db_config *cfg, int nthreads, int queue_max)
{
    P.cfg = *cfg;
    P.queue_max = queue_max;
    P.nthreads = nthreads;
    P.threads = calloc((size_t)nthreads, sizeof(pthread_t));
    P.conn_ids = calloc((size_t)nthreads, sizeof(atomic_ulong));
    if (!P.threads || !P.conn_ids)
        return -1;
    for (int i = 0; i < nthreads; i++)
        if (pthread_create(&P.threads[i], NULL, worker_main, (void *)(uintptr_t)i) != 0)
            return -1;
    return 0;
}

int db_pool_submit(struct db_job *job)
{
    pthread_mutex_lock(&P.lock);
    if (P.stopping || P.queued >= P.queue_max) {
        pthread_mutex_unlock(&P.lock);
        atomic_fetch_add(&P.rejected, 1);
        return -1;
    }
    job->next = NULL;
    if (P.tail)
        P.tail->next = job;
    else
        P.head = job;
    P.tail = job;
    P.queued++;
    pthread_cond_signal(&P.cond);
    pthread_mutex_unlock(&P.lock);
    return 0;
}

int db_pool_interrupt(void)
{
    char err[512];
    MYSQL *m = open_conn(&P.cfg, P.cfg.database, err, sizeof(err));
    if (!m) {
        log_msg(LOG_WARN, "cannot interrupt database work: %s", err);
        return 0;
    }
    int killed = 0;
    for (int i = 0; i < P.nthreads; i++) {
        unsigned long id = atomic_load(&P.conn_ids[i]);
        if (!id)
            continue;
        /* Our own numeric connection id, not request text. An account may
         * always kill its own connections. */
        char sql[64];
        snprintf(sql, sizeof(sql), "KILL CONNECTION %lu", id);
        if (mysql_real_query(m, sql, strlen(sql)) == 0)
            killed++;
    }
    mysql_close(m);
    return killed;
}

void db_pool_stop(void)
{
    pthread_mutex_lock(&P.lock);
    P.stopping = 1;
    pthread_cond_broadcast(&P.cond);
    pthread_mutex_unlock(&P.lock);
    for (int i = 0; i < P.nthreads; i++)
        pthread_join(P.threads[i], NULL);
    free(P.threads);
    free(P.conn_ids);
    P.threads = NULL;
    P.conn_ids = NULL;
    P.nthreads = 0;
}

void db_pool_stats(struct db_pool_stats *out)
{
    pthread_mutex_lock(&P.lock);
    out->queued = P.queued;
    out->queue_max = P.queue_max;
    out->threads = P.nthreads;
    pthread_mutex_unlock(&P.lock);
    out->busy = atomic_load(&P.busy);
    out->connected = atomic_load(&P.connected);
    out->reconnects = atomic_load(&P.reconnects);
    out->rejected = atomic_load(&P.rejected);
}

int db_pool_down(void) { return atomic_load(&P.down); }

void db_library_init(void) { mysql_library_init(0, NULL, NULL); }

void db_library_end(void) { mysql_library_end(); }
