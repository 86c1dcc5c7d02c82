/* rissd: completion records — a provider logs them (JSON batches, CSV uploads) and lists
 * what it sent; the agency lists all and rejects or accepts one. */
#include "web_cpd.h"

#include "rs_error.h"
#include "rs_json.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Per-record problems in the caller's language. */
static void web_cpd_localize_results(struct web_request *req, json_t *out)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(out, "results"), i, r)
		web_cpd_localize(req, json_object_get(r, "problems"));
}

enum MHD_Result web_h_cpd_completions_post(struct web_request *req)
{
	struct cpd_actor who;
	rs_db *db;
	enum MHD_Result reply;
	if (web_cpd_begin(req, &db, &who, &reply) != 0)
		return reply;
	json_t *out = NULL;
	unsigned status = 200;
	int rc = cpd_completions_submit(&out, &status, db, &who, req->provider_id, req->json);
	if (rc != 0)
		return web_cpd_fail(req, rc);
	web_cpd_localize_results(req, out);
	if (status == MHD_HTTP_CONFLICT)
		return web_cpd_problem(req, status, "conflict", "cpd.batch.conflict", NULL, out);
	if (status != MHD_HTTP_OK)
		return web_cpd_problem(req, status, "invalid-request", "cpd.batch.refused", NULL, out);
	return web_reply_json(req, MHD_HTTP_OK, out);
}

enum MHD_Result web_h_cpd_completions_csv(struct web_request *req)
{
	const char *ct = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!ct || strncasecmp(ct, "text/csv", 8) != 0)
		return web_reply_msg(req, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "cpd.csv.media_type", NULL);
	struct cpd_actor who;
	rs_db *db;
	enum MHD_Result reply;
	if (web_cpd_begin(req, &db, &who, &reply) != 0)
		return reply;
	json_t *out = NULL;
	int rc = cpd_completions_import_csv(&out, db, &who, req->provider_id, req->body ? req->body : "", req->body_len);
	if (rc == RS_EINVAL && out) {
		/* Every bad row, nothing imported. */
		web_cpd_localize(req, json_object_get(out, "errors"));
		char a0[24], a1[24];
		snprintf(a0, sizeof a0, "%lld", (long long)json_integer_value(json_object_get(out, "bad_rows")));
		snprintf(a1, sizeof a1, "%lld", (long long)json_integer_value(json_object_get(out, "rows")));
		const char *args[] = { a0, a1, NULL };
		return web_cpd_problem(req, MHD_HTTP_UNPROCESSABLE_CONTENT, "import-refused", "cpd.csv.refused", args, out);
	}
	if (rc == RS_EINVAL)
		return web_reply_error(req, MHD_HTTP_UNPROCESSABLE_CONTENT, "import-refused");
	return web_cpd_answer(req, rc, out, MHD_HTTP_OK);
}

enum MHD_Result web_h_cpd_completions_list(struct web_request *req)
{
	const char *regno = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "regno");
	const char *limit = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "limit");
	const char *state = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "state");
	rs_db *db;
	enum MHD_Result reply;
	if (web_cpd_begin(req, &db, NULL, &reply) != 0)
		return reply;
	json_t *out = NULL;
	int64_t only = (req->roles & WEB_ROLE_PROVIDER) ? req->provider_id : 0;
	int rc = cpd_completions_list(&out, db, only, regno && regno[0] ? regno : NULL, state && state[0] ? state : NULL,
	                              limit ? atoi(limit) : 200);
	return web_cpd_answer(req, rc, out, MHD_HTTP_OK);
}

enum MHD_Result web_h_cpd_completion_get(struct web_request *req)
{
	const char *tail = req->url + strlen("/api/v1/cpd/completions/");
	char *end = NULL;
	long long id = strtoll(tail, &end, 10);
	if (id < 1 || !end || *end || strlen(tail) > 18)
		return web_reply_msg(req, MHD_HTTP_NOT_FOUND, "not-found", "cpd.completion.not_found", tail[0] ? "?" : "", NULL);
	rs_db *db;
	enum MHD_Result reply;
	if (web_cpd_begin(req, &db, NULL, &reply) != 0)
		return reply;
	json_t *out = NULL;
	/* A provider sees only its own records: another's answers 404, as if it did not exist. */
	int64_t only = (req->roles & WEB_ROLE_PROVIDER) ? req->provider_id : 0;
	int rc = cpd_completion_get(&out, db, only, (int64_t)id);
	return web_cpd_answer(req, rc, out, MHD_HTTP_OK);
}

enum MHD_Result web_h_cpd_completion_decide(struct web_request *req)
{
	int64_t id = 0;
	if (web_cpd_body_id(req, "completion_id", &id) != 0)
		return web_reply_msg(req, MHD_HTTP_BAD_REQUEST, "invalid-request", "cpd.completion.id", NULL);
	const char *state = NULL, *reason = NULL;
	struct rs_json_field spec[] = {
		{ "state", RS_JSON_STRING, &state, 0, 1, 20 },
		{ "reason", RS_JSON_STRING, &reason, 0, 1, 1500 },
	};
	if (rs_json_fields(req->json, spec, sizeof spec / sizeof spec[0]) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	struct cpd_actor who;
	rs_db *db;
	enum MHD_Result reply;
	if (web_cpd_begin(req, &db, &who, &reply) != 0)
		return reply;
	json_t *out = NULL;
	int rc = cpd_completion_decide(&out, db, &who, id, state, reason);
	return web_cpd_answer(req, rc, out, MHD_HTTP_OK);
}
