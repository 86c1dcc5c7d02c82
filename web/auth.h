/* Staff authentication used by handlers and by `riss staff` (web/auth.c). */
#ifndef WEB_AUTH_H
#define WEB_AUTH_H

#include "rs_db.h"

struct web_login_result {
	char token[48];        /* cookie value: 256 random bits, base64url; never logged */
	char csrf[24];         /* value the client sends back in X-CSRF-Token */
	char username[48], display_name[128], role[24], centre_code[24];
	int ttl_s;
};

/* Sign in with password and TOTP code. Failures are counted (5 lock the account for 15
 * minutes) and audited, and all give the same message. RS_EAUTH on refusal. */
int web_auth_login(struct web_login_result *out, rs_db *db, const char *username,
                   const char *password, const char *totp, const char *request_id);
/* End the session of a cookie token. */
int web_auth_logout(rs_db *db, const char *token);
/* Create a staff account with an Argon2id password hash and a TOTP secret (given in
 * base32, or random when NULL); out_secret gets the secret in base32. */
int web_auth_create_staff(rs_db *db, const char *username, const char *display_name, const char *role,
                          const char *centre_code, const char *password, const char *totp_secret_b32,
                          char out_secret[40]);
/* Role bit of a role name (0 when unknown). */
unsigned web_role_bit(const char *name);
/* SHA-256 of a cookie token (what the database stores). */
void web_token_hash(unsigned char out[32], const char *token);
/* True unless a cookie-authenticated, state-changing request lacks the right X-CSRF-Token. */
struct web_request;
int web_csrf_ok(const struct web_request *req);

#endif
