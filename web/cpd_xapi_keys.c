/* rissd: the keys a training provider registered for its signed xAPI statements, from the
 * web desks — a provider (Bearer key) its own only, agency staff (registrar) any provider's:
 * list, add (a JWK, at most CPD_LRS_JWK_MAX bytes as text) and remove. The same module
 * functions as `riss provider set-key/keys/remove-key` (cpd_lrs_key_*). */
#include "web_cpd.h"

#include "cpd.h"
#include "cpd_lrs.h"
#include "rs_error.h"

#include <stdlib.h>
#include <string.h>

/* Whose keys: the caller's own provider (a provider's key), else provider_id of the query
 * (GET) or body (POST) for staff. 0, or -1 with the 400 answer queued. */
static int web_xk_provider(struct web_request *req, int64_t *out, enum MHD_Result *reply)
{
	if (req->provider_id > 0) {
		*out = req->provider_id;
		return 0;
	}
	if (req->json) {
		if (web_cpd_body_id(req, "provider_id", out) == 0)
			return 0;
	} else {
		const char *q = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "provider_id");
		char *end = NULL;
		long long v = q ? strtoll(q, &end, 10) : 0;
		if (q && *q && end && !*end && v > 0) {
			*out = v;
			return 0;
		}
	}
	rs_error_msg("xapi2.keys.provider", NULL);
	*reply = web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	return -1;
}

enum MHD_Result web_h_cpd_xapi_keys(struct web_request *req)
{
	rs_db *db;
	enum MHD_Result reply;
	int64_t pid = 0;
	if (web_xk_provider(req, &pid, &reply) != 0 || web_cpd_begin(req, &db, NULL, &reply) != 0)
		return reply;
	json_t *out = NULL;
	int rc = cpd_lrs_key_list(&out, db, pid);
	return web_cpd_answer(req, rc, out, MHD_HTTP_OK);
}

enum MHD_Result web_h_cpd_xapi_key_add(struct web_request *req)
{
	rs_db *db;
	enum MHD_Result reply;
	struct cpd_actor who;
	int64_t pid = 0;
	if (web_xk_provider(req, &pid, &reply) != 0)
		return reply;
	const json_t *jwk = json_object_get(req->json, "jwk");
	char *text = json_is_object(jwk) ? json_dumps(jwk, JSON_COMPACT) : NULL;
	if (!text || strlen(text) > CPD_LRS_JWK_MAX) {
		free(text);
		rs_error_msg("xapi2.keys.jwk", NULL);
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	}
	if (web_cpd_begin(req, &db, &who, &reply) != 0) {
		free(text);
		return reply;
	}
	json_t *out = NULL;
	int rc = cpd_lrs_key_set(&out, db, &who, pid, text);
	free(text);
	return web_cpd_answer(req, rc, out, MHD_HTTP_CREATED);
}

enum MHD_Result web_h_cpd_xapi_key_remove(struct web_request *req)
{
	rs_db *db;
	enum MHD_Result reply;
	struct cpd_actor who;
	int64_t pid = 0;
	if (web_xk_provider(req, &pid, &reply) != 0)
		return reply;
	const char *kid = json_string_value(json_object_get(req->json, "kid"));
	if (!kid || !*kid || strlen(kid) > 128) {
		rs_error_msg("xapi2.keys.kid", NULL);
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	}
	if (web_cpd_begin(req, &db, &who, &reply) != 0)
		return reply;
	int rc = cpd_lrs_key_remove(db, &who, pid, kid);
	return web_cpd_answer(req, rc, rc ? NULL : json_pack("{s:s, s:b}", "kid", kid, "removed", 1), MHD_HTTP_OK);
}
