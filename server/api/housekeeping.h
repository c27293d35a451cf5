/* housekeeping.h — purging what the server keeps only for a while:
 *
 *   idempotency keys   older than HK_IDEMPOTENCY_HOURS (SPEC: kept at least 24 h)
 *   failed sign-ins    older than HK_LOGIN_FAILURE_HOURS (the limiter reads
 *                      only the last LOGIN_WINDOW_MIN minutes; a day is kept
 *                      for looking into an attack)
 *   stored files       without an attachment_blobs row (a crash between placing
 *                      a file and committing its row), at start and every
 *                      HK_SWEEP_SECONDS; see api/attachment_blobs.h
 *   tokens             revoked, or expired, more than HK_TOKEN_DAYS days ago
 *                      (until then they stay listed, so that their owners and
 *                      admins can see what ended and when; the audit log
 *                      keeps their creation and revocation for good)
 *
 * A timer on the main event base queues one job at a time for a DB worker;
 * the job deletes in batches of HK_BATCH rows with a pause between them, so
 * that no long transaction holds locks that requests need, and never runs on
 * an event-loop thread. Several instances on one database may purge at once:
 * each batch is its own small statement, so they only share the work. */
#ifndef FT_HOUSEKEEPING_H
#define FT_HOUSEKEEPING_H

struct event_base;

#define HK_IDEMPOTENCY_HOURS 24
#define HK_LOGIN_FAILURE_HOURS 24
#define HK_TOKEN_DAYS 30
#define HK_BATCH 500
#define HK_PAUSE_MS 50
/* Batches per kind of row in one run; what is left waits for the next run,
 * which then comes a second later instead of after the interval. */
#define HK_MAX_BATCHES 20
#define HK_SWEEP_SECONDS 3600

/* Purges every interval seconds (the first time a second after the start)
 * with timers on base, which must outlive housekeeping_stop. The DB pool
 * must be running. Returns 0, or -1 when the timer cannot be made. */
int housekeeping_start(struct event_base *base, int interval);
/* Stops the timer and makes a running purge end after its current batch.
 * Call on base's thread, before db_pool_stop. */
void housekeeping_stop(void);

#endif
