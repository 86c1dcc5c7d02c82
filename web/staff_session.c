/* /api/v1/staff/login, /logout, /me, /password: staff sign-in with password and TOTP, and a
 * password change. */
#include "rs_password.h"
#include "web.h"
#include "auth.h"

#include "sf.h"

#include "rs_config.h"
#include "rs_error.h"
#include "rs_json.h"
#include "rs_log.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

enum MHD_Result web_h_staff_login(struct web_request *req)
{
	const char *username = NULL, *password = NULL, *totp = NULL;
	struct rs_json_field spec[] = {
		{ .name = "username", .kind = RS_JSON_STRING, .out = &username, .min = 1, .max = 40 },
		{ .name = "password", .kind = RS_JSON_STRING, .out = &password, .min = 1, .max = RS_PASSWORD_BYTES_MAX },
		{ .name = "totp", .kind = RS_JSON_STRING, .out = &totp, .min = 6, .max = 6 },
	};
	if (rs_json_fields(req->json, spec, 3) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	if (web_guard_enter(req, WEB_GUARD_STAFF) != WEB_GUARD_OK) /* before any Argon2 work */
		return web_reply_sign_in_limited(req);
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "http.auth_unavailable", NULL);
	struct sf_login res;
	int rc = sf_sign_in(&res, db, username, password, totp, req->client_ip, req->id);
	if (rc == 0 || rc == RS_EAUTH)
		web_guard_result(req, WEB_GUARD_STAFF, rc == 0);
	if (rc == RS_EAUTH) {
		rs_info("staff sign-in refused for \"%.40s\" from \"%s\": %s", username, req->client_ip, rs_error_last());
		return web_reply_msg(req, MHD_HTTP_UNAUTHORIZED, "sign-in-failed", "staff.sign_in_failed", NULL);
	}
	if (rc != 0) {
		rs_warn("staff sign-in: %s", rs_error_last());
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "http.auth_unavailable", NULL);
	}
	char cookie[160];
	snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
	         web_cookie_name("riss_staff"), res.token, res.ttl_s, web_srv.secure_cookies ? "; Secure" : "");
	OPENSSL_cleanse(res.token, sizeof res.token);
	const char *hdrs[] = { MHD_HTTP_HEADER_SET_COOKIE, cookie, NULL };
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "username", res.acct.username, "display_name",
	                         res.acct.display_name, "role", res.acct.role, "centre_code", res.acct.centre_code,
	                         "csrf", res.csrf);
	enum MHD_Result r = web_reply_json_hdrs(req, MHD_HTTP_OK, body, hdrs);
	OPENSSL_cleanse(cookie, sizeof cookie);
	OPENSSL_cleanse(&res, sizeof res);
	return r;
}

enum MHD_Result web_h_staff_logout(struct web_request *req)
{
	const char *token = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, web_cookie_name("riss_staff"));
	rs_db *db = NULL;
	if (web_db(req, &db) != 0 || (token && web_auth_logout(db, token) != 0)) {
		rs_warn("staff sign-out: %s", rs_error_last());
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "http.auth_unavailable", NULL);
	}
	char clear[96];
	snprintf(clear, sizeof clear, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", web_cookie_name("riss_staff"),
	         web_srv.secure_cookies ? "; Secure" : "");
	const char *hdrs[] = { MHD_HTTP_HEADER_SET_COOKIE, clear, NULL };
	return web_reply_json_hdrs(req, MHD_HTTP_OK, json_pack("{s:b}", "signed_out", 1), hdrs);
}

/* POST /api/v1/staff/password {current_password, totp, new_password}: the signed-in staff
 * member's own password; every other session of the account ends (security, issue 17). */
enum MHD_Result web_h_staff_password(struct web_request *req)
{
	const char *current = NULL, *totp = NULL, *fresh = NULL;
	struct rs_json_field spec[] = {
		{ .name = "current_password", .kind = RS_JSON_STRING, .out = &current, .min = 1, .max = RS_PASSWORD_BYTES_MAX },
		{ .name = "totp", .kind = RS_JSON_STRING, .out = &totp, .min = 6, .max = 6 },
		{ .name = "new_password", .kind = RS_JSON_STRING, .out = &fresh, .min = 1, .max = RS_PASSWORD_BYTES_MAX },
	};
	if (rs_json_fields(req->json, spec, 3) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	if (web_guard_enter(req, WEB_GUARD_STAFF) != WEB_GUARD_OK) /* before any Argon2 work */
		return web_reply_sign_in_limited(req);
	const char *token = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, web_cookie_name("riss_staff"));
	rs_db *db = NULL;
	if (!token || web_db(req, &db) != 0)
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "http.auth_unavailable", NULL);
	unsigned char h[32];
	web_token_hash(h, token);
	int rc = sf_password_change(db, req->staff_id, h, current, totp, fresh, req->client_ip, req->id);
	if (rc == 0 || rc == RS_EAUTH)
		web_guard_result(req, WEB_GUARD_STAFF, rc == 0);
	if (rc == RS_EAUTH)
		return web_reply_error(req, MHD_HTTP_FORBIDDEN, "forbidden");
	if (rc == RS_EINVAL)
		return web_reply_error(req, 422, "invalid-request");
	if (rc != 0) {
		rs_warn("staff password change: %s", rs_error_last());
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "http.auth_unavailable", NULL);
	}
	rs_info("staff password changed for %s", req->actor);
	return web_reply_json(req, MHD_HTTP_OK, json_pack("{s:b}", "changed", 1));
}

/* POST /api/v1/staff/step-up {totp}: confirm a fresh TOTP code on this session, so that for
 * step_up_window seconds the routes marked step_up are allowed (security, issue 17). */
enum MHD_Result web_h_staff_step_up(struct web_request *req)
{
	const char *totp = NULL;
	struct rs_json_field spec[] = {
		{ .name = "totp", .kind = RS_JSON_STRING, .out = &totp, .min = 6, .max = 6 },
	};
	if (rs_json_fields(req->json, spec, 1) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	if (web_guard_enter(req, WEB_GUARD_STAFF) != WEB_GUARD_OK)
		return web_reply_sign_in_limited(req);
	const char *token = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, web_cookie_name("riss_staff"));
	rs_db *db = NULL;
	if (!token || web_db(req, &db) != 0)
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "http.auth_unavailable", NULL);
	unsigned char h[32];
	web_token_hash(h, token);
	int rc = sf_step_up(db, req->staff_id, h, totp, req->client_ip, req->id);
	if (rc == 0 || rc == RS_EAUTH)
		web_guard_result(req, WEB_GUARD_STAFF, rc == 0);
	if (rc == RS_EAUTH) {
		rs_info("step-up refused for %s from \"%s\"", req->actor, req->client_ip);
		return web_reply_error(req, MHD_HTTP_FORBIDDEN, "step-up-failed");
	}
	if (rc == RS_ENOTFOUND)
		return web_reply_msg(req, MHD_HTTP_UNAUTHORIZED, "unauthenticated", "problem.unauthenticated.detail", NULL);
	if (rc != 0) {
		rs_warn("staff step-up: %s", rs_error_last());
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "http.auth_unavailable", NULL);
	}
	rs_info("step-up confirmed for %s", req->actor);
	return web_reply_json(req, MHD_HTTP_OK, json_pack("{s:b, s:i}", "stepped_up", 1, "window_s",
	                                                  (int)rs_config_int("step_up_window")));
}

enum MHD_Result web_h_staff_me(struct web_request *req)
{
	return web_reply_json(req, MHD_HTTP_OK,
	                      json_pack("{s:s, s:s, s:s, s:s}", "actor", req->actor, "role", web_role_name(req->roles & ~WEB_ROLE_PUBLIC),
	                                "centre_code", req->centre_code, "csrf", req->csrf));
}
