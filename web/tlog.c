/* rissd: the transparency log over HTTP — GET /log/checkpoint (signed note), GET
 * /api/v1/log/inclusion?index=&size=, GET /api/v1/log/consistency?first=&second=. */
#include "web_registry.h"

#include "rs_error.h"
#include "rs_log.h"

#include <stdlib.h>
#include <string.h>

static int web_tlog_num(uint64_t *out, const char *s)
{
	if (!s || !*s || strlen(s) > 19 || strspn(s, "0123456789") != strlen(s))
		return -1;
	*out = strtoull(s, NULL, 10);
	return 0;
}

enum MHD_Result web_h_tlog_checkpoint(struct web_request *req)
{
	struct web_reg_keys *keys = web_reg_keys_get();
	rs_db *db;
	if (web_db(req, &db) != 0) {
		if (keys)
			web_reg_keys_put(keys);
		return web_reply_msg(req, 503, "service-unavailable", "http.register_unreachable", NULL);
	}
	struct reg_issuer is = { .base_url = web_reg_base_url(), .kid = keys ? keys->k.current_kid : "",
	                         .signer = keys && keys->k.current_kid[0] ? &web_reg_signer : NULL };
	char *note = NULL;
	int rc = reg_tlog_checkpoint(&note, db, &web_reg_tlog, &is, keys ? keys->k.current_pub : NULL);
	if (keys)
		web_reg_keys_put(keys);
	if (rc != 0) {
		rs_warn("checkpoint: %s", rs_error_last());
		return web_reply_msg(req, 503, "service-unavailable", "tlog.no_checkpoint", NULL);
	}
	enum MHD_Result r = web_reply_text(req, 200, "text/plain; charset=utf-8", note, strlen(note), "public, max-age=10");
	free(note);
	return r;
}

enum MHD_Result web_h_tlog_inclusion(struct web_request *req)
{
	uint64_t index = 0, size = 0;
	if (web_tlog_num(&index, web_reg_arg(req, "index")) != 0 ||
	    (web_reg_arg(req, "size") && web_tlog_num(&size, web_reg_arg(req, "size")) != 0))
		return web_reply_msg(req, 400, "invalid-request", "tlog.inclusion_args", NULL);
	rs_db *db;
	if (web_db(req, &db) != 0)
		return web_reply_msg(req, 503, "service-unavailable", "http.register_unreachable", NULL);
	json_t *o = NULL;
	int rc = reg_tlog_inclusion_json(&o, db, &web_reg_tlog, index, size);
	if (rc == RS_ERANGE)
		return web_reply_msg(req, 404, "not-found", "tlog.outside", NULL);
	if (rc != 0)
		return web_reply_msg(req, 503, "service-unavailable", "tlog.unreadable", NULL);
	return web_reply_json(req, 200, o);
}

enum MHD_Result web_h_tlog_consistency(struct web_request *req)
{
	uint64_t first = 0, second = 0;
	if (web_tlog_num(&first, web_reg_arg(req, "first")) != 0 ||
	    (web_reg_arg(req, "second") && web_tlog_num(&second, web_reg_arg(req, "second")) != 0))
		return web_reply_msg(req, 400, "invalid-request", "tlog.consistency_args", NULL);
	rs_db *db;
	if (web_db(req, &db) != 0)
		return web_reply_msg(req, 503, "service-unavailable", "http.register_unreachable", NULL);
	json_t *o = NULL;
	int rc = reg_tlog_consistency_json(&o, db, &web_reg_tlog, first, second);
	if (rc == RS_ERANGE)
		return web_reply_msg(req, 404, "not-found", "tlog.outside", NULL);
	if (rc != 0)
		return web_reply_msg(req, 503, "service-unavailable", "tlog.unreadable", NULL);
	return web_reply_json(req, 200, o);
}
