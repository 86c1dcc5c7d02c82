/* rissd: the registrars' API under /api/v1/registry/ — applications, review, registration,
 * suspension, reinstatement, cancellation, renewal, lapse sweep, issuance. Each handler
 * validates, calls one registry function (which audits) and maps the result. */
#include "web_registry.h"
#include "cpd_renewal.h"

#include "rs_error.h"
#include "rs_attr.h"
#include "rs_json.h"
#include "rs_log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Answer status with the registrant's record after a change (just the number if it
 * cannot be read back). */
static enum MHD_Result web_regadm_show(struct web_request *req, rs_db *db, const char *regno, unsigned status)
{
	json_t *o = NULL;
	if (reg_wf_show(&o, db, regno, (int64_t)time(NULL)) != 0)
		o = json_pack("{s:s}", "regno", regno);
	return web_reply_json(req, status, o);
}

static enum MHD_Result web_regadm_fail(struct web_request *req, int rc)
{
	switch (rc) {
	case RS_EINVAL: return web_reply_error(req, 400, "invalid-request");
	case RS_ENOTFOUND: return web_reply_error(req, 404, "not-found");
	case RS_EEXIST:
	case RS_ESTATE: return web_reply_error(req, 409, "conflict");
	default:
		rs_warn("registry: %s", rs_error_last());
		return web_reply_msg(req, 503, "service-unavailable", "reg.unavailable", NULL);
	}
}

/* Add a new credential to answer o: "kid", "token" (the JWS) and "url" (its verify URL,
 * which the QR code holds). */
static void web_regadm_credential(json_t *o, const char *kid, const char *jws)
{
	char url[8192];
	snprintf(url, sizeof url, "%s/v/%s", web_reg_base_url(), jws);
	json_object_set_new(o, "kid", json_string(kid));
	json_object_set_new(o, "token", json_string(jws));
	json_object_set_new(o, "url", json_string(url));
}

/* The database could not be reached. */
static enum MHD_Result web_regadm_nodb(struct web_request *req)
{
	return web_reply_msg(req, 503, "service-unavailable", "reg.unavailable", NULL);
}

static int web_regadm_limit(struct web_request *req)
{
	const char *l = web_reg_arg(req, "limit");
	return l ? atoi(l) : 100;
}

enum MHD_Result web_h_registry_applications(struct web_request *req)
{
	rs_db *db;
	if (web_db(req, &db) != 0)
		return web_regadm_nodb(req);
	const char *state = web_reg_arg(req, "state");
	if (state && strlen(state) > 20)
		return web_reply_msg(req, 400, "invalid-request", "reg.app_state_unknown", NULL);
	json_t *arr = NULL;
	int rc = reg_wf_list_applications(&arr, db, state, web_regadm_limit(req), (int64_t)time(NULL));
	if (rc != 0)
		return web_regadm_fail(req, rc);
	return web_reply_json(req, 200, json_pack("{s:o}", "applications", arr));
}

enum MHD_Result web_h_registry_passed(struct web_request *req)
{
	rs_db *db;
	if (web_db(req, &db) != 0)
		return web_regadm_nodb(req);
	json_t *arr = NULL;
	int rc = reg_wf_passed_results(&arr, db);
	if (rc != 0)
		return web_regadm_fail(req, rc);
	return web_reply_json(req, 200, json_pack("{s:o}", "results", arr));
}

enum MHD_Result web_h_registry_apply(struct web_request *req)
{
	struct reg_application a = { 0 };
	json_t *pub = NULL;
	struct rs_json_field spec[] = {
		{ "exam_result_ref", RS_JSON_STRING, &a.exam_result_ref, 0, 1, 100 },
		{ "exam_pass_date", RS_JSON_STRING, &a.exam_pass_date, 0, 10, 10 },
		{ "name", RS_JSON_STRING, &a.name, 0, 1, 255 },
		{ "name_kana", RS_JSON_STRING, &a.name_kana, 0, 1, 255 },
		{ "name_latn", RS_JSON_STRING, &a.name_latn, 0, 1, 100 },
		{ "date_of_birth", RS_JSON_STRING, &a.date_of_birth, 0, 10, 10 },
		{ "published_fields", RS_JSON_ARRAY, &pub, 1, 0, 0 },
	};
	if (rs_json_fields(req->json, spec, sizeof spec / sizeof spec[0]) != 0 ||
	    rs_attrs_from_json(&a.attrs, req->json) != 0)
		return web_reply_error(req, 400, "invalid-request");
	a.published = REG_PUB_DEFAULT;
	if (pub && reg_pub_parse(&a.published, pub) != 0)
		return web_reply_error(req, 400, "invalid-request");
	rs_db *db;
	if (web_db(req, &db) != 0)
		return web_regadm_nodb(req);
	struct reg_actor who = web_reg_actor(req);
	int64_t id = 0;
	int rc = reg_wf_apply(&id, db, &a, &who);
	if (rc != 0)
		return web_regadm_fail(req, rc);
	return web_reply_json(req, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", "submitted"));
}

enum MHD_Result web_h_registry_review(struct web_request *req)
{
	long long id = 0;
	int approve = 0;
	const char *note = "";
	struct rs_json_field spec[] = {
		{ "id", RS_JSON_INT, &id, 0, 1, 1LL << 62 },
		{ "approve", RS_JSON_BOOL, &approve, 0, 0, 0 },
		{ "note", RS_JSON_STRING, &note, 1, 0, 500 },
	};
	if (rs_json_fields(req->json, spec, sizeof spec / sizeof spec[0]) != 0)
		return web_reply_error(req, 400, "invalid-request");
	rs_db *db;
	if (web_db(req, &db) != 0)
		return web_regadm_nodb(req);
	struct reg_actor who = web_reg_actor(req);
	int rc = reg_wf_review(db, id, approve, note, &who);
	if (rc != 0)
		return web_regadm_fail(req, rc);
	return web_reply_json(req, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", approve ? "approved" : "rejected"));
}

enum MHD_Result web_h_registry_register(struct web_request *req)
{
	long long id = 0;
	const char *reg_date = NULL;
	struct rs_json_field spec[] = {
		{ "id", RS_JSON_INT, &id, 0, 1, 1LL << 62 },
		{ "reg_date", RS_JSON_STRING, &reg_date, 1, 0, 10 },
	};
	if (rs_json_fields(req->json, spec, sizeof spec / sizeof spec[0]) != 0)
		return web_reply_error(req, 400, "invalid-request");
	rs_db *db;
	if (web_db(req, &db) != 0)
		return web_regadm_nodb(req);
	struct reg_actor who = web_reg_actor(req);
	char regno[REG_REGNO_LEN + 1];
	int rc = reg_wf_register(regno, db, id, reg_date, (int64_t)time(NULL), &who);
	if (rc != 0)
		return web_regadm_fail(req, rc);
	return web_regadm_show(req, db, regno, 201);
}

enum MHD_Result web_h_registry_registrants(struct web_request *req)
{
	rs_db *db;
	if (web_db(req, &db) != 0)
		return web_regadm_nodb(req);
	const char *regno = web_reg_arg(req, "regno");
	const char *q = web_reg_arg(req, "q"), *st = web_reg_arg(req, "status"), *off = web_reg_arg(req, "offset");
	json_t *o = NULL;
	int rc;
	if (regno)
		rc = reg_wf_show(&o, db, regno, (int64_t)time(NULL));
	else if ((q && strlen(q) > 400) || (st && strlen(st) > 20))
		return web_reply_msg(req, 400, "invalid-request", "reg.search_length", NULL);
	else
		rc = reg_wf_find(&o, db, q, st, web_regadm_limit(req), off ? atoi(off) : 0, (int64_t)time(NULL));
	if (rc != 0)
		return web_regadm_fail(req, rc);
	return web_reply_json(req, 200, o);
}

enum MHD_Result web_h_registry_status(struct web_request *req)
{
	const char *regno = NULL, *action = NULL, *reason = "", *public_reason = "";
	struct rs_json_field spec[] = {
		{ "regno", RS_JSON_STRING, &regno, 0, 6, 6 },
		{ "action", RS_JSON_STRING, &action, 0, 1, 20 },
		{ "reason", RS_JSON_STRING, &reason, 1, 0, 500 },
		{ "public_reason", RS_JSON_STRING, &public_reason, 1, 0, 60 },
	};
	if (rs_json_fields(req->json, spec, sizeof spec / sizeof spec[0]) != 0)
		return web_reply_error(req, 400, "invalid-request");
	static const struct { const char *action; enum reg_status to; } acts[] = {
		{ "suspend", REG_ST_SUSPENDED }, { "reinstate", REG_ST_ACTIVE },
		{ "cancel", REG_ST_CANCELLED }, { "deregister", REG_ST_DEREGISTERED },
	};
	size_t i;
	for (i = 0; i < sizeof acts / sizeof acts[0]; i++)
		if (strcmp(action, acts[i].action) == 0)
			break;
	if (i == sizeof acts / sizeof acts[0])
		return web_reply_msg(req, 400, "invalid-request", "reg.action_unknown", NULL);
	rs_db *db;
	if (web_db(req, &db) != 0)
		return web_regadm_nodb(req);
	struct reg_actor who = web_reg_actor(req);
	int rc = reg_wf_set_status(db, regno, acts[i].to, public_reason, reason, (int64_t)time(NULL), &who);
	if (rc != 0)
		return web_regadm_fail(req, rc);
	/* This node's verify answers change at once (other nodes within their cache TTL). */
	reg_status_cache_clear(web_reg_verify_cache());
	return web_regadm_show(req, db, regno, 200);
}

/* A credential signed through riss-signd for the body's regno, with it in the answer: a
 * renewal (renew: through the training duties, as a renewal application is — cpd-tracker
 * owns that rule — and with the new credential, as an approval is; answered with the
 * registrant's state) or an issuance of the current registration (answered 201). */
static enum MHD_Result web_regadm_sign(struct web_request *req, int renew)
{
	const char *regno = NULL;
	struct rs_json_field spec[] = { { "regno", RS_JSON_STRING, &regno, 0, 6, 6 } };
	if (rs_json_fields(req->json, spec, 1) != 0)
		return web_reply_error(req, 400, "invalid-request");
	struct reg_issuer is;
	char kid[CERT_KID_MAX + 1];
	if (web_reg_issuer(&is, kid) != 0)
		return web_reply_msg(req, 503, "service-unavailable", "reg.no_issuer_key", NULL);
	rs_db *db;
	if (web_db(req, &db) != 0)
		return web_regadm_nodb(req);
	struct reg_actor who = web_reg_actor(req);
	char *jws = NULL;
	int rc = (renew ? cpd_renewal_direct : reg_issue)(&jws, db, regno, &is, (int64_t)time(NULL), &who);
	if (rc == RS_EUNAVAIL || rc == RS_EIO)
		return web_reply_msg(req, 503, "service-unavailable", "reg.signer_unavailable", NULL);
	if (rc != 0)
		return web_regadm_fail(req, rc);
	json_t *o = NULL;
	if (renew) {
		reg_status_cache_clear(web_reg_verify_cache());
		if (reg_wf_show(&o, db, regno, (int64_t)time(NULL)) != 0)
			o = NULL;
	}
	if (!o)
		o = json_pack("{s:s}", "regno", regno);
	web_regadm_credential(o, kid, jws);
	free(jws);
	return web_reply_json(req, renew ? 200 : 201, o);
}

enum MHD_Result web_h_registry_renew(struct web_request *req)
{
	return web_regadm_sign(req, 1);
}

enum MHD_Result web_h_registry_lapse(struct web_request *req)
{
	rs_db *db;
	if (web_db(req, &db) != 0)
		return web_regadm_nodb(req);
	struct reg_actor who = web_reg_actor(req);
	int n = 0;
	int rc = reg_wf_lapse_due(&n, db, (int64_t)time(NULL), &who);
	if (rc != 0)
		return web_regadm_fail(req, rc);
	reg_status_cache_clear(web_reg_verify_cache());
	return web_reply_json(req, 200, json_pack("{s:i}", "lapsed", n));
}

enum MHD_Result web_h_registry_issue(struct web_request *req)
{
	return web_regadm_sign(req, 0);
}
