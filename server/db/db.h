/* db.h — the database layer. The only code that includes mysql.h.
 *
 * A fixed set of DB worker threads each own one connection with a cache of
 * prepared statements. Work is submitted as jobs to a bounded queue; a job
 * runs on a worker thread with that thread's connection, so no event-loop
 * thread ever waits on the database. Every statement is a prepared statement;
 * parameters are bound, never spliced into SQL text. */
#ifndef FT_DB_H
#define FT_DB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct pool;
struct db;

/* Connection settings, parsed from FT_DB_URL by db_config_parse. */
struct db_config {
    char host[256];
    unsigned port;
    char user[128];
    char password[256];
    char database[128];
    char socket[256];
};

/* Parses mariadb://user:pass@host:port/db?socket=/path. Returns 0, or -1 with
 * a message in err. Pure. */
int db_config_parse(const char *url, struct db_config *cfg, char *err, size_t errlen);

/* Result codes of every db_* call that talks to the server. */
enum db_rc {
    DB_OK = 0,
    DB_RETRY,       /* deadlock or lock wait timeout: retry the transaction */
    DB_GONE,        /* connection lost or server unavailable */
    DB_DUPLICATE,   /* unique key violated */
    DB_FOREIGN_KEY, /* a referenced row is missing, or the row is referenced */
    DB_CONSTRAINT,  /* a CHECK constraint or a value out of range */
    DB_ERROR,       /* anything else: a bug */
};

enum db_type { DBT_NULL, DBT_INT, DBT_DOUBLE, DBT_TEXT };

struct db_param {
    enum db_type type;
    long long i;
    double d;
    const char *s;
    size_t len;
};

#define DB_NULLP ((struct db_param){.type = DBT_NULL})
#define DB_INTP(v) ((struct db_param){.type = DBT_INT, .i = (long long)(v)})
#define DB_DBLP(v) ((struct db_param){.type = DBT_DOUBLE, .d = (v)})
#define DB_TEXTP(v) db_text_param(v)
#define DB_BLOBP(v, n) ((struct db_param){.type = DBT_TEXT, .s = (const char *)(v), .len = (n)})

static inline struct db_param db_text_param(const char *s)
{
    struct db_param p = {.type = s ? DBT_TEXT : DBT_NULL, .s = s, .len = s ? strlen(s) : 0};
    return p;
}

/* A fully fetched result: every cell as text (NULL for SQL NULL). Lives in
 * the pool it was fetched into. */
struct db_rows {
    size_t nrows, ncols;
    const char **names;
    const char **cells; /* row-major, nrows * ncols */
    unsigned long long affected;
    unsigned long long insert_id;
};

static inline const char *db_cell(const struct db_rows *r, size_t row, size_t col)
{
    return r->cells[row * r->ncols + col];
}

/* Runs one prepared statement (prepared once per connection and cached by
 * its SQL text). rows may be NULL for statements without a result. Results
 * are allocated in pool. */
enum db_rc db_exec(struct db *db, struct pool *pool, const char *sql, const struct db_param *params,
                   size_t nparams, struct db_rows **rows) __attribute__((warn_unused_result));

enum db_rc db_begin(struct db *db) __attribute__((warn_unused_result));
/* A transaction that several requests share (group commit), at READ
 * COMMITTED so that each sees what others committed before it ran. */
enum db_rc db_begin_shared(struct db *db) __attribute__((warn_unused_result));
/* The start of one request's part of a shared transaction, and undoing
 * that part alone (one savepoint, replaced by the next part's). */
enum db_rc db_savepoint(struct db *db) __attribute__((warn_unused_result));
enum db_rc db_rollback_savepoint(struct db *db) __attribute__((warn_unused_result));
enum db_rc db_commit(struct db *db) __attribute__((warn_unused_result));
void db_rollback(struct db *db);
/* The server's last error text, for the log only (never for clients). */
const char *db_error(struct db *db);
int db_errno(struct db *db);
/* Whether the last error was a lock wait that ran out (only that statement
 * was undone; a deadlock ends the whole transaction). */
int db_lock_wait_timed_out(struct db *db);

/* Plain SQL text for migrations only (multi-statement files written by us,
 * never request data). */
int db_exec_script(struct db *db, const char *sql);

/* A direct connection for commands (migrate, user add): not pooled. */
struct db *db_connect(const struct db_config *cfg, char *err, size_t errlen);
void db_close(struct db *db);
/* Creates the database named in cfg if missing (embedded set-up). */
int db_create_database(const struct db_config *cfg, char *err, size_t errlen);

/* ---- the worker pool ---- */

struct db_job {
    /* Runs on a worker thread. db is NULL when no connection could be made:
     * the job must then answer "unavailable". */
    void (*run)(struct db *db, void *arg);
    /* When set, the job may share a transaction with others: a worker that
     * takes it also takes up to DB_GROUP_MAX - 1 queued jobs with the same
     * run_group, and runs them all in one call (run alone when none wait). */
    void (*run_group)(struct db *db, struct db_job **jobs, int n);
    void *arg;
    struct db_job *next; /* queue link, owned by the pool */
};

/* The most jobs one worker runs together. */
#define DB_GROUP_MAX 16

/* Starts nthreads workers connecting with cfg; queue_max bounds waiting jobs.
 * Must be called after db_library_init. */
int db_pool_start(const struct db_config *cfg, int nthreads, int queue_max);
/* Queues a job. Returns 0, or -1 when the queue is full (answer 503). The
 * job struct must stay valid until run() has been called. */
int db_pool_submit(struct db_job *job) __attribute__((warn_unused_result));
/* Ends the database work of jobs still running (for a shutdown past its
 * grace period) by killing their connections: they fail fast and answer.
 * Returns how many were interrupted. */
int db_pool_interrupt(void);
/* Lets running and queued jobs finish, then stops the workers. */
void db_pool_stop(void);

struct db_pool_stats {
    int threads, busy, connected, queued, queue_max;
    unsigned long long reconnects, rejected;
};
void db_pool_stats(struct db_pool_stats *out);
/* 1 while the last connection attempt failed (for /readyz without a query). */
int db_pool_down(void);

/* Once per process before any thread starts / after all have stopped. */
void db_library_init(void);
void db_library_end(void);

#endif
