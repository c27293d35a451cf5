/* auth.h — sign-in, sign-out, the current user, and API tokens. */
#ifndef FT_AUTH_H
#define FT_AUTH_H

#include "http/request.h"

struct resource;
extern const struct resource tokens_resource;

int auth_login(struct req *r);
int auth_logout(struct req *r);
int auth_me(struct req *r);
int tokens_create(struct req *r);
int tokens_revoke(struct req *r);

/* Failed sign-ins allowed per e-mail address and per client address in
 * LOGIN_WINDOW_MIN minutes before 429. */
#define LOGIN_MAX_PER_EMAIL 5
#define LOGIN_MAX_PER_IP 20
#define LOGIN_WINDOW_MIN 15
#define LOGIN_TOKEN_DAYS 7

#endif
