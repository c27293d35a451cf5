/* audit.h — the append-only audit trail. Every change writes one entry in
 * the same transaction as the change itself. */
#ifndef FT_AUDIT_H
#define FT_AUDIT_H

#include "db/db.h"
#include "http/request.h"

struct cJSON;
struct resource;

/* Writes an entry for the current user and request. before/after may be
 * NULL; they are not consumed. Returns a db result code. */
enum db_rc audit_write(struct req *r, const char *action, const char *entity, long long entity_id,
                       const struct cJSON *before, const struct cJSON *after)
    __attribute__((warn_unused_result));

/* Writes one entry per row of select, a query (constant text of the code)
 * that yields action, entity, entity_id, before_json, after_json; params
 * are its parameters. For changes the server makes to many rows at once.
 * Returns a db result code. */
enum db_rc audit_write_rows(struct req *r, const char *select, const struct db_param *params,
                            size_t nparams) __attribute__((warn_unused_result));

/* The read-only audit resource (GET /api/v1/audit). */
extern const struct resource audit_resource;

/* GET /api/v1/audit/facets: {users: [{id, name}], entities: [name]}, what
 * the audit list's user_id and entity filters can choose from. */
int audit_facets(struct req *r);

#endif
