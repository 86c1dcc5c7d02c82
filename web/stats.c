/* GET /api/v1/stats (the tables) and GET /api/v1/stats/<table>?period=|from=&to=&exam=&centre=
 * &prefecture=&format=json|csv&raw=1: the agency's statistics, after disclosure control. */
#include "web.h"

#include "rs_error.h"
#include "rs_log.h"
#include "rs_sdc.h"
#include "st.h"

#include <stdlib.h>
#include <string.h>

enum MHD_Result web_h_stats_list(struct web_request *req)
{
	struct rs_sdc_rules rules = rs_sdc_rules_default();
	json_t *doc = json_pack("{s:o, s:I, s:b, s:b}", "tables", st_table_list(), "k", (json_int_t)rules.k,
	                        "allow_zero", rules.allow_zero, "raw_allowed", (req->route->raw_roles & req->roles) != 0);
	return web_reply_json(req, MHD_HTTP_OK, doc);
}

static const char *web_stats_arg(struct web_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

enum MHD_Result web_h_stats_table(struct web_request *req)
{
	const char *name = req->url + strlen("/api/v1/stats/");
	struct st_filter f;
	memset(&f, 0, sizeof f);
	static const char *const filters[] = { "from", "to", "period", "exam", "centre", "prefecture" };
	for (int i = 0; i < 6; i++)
		if (st_filter_set(&f, filters[i], web_stats_arg(req, filters[i])) != 0)
			return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	if (st_filter_check(&f) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	const char *format = web_stats_arg(req, "format");
	int csv = format && strcmp(format, "csv") == 0;
	if (format && !csv && strcmp(format, "json") != 0)
		return web_reply_msg(req, MHD_HTTP_BAD_REQUEST, "invalid-request", "stats.bad_format", NULL);
	const char *rawarg = web_stats_arg(req, "raw");
	int raw = rawarg && strcmp(rawarg, "1") == 0;
	/* Unsuppressed figures only where the route table says so. */
	if (raw && !(req->route->raw_roles & req->roles))
		return web_reply_msg(req, MHD_HTTP_FORBIDDEN, "forbidden", "stats.raw_refused", NULL);
	if (!st_table_exists(name))
		return web_reply_msg(req, MHD_HTTP_NOT_FOUND, "not-found", "stats.no_table", name, NULL);
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "stats.unavailable", NULL);
	struct rs_sdc_rules rules = rs_sdc_rules_default();
	json_t *doc = NULL;
	int rc = st_table(&doc, db, name, &f, &rules, raw, req->actor, web_role_name(req->roles & ~WEB_ROLE_PUBLIC), req->id);
	if (rc == RS_ESTATE) { /* disclosure control cannot release it under these filters (stats5) */
		rs_info("statistics %s: not releasable under the filters asked", name);
		return web_reply_msg(req, MHD_HTTP_CONFLICT, "not-releasable", "stats5.not_releasable", NULL);
	}
	if (rc != 0) {
		rs_warn("statistics %s: %s", name, rs_error_last());
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "stats.unavailable", NULL);
	}
	if (!csv)
		return web_reply_json(req, MHD_HTTP_OK, doc);
	char *text = st_csv(doc, req->lang_en);
	json_decref(doc);
	if (!text)
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "stats.unavailable", NULL);
	char disp[160];
	snprintf(disp, sizeof disp, "attachment; filename=\"%s.csv\"", name);
	const char *hdrs[] = { "Content-Disposition", disp, NULL };
	enum MHD_Result r = web_reply_text_hdrs(req, MHD_HTTP_OK, "text/csv; charset=utf-8", text, strlen(text), "no-store", hdrs);
	free(text);
	return r;
}
