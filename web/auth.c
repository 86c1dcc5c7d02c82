/* Who is calling: staff sessions (cookie riss_staff; accounts and sign-in in staff/), candidate
 * sessions (cookie riss_exam, resolved by exam delivery) and registrant sessions (cookie
 * riss_me, resolved by the registry). One principal per request: a request that brings
 * more than one kind of session is served as nobody's. */
#include "web.h"
#include "auth.h"
#include "sf.h"

#include "reg_account.h"

#include "cpd.h"
#include "rs_error.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
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

const char *web_cookie_name(const char *base)
{
	static const char *const names[][2] = { { "riss_staff", "__Host-riss_staff" }, { "riss_me", "__Host-riss_me" },
	                                         { "riss_exam", "__Host-riss_exam" }, { "riss_ws", "__Host-riss_ws" } };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(base, names[i][0]) == 0)
			return names[i][web_srv.secure_cookies ? 1 : 0];
	return base;
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
	struct sf_account a;
	char csrf[24];
	int rc = web_db(req, &db);
	if (rc == 0)
		rc = sf_session(&a, csrf, db, h);
	if (rc == RS_EUNAVAIL)
		req->auth_unavailable = 1;
	if (rc == 0) {
		req->roles |= web_role_bit(a.role);
		req->staff_id = a.id;
		req->stepped_up = a.stepped_up;
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
	const char *staff = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, web_cookie_name("riss_staff"));
	const char *exam = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, web_cookie_name("riss_exam"));
	const char *me = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, web_cookie_name("riss_me"));
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

int web_auth_logout(rs_db *db, const char *token)
{
	unsigned char h[32];
	web_token_hash(h, token);
	return sf_sign_out(db, h);
}
