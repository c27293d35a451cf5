/* token_cache.h — who a bearer token belongs to, remembered for a moment.
 *
 * Every request names its token, and resolving it is a database round trip
 * of its own. Each database worker thread keeps what it resolved for at most
 * TOKEN_CACHE_TTL seconds (never past the token's expiry). A sign-out, a
 * revoked token or a changed user on this instance forgets everything at
 * once (after its commit); on other instances sharing the database, such a
 * change takes effect within TOKEN_CACHE_TTL. */
#ifndef FT_TOKEN_CACHE_H
#define FT_TOKEN_CACHE_H

#include "http/request.h"
#include "identity/credentials.h"

#define TOKEN_CACHE_TTL 1.0 /* seconds */

/* The generation to pass to token_cache_put for a lookup that starts now:
 * read it before asking the database, so that a change committed while the
 * answer was on its way makes that answer stale. */
unsigned long token_cache_generation(void);

/* Fills *u and returns 1 when this thread resolved the token lately and
 * nothing was forgotten since; else 0. */
int token_cache_get(const unsigned char hash[TOKEN_HASH_LEN], struct user *u);

/* Remembers the user of a token, resolved in generation gen, for at most
 * TOKEN_CACHE_TTL seconds and never more than expires_in seconds (< 0: the
 * token does not expire). */
void token_cache_put(const unsigned char hash[TOKEN_HASH_LEN], const struct user *u,
                     unsigned long gen, double expires_in);

/* Forgets every remembered token on every thread. */
void token_cache_forget_all(void);

/* Registers token_cache_forget_all to run when r's transaction commits: for
 * the handlers that revoke tokens or change users. */
void token_cache_forget_on_commit(struct req *r);

#endif
