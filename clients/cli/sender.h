/* sender.h — sends the queue of progress reports (queue.h), oldest first.
 *
 * For each pending submission: POST it with its own Idempotency-Key and
 * exactly its stored body. Then
 *   2xx (also a replay, Idempotent-Replayed: true)  acknowledged: removed;
 *   400, 404, 409 (a real conflict), 413, 415, 422  refused for good: moved
 *                                                   to failed/ and reported;
 *   no connection, 429/502/503/504 after retries,
 *   409 "still being processed", 500                not acknowledged: kept,
 *                                                   and sending stops here
 *                                                   (the order matters);
 *   401, 403                                        kept; stops: log in again.
 * Submissions made by another login (keys are per user) are left alone.
 *
 * A submission with photos: once the report is acknowledged its id is
 * recorded in the entry, then each photo is uploaded to it with its own
 * Idempotency-Key and leaves the entry when acknowledged. A photo refused
 * for good (400, 404, 409, 413, 415, 422) is marked failed and the others
 * go on; when only such photos are left, the entry moves to failed/. The
 * rest is as for reports: no connection, busy, 500, 401 or 403 keep the
 * photo and stop sending; the report is never sent again.
 */
#ifndef FT_CLI_SENDER_H
#define FT_CLI_SENDER_H

#include <cJSON.h>

#include "api.h"

struct send_result {
    int sent;            /* acknowledged and removed */
    int replayed;        /* of which the server had received before */
    int failed;          /* moved to failed/ */
    int other_user;      /* left for another login */
    int pending;         /* still waiting after this run */
    int stop_code;       /* EXIT_OK, or the exit code of what stopped sending */
    int fail_code;       /* the exit code of the first refusal, or EXIT_OK */
    int photos_sent;     /* photos acknowledged */
    int photos_replayed; /* of which the server had received before */
    int photos_failed;   /* photos refused for good */

    /* The outcome of one submission the caller watches (watch_id set by
     * the caller): 0 still pending, 1 acknowledged, 2 refused. */
    const char *watch_id;
    int watch_state;
    int watch_code;      /* its exit code when refused */
    cJSON *watch_report; /* the server's report when acknowledged (caller frees) */
    int watch_replayed;
    cJSON *watch_attachments;    /* the server's attachments of its photos (caller frees) */
    cJSON *watch_photo_failures; /* [{file_name, status, problem}] (caller frees) */
    int watch_photos_left;       /* its photos still queued after this run */

    /* JSON array of {id, outcome, status, report|problem, submission}, and
     * for photos {id, photo, outcome, status, attachment|problem}; caller
     * frees. */
    cJSON *log;
};

/* Sends what is pending, as above. Holds the queue lock meanwhile (waits up
 * to lock_wait_s for another fibertrack that is sending). print_entries:
 * also tell people about each acknowledged submission (stdout). Returns
 * r->stop_code. */
int send_queue(struct api *a, struct send_result *r, double lock_wait_s, int print_entries);

/* One line about a submission body for server: "segment S-000012,
 * 2026-11-26, 250.00 m, in_construction" into buf (the segment's id when
 * the code cache does not know it). */
const char *describe_submission(const char *server, const char *body, char *buf, size_t n);

#endif
