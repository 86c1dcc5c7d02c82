/* rissd: GET /api/v1/cpd/status/{regno} — a registrant's standing in continuing training
 * (registrar, auditor). */
#include "web_cpd.h"

#include "rs_error.h"
#include "rs_util.h"

#include <string.h>

enum MHD_Result web_h_cpd_status(struct web_request *req)
{
	const char *regno = req->url + strlen("/api/v1/cpd/status/");
	if (strlen(regno) != 6 || strspn(regno, "0123456789") != 6)
		return web_reply_msg(req, MHD_HTTP_BAD_REQUEST, "invalid-request", "cpd.regno_invalid", NULL);
	rs_db *db;
	enum MHD_Result reply;
	if (web_cpd_begin(req, &db, NULL, &reply) != 0)
		return reply;
	json_t *out = NULL;
	int rc = cpd_standing_json(&out, db, regno, cpd_today_jst(rs_now_ms() / 1000));
	return web_cpd_answer(req, rc, out, MHD_HTTP_OK);
}
