/* pipeline.h — what happens to every database-backed request on its worker
 * thread, in one place: deadline, authentication, role check, body parsing,
 * Idempotency-Key, the transaction with whole-transaction retries, and the
 * mapping of database errors to statuses. Handlers only do their own job. */
#ifndef FT_PIPELINE_H
#define FT_PIPELINE_H

#include "db/db.h"
#include "http/request.h"

/* The http layer's submit hook: queues r for a DB worker. */
int pipeline_submit(struct req *r);

/* Turns a db_* result code into a reply (503, 409, 422, 500), or marks the
 * request for a retry of its whole transaction. Returns the status. */
int reply_db(struct req *r, enum db_rc rc);

/* Starts the file workers that run routes' prepare steps (uploads), and
 * stops them (running what is queued) before the database workers stop.
 * pipeline_start returns 0, or -1. */
int pipeline_start(int file_threads);
void pipeline_stop(void);

/* Group commit: shared transactions committed, the requests they held,
 * and groups run again one request at a time (a deadlock, a lost
 * connection). Counters since the start. */
struct pipeline_stats {
    unsigned long long group_commits, grouped_requests, group_reruns;
};
void pipeline_stats(struct pipeline_stats *out);

/* Seconds a request may wait in the queue before it is answered 503. */
#define PIPELINE_QUEUE_DEADLINE 20.0
/* Requests that may wait for a file worker; more get 503. */
#define PIPELINE_FILE_QUEUE 256
/* The file workers' nice value: hashing and syncing uploads yields the CPU
 * to every other request. */
#define PIPELINE_FILE_NICE 10

#endif
