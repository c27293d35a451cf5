/* queue.h — the local queue of progress reports not yet acknowledged.
 *
 * A contractor on a site with a bad connection must never lose a report and
 * never send one twice. So every submission is written here, with its
 * Idempotency-Key, before the first attempt to send it, and removed only
 * when the server has acknowledged it (2xx, also a replay). Sending it again
 * after a crash or a cut connection reuses the key, so the server answers
 * with the first result instead of creating a second report.
 *
 * Layout, under the configuration directory (config.h):
 *   queue/pending/<time>-<id>.json   waiting, sent oldest first
 *   queue/failed/<time>-<id>.json    refused for good (404, 409, 422, …),
 *                                    with the server's answer; never resent
 *                                    unless someone runs `fibertrack queue retry`
 *   queue/.lock                      held (flock) by whoever is sending
 * Each file is written to a temporary name, fsync'd, renamed, and the
 * directory fsync'd (fsutil.h), so a crash mid-write leaves the old state.
 */
#ifndef FT_CLI_QUEUE_H
#define FT_CLI_QUEUE_H

#include <cJSON.h>
#include <stddef.h>

#define QUEUE_PENDING "pending"
#define QUEUE_FAILED "failed"

struct queue_entry {
    char name[96];      /* file name */
    char id[16];        /* the short id people type: 8 hex digits */
    cJSON *json;        /* the whole file; the fields below point into it */
    const char *key;    /* Idempotency-Key */
    const char *server; /* the server it is meant for */
    long long user_id;  /* the user who submitted it (keys are per user) */
    const char *email;
    const char *created_at;
    const char *path; /* request path under the server, e.g. /api/v1/progress-reports */
    const char *body; /* the exact request body; sent byte for byte */
};

/* Resolves (and creates) the queue directories. Returns 0, or -1 with a
 * message printed. */
int queue_open(void);

/* The directory of a queue ("pending" or "failed") after queue_open. */
const char *queue_dir(const char *which);

/* Stores a new submission in pending/, durably. id receives the short id
 * (size >= 16). Returns 0, or -1 with a message printed. */
int queue_add(const char *server, long long user_id, const char *email, const char *key,
              const char *path, const char *body, char *id);

/* The file names in a queue, oldest first. *names is an array the caller
 * frees with queue_names_free. Returns the count, or -1 with a message. */
int queue_names(const char *which, char ***names);
void queue_names_free(char **names, int n);

/* How many files a queue holds (opening the queue first). Returns the
 * count, or -1 with a message printed. */
int queue_count(const char *which);

/* Loads a file of a queue. Returns 0, or -1 with a message printed (the
 * file is damaged or gone). Free with queue_entry_free. */
int queue_load(const char *which, const char *name, struct queue_entry *e);
void queue_entry_free(struct queue_entry *e);

/* Finds a file by short id or file name in a queue; writes its name.
 * Returns 1 found, 0 not, -1 ambiguous or error (message printed). */
int queue_find(const char *which, const char *id, char *name, size_t n);

/* The server acknowledged a pending submission: removes it durably.
 * Returns 0, or -1 with a message printed. */
int queue_done(const struct queue_entry *e);

/* The server refused a pending submission for good: writes it to failed/
 * with status and the server's answer (problem, may be NULL), then removes
 * it from pending/. Returns 0, or -1 with a message printed. */
int queue_fail(const struct queue_entry *e, long status, const char *problem);

/* Moves a failed submission back to pending/ (the same key and body).
 * Returns 0, or -1 with a message printed. */
int queue_retry(const char *name);

/* Deletes a failed submission. Returns 0, or -1 with a message printed. */
int queue_drop(const char *name);

/* Takes the sending lock, waiting up to wait_s seconds. Returns a file
 * descriptor to pass to queue_unlock, -2 when someone else still holds it,
 * -1 on error (message printed). */
int queue_lock(double wait_s);
void queue_unlock(int fd);

/* A new Idempotency-Key: 128 random bits as 32 hex digits into key (size
 * >= 33). Returns 0, or -1 when the system has no randomness to give. */
int queue_new_key(char *key);

#endif
