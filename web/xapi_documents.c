/* rissd: the xAPI document resources — State (/xapi/activities/state), Activity Profile
 * (/xapi/activities/profile) and Agent Profile (/xapi/agents/profile): one handler shape
 * for all three, with ETags and the JSON merge of POST done by cpd_lrs_doc_*. */
#include "xapi.h"

#include "cpd_lrs.h"
#include "cpd_xapi.h"
#include "rs_error.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

struct web_xapi_doc_kind {
	enum cpd_lrs_kind kind;
	int activity, agent;          /* which of activityId / agent key the document */
	const char *id_param;         /* stateId / profileId */
	const char *const *allowed;
	int delete_all;               /* DELETE without the id removes the whole set (State) */
	int put_needs_etag;           /* PUT over an existing document needs If-Match or If-None-Match */
};

static const char *const web_xapi_state_params[] = { "activityId", "agent", "registration", "stateId", "since", NULL };
static const char *const web_xapi_aprof_params[] = { "activityId", "profileId", "since", NULL };
static const char *const web_xapi_gprof_params[] = { "agent", "profileId", "since", NULL };

static const struct web_xapi_doc_kind web_xapi_state_kind = {
	CPD_LRS_STATE, 1, 1, "stateId", web_xapi_state_params, 1, 0 };
static const struct web_xapi_doc_kind web_xapi_aprof_kind = {
	CPD_LRS_ACTIVITY_PROFILE, 1, 0, "profileId", web_xapi_aprof_params, 0, 1 };
static const struct web_xapi_doc_kind web_xapi_gprof_kind = {
	CPD_LRS_AGENT_PROFILE, 0, 1, "profileId", web_xapi_gprof_params, 0, 1 };

/* "Tue, 15 Nov 1994 08:12:31 GMT" of an ISO 8601 UTC time. */
static void web_xapi_http_date(char *out, size_t n, const char *iso)
{
	int64_t us = 0;
	out[0] = '\0';
	if (cpd_lrs_time_parse(&us, iso) != 0)
		return;
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static enum MHD_Result web_xapi_doc_get(struct web_xapi *x, rs_db *db, const struct cpd_lrs_doc_key *k)
{
	struct cpd_lrs_doc d;
	int rc = cpd_lrs_doc_get(&d, db, k);
	if (rc != 0)
		return web_xapi_reply_rc(x, rc);
	char etag[44], date[40];
	snprintf(etag, sizeof etag, "\"%s\"", d.etag);
	web_xapi_http_date(date, sizeof date, d.updated);
	const char *h[] = { "ETag", etag, date[0] ? "Last-Modified" : NULL, date, NULL };
	enum MHD_Result r = web_xapi_reply_bytes(x, MHD_HTTP_OK, d.content_type, d.content, d.len, h);
	cpd_lrs_doc_free(&d);
	return r;
}

static enum MHD_Result web_xapi_doc(struct web_xapi *x, const struct web_xapi_doc_kind *dk)
{
	enum MHD_Result reply;
	if (web_xapi_params_only(x, dk->allowed, &reply) != 0)
		return reply;
	struct cpd_lrs_doc_key k = { .kind = dk->kind, .provider_id = x->provider_id };
	char agent_key[CPD_LRS_AGENT_KEY_MAX + 1];
	if (dk->activity) {
		k.activity_id = web_xapi_param(x, "activityId");
		if (!k.activity_id)
			return web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "lrs.param.missing", "activityId", NULL);
		if (!cpd_lrs_iri_ok(k.activity_id))
			return web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "lrs.param.iri", "activityId", NULL);
	}
	if (dk->agent) {
		json_t *agent = NULL;
		if (web_xapi_agent_param(x, &agent, agent_key, &reply) != 0)
			return reply;
		json_decref(agent);
		k.agent_key = agent_key;
	}
	if (dk->kind == CPD_LRS_STATE) {
		k.registration = web_xapi_param(x, "registration");
		if (k.registration && !cpd_xapi_is_uuid(k.registration))
			return web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "lrs.param.uuid", "registration", NULL);
	}
	k.doc_id = web_xapi_param(x, dk->id_param);
	if (k.doc_id && (k.doc_id[0] == '\0' || strlen(k.doc_id) > 1024))
		return web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "lrs.param.bad", NULL);
	const char *since = web_xapi_param(x, "since");
	int64_t since_us = 0;
	int is_get = strcmp(x->method, "GET") == 0 || strcmp(x->method, "HEAD") == 0;
	if (since && (!is_get || k.doc_id))
		return web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "lrs.param.since_use", NULL);
	if (since && cpd_lrs_time_parse(&since_us, since) != 0)
		return web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "lrs.param.timestamp", NULL);
	int is_delete = strcmp(x->method, "DELETE") == 0;
	if (!k.doc_id && !is_get && !(is_delete && dk->delete_all))
		return web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "lrs.param.missing", dk->id_param, NULL);
	rs_db *db = NULL;
	int rc = web_db(x->req, &db);
	if (rc != 0)
		return web_xapi_reply_rc(x, rc);
	if (is_get && k.doc_id)
		return web_xapi_doc_get(x, db, &k);
	if (is_get) {
		json_t *ids = NULL;
		rc = cpd_lrs_doc_ids(&ids, db, &k, since_us);
		return rc != 0 ? web_xapi_reply_rc(x, rc) : web_xapi_reply_json(x, MHD_HTTP_OK, ids, NULL);
	}
	struct cpd_lrs_cond cond = { .if_match = x->if_match, .if_none_match = x->if_none_match };
	if (is_delete)
		rc = cpd_lrs_doc_delete(db, &k, &cond);
	else {
		int post = strcmp(x->method, "POST") == 0;
		cond.require = !post && dk->put_needs_etag;
		rc = cpd_lrs_doc_write(db, &k, post ? CPD_LRS_POST : CPD_LRS_PUT, x->content_type, x->body, x->body_len, &cond);
	}
	return rc != 0 ? web_xapi_reply_rc(x, rc) : web_xapi_reply_empty(x, MHD_HTTP_NO_CONTENT, NULL);
}

enum MHD_Result web_xapi_state(struct web_xapi *x)
{
	return web_xapi_doc(x, &web_xapi_state_kind);
}

enum MHD_Result web_xapi_activity_profile(struct web_xapi *x)
{
	return web_xapi_doc(x, &web_xapi_aprof_kind);
}

enum MHD_Result web_xapi_agent_profile(struct web_xapi *x)
{
	return web_xapi_doc(x, &web_xapi_gprof_kind);
}
