/* rissd: registrants' self-service under /api/v1/me — activation with the registrar's
 * one-time code, sign-in (password + TOTP, cookie riss_me), the registrant's own view
 * (validity, duties, completions, credentials, card), the language of their mail and
 * pages, the renewal application, and their credential as QR (SVG, PNG) and token. */
#include "rs_password.h"
#include "web_registry.h"
#include "web_renewal.h"
#include "auth.h"

#include "cpd_renewal.h"
#include "reg_account.h"
#include "reg_qr.h"
#include "rs_config.h"
#include "rs_error.h"
#include "rs_json.h"
#include "rs_log.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum MHD_Result web_h_me_activate(struct web_request *req)
{
	const char *regno = NULL, *code = NULL, *password = NULL;
	struct rs_json_field spec[] = {
		{ "regno", RS_JSON_STRING, &regno, 0, 6, 6 },
		{ "code", RS_JSON_STRING, &code, 0, 1, 40 },
		{ "password", RS_JSON_STRING, &password, 0, 1, RS_PASSWORD_BYTES_MAX },
	};
	if (rs_json_fields(req->json, spec, 3) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "renewal.err.unavailable", NULL);
	char secret[40];
	int rc = reg_account_activate(secret, db, regno, code, password, (int64_t)time(NULL), req->id);
	if (rc == RS_EAUTH)
		return web_reply_msg(req, MHD_HTTP_UNAUTHORIZED, "sign-in-failed", "renewal.err.activation", NULL);
	if (rc == RS_EINVAL) /* the password rule's own message (length, common, personal) */
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	if (rc != 0)
		return web_renewal_fail(req, rc);
	char uri[256];
	snprintf(uri, sizeof uri, "otpauth://totp/RISS:%s?secret=%s&issuer=RISS", regno, secret);
	enum MHD_Result r = web_reply_json(req, MHD_HTTP_OK, json_pack("{s:s, s:s, s:s}", "regno", regno, "totp_secret",
	                                                               secret, "otpauth_uri", uri));
	OPENSSL_cleanse(secret, sizeof secret);
	return r;
}

enum MHD_Result web_h_me_login(struct web_request *req)
{
	const char *regno = NULL, *password = NULL, *totp = NULL;
	struct rs_json_field spec[] = {
		{ "regno", RS_JSON_STRING, &regno, 0, 6, 6 },
		{ "password", RS_JSON_STRING, &password, 0, 1, RS_PASSWORD_BYTES_MAX },
		{ "totp", RS_JSON_STRING, &totp, 0, 6, 6 },
	};
	if (rs_json_fields(req->json, spec, 3) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	if (web_guard_enter(req, WEB_GUARD_REGISTRANT) != WEB_GUARD_OK) /* before any Argon2 work */
		return web_reply_sign_in_limited(req);
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "http.auth_unavailable", NULL);
	struct reg_me_login res;
	int rc = reg_account_login(&res, db, regno, password, totp, req->client_ip, (int64_t)time(NULL), req->id);
	if (rc == 0 || rc == RS_EAUTH)
		web_guard_result(req, WEB_GUARD_REGISTRANT, rc == 0);
	if (rc == RS_EAUTH) {
		rs_info("registrant sign-in refused for \"%.6s\"", regno);
		return web_reply_msg(req, MHD_HTTP_UNAUTHORIZED, "sign-in-failed", "renewal.err.login", NULL);
	}
	if (rc != 0)
		return web_renewal_fail(req, rc);
	char cookie[160];
	snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", web_cookie_name("riss_me"),
	         res.token, res.ttl_s, web_srv.secure_cookies ? "; Secure" : "");
	OPENSSL_cleanse(res.token, sizeof res.token);
	const char *hdrs[] = { MHD_HTTP_HEADER_SET_COOKIE, cookie, NULL };
	enum MHD_Result r = web_reply_json_hdrs(req, MHD_HTTP_OK, json_pack("{s:s, s:s}", "regno", res.regno, "csrf",
	                                                                    res.csrf), hdrs);
	OPENSSL_cleanse(cookie, sizeof cookie);
	return r;
}

enum MHD_Result web_h_me_logout(struct web_request *req)
{
	const char *token = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, web_cookie_name("riss_me"));
	rs_db *db = NULL;
	unsigned char h[32];
	if (token)
		web_token_hash(h, token);
	if (web_db(req, &db) != 0 || (token && reg_account_logout(db, h) != 0))
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "renewal.err.unavailable", NULL);
	char clear[96];
	snprintf(clear, sizeof clear, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", web_cookie_name("riss_me"),
	         web_srv.secure_cookies ? "; Secure" : "");
	const char *hdrs[] = { MHD_HTTP_HEADER_SET_COOKIE, clear, NULL };
	return web_reply_json_hdrs(req, MHD_HTTP_OK, json_pack("{s:b}", "signed_out", 1), hdrs);
}

/* POST /api/v1/me/password {current_password, totp, new_password}: the registrant's own
 * password; every other session of the account ends (security, issue 17). */
enum MHD_Result web_h_me_password(struct web_request *req)
{
	const char *current = NULL, *totp = NULL, *fresh = NULL;
	struct rs_json_field spec[] = {
		{ "current_password", RS_JSON_STRING, &current, 0, 1, RS_PASSWORD_BYTES_MAX },
		{ "totp", RS_JSON_STRING, &totp, 0, 6, 6 },
		{ "new_password", RS_JSON_STRING, &fresh, 0, 1, RS_PASSWORD_BYTES_MAX },
	};
	if (rs_json_fields(req->json, spec, 3) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	if (web_guard_enter(req, WEB_GUARD_REGISTRANT) != WEB_GUARD_OK) /* before any Argon2 work */
		return web_reply_sign_in_limited(req);
	const char *token = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, web_cookie_name("riss_me"));
	rs_db *db = NULL;
	if (!token || web_db(req, &db) != 0)
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "renewal.err.unavailable", NULL);
	unsigned char h[32];
	web_token_hash(h, token);
	int rc = reg_account_password_change(db, req->regno, h, current, totp, fresh, req->client_ip, (int64_t)time(NULL),
	                                     req->id);
	if (rc == 0 || rc == RS_EAUTH)
		web_guard_result(req, WEB_GUARD_REGISTRANT, rc == 0);
	if (rc == RS_EAUTH)
		return web_reply_error(req, MHD_HTTP_FORBIDDEN, "forbidden");
	if (rc == RS_EINVAL)
		return web_reply_error(req, 422, "invalid-request");
	if (rc != 0)
		return web_renewal_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, json_pack("{s:b}", "changed", 1));
}

enum MHD_Result web_h_me(struct web_request *req)
{
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "renewal.err.unavailable", NULL);
	json_t *o = NULL;
	int rc = cpd_me_view(&o, db, req->regno, (int64_t)time(NULL));
	if (rc != 0)
		return web_renewal_fail(req, rc);
	json_object_set_new(o, "csrf", json_string(req->csrf));
	return web_reply_json(req, MHD_HTTP_OK, o);
}

enum MHD_Result web_h_me_language(struct web_request *req)
{
	const char *lang = NULL;
	struct rs_json_field spec[] = { { "lang", RS_JSON_STRING, &lang, 0, 2, 2 } };
	if (rs_json_fields(req->json, spec, 1) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "renewal.err.unavailable", NULL);
	struct reg_actor who = web_reg_actor(req);
	int rc = reg_contact_set(db, req->regno, NULL, lang, &who);
	if (rc != 0)
		return web_renewal_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, json_pack("{s:s}", "lang", lang));
}

enum MHD_Result web_h_me_renewal(struct web_request *req)
{
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "renewal.err.unavailable", NULL);
	struct reg_actor who = web_reg_actor(req);
	int64_t id = 0;
	int rc = cpd_renewal_apply(&id, db, req->regno, (int64_t)time(NULL), &who);
	if (rc != 0)
		return web_renewal_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_CREATED, json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", "submitted"));
}

/* The newest live credential's token of the signed-in registrant, or NULL (caller frees). */
static char *web_me_token(struct web_request *req, int *out_rc)
{
	rs_db *db = NULL;
	*out_rc = web_db(req, &db);
	if (*out_rc != 0)
		return NULL;
	json_t *show = NULL;
	if ((*out_rc = reg_wf_show(&show, db, req->regno, (int64_t)time(NULL))) != 0)
		return NULL;
	char *tok = NULL;
	size_t i;
	json_t *c;
	time_t now = time(NULL);
	json_array_foreach(json_object_get(show, "credentials"), i, c)
		if (json_integer_value(json_object_get(c, "exp")) > now) {
			tok = strdup(json_string_value(json_object_get(c, "jws")));
			break;
		}
	json_decref(show);
	return tok;
}

enum MHD_Result web_h_me_qr(struct web_request *req)
{
	int rc = 0;
	char *tok = web_me_token(req, &rc);
	if (rc != 0)
		return web_renewal_fail(req, rc);
	if (!tok)
		return web_reply_msg(req, MHD_HTTP_NOT_FOUND, "not-found", "renewal.err.no_credential", NULL);
	size_t n = strlen(req->url);
	enum MHD_Result r;
	if (n > 10 && strcmp(req->url + n - 10, "/token.jws") == 0) {
		r = web_reply_text(req, MHD_HTTP_OK, "application/jose; charset=us-ascii", tok, strlen(tok), "no-store");
		free(tok);
		return r;
	}
	char *url = NULL, *svg = NULL;
	unsigned char *png = NULL;
	size_t png_len = 0;
	int is_png = strcmp(req->url + n - 4, ".png") == 0;
	rc = reg_qr_verify_url(&url, web_reg_base_url(), tok);
	if (rc == 0)
		rc = is_png ? reg_qr_png(&png, &png_len, url, REG_QR_M, 8) : reg_qr_svg(&svg, url, REG_QR_M, 4);
	free(tok);
	free(url);
	if (rc != 0)
		return web_reply_msg(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal-error", "problem.internal-error", NULL);
	if (is_png)
		r = web_reply_text(req, MHD_HTTP_OK, "image/png", (const char *)png, png_len, "no-store");
	else
		r = web_reply_text(req, MHD_HTTP_OK, "image/svg+xml", svg, strlen(svg), "no-store");
	free(png);
	free(svg);
	return r;
}
