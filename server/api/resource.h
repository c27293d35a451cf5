/* resource.h — generic handlers for the inventory resources.
 *
 * A resource is described once (table, fields, who may read and write, how
 * a contractor's view is limited); list, get, create, update and delete,
 * with strict bodies, ETags, If-Match, keyset cursors and audit entries,
 * follow from that description. SQL is assembled only from the static
 * description; request values are always bound parameters. */
#ifndef FT_RESOURCE_H
#define FT_RESOURCE_H

#include <cJSON.h>
#include <stddef.h>

#include "db/db.h"
#include "domain/fields.h"
#include "http/request.h"

enum scope_by { SCOPE_CONTRACTOR, SCOPE_USER };

/* The fields every stored object has: its id first (lists rely on it),
 * and version and timestamps last. */
/* The formatter would break these initialisers over lines. */
/* clang-format off */
#define FIELD_ID {"id", FT_ID, F_READONLY, NULL, NULL, NULL, 0, 0, NULL}
#define FIELDS_STAMPS                                                                   \
    {"version", FT_INT, F_READONLY, NULL, NULL, NULL, 0, 0, NULL},                      \
        {"created_at", FT_TIMESTAMP, F_READONLY, NULL, NULL, NULL, 0, 0, NULL},         \
        {"updated_at", FT_TIMESTAMP, F_READONLY, NULL, NULL, NULL, 0, 0, NULL}
/* clang-format on */

struct resource {
    const char *name;   /* "segments": the path and OpenAPI tag */
    const char *entity; /* "segment": audit entity and messages */
    const char *table;
    const struct field *fields;
    size_t nfields;
    /* Rows visible to callers whose role is in scope_roles: a condition on
     * alias t in which every ? stands for the caller's contractor or user id. */
    unsigned scope_roles;
    enum scope_by scope_by;
    const char *scope;
    /* Condition for ?q=, every ? bound to "%q%". */
    const char *search;
    const char *time_column; /* for ?updated_since=; default updated_at */
    int deletable;
    int unversioned; /* no version/ETag (audit entries) */
    /* Cross-field rules, run in the transaction on the object as it would
     * be stored (before is NULL on create). Appends {pointer, detail} to
     * errors; returns a db result code. */
    enum db_rc (*check)(struct req *r, const cJSON *before, const cJSON *merged, cJSON *errors);
    /* Consequences of a stored change that the server itself makes, in the
     * same transaction, before the row is read back (before is NULL on
     * create). Returns a db result code. */
    enum db_rc (*after_write)(struct req *r, long long id, const cJSON *before);
    /* The 409's detail when a unique key is violated; NULL: one about codes
     * and e-mails. */
    const char *duplicate;
    /* Adds `attachments` to n objects read for a reply (progress reports:
     * their photos); never to what the audit trail records. Returns a db
     * result code. */
    enum db_rc (*decorate)(struct req *r, cJSON *const *objs, size_t n);
};

/* Whether every statement built for res binds at most the parameters
 * resource.c has room for. A handler answers 500 for a resource that does
 * not fit; the unit tests check every resource of the route table. */
int resource_params_fit(const struct resource *res);

/* Whether a list may be sorted by field f (?sort=). */
int resource_sortable(const struct field *f);

/* Route handlers: the route's data is the struct resource. */
int resource_list(struct req *r);
int resource_get(struct req *r);
int resource_create(struct req *r);
int resource_update(struct req *r);
int resource_delete(struct req *r);

/* One object written without a reply (the handlers of POST and PATCH, and
 * the imports, which write many). */
struct resource_write {
    cJSON *errors;   /* in: an empty array; out: the rules body breaks, {pointer, detail} */
    int nerrors;     /* how many rules it breaks (more than listed, possibly) */
    int hash_failed; /* a password could not be hashed (retry) */
    long long id;
    const cJSON *after; /* the object as stored (belongs to the request) */
};
/* Checks body as a create (before NULL) or a change of before, writing
 * nothing: w->nerrors and w->errors as below. Returns a db result code. */
enum db_rc resource_validate(struct req *r, const struct resource *res, const cJSON *body,
                             const cJSON *before, struct resource_write *w);
/* Creates an object from body with every rule of POST, audited as action.
 * Returns a db result code (DB_DUPLICATE for a unique key taken); DB_OK
 * with w->nerrors > 0 when body breaks a rule and nothing was written. */
enum db_rc resource_write_create(struct req *r, const struct resource *res, const cJSON *body,
                                 const char *action, struct resource_write *w);
/* Changes object id, loaded and locked as before, with the members of
 * body, by the rules of PATCH; as resource_write_create otherwise. A body
 * of virtual fields only changes nothing (w->after is before). */
enum db_rc resource_write_update(struct req *r, const struct resource *res, long long id,
                                 const cJSON *before, const cJSON *body, const char *action,
                                 struct resource_write *w);

/* Reads one row as JSON (honouring the caller's scope). Returns a db result
 * code; *out is NULL when there is no such row. *out belongs to the request. */
enum db_rc resource_load(struct req *r, const struct resource *res, long long id, int for_update,
                         cJSON **out);
/* The object as it would be after a change: a copy of before (NULL: none)
 * with every member of body put in. The caller owns the new tree. */
cJSON *resource_merge(const cJSON *before, const cJSON *body);
/* Locks the row named by path parameter 0 for a change and checks
 * If-Match with the strong comparison. Returns 0 with *before set (caller
 * frees), or the status replied (404, 412, 428, 503). */
int resource_load_for_change(struct req *r, const struct resource *res, long long *id,
                             cJSON **before);
/* Binds a checked value (see domain/validate.h) as a statement parameter
 * in r's pool; passwords are hashed here. Returns 0, or -1 when hashing
 * failed. */
struct value;
struct db_param;
int resource_bind(struct req *r, const struct value *v, struct db_param *p);
/* Writes the ETag of an object with the given version. */
void resource_etag(struct req *r, const cJSON *obj);
/* Parses the request's If-Match into *m (see domain/etag.h). Returns 0, or
 * 428 (replied) when the header is missing or empty. A malformed value is
 * no error here: it matches no version, so the change answers 412. */
struct if_match;
int resource_if_match(struct req *r, struct if_match *m);

#endif
