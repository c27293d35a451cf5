/* auth.h — sign-in, sign-out, the current user, and API tokens. */
#ifndef FT_AUTH_H
#define FT_AUTH_H

#include <stddef.h>

#include "http/request.h"

struct resource;
extern const struct resource tokens_resource;

/* Reads FT_TRUSTED_PROXIES (see util/netaddr.h), once before serving.
 * Returns 0, or -1 with a message in err. */
int auth_init(const char *trusted_proxies, char *err, size_t errlen);

int auth_login(struct req *r);
int auth_logout(struct req *r);
int auth_me(struct req *r);
int tokens_create(struct req *r);
int tokens_revoke(struct req *r);

/* Failed sign-ins allowed in LOGIN_WINDOW_MIN minutes before 429: per
 * account and client address, and per client address over all accounts.
 * Failures from other addresses never count against an address, so an
 * attacker elsewhere cannot lock the owner of an account out. */
#define LOGIN_MAX_PER_ACCOUNT_ADDRESS 5
#define LOGIN_MAX_PER_ADDRESS 50
#define LOGIN_WINDOW_MIN 15
#define LOGIN_TOKEN_DAYS 7

#endif
