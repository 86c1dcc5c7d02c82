/* /healthz (the process answers), /readyz (the database answers and its schema is
 * current) and /metrics (Prometheus text). The details of /readyz and all of /metrics are
 * for operator_networks only: anyone else gets a bare ready / not ready and a 404. */
#include "web.h"

#include "rs_error.h"
#include "rs_log.h"

#include <stdlib.h>

enum MHD_Result web_h_healthz(struct web_request *req)
{
	return web_reply_json(req, MHD_HTTP_OK, json_pack("{s:s}", "status", "ok"));
}

/* The caller is on one of operator_networks (the client address trusted_proxies resolve). */
static int web_operator(const struct web_request *req)
{
	return web_netlist_has(&web_srv.operator_nets, req->client_ip);
}

/* Not ready: the reason (a catalogue id) for operators, the generic text for everyone else. */
static enum MHD_Result web_not_ready(struct web_request *req, const char *msg_id)
{
	return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable",
	                     web_operator(req) ? msg_id : "problem.service-unavailable.detail", NULL);
}

enum MHD_Result web_h_readyz(struct web_request *req)
{
	if (web_srv.shutting_down)
		return web_not_ready(req, "http.shutting_down");
	rs_db *db = NULL;
	int rc = web_db(req, &db);
	if (rc == 0)
		rc = rs_db_ping(db);
	if (rc != 0) {
		rs_warn("readyz: the database is not reachable: %s", rs_error_last());
		return web_not_ready(req, "http.db_unreachable");
	}
	if (!web_srv.schema_ok) {
		if (rs_migrate_check(db, web_srv.migrations_dir) != 0) {
			rs_warn("readyz: %s", rs_error_last());
			return web_not_ready(req, "http.schema_outdated");
		}
		web_srv.schema_ok = 1;
	}
	if (!web_operator(req))
		return web_reply_json(req, MHD_HTTP_OK, json_pack("{s:s}", "status", "ready"));
	return web_reply_json(req, MHD_HTTP_OK, json_pack("{s:s, s:s}", "status", "ready", "database", "ok"));
}

enum MHD_Result web_h_metrics(struct web_request *req)
{
	if (!web_operator(req))
		return web_reply_msg(req, MHD_HTTP_NOT_FOUND, "not-found", "problem.not-found.detail", NULL);
	size_t len = 0;
	char *text = web_metrics_render(&len);
	if (!text)
		return web_reply_msg(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal-error", "problem.internal-error.detail", NULL);
	enum MHD_Result r = web_reply_text(req, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text, len, "no-store");
	free(text);
	return r;
}
