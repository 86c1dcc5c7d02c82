/* GET /api/v1/exam/status: what the candidate screen polls about once a second to follow the
 * proctor (pause, resume, extra time, end, move) — state, remaining seconds by the server's
 * clock and a version counter, no item content, no state change. Open to any caller: a
 * workstation whose sitting was moved away (its cookie no longer signs in) learns "moved"
 * here, one without a sitting learns "none".
 * POST /api/v1/exam/close: the candidate closes the score report (or its idle timeout ran
 * out): the sitting's token stops working and the cookie is cleared, so the next person at
 * the workstation sees nothing of the previous one. Polling, not Server-Sent Events: see
 * docs/ARCHITECTURE.md ("Live candidate screen"). */
#include "auth.h"
#include "web_exam.h"

#include "rs_config.h"
#include "rs_error.h"

enum MHD_Result web_h_exam_status(struct web_request *req)
{
	const char *token = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, web_cookie_name("riss_exam"));
	const char *ws = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, web_cookie_name("riss_ws"));
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_exam_fail(req, RS_EUNAVAIL);
	json_t *out = NULL;
	int rc = dlv_status(&out, db, token, ws);
	if (rc != 0)
		return web_exam_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, out);
}

enum MHD_Result web_h_exam_close(struct web_request *req)
{
	int64_t sid = web_exam_session(req);
	if (sid != 0) {
		rs_db *db = NULL;
		if (web_db(req, &db) != 0)
			return web_exam_fail(req, RS_EUNAVAIL);
		int rc = dlv_close(db, sid, MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, web_cookie_name("riss_exam")));
		/* RS_EAUTH: the sitting moved away already; the cookie is cleared all the same. */
		if (rc != 0 && rc != RS_EAUTH)
			return web_exam_fail(req, rc);
	}
	/* The workstation cookie riss_ws stays: it is the workstation's, not the candidate's. */
	char clear[96];
	snprintf(clear, sizeof clear, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", web_cookie_name("riss_exam"),
	         web_srv.secure_cookies ? "; Secure" : "");
	const char *hdrs[] = { MHD_HTTP_HEADER_SET_COOKIE, clear, NULL };
	return web_reply_json_hdrs(req, MHD_HTTP_OK, json_pack("{s:b}", "ok", 1), hdrs);
}
