/* POST /api/v1/password/check {password, names?}: the strength meter of the password forms
 * (ASVS 2.1.8; issue 17, sec3). The server's own rule (rs_password_acceptable) judges, so the
 * page never holds a second copy of it; nothing is stored or logged. */
#include "web.h"

#include "rs_error.h"
#include "rs_json.h"
#include "rs_log.h"
#include "rs_password.h"

#include <jansson.h>

enum MHD_Result web_h_password_check(struct web_request *req)
{
	const char *password = NULL, *names = NULL;
	struct rs_json_field spec[] = {
		{ .name = "password", .kind = RS_JSON_STRING, .out = &password, .min = 0, .max = RS_PASSWORD_BYTES_MAX },
		{ .name = "names", .kind = RS_JSON_STRING, .out = &names, .min = 0, .max = 200, .optional = 1 },
	};
	if (rs_json_fields(req->json, spec, 2) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	const char *personal[] = { names, NULL };
	int score = 0;
	int rc = rs_password_strength(&score, password, names && names[0] ? personal : NULL);
	if (rc != 0 && rc != RS_EINVAL) {
		rs_warn("password check: %s", rs_error_last());
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "http.auth_unavailable", NULL);
	}
	char why[512] = "";
	if (rc == RS_EINVAL)
		rs_error_last_text(why, sizeof why, req->lang_en);
	return web_reply_json(req, MHD_HTTP_OK, json_pack("{s:b, s:i, s:s}", "acceptable", rc == 0, "strength", score,
	                                                  "detail", why));
}
