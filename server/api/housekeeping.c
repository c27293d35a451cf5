/* housekeeping.c — periodic purges in small batches on a DB worker. */
#include "api/housekeeping.h"

#include <event2/event.h>
#include <stdatomic.h>
#include <unistd.h>

#include "api/attachment_blobs.h"
#include "db/db.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/pool.h"

/* One DELETE per kind of row; the age and the batch size are bound.
 * Each uses an index on its time column (schema/006). Nothing references
 * these rows by foreign key: audit entries name a token by id only. */
static const struct purge {
    const char *what;
    const char *sql;
    long long age; /* in the unit the statement names */
} purges[] = {
    {"idempotency keys",
     "DELETE FROM idempotency_keys WHERE created_at < NOW(3) - INTERVAL ? HOUR LIMIT ?",
     HK_IDEMPOTENCY_HOURS},
    {"failed sign-ins", "DELETE FROM login_failures WHERE at < NOW(3) - INTERVAL ? HOUR LIMIT ?",
     HK_LOGIN_FAILURE_HOURS},
    {"revoked tokens", "DELETE FROM tokens WHERE revoked_at < NOW(3) - INTERVAL ? DAY LIMIT ?",
     HK_TOKEN_DAYS},
    {"expired tokens", "DELETE FROM tokens WHERE expires_at < NOW(3) - INTERVAL ? DAY LIMIT ?",
     HK_TOKEN_DAYS},
};
#define NPURGES (sizeof(purges) / sizeof(purges[0]))

static struct {
    struct event *tick;
    int interval;
    double next_due;    /* monotonic; read and written on the base's thread only */
    atomic_int busy;    /* a job is queued or running */
    atomic_int backlog; /* the last run stopped with rows left */
    atomic_int stopping;
    double swept_at; /* monotonic; only the job reads and writes it, one at a time */
    struct db_job job;
} H;

/* Deletes the rows of one purge; returns how many, and sets *more when it
 * stopped at HK_MAX_BATCHES with rows probably left. */
static unsigned long long purge_one(struct db *db, struct pool *pool, const struct purge *p,
                                    int *more)
{
    unsigned long long total = 0;
    for (int batch = 0; batch < HK_MAX_BATCHES; batch++) {
        if (atomic_load(&H.stopping))
            return total;
        if (batch > 0)
            usleep(HK_PAUSE_MS * 1000);
        struct db_param params[] = {DB_INTP(p->age), DB_INTP(HK_BATCH)};
        struct db_rows *rows;
        enum db_rc rc = db_exec(db, pool, p->sql, params, 2, &rows);
        if (rc != DB_OK) {
            /* A lock wait, a conflict with another instance's purge, or a
             * lost connection: the next run tries again. */
            log_msg(rc == DB_RETRY ? LOG_DEBUG : LOG_WARN, "housekeeping: purging %s failed: %s",
                    p->what, db_error(db));
            return total;
        }
        total += rows->affected;
        if (rows->affected < HK_BATCH)
            return total;
    }
    *more = 1;
    return total;
}

static void job_run(struct db *db, void *arg)
{
    (void)arg;
    if (db && !atomic_load(&H.stopping)) {
        struct pool *pool = pool_new();
        unsigned long long n[NPURGES] = {0};
        int more = 0;
        for (size_t i = 0; pool && i < NPURGES; i++)
            n[i] = purge_one(db, pool, &purges[i], &more);
        atomic_store(&H.backlog, more);
        if (n[0] || n[1] || n[2] || n[3])
            log_msg(LOG_INFO, "housekeeping: purged %llu %s, %llu %s, %llu %s and %llu %s", n[0],
                    purges[0].what, n[1], purges[1].what, n[2], purges[2].what, n[3],
                    purges[3].what);
        /* Files a crash left between placing and committing: at start,
         * then hourly (it reads the whole store's directory). */
        unsigned files = 0;
        if (pool && !atomic_load(&H.stopping) &&
            (H.swept_at == 0 || clock_mono() - H.swept_at >= HK_SWEEP_SECONDS)) {
            H.swept_at = clock_mono();
            files = attachment_blob_sweep(db, pool);
        }
        if (files)
            log_msg(LOG_INFO, "housekeeping: removed %u stored files without a row", files);
        pool_free(pool);
    }
    atomic_store(&H.busy, 0);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    double now = clock_mono();
    if (atomic_load(&H.stopping) || atomic_load(&H.busy))
        return;
    if (now < H.next_due && !atomic_load(&H.backlog))
        return;
    H.next_due = now + H.interval;
    atomic_store(&H.busy, 1);
    H.job.run = job_run;
    H.job.arg = NULL;
    if (db_pool_submit(&H.job) != 0) {
        /* The queue is full of requests: they go first; try again soon. */
        atomic_store(&H.busy, 0);
        H.next_due = now + 1;
    }
}

int housekeeping_start(struct event_base *base, int interval)
{
    H.interval = interval;
    H.next_due = 0;
    atomic_store(&H.stopping, 0);
    H.tick = event_new(base, -1, EV_PERSIST, on_tick, NULL);
    struct timeval second = {1, 0};
    if (!H.tick || event_add(H.tick, &second) < 0)
        return -1;
    return 0;
}

void housekeeping_stop(void)
{
    atomic_store(&H.stopping, 1);
    if (H.tick) {
        event_free(H.tick);
        H.tick = NULL;
    }
}
