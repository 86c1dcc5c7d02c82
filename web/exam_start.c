/* POST /api/v1/exam/start {code}: a workstation redeems the proctor's admission code. Sets
 * the session cookie riss_exam (256-bit, HttpOnly, SameSite=Strict) and, when the
 * workstation has none, the workstation cookie riss_ws that the session is bound to. */
#include "auth.h"
#include "web_exam.h"

#include "rs_config.h"
#include "rs_error.h"
#include "rs_json.h"
#include "rs_log.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

enum MHD_Result web_h_exam_start(struct web_request *req)
{
	const char *code = NULL;
	struct rs_json_field spec[] = { { .name = "code", .kind = RS_JSON_STRING, .out = &code, .min = 1, .max = 32 } };
	if (rs_json_fields(req->json, spec, 1) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	char ws[DLV_TOKEN_LEN + 1], token[DLV_TOKEN_LEN + 1];
	const char *have = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, web_cookie_name("riss_ws"));
	int new_ws = !have || strlen(have) != DLV_TOKEN_LEN;
	if (new_ws) {
		if (dlv_token_new(ws) != 0)
			return web_exam_fail(req, RS_EINTERNAL);
	} else {
		snprintf(ws, sizeof ws, "%s", have);
	}
	/* Guessing is slowed per address and per node before anything is looked up, and a
	 * node may be told to take codes only from the test centres' networks. */
	int g = web_guard_enter(req, WEB_GUARD_CODE);
	if (g == WEB_GUARD_OUTSIDE)
		return web_reply_msg(req, MHD_HTTP_FORBIDDEN, "forbidden", "security.code_outside_centre", NULL);
	if (g == WEB_GUARD_LIMITED) {
		char secs[16];
		snprintf(secs, sizeof secs, "%d", req->retry_after);
		return web_reply_msg(req, MHD_HTTP_TOO_MANY_REQUESTS, "rate-limited", "security.code_rate_limited", secs, NULL);
	}
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_exam_fail(req, RS_EUNAVAIL);
	int64_t sid = 0;
	int rc = dlv_redeem(token, &sid, db, code, ws, req->client_ip);
	if (rc == 0 || rc == RS_EAUTH || rc == RS_EINVAL)
		web_guard_result(req, WEB_GUARD_CODE, rc == 0);
	if (rc != 0) {
		rs_info("admission code refused for \"%s\": %s", req->client_ip, rs_error_last());
		return web_exam_fail(req, rc);
	}
	const char *secure = web_srv.secure_cookies ? "; Secure" : "";
	char c1[160], c2[160], csrf[24];
	snprintf(c1, sizeof c1, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=86400%s", web_cookie_name("riss_exam"),
	         token, secure);
	snprintf(c2, sizeof c2, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000%s", web_cookie_name("riss_ws"),
	         ws, secure);
	web_exam_csrf(csrf, sizeof csrf, token);
	const char *hdrs[] = { MHD_HTTP_HEADER_SET_COOKIE, c1, new_ws ? MHD_HTTP_HEADER_SET_COOKIE : NULL, c2, NULL };
	enum MHD_Result r = web_reply_json_hdrs(req, MHD_HTTP_OK,
		json_pack("{s:I, s:s}", "session", (json_int_t)sid, "csrf", csrf), hdrs);
	OPENSSL_cleanse(c1, sizeof c1);
	OPENSSL_cleanse(token, sizeof token);
	return r;
}
