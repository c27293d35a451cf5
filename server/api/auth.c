/* auth.c — sign-in with rate limiting, tokens, sign-out. */
#include "api/auth.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/audit.h"
#include "api/inventory.h"
#include "api/pipeline.h"
#include "api/resource.h"
#include "api/token_cache.h"
#include "db/db.h"
#include "domain/validate.h"
#include "http/reply.h"
#include "identity/credentials.h"
#include "util/netaddr.h"
#include "util/pool.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct field token_fields[] = {
    FIELD_ID,
    {"user_id", FT_REF, F_FILTER, NULL, NULL, NULL, 0, 0, "users"},
    {"name", FT_STRING, F_REQUIRED, NULL, NULL, NULL, 0, 100, NULL},
    {"prefix", FT_STRING, F_READONLY, NULL, NULL, NULL, 0, 0, NULL},
    {"expires_at", FT_TIMESTAMP, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"last_used_at", FT_TIMESTAMP, F_READONLY | F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"revoked_at", FT_TIMESTAMP, F_READONLY | F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    FIELDS_STAMPS,
};

/* Everyone manages their own tokens; only admins see and manage others'. */
const struct resource tokens_resource = {
    .name = "tokens",
    .entity = "token",
    .table = "tokens",
    .fields = token_fields,
    .nfields = N(token_fields),
    .scope_roles = ROLE_MANAGER | ROLE_FINANCE | ROLE_CONTRACTOR,
    .scope_by = SCOPE_USER,
    .scope = "t.user_id = ?",
    .search = "t.name LIKE ?",
    .deletable = 1,
};

/* Inserts a token for user_id; fills text and *id. Returns a db result code. */
static enum db_rc token_insert(struct req *r, long long user_id, const char *name,
                               const char *expires_at, char text[TOKEN_TEXT_LEN], long long *id)
{
    unsigned char hash[TOKEN_HASH_LEN];
    char prefix[13];
    cred_new_token(text);
    cred_token_hash(text, hash);
    snprintf(prefix, sizeof(prefix), "%.12s", text);
    struct db_param p[] = {DB_INTP(user_id), DB_TEXTP(name), DB_BLOBP(hash, sizeof(hash)),
                           DB_TEXTP(prefix), expires_at ? DB_TEXTP(expires_at) : DB_NULLP};
    struct db_rows *rows;
    enum db_rc rc = db_exec(r->db, r->pool,
                            "INSERT INTO tokens (user_id, name, hash, prefix, expires_at) "
                            "VALUES (?, ?, ?, ?, ?)",
                            p, 5, &rows);
    *id = rc == DB_OK ? (long long)rows->insert_id : 0;
    return rc;
}

/* Proxies whose X-Forwarded-For is believed; set once before serving. */
static struct netlist trusted_proxies;

int auth_init(const char *trusted, char *err, size_t errlen)
{
    char why[160];
    if (netlist_parse(trusted, &trusted_proxies, why, sizeof(why)) < 0) {
        snprintf(err, errlen, "FT_TRUSTED_PROXIES: %s", why);
        return -1;
    }
    return 0;
}

/* The client address that failed sign-ins are counted under. */
static void client_key(const struct req *r, char out[NETADDR_TEXT_LEN])
{
    struct netaddr a;
    if (netaddr_client(&trusted_proxies, r->client_ip, r->forwarded_for, &a) < 0)
        snprintf(out, NETADDR_TEXT_LEN, "-");
    else
        netaddr_limit_key(&a, out);
}

/* Answers 429 when this account has failed too often from this address,
 * or this address too often for any account, within the window. Only this
 * address's recent failures are read: at most about LOGIN_MAX_PER_ADDRESS
 * rows, since refused attempts are not recorded. */
static int too_many(struct req *r, const char *email, const char *addr)
{
    struct db_param p[] = {DB_TEXTP(email),           DB_TEXTP(email), DB_INTP(LOGIN_WINDOW_MIN),
                           DB_INTP(LOGIN_WINDOW_MIN), DB_TEXTP(addr),  DB_INTP(LOGIN_WINDOW_MIN)};
    struct db_rows *rows;
    enum db_rc rc =
        db_exec(r->db, r->pool,
                "SELECT COALESCE(SUM(email = ?), 0), COUNT(*), "
                "COALESCE(TIMESTAMPDIFF(SECOND, NOW(3), "
                "  MIN(IF(email = ?, at, NULL)) + INTERVAL ? MINUTE), 0), "
                "COALESCE(TIMESTAMPDIFF(SECOND, NOW(3), MIN(at) + INTERVAL ? MINUTE), 0) "
                "FROM login_failures WHERE ip = ? AND at > NOW(3) - INTERVAL ? MINUTE",
                p, 6, &rows);
    if (rc != DB_OK)
        return reply_db(r, rc);
    long long pair = atoll(db_cell(rows, 0, 0)), any = atoll(db_cell(rows, 0, 1));
    long long wait = 0;
    if (pair >= LOGIN_MAX_PER_ACCOUNT_ADDRESS)
        wait = atoll(db_cell(rows, 0, 2));
    if (any >= LOGIN_MAX_PER_ADDRESS && atoll(db_cell(rows, 0, 3)) > wait)
        wait = atoll(db_cell(rows, 0, 3));
    if (pair < LOGIN_MAX_PER_ACCOUNT_ADDRESS && any < LOGIN_MAX_PER_ADDRESS)
        return 0;
    char secs[24];
    snprintf(secs, sizeof(secs), "%lld", wait > 1 ? wait : 1);
    reply_problem(r, 429, "too many failed sign-ins from this address; try again in %s seconds",
                  secs);
    req_add_header(r, "Retry-After", secs);
    return 429;
}

int auth_login(struct req *r)
{
    const cJSON *email = cJSON_GetObjectItemCaseSensitive(r->json, "email");
    const cJSON *password = cJSON_GetObjectItemCaseSensitive(r->json, "password");
    cJSON *errors = req_json(r, cJSON_CreateArray());
    for (const cJSON *m = r->json->child; m; m = m->next)
        if (strcmp(m->string, "email") && strcmp(m->string, "password"))
            validation_error(errors, m->string, "is not a known field");
    /* Refused before any password is checked, so a malformed attempt is
     * never counted as a failed sign-in. */
    if (!cJSON_IsString(email) || strlen(email->valuestring) > 254 ||
        text_problem(email->valuestring, 0))
        validation_error(errors, "email", "must be the e-mail address you sign in with");
    if (!cJSON_IsString(password) || strlen(password->valuestring) > 1024)
        validation_error(errors, "password", "must be a string");
    else if (text_problem(password->valuestring, 0))
        validation_error(errors, "password", text_problem(password->valuestring, 0));
    if (cJSON_GetArraySize(errors))
        return reply_invalid(r, errors);
    char ip[NETADDR_TEXT_LEN];
    client_key(r, ip);
    int st = too_many(r, email->valuestring, ip);
    if (st)
        return st;

    struct db_param p[] = {DB_TEXTP(email->valuestring)};
    struct db_rows *rows;
    enum db_rc rc =
        db_exec(r->db, r->pool,
                "SELECT id, password_hash FROM users WHERE email = ? AND active = 1", p, 1, &rows);
    if (rc != DB_OK)
        return reply_db(r, rc);
    int ok = 0;
    long long uid = 0;
    if (rows->nrows == 1 && db_cell(rows, 0, 1)) {
        uid = atoll(db_cell(rows, 0, 0));
        ok = cred_verify_password(db_cell(rows, 0, 1), password->valuestring);
    } else {
        cred_verify_dummy(password->valuestring);
    }
    if (!ok) {
        struct db_param f[] = {DB_TEXTP(email->valuestring), DB_TEXTP(ip)};
        rc = db_exec(r->db, r->pool, "INSERT INTO login_failures (email, ip) VALUES (?, ?)", f, 2,
                     NULL);
        if (rc != DB_OK)
            return reply_db(r, rc);
        return reply_problem(r, 401, "the e-mail address or the password is wrong");
    }

    rc = db_begin(r->db);
    if (rc != DB_OK)
        return reply_db(r, rc);
    char text[TOKEN_TEXT_LEN];
    char expires[32];
    struct db_param e[] = {DB_INTP(LOGIN_TOKEN_DAYS)};
    struct db_rows *exp;
    rc =
        db_exec(r->db, r->pool,
                "SELECT DATE_FORMAT(NOW(3) + INTERVAL ? DAY, '%Y-%m-%d %H:%i:%s.000')", e, 1, &exp);
    if (rc != DB_OK) {
        db_rollback(r->db);
        return reply_db(r, rc);
    }
    snprintf(expires, sizeof(expires), "%s", db_cell(exp, 0, 0));
    long long tid;
    cJSON *user = NULL;
    rc = token_insert(r, uid, "sign-in", expires, text, &tid);
    if (rc == DB_OK) {
        /* The audit entry names the user who signed in. */
        r->user.id = uid;
        rc = resource_load(r, &users_resource, uid, 0, &user);
    }
    if (rc == DB_OK && user) {
        snprintf(r->user.name, sizeof(r->user.name), "%s",
                 cJSON_GetObjectItemCaseSensitive(user, "name")->valuestring);
        rc = audit_write(r, "login", "user", uid, NULL, NULL);
    }
    if (rc == DB_OK && user) {
        /* The owner's own typos from this address are forgiven once the
         * right password arrives; other accounts' failures still count. */
        struct db_param c[] = {DB_TEXTP(ip), DB_TEXTP(email->valuestring)};
        rc = db_exec(r->db, r->pool, "DELETE FROM login_failures WHERE ip = ? AND email = ?", c, 2,
                     NULL);
    }
    if (rc == DB_OK)
        rc = db_commit(r->db);
    if (rc != DB_OK || !user) {
        db_rollback(r->db);
        return reply_db(r, rc == DB_OK ? DB_ERROR : rc);
    }
    cJSON *out = req_json(r, cJSON_CreateObject());
    cJSON_AddStringToObject(out, "token", text);
    char ts[40];
    snprintf(ts, sizeof(ts), "%.10sT%.8sZ", expires, expires + 11);
    cJSON_AddStringToObject(out, "expires_at", ts);
    cJSON_AddItemReferenceToObject(out, "user", user);
    req_add_header(r, "Cache-Control", "no-store");
    return reply_json(r, 201, out);
}

int auth_logout(struct req *r)
{
    struct db_param p[] = {DB_INTP(r->user.token_id)};
    enum db_rc rc = db_exec(r->db, r->pool,
                            "UPDATE tokens SET revoked_at = NOW(3), version = version + 1, "
                            "updated_at = NOW(3) WHERE id = ? AND revoked_at IS NULL",
                            p, 1, NULL);
    if (rc == DB_OK)
        rc = audit_write(r, "logout", "token", r->user.token_id, NULL, NULL);
    if (rc != DB_OK)
        return reply_db(r, rc);
    token_cache_forget_on_commit(r);
    return reply_raw(r, 204, NULL, NULL, 0);
}

int auth_me(struct req *r)
{
    cJSON *user;
    int rc = resource_load(r, &users_resource, r->user.id, 0, &user);
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!user)
        return reply_problem(r, 401, "the user of this token no longer exists");
    return reply_json(r, 200, user);
}

int tokens_create(struct req *r)
{
    cJSON *errors = req_json(r, cJSON_CreateArray());
    struct value vals[N(token_fields)];
    size_t nv;
    validate_body(token_fields, N(token_fields), r->json, 1, r->pool, errors, vals, &nv);
    long long user_id = r->user.id;
    const char *name = NULL, *expires = NULL;
    for (size_t i = 0; i < nv; i++) {
        if (strcmp(vals[i].field->name, "name") == 0)
            name = vals[i].text;
        else if (strcmp(vals[i].field->name, "expires_at") == 0 && !vals[i].is_null)
            expires = vals[i].text;
        else if (strcmp(vals[i].field->name, "user_id") == 0) {
            if (r->user.role != ROLE_ADMIN)
                validation_error(errors, "user_id", "only admins issue tokens for other users");
            user_id = vals[i].i;
        }
    }
    if (cJSON_GetArraySize(errors))
        return reply_invalid(r, errors);
    struct db_param p[] = {DB_INTP(user_id), expires ? DB_TEXTP(expires) : DB_TEXTP("9999-01-01")};
    struct db_rows *rows;
    enum db_rc rc =
        db_exec(r->db, r->pool, "SELECT id, ? > NOW(3) FROM users WHERE id = ? AND active = 1",
                (struct db_param[]){p[1], p[0]}, 2, &rows);
    if (rc != DB_OK)
        return reply_db(r, rc);
    errors = req_json(r, cJSON_CreateArray());
    if (rows->nrows == 0)
        validation_error(errors, "user_id", "names no active user");
    else if (strcmp(db_cell(rows, 0, 1), "1") != 0)
        validation_error(errors, "expires_at", "must be in the future");
    if (cJSON_GetArraySize(errors))
        return reply_invalid(r, errors);

    char text[TOKEN_TEXT_LEN];
    long long id;
    rc = token_insert(r, user_id, name, expires, text, &id);
    if (rc != DB_OK)
        return reply_db(r, rc);
    cJSON *tok;
    rc = resource_load(r, &tokens_resource, id, 0, &tok);
    if (rc == DB_OK && tok)
        rc = audit_write(r, "create", "token", id, NULL, tok);
    if (rc != DB_OK || !tok)
        return reply_db(r, rc == DB_OK ? DB_ERROR : rc);
    resource_etag(r, tok);
    /* The plain token is shown once, here, and never stored: a replay of
     * this request answers without it. */
    char *without = cJSON_PrintUnformatted(tok);
    if (without) {
        r->replay_body = pool_strdup(r->pool, without);
        free(without);
    }
    cJSON_AddStringToObject(tok, "token", text);
    req_add_header(r, "Location", pool_printf(r->pool, "/api/v1/tokens/%lld", id));
    req_add_header(r, "Cache-Control", "no-store");
    return reply_json(r, 201, tok);
}

int tokens_revoke(struct req *r)
{
    long long id;
    cJSON *before;
    int st = resource_load_for_change(r, &tokens_resource, &id, &before);
    if (st)
        return st;
    struct db_param p[] = {DB_INTP(id)};
    enum db_rc rc = db_exec(r->db, r->pool,
                            "UPDATE tokens SET revoked_at = COALESCE(revoked_at, NOW(3)), "
                            "version = version + 1, updated_at = NOW(3) WHERE id = ?",
                            p, 1, NULL);
    cJSON *after = NULL;
    if (rc == DB_OK)
        rc = resource_load(r, &tokens_resource, id, 0, &after);
    if (rc == DB_OK)
        rc = audit_write(r, "delete", "token", id, before, after);
    if (rc != DB_OK)
        return reply_db(r, rc);
    token_cache_forget_on_commit(r);
    return reply_raw(r, 204, NULL, NULL, 0);
}
