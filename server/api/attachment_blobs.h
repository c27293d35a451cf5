/* attachment_blobs.h — a stored file and its database row appear
 * together or not at all.
 *
 * A file is put in place, or removed, only by a transaction that holds
 * its attachment_blobs row locked: an upload creates the row, or holds a
 * shared lock on it, before placing the file; whoever removes a file
 * first locks the row (or the gap where it would be) and finds it absent. So a transaction
 * that rolls back takes its new file with it, unless another upload of the
 * same content has committed meanwhile; and a crash between placing and
 * committing leaves a file without a row, which the sweep removes. */
#ifndef FT_ATTACHMENT_BLOBS_H
#define FT_ATTACHMENT_BLOBS_H

#include "db/db.h"
#include "http/request.h"

struct blob_stage;
struct pool;

/* Puts the staged (and synced) file in place as sha within r's
 * transaction (see above). The stage stays the caller's. Returns a db
 * code; DB_ERROR when the file could not be stored (logged). */
enum db_rc attachment_blob_put(struct req *r, struct blob_stage *stage, const char *sha,
                               unsigned long long size, const char *media_type);

/* Removes stored files without a row and temporary files over two hours
 * old.
 * Runs on a worker (housekeeping). Returns how many files it removed. */
unsigned attachment_blob_sweep(struct db *db, struct pool *pool);

#endif
