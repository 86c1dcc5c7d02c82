/* rissd: the registrar's CPD desk under /api/v1/cpd — renewal applications to decide
 * (approval renews and issues the new credential through riss-signd), overdue cases
 * (closed, or ending in 取消し with the registration number typed as confirmation), the CPD
 * audit sample — and the activation code of a registrant's /me account. */
#include "web_registry.h"
#include "web_renewal.h"

#include "cpd_renewal.h"
#include "reg_account.h"
#include "rs_error.h"
#include "rs_json.h"
#include "rs_log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum MHD_Result web_renewal_fail(struct web_request *req, int rc)
{
	switch (rc) {
	case RS_EINVAL: return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	case RS_ENOTFOUND: return web_reply_error(req, MHD_HTTP_NOT_FOUND, "not-found");
	case RS_EEXIST:
	case RS_ESTATE: return web_reply_error(req, MHD_HTTP_CONFLICT, "conflict");
	case RS_EAUTH: return web_reply_error(req, MHD_HTTP_UNAUTHORIZED, "sign-in-failed");
	case RS_EIO:
	case RS_ECRYPTO:
		rs_warn("cpd: %s", rs_error_last());
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "renewal.err.signer", NULL);
	default:
		rs_warn("cpd: %s", rs_error_last());
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "renewal.err.unavailable", NULL);
	}
}

static int web_cpd_limit(struct web_request *req)
{
	const char *l = web_reg_arg(req, "limit");
	return l ? atoi(l) : 100;
}

/* The state filter of a list (at most 20 bytes), or NULL. */
static const char *web_cpd_state(struct web_request *req)
{
	const char *s = web_reg_arg(req, "state");
	return s && s[0] && strlen(s) <= 20 ? s : NULL;
}

/* A list for the desk: fn(out, db, state filter, limit) answered as {key: [...]}. */
static enum MHD_Result web_cpd_list(struct web_request *req, int (*fn)(json_t **, rs_db *, const char *, int),
                                    const char *key)
{
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_renewal_fail(req, RS_EUNAVAIL);
	json_t *arr = NULL;
	int rc = fn(&arr, db, web_cpd_state(req), web_cpd_limit(req));
	if (rc != 0)
		return web_renewal_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, json_pack("{s:o}", key, arr));
}

static int web_cpd_audit_list(json_t **out, rs_db *db, const char *state, int limit)
{
	(void)state;
	return cpd_audit_list(out, db, limit);
}

enum MHD_Result web_h_cpd_renewals(struct web_request *req)
{
	return web_cpd_list(req, cpd_renewal_list, "applications");
}

enum MHD_Result web_h_cpd_cases(struct web_request *req)
{
	return web_cpd_list(req, cpd_case_list, "cases");
}

enum MHD_Result web_h_cpd_audit(struct web_request *req)
{
	return web_cpd_list(req, web_cpd_audit_list, "samples");
}

enum MHD_Result web_h_cpd_renewal_decide(struct web_request *req)
{
	long long id = 0;
	int approve = 0;
	const char *note = "";
	struct rs_json_field spec[] = {
		{ "id", RS_JSON_INT, &id, 0, 1, 1LL << 62 },
		{ "approve", RS_JSON_BOOL, &approve, 0, 0, 0 },
		{ "note", RS_JSON_STRING, &note, 1, 0, 500 },
	};
	if (rs_json_fields(req->json, spec, 3) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	char kid[CERT_KID_MAX + 1] = "";
	struct reg_issuer is = { .base_url = web_reg_base_url(), .kid = kid, .signer = &web_reg_signer };
	if (web_reg_issuer(&is, kid) != 0 && approve)
		return web_reply_msg(req, 503, "service-unavailable", "reg.no_issuer_key", NULL);
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_renewal_fail(req, RS_EUNAVAIL);
	struct reg_actor who = web_reg_actor(req);
	char *jws = NULL;
	int rc = cpd_renewal_decide(&jws, db, id, approve, note, &is, (int64_t)time(NULL), &who);
	if (rc == RS_EUNAVAIL && approve)
		rc = RS_EIO; /* the signer (or its key) is away: nothing was approved */
	if (rc != 0)
		return web_renewal_fail(req, rc);
	reg_status_cache_clear(web_reg_verify_cache());
	json_t *o = json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", approve ? "approved" : "rejected");
	if (jws) {
		char url[8192];
		snprintf(url, sizeof url, "%s/v/%s", web_reg_base_url(), jws);
		json_object_set_new(o, "token", json_string(jws));
		json_object_set_new(o, "url", json_string(url));
	}
	free(jws);
	return web_reply_json(req, MHD_HTTP_OK, o);
}

enum MHD_Result web_h_cpd_case_decide(struct web_request *req)
{
	long long id = 0;
	const char *note = NULL, *confirm = NULL;
	struct rs_json_field spec[] = {
		{ "id", RS_JSON_INT, &id, 0, 1, 1LL << 62 },
		{ "note", RS_JSON_STRING, &note, 1, 0, 500 },
		{ "confirm", RS_JSON_STRING, &confirm, 1, 0, 20 },
	};
	if (rs_json_fields(req->json, spec, 3) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_renewal_fail(req, RS_EUNAVAIL);
	struct reg_actor who = web_reg_actor(req);
	int cancel = strstr(req->url, "/cancel") != NULL;
	char allowed[11] = "";
	int rc = cancel ? cpd_case_cancel(allowed, db, id, confirm, note, (int64_t)time(NULL), &who)
	                : cpd_case_close(db, id, note, &who);
	if (rc != 0)
		return web_renewal_fail(req, rc);
	json_t *o = json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", cancel ? "cancelled" : "closed");
	if (cancel) {
		reg_status_cache_clear(web_reg_verify_cache());
		json_object_set_new(o, "reregistration_from", json_string(allowed));
	}
	return web_reply_json(req, MHD_HTTP_OK, o);
}

enum MHD_Result web_h_cpd_audit_draw(struct web_request *req)
{
	long long n = 0;
	const char *deadline = NULL;
	struct rs_json_field spec[] = {
		{ "n", RS_JSON_INT, &n, 0, 1, 1000 },
		{ "deadline", RS_JSON_STRING, &deadline, 0, 10, 10 },
	};
	if (rs_json_fields(req->json, spec, 2) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_renewal_fail(req, RS_EUNAVAIL);
	struct reg_actor who = web_reg_actor(req);
	int64_t id = 0;
	int rc = cpd_audit_draw(&id, db, (int)n, deadline, (int64_t)time(NULL), &who);
	if (rc != 0)
		return web_renewal_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_CREATED, json_pack("{s:I}", "id", (json_int_t)id));
}

enum MHD_Result web_h_cpd_audit_outcome(struct web_request *req)
{
	long long id = 0;
	const char *outcome = NULL, *note = "";
	struct rs_json_field spec[] = {
		{ "id", RS_JSON_INT, &id, 0, 1, 1LL << 62 },
		{ "outcome", RS_JSON_STRING, &outcome, 0, 1, 20 },
		{ "note", RS_JSON_STRING, &note, 1, 0, 500 },
	};
	if (rs_json_fields(req->json, spec, 3) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_renewal_fail(req, RS_EUNAVAIL);
	struct reg_actor who = web_reg_actor(req);
	int rc = cpd_audit_outcome(db, id, outcome, note, &who);
	if (rc != 0)
		return web_renewal_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, json_pack("{s:I, s:s}", "id", (json_int_t)id, "outcome", outcome));
}

enum MHD_Result web_h_registry_activation_code(struct web_request *req)
{
	const char *regno = NULL, *email = NULL, *lang = NULL;
	struct rs_json_field spec[] = {
		{ "regno", RS_JSON_STRING, &regno, 0, 6, 6 },
		{ "email", RS_JSON_STRING, &email, 1, 0, 254 },
		{ "lang", RS_JSON_STRING, &lang, 1, 2, 2 },
	};
	if (rs_json_fields(req->json, spec, 3) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_renewal_fail(req, RS_EUNAVAIL);
	struct reg_actor who = web_reg_actor(req);
	char code[REG_ACTIVATION_CODE_LEN + 1];
	int rc = reg_account_issue_code(code, db, regno, email, lang, (int64_t)time(NULL), &who);
	if (rc != 0)
		return web_renewal_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_CREATED, json_pack("{s:s, s:s, s:i}", "regno", regno, "code", code,
	                                                       "valid_days", REG_ACTIVATION_DAYS));
}
