/* rissd: training providers — the agency's API (list, approve with a new key, approval
 * period, suspend, reinstate, new key) and a provider's view of itself. */
#include "web_cpd.h"

#include "rs_error.h"
#include "rs_config.h"
#include "rs_json.h"
#include "cpd_lrs.h"

#include <string.h>

enum MHD_Result web_h_cpd_providers(struct web_request *req)
{
	rs_db *db;
	enum MHD_Result reply;
	if (web_cpd_begin(req, &db, NULL, &reply) != 0)
		return reply;
	json_t *arr = NULL;
	int rc = cpd_provider_list(&arr, db);
	if (rc != 0)
		return web_cpd_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, json_pack("{s:o}", "providers", arr));
}

enum MHD_Result web_h_cpd_provider_me(struct web_request *req)
{
	rs_db *db;
	enum MHD_Result reply;
	if (web_cpd_begin(req, &db, NULL, &reply) != 0)
		return reply;
	json_t *o = NULL;
	int rc = cpd_provider_get(&o, db, req->provider_id);
	return web_cpd_answer(req, rc, o, MHD_HTTP_OK);
}

enum MHD_Result web_h_cpd_provider_add(struct web_request *req)
{
	struct cpd_provider_new p = { 0 };
	struct rs_json_field spec[] = {
		{ "name_ja", RS_JSON_STRING, &p.name_ja, 0, 1, 600 },
		{ "name_en", RS_JSON_STRING, &p.name_en, 0, 1, 200 },
		{ "approved_from", RS_JSON_STRING, &p.approved_from, 1, 10, 10 },
		{ "approved_until", RS_JSON_STRING, &p.approved_until, 1, 10, 10 },
		{ "contact_name", RS_JSON_STRING, &p.contact_name, 1, 0, 600 },
		{ "contact_email", RS_JSON_STRING, &p.contact_email, 1, 0, 250 },
		{ "contact_phone", RS_JSON_STRING, &p.contact_phone, 1, 0, 30 },
		{ "is_agency", RS_JSON_BOOL, &p.is_agency, 1, 0, 0 },
	};
	if (rs_json_fields(req->json, spec, sizeof spec / sizeof spec[0]) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	struct cpd_actor who;
	rs_db *db;
	enum MHD_Result reply;
	if (web_cpd_begin(req, &db, &who, &reply) != 0)
		return reply;
	json_t *out = NULL;
	int rc = cpd_provider_add(&out, db, &who, &p);
	if (rc == 0)
		cpd_lrs_endpoint_set(out, rs_config_str("public_base_url"));
	return web_cpd_answer(req, rc, out, MHD_HTTP_CREATED);
}

/* POST /api/v1/cpd/providers/{period,suspend,reinstate,rotate-key} {"provider_id", ...}. */
enum MHD_Result web_h_cpd_provider_change(struct web_request *req)
{
	const char *what = strrchr(req->url, '/') + 1;
	int64_t id = 0;
	if (web_cpd_body_id(req, "provider_id", &id) != 0)
		return web_reply_msg(req, MHD_HTTP_BAD_REQUEST, "invalid-request", "cpd.provider.id", NULL);
	const char *from = NULL, *until = NULL, *reason = NULL;
	struct rs_json_field spec[] = {
		{ "approved_from", RS_JSON_STRING, &from, strcmp(what, "period") != 0, 10, 10 },
		{ "approved_until", RS_JSON_STRING, &until, 1, 10, 10 },
		{ "reason", RS_JSON_STRING, &reason, 1, 0, 1500 },
	};
	if (rs_json_fields(req->json, spec, sizeof spec / sizeof spec[0]) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	struct cpd_actor who;
	rs_db *db;
	enum MHD_Result reply;
	if (web_cpd_begin(req, &db, &who, &reply) != 0)
		return reply;
	json_t *out = NULL;
	int rc;
	if (strcmp(what, "period") == 0)
		rc = cpd_provider_set_period(&out, db, &who, id, from, until);
	else if (strcmp(what, "suspend") == 0)
		rc = cpd_provider_suspend(&out, db, &who, id, reason);
	else if (strcmp(what, "reinstate") == 0)
		rc = cpd_provider_reinstate(&out, db, &who, id);
	else
		rc = cpd_provider_rotate_key(&out, db, &who, id);
	if (rc == 0)
		cpd_lrs_endpoint_set(out, rs_config_str("public_base_url"));
	return web_cpd_answer(req, rc, out, MHD_HTTP_OK);
}
