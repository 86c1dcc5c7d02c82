/* GET /api/v1/stats/results?from=&to=: exam-result statistics for statisticians and auditors. */
#include "web.h"

#include "dlv_stats.h"
#include "rs_error.h"
#include "rs_log.h"

enum MHD_Result web_h_stats_results(struct web_request *req)
{
	const char *from = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "from");
	const char *to = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "to");
	if (from && !from[0])
		from = NULL;
	if (to && !to[0])
		to = NULL;
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "stats.unavailable", NULL);
	json_t *doc = NULL;
	int rc = dlv_stats_results(&doc, db, from, to, req->actor, web_role_name(req->roles & ~WEB_ROLE_PUBLIC), req->id);
	if (rc == RS_EINVAL)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	if (rc != 0) {
		rs_warn("statistics: %s", rs_error_last());
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "stats.unavailable", NULL);
	}
	return web_reply_json(req, MHD_HTTP_OK, doc);
}
