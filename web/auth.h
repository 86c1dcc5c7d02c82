/* Who is calling (web/auth.c): roles, cookie tokens, CSRF. Staff accounts are staff/sf.h. */
#ifndef WEB_AUTH_H
#define WEB_AUTH_H

#include "rs_db.h"

/* End the staff session of a cookie token. */
int web_auth_logout(rs_db *db, const char *token);
/* Role bit of a role name (0 when unknown). */
unsigned web_role_bit(const char *name);
/* The name of a session cookie: base ("riss_staff", "riss_me", "riss_exam", "riss_ws"), with
 * the __Host- prefix when cookies are Secure (ASVS 3.4.4: such a cookie can be set only by
 * this host over https, for Path=/, so a sibling domain or a plain-http page cannot plant
 * one). Only that name is read then. A static string. */
const char *web_cookie_name(const char *base);
/* SHA-256 of a cookie token (what the database stores). */
void web_token_hash(unsigned char out[32], const char *token);
/* True unless a cookie-authenticated, state-changing request lacks the right X-CSRF-Token. */
struct web_request;
int web_csrf_ok(const struct web_request *req);

#endif
