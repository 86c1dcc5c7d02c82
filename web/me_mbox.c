/* rissd: a registrant's e-mail addresses as xAPI identities under /api/v1/me/mboxes — list,
 * add (the confirmation mail goes to the address), confirm with the mailed code, remove. */
#include "web_registry.h"
#include "web_renewal.h"

#include "cpd_renewal.h"
#include "cpd_xapi.h"
#include "reg_mbox.h"
#include "rs_config.h"
#include "rs_error.h"
#include "rs_json.h"

#include <string.h>

static enum MHD_Result web_mbox_fail(struct web_request *req, int rc)
{
	switch (rc) {
	case RS_EAUTH: return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	case RS_EUNAVAIL: return web_reply_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable");
	default: return web_renewal_fail(req, rc);
	}
}

enum MHD_Result web_h_me_mboxes(struct web_request *req)
{
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_renewal_fail(req, RS_EUNAVAIL);
	json_t *list = NULL;
	int rc = reg_mbox_list(&list, db, req->regno);
	if (rc != 0)
		return web_mbox_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, json_pack("{s:o}", "mboxes", list));
}

enum MHD_Result web_h_me_mbox_add(struct web_request *req)
{
	const char *address = NULL;
	struct rs_json_field spec[] = { { "address", RS_JSON_STRING, &address, 0, 3, 300 } };
	if (rs_json_fields(req->json, spec, 1) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_renewal_fail(req, RS_EUNAVAIL);
	struct cpd_smtp smtp;
	cpd_smtp_from_config(&smtp);
	struct reg_actor who = web_reg_actor(req);
	char stored[REG_EMAIL_MAX];
	int rc = cpd_xapi_mbox_add(stored, db, &smtp, req->regno, address, &who);
	if (rc != 0)
		return web_mbox_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_CREATED, json_pack("{s:s, s:s}", "address", stored, "state", "pending"));
}

enum MHD_Result web_h_me_mbox_confirm(struct web_request *req)
{
	const char *code = NULL;
	struct rs_json_field spec[] = { { "code", RS_JSON_STRING, &code, 0, 1, 40 } };
	if (rs_json_fields(req->json, spec, 1) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_renewal_fail(req, RS_EUNAVAIL);
	struct reg_actor who = web_reg_actor(req);
	char address[REG_EMAIL_MAX];
	int credited = 0;
	int rc = cpd_xapi_mbox_confirm(address, &credited, db, req->regno, code, rs_config_str("public_base_url"), &who);
	if (rc != 0)
		return web_mbox_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, json_pack("{s:s, s:s, s:i}", "address", address, "state", "confirmed",
	                                                  "credited", credited));
}

enum MHD_Result web_h_me_mbox_remove(struct web_request *req)
{
	const char *address = NULL;
	struct rs_json_field spec[] = { { "address", RS_JSON_STRING, &address, 0, 3, 300 } };
	if (rs_json_fields(req->json, spec, 1) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_renewal_fail(req, RS_EUNAVAIL);
	struct reg_actor who = web_reg_actor(req);
	int rc = reg_mbox_remove(db, req->regno, address, &who);
	if (rc != 0)
		return web_mbox_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, json_pack("{s:s, s:b}", "address", address, "removed", 1));
}
