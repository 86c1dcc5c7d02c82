/* Who is calling: staff sessions (cookie riss_staff, Argon2id + TOTP sign-in), candidate
 * sessions (cookie riss_exam, resolved by exam delivery) and registrant sessions (cookie
 * riss_me, resolved by the registry). One principal per request: a request that brings
 * more than one kind of session is served as nobody's. */
#include "web.h"
#include "auth.h"
#include "store_staff.h"

#include "reg_account.h"

#include "cpd.h"
#include "rs_audit.h"
#include "rs_encode.h"
#include "rs_error.h"
#include "rs_log.h"
#include "rs_password.h"
#include "rs_util.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define WEB_STAFF_SESSION_S (8 * 3600)

static const struct {
	const char *name;
	unsigned bit;
} web_role_names[] = {
	{ "proctor", WEB_ROLE_PROCTOR }, { "registrar", WEB_ROLE_REGISTRAR },
	{ "psychometrician", WEB_ROLE_PSYCHOMETRICIAN }, { "statistician", WEB_ROLE_STATISTICIAN },
	{ "auditor", WEB_ROLE_AUDITOR }, { "candidate", WEB_ROLE_CANDIDATE }, { "provider", WEB_ROLE_PROVIDER },
	{ "registrant", WEB_ROLE_REGISTRANT },
};

unsigned web_role_bit(const char *name)
{
	for (size_t i = 0; i < sizeof web_role_names / sizeof web_role_names[0]; i++)
		if (strcmp(web_role_names[i].name, name) == 0)
			return web_role_names[i].bit;
	return 0;
}

const char *web_role_name(unsigned roles)
{
	for (size_t i = 0; i < sizeof web_role_names / sizeof web_role_names[0]; i++)
		if (roles & web_role_names[i].bit)
			return web_role_names[i].name;
	return "public";
}

void web_token_hash(unsigned char out[32], const char *token)
{
	unsigned int n = 0;
	EVP_Digest(token, strlen(token), out, &n, EVP_sha256(), NULL);
}

/* A cookie token is 43 base64url characters (256 bits). */
static int web_token_wellformed(const char *t)
{
	return t && strlen(t) == 43 &&
	       strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == 43;
}

static void web_auth_staff(struct web_request *req, const char *staff)
{
	unsigned char h[32];
	web_token_hash(h, staff);
	rs_db *db = NULL;
	struct web_staff_account a;
	char csrf[24];
	int rc = web_db(req, &db);
	if (rc == 0)
		rc = web_staff_store_session_get(&a, csrf, db, h);
	if (rc == RS_EUNAVAIL)
		req->auth_unavailable = 1;
	if (rc == 0) {
		req->roles |= web_role_bit(a.role);
		req->staff_id = a.id;
		req->cookie_auth = 1;
		snprintf(req->actor, sizeof req->actor, "staff:%s", a.username);
		snprintf(req->centre_code, sizeof req->centre_code, "%s", a.centre_code);
		snprintf(req->csrf, sizeof req->csrf, "%s", csrf);
	}
}

static void web_auth_registrant(struct web_request *req, const char *me)
{
	unsigned char h[32];
	web_token_hash(h, me);
	rs_db *db = NULL;
	char regno[REG_REGNO_LEN + 1], csrf[24];
	int rc = web_db(req, &db);
	if (rc == 0)
		rc = reg_account_session(regno, csrf, db, h);
	if (rc == RS_EUNAVAIL)
		req->auth_unavailable = 1;
	if (rc == 0) {
		req->roles |= WEB_ROLE_REGISTRANT;
		req->cookie_auth = 1;
		snprintf(req->regno, sizeof req->regno, "%s", regno);
		snprintf(req->actor, sizeof req->actor, "registrant:%s", regno);
		snprintf(req->csrf, sizeof req->csrf, "%s", csrf);
	}
}

/* A training provider's API key (Authorization: Bearer rpk_...). With this header the
 * request has this one principal: cookies are not looked at. */
static void web_auth_bearer(struct web_request *req, const char *authz)
{
	if (strncasecmp(authz, "Bearer ", 7) != 0)
		return;
	rs_db *db = NULL;
	struct cpd_principal p;
	int rc = web_db(req, &db);
	if (rc == 0)
		rc = cpd_provider_auth(&p, db, authz + 7);
	if (rc == RS_EUNAVAIL || rc == RS_EDB)
		req->auth_unavailable = 1;
	if (rc == 0) {
		req->roles |= WEB_ROLE_PROVIDER;
		req->provider_id = p.provider_id;
		snprintf(req->actor, sizeof req->actor, "provider:%lld", (long long)p.provider_id);
	}
}

void web_auth_resolve(struct web_request *req)
{
	req->roles = WEB_ROLE_PUBLIC;
	snprintf(req->actor, sizeof req->actor, "public");
	const char *authz = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (authz) {
		web_auth_bearer(req, authz);
		return;
	}
	const char *staff = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, "riss_staff");
	const char *exam = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, "riss_exam");
	const char *me = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, "riss_me");
	int kinds = web_token_wellformed(staff) + web_token_wellformed(exam) + web_token_wellformed(me);
	if (kinds > 1) {
		/* Two kinds of session in one request: serve it as nobody's rather than mix them. */
		req->auth_mixed = 1;
		return;
	}
	if (web_token_wellformed(staff))
		web_auth_staff(req, staff);
	if (web_token_wellformed(me))
		web_auth_registrant(req, me);
	if (web_token_wellformed(exam)) {
		int rc = web_exam_auth(req, exam);
		if (rc == 0)
			req->cookie_auth = 1;
		else if (rc == RS_EUNAVAIL)
			req->auth_unavailable = 1;
	}
}

int web_csrf_ok(const struct web_request *req)
{
	if (!req->cookie_auth || strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
		return 1;
	const char *h = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-CSRF-Token");
	size_t n = strlen(req->csrf);
	return h && n > 0 && strlen(h) == n && CRYPTO_memcmp(h, req->csrf, n) == 0;
}

static char web_dummy_hash[RS_PASSWORD_HASH_MAX];
static pthread_once_t web_dummy_once = PTHREAD_ONCE_INIT;

static void web_dummy_init(void)
{
	if (rs_password_hash(web_dummy_hash, "not-a-real-password-0000") != 0)
		snprintf(web_dummy_hash, sizeof web_dummy_hash, "$argon2id$");
}

struct web_login_tx {
	const char *username, *password, *totp;
	const char *request_id;
	int result;                        /* 0 or RS_EAUTH, decided inside the transaction */
	char message[160];
	struct web_staff_account acct;
	char token[48], csrf[24];
};

/* Runs in one transaction; always commits so failure counts and audit rows persist. */
static int web_login_body(rs_db *db, void *arg)
{
	struct web_login_tx *t = arg;
	t->result = RS_EAUTH;
	snprintf(t->message, sizeof t->message, "wrong user name, password or code");
	int rc = web_staff_store_get_for_login(&t->acct, db, t->username);
	if (rc == RS_ENOTFOUND) {
		/* Spend the same time as a real check, so timing does not reveal user names. */
		pthread_once(&web_dummy_once, web_dummy_init);
		int ignored = rs_password_verify(web_dummy_hash, t->password);
		(void)ignored;
		char actor[96];
		snprintf(actor, sizeof actor, "unknown:%.40s", t->username);
		return rs_audit(db, actor, "public", "staff.login.failed", "", NULL, t->request_id);
	}
	if (rc != 0)
		return rc;
	char actor[96];
	snprintf(actor, sizeof actor, "staff:%s", t->acct.username);
	if (t->acct.disabled || t->acct.locked) {
		snprintf(t->message, sizeof t->message, "%s",
		         t->acct.disabled ? "this account is disabled" : "too many failed attempts: try again in 15 minutes");
		return rs_audit(db, actor, t->acct.role, "staff.login.refused", "", NULL, t->request_id);
	}
	unsigned char secret[RS_TOTP_SECRET_LEN];
	size_t slen = 0;
	int64_t step = t->acct.totp_last_step;
	int ok = rs_password_verify(t->acct.password_hash, t->password) == 0 &&
	         rs_base32_decode(secret, sizeof secret, &slen, t->acct.totp_secret) == 0 &&
	         rs_totp_verify(secret, slen, t->totp, rs_now_ms() / 1000, &step) == 0;
	OPENSSL_cleanse(secret, sizeof secret);
	rc = web_staff_store_login_result(db, t->acct.id, ok, step);
	if (rc != 0)
		return rc;
	if (!ok)
		return rs_audit(db, actor, t->acct.role, "staff.login.failed", "", NULL, t->request_id);
	unsigned char raw[32], rnd[16], h[32];
	if ((rc = rs_random_bytes(raw, sizeof raw)) != 0 || (rc = rs_random_bytes(rnd, sizeof rnd)) != 0)
		return rc;
	rs_b64url_encode(t->token, raw, sizeof raw);
	rs_b64url_encode(t->csrf, rnd, sizeof rnd);
	web_token_hash(h, t->token);
	rc = web_staff_store_session_new(db, h, t->acct.id, t->csrf, WEB_STAFF_SESSION_S);
	if (rc == 0)
		rc = rs_audit(db, actor, t->acct.role, "staff.login", "", NULL, t->request_id);
	if (rc == 0)
		t->result = 0;
	return rc;
}

int web_auth_login(struct web_login_result *out, rs_db *db, const char *username,
                   const char *password, const char *totp, const char *request_id)
{
	struct web_login_tx t = { .username = username, .password = password, .totp = totp, .request_id = request_id };
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, web_login_body, &t);
	if (rc != 0)
		return rc;
	if (t.result != 0) {
		rs_error_set("%s", t.message);
		return t.result;
	}
	memset(out, 0, sizeof *out);
	snprintf(out->token, sizeof out->token, "%s", t.token);
	snprintf(out->csrf, sizeof out->csrf, "%s", t.csrf);
	snprintf(out->username, sizeof out->username, "%s", t.acct.username);
	snprintf(out->display_name, sizeof out->display_name, "%s", t.acct.display_name);
	snprintf(out->role, sizeof out->role, "%s", t.acct.role);
	snprintf(out->centre_code, sizeof out->centre_code, "%s", t.acct.centre_code);
	out->ttl_s = WEB_STAFF_SESSION_S;
	OPENSSL_cleanse(t.token, sizeof t.token);
	return 0;
}

int web_auth_logout(rs_db *db, const char *token)
{
	unsigned char h[32];
	web_token_hash(h, token);
	return web_staff_store_session_delete(db, h);
}

int web_auth_create_staff(rs_db *db, const char *username, const char *display_name, const char *role,
                          const char *centre_code, const char *password, const char *totp_secret_b32,
                          char out_secret[40])
{
	if (!web_role_bit(role) || web_role_bit(role) & (WEB_ROLE_CANDIDATE | WEB_ROLE_PROVIDER | WEB_ROLE_REGISTRANT)) {
		rs_error_set("unknown staff role '%s' (proctor, registrar, psychometrician, statistician, auditor)", role);
		return RS_EINVAL;
	}
	if (strcmp(role, "proctor") == 0 && (!centre_code || !centre_code[0])) {
		rs_error_set("a proctor needs a test centre code (--centre)");
		return RS_EINVAL;
	}
	char hash[RS_PASSWORD_HASH_MAX];
	int rc = rs_password_hash(hash, password);
	if (rc != 0)
		return rc;
	char secret[40];
	if (totp_secret_b32) {
		unsigned char raw[RS_TOTP_SECRET_LEN];
		size_t n = 0;
		if (strlen(totp_secret_b32) != 32 || rs_base32_decode(raw, sizeof raw, &n, totp_secret_b32) != 0 || n != 20) {
			rs_error_set("a TOTP secret is 32 base32 characters (160 bits)");
			return RS_EINVAL;
		}
		rs_base32_encode(secret, raw, n);
	} else {
		unsigned char raw[RS_TOTP_SECRET_LEN];
		if ((rc = rs_random_bytes(raw, sizeof raw)) != 0)
			return rc;
		rs_base32_encode(secret, raw, sizeof raw);
	}
	rc = web_staff_store_create(db, username, display_name, role,
	                            centre_code && centre_code[0] ? centre_code : NULL, hash, secret);
	if (rc == 0)
		snprintf(out_secret, 40, "%s", secret);
	return rc;
}
