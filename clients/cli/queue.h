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
 *   queue/files/<time>-<id>/         copies of the entry's photos, taken when
 *                                    it was submitted (the originals may go)
 *   queue/.lock                      held (flock) by whoever is sending
 * Each file is written to a temporary name, fsync'd, renamed, and the
 * directory fsync'd (fsutil.h), so a crash mid-write leaves the old state.
 *
 * An entry with photos keeps its state in its file as it goes: the report
 * first (its id is recorded once the server acknowledged it), then each
 * photo with an Idempotency-Key of its own, made at submit time; a photo
 * the server acknowledged leaves the entry, one it refused for good stays
 * as "failed". The entry is done when the report and every photo are.
 */
#ifndef FT_CLI_QUEUE_H
#define FT_CLI_QUEUE_H

#include <cJSON.h>
#include <stddef.h>

#include "photo.h"

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
    const char *path;    /* request path under the server, e.g. /api/v1/progress-reports */
    const char *body;    /* the exact request body; sent byte for byte */
    long long report_id; /* the report the server recorded for it; 0 not yet */
    /* The photos still to send (or refused): an array of objects with
     * file, file_name, media_type, size, sha256, idempotency_key, caption
     * (absent: none), state ("pending" or "failed") and, when failed, failed
     * {at, status, problem}; NULL when the entry has none left. */
    cJSON *photos;
};

/* Resolves (and creates) the queue directories. Returns 0, or -1 with a
 * message printed. */
int queue_open(void);

/* The directory of a queue ("pending" or "failed") after queue_open. */
const char *queue_dir(const char *which);

/* Stores a new submission in pending/, durably, with copies of its nphotos
 * photos (each gets caption, which may be NULL). The copies are made first,
 * so that an entry never names a file that is not there. id receives the
 * short id (size >= 16). Returns 0, or -1 with a message printed (nothing
 * is queued then). */
int queue_add(const char *server, long long user_id, const char *email, const char *key,
              const char *path, const char *body, const struct photo_src *photos, int nphotos,
              const char *caption, char *id);

/* The path of the queued copy of a photo (its "file") into out (size n).
 * Returns 0, or -1 when it does not fit. */
int queue_photo_path(const struct queue_entry *e, const char *file, char *out, size_t n);

/* Writes a pending entry again after e->json changed (the report id was
 * recorded, a photo sent or refused), durably. Returns 0, or -1 with a
 * message printed. */
int queue_update(const struct queue_entry *e);

/* Removes the photo copy of an entry the server has acknowledged. A
 * failure only leaves a file that goes with the entry later. */
void queue_photo_remove(const struct queue_entry *e, const char *file);

/* Removes photo copies whose entry is gone (a crash between the copies and
 * the entry, or between removing the entry and its copies). */
void queue_sweep_files(void);

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

/* The server acknowledged a pending submission (and its photos): removes
 * it durably, then its photo copies. Returns 0, or -1 with a message
 * printed. */
int queue_done(const struct queue_entry *e);

/* The server refused a pending submission for good: writes it to failed/
 * with status and the server's answer (problem, may be NULL), then removes
 * it from pending/. photo names the photo that was refused when the report
 * itself was recorded (NULL otherwise). Returns 0, or -1 with a message
 * printed. */
int queue_fail(const struct queue_entry *e, long status, const char *problem, const char *photo);

/* Moves a failed submission back to pending/ (the same keys and bodies),
 * its refused photos pending again. Returns 0, or -1 with a message
 * printed. */
int queue_retry(const char *name);

/* Deletes a failed submission and its photo copies. Returns 0, or -1 with
 * a message printed. */
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
