/* audit.c — writing audit entries. */
#include "api/audit.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "util/pool.h"

static const char *json_text(struct req *r, const cJSON *j)
{
    if (!j)
        return NULL;
    char *text = cJSON_PrintUnformatted(j);
    if (!text)
        return NULL;
    char *copy = pool_strdup(r->pool, text);
    free(text);
    return copy;
}

/* Who and which request: the first three columns of every entry. */
static void who(const struct req *r, struct db_param p[3])
{
    p[0] = r->user.id ? DB_INTP(r->user.id) : DB_NULLP;
    p[1] = r->user.id ? DB_TEXTP(r->user.name) : DB_NULLP;
    p[2] = DB_TEXTP(r->request_id);
}

enum db_rc audit_write(struct req *r, const char *action, const char *entity, long long entity_id,
                       const cJSON *before, const cJSON *after)
{
    const char *b = json_text(r, before), *a = json_text(r, after);
    struct db_param p[] = {
        DB_NULLP,
        DB_NULLP,
        DB_NULLP,
        DB_TEXTP(action),
        DB_TEXTP(entity),
        entity_id ? DB_INTP(entity_id) : DB_NULLP,
        b ? DB_TEXTP(b) : DB_NULLP,
        a ? DB_TEXTP(a) : DB_NULLP,
    };
    who(r, p);
    return db_exec(r->db, r->pool,
                   "INSERT INTO audit_log (user_id, user_name, request_id, action, entity, "
                   "entity_id, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   p, 8, NULL);
}

enum db_rc audit_write_rows(struct req *r, const char *select, const struct db_param *params,
                            size_t nparams)
{
    /* The SQL is made of constant text from the code, never of request
     * data; the statement cache keys it like any other. */
    const char *sql = pool_printf(r->pool,
                                  "INSERT INTO audit_log (user_id, user_name, request_id, action, "
                                  "entity, entity_id, before_json, after_json) "
                                  "SELECT ?, ?, ?, e.* FROM (%s) e",
                                  select);
    struct db_param *p = pool_alloc(r->pool, (nparams + 3) * sizeof(*p));
    who(r, p);
    for (size_t i = 0; i < nparams; i++)
        p[3 + i] = params[i];
    return db_exec(r->db, r->pool, sql, p, nparams + 3, NULL);
}
