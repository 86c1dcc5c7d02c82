/* rissd: what the continuing-training handlers share — the actor, the error mapping and
 * problems that carry per-record results. */
#include "web_cpd.h"

#include "rs_error.h"
#include "rs_json.h"
#include "rs_log.h"
#include "rs_msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void web_cpd_actor(struct cpd_actor *out, struct web_request *req)
{
	out->actor = req->actor;
	out->role = web_role_name(req->roles & ~(unsigned)WEB_ROLE_PUBLIC);
	out->request_id = req->id;
}

enum MHD_Result web_cpd_fail(struct web_request *req, int rc)
{
	switch (rc) {
	case RS_EINVAL:
	case RS_EPARSE:
	case RS_ERANGE:
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	case RS_ENOTFOUND:
		return web_reply_error(req, MHD_HTTP_NOT_FOUND, "not-found");
	case RS_EEXIST:
		return web_reply_error(req, MHD_HTTP_CONFLICT, "already-exists");
	case RS_ESTATE:
		return web_reply_error(req, MHD_HTTP_CONFLICT, "conflict");
	case RS_ETOOBIG:
		return web_reply_error(req, MHD_HTTP_CONTENT_TOO_LARGE, "body-too-large");
	default:
		rs_warn("cpd: %s", rs_error_last());
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "cpd.unavailable", NULL);
	}
}

void web_cpd_localize(struct web_request *req, json_t *arr)
{
	size_t i;
	json_t *p;
	json_array_foreach(arr, i, p) {
		const char *id = json_string_value(json_object_get(p, "problem"));
		const char *arg = json_string_value(json_object_get(p, "arg"));
		if (!id || !rs_msg_find(id))
			continue;
		const char *args[] = { arg ? arg : "", NULL };
		char text[512];
		rs_msg_format(text, sizeof text, id, req->lang_en, args);
		json_object_set_new(p, "detail", json_string(text));
	}
}

enum MHD_Result web_cpd_problem(struct web_request *req, unsigned status, const char *type, const char *msg_id,
                                const char *const *args, json_t *ext)
{
	char title_id[96], detail[1024], type_uri[128];
	snprintf(title_id, sizeof title_id, "problem.%s", type);
	snprintf(type_uri, sizeof type_uri, "/problems/%s", type);
	const char *title = rs_msg_text(title_id, req->lang_en);
	rs_msg_format(detail, sizeof detail, msg_id, req->lang_en, args);
	json_t *body = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "type", type_uri, "title", title ? title : type,
	                         "status", (int)status, "detail", detail, "instance", req->id, "message_id", msg_id);
	if (body && ext)
		json_object_update_missing(body, ext);
	json_decref(ext);
	char *text = body ? rs_json_dump(body) : NULL;
	json_decref(body);
	if (!text)
		return MHD_NO;
	const char *hdrs[] = { MHD_HTTP_HEADER_CONTENT_LANGUAGE, req->lang_en ? "en" : "ja", NULL };
	enum MHD_Result r = web_reply_text_hdrs(req, status, "application/problem+json", text, strlen(text), NULL, hdrs);
	free(text);
	return r;
}

int web_cpd_body_id(struct web_request *req, const char *name, int64_t *out)
{
	json_t *v = json_object_get(req->json, name);
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

int web_cpd_begin(struct web_request *req, rs_db **db, struct cpd_actor *who, enum MHD_Result *reply)
{
	if (who)
		web_cpd_actor(who, req);
	if (web_db(req, db) != 0) {
		*reply = web_cpd_fail(req, RS_EUNAVAIL);
		return -1;
	}
	return 0;
}

enum MHD_Result web_cpd_answer(struct web_request *req, int rc, json_t *out, unsigned status)
{
	if (rc != 0) {
		json_decref(out);
		return web_cpd_fail(req, rc);
	}
	return web_reply_json(req, status, out);
}
