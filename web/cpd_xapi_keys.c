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

/* A 400 whose detail is catalogue message msg_id (a bad or missing member of the request). */
static enum MHD_Result web_xk_bad(struct web_request *req, const char *msg_id)
{
	rs_error_msg(msg_id, NULL);
	return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
}

/* What every key handler starts with, for either principal (the route table says which role
 * may call which route): whose keys — the caller's own provider for a provider (its Bearer
 * key), else provider_id of the query (GET) or body (POST) for staff — then the database and
 * the caller as actor (who may be NULL). 0, or -1 with the answer to give in *reply. */
static int web_xk_begin(struct web_request *req, int64_t *pid, rs_db **db, struct cpd_actor *who,
                        enum MHD_Result *reply)
{
	if (req->provider_id > 0) {
		*pid = req->provider_id;
	} else if (req->json) {
		if (web_cpd_body_id(req, "provider_id", pid) != 0)
			goto bad;
	} else {
		const char *q = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "provider_id");
		char *end = NULL;
		long long v = q ? strtoll(q, &end, 10) : 0;
		if (!q || !*q || !end || *end || v <= 0)
			goto bad;
		*pid = v;
	}
	return web_cpd_begin(req, db, who, reply);
bad:
	*reply = web_xk_bad(req, "xapi2.keys.provider");
	return -1;
}

enum MHD_Result web_h_cpd_xapi_keys(struct web_request *req)
{
	rs_db *db;
	enum MHD_Result reply;
	int64_t pid = 0;
	if (web_xk_begin(req, &pid, &db, NULL, &reply) != 0)
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
	if (web_xk_begin(req, &pid, &db, &who, &reply) != 0)
		return reply;
	const json_t *jwk = json_object_get(req->json, "jwk");
	char *text = json_is_object(jwk) ? json_dumps(jwk, JSON_COMPACT) : NULL;
	if (!text || strlen(text) > CPD_LRS_JWK_MAX) {
		free(text);
		return web_xk_bad(req, "xapi2.keys.jwk");
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
	if (web_xk_begin(req, &pid, &db, &who, &reply) != 0)
		return reply;
	const char *kid = json_string_value(json_object_get(req->json, "kid"));
	if (!kid || !*kid || strlen(kid) > 128)
		return web_xk_bad(req, "xapi2.keys.kid");
	int rc = cpd_lrs_key_remove(db, &who, pid, kid);
	return web_cpd_answer(req, rc, rc ? NULL : json_pack("{s:s, s:b}", "kid", kid, "removed", 1), MHD_HTTP_OK);
}
