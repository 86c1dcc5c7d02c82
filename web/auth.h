/* Who is calling (web/auth.c): roles, cookie tokens, CSRF. Staff accounts are staff/sf.h. */
#ifndef WEB_AUTH_H
#define WEB_AUTH_H

#include "rs_db.h"

/* End the staff session of a cookie token. */
int web_auth_logout(rs_db *db, const char *token);
/* Role bit of a role name (0 when unknown). */
unsigned web_role_bit(const char *name);
/* SHA-256 of a cookie token (what the database stores). */
void web_token_hash(unsigned char out[32], const char *token);
/* True unless a cookie-authenticated, state-changing request lacks the right X-CSRF-Token. */
struct web_request;
int web_csrf_ok(const struct web_request *req);

#endif
