/* rissd: the printable registration card — GET /api/v1/registry/card?regno= (the card's
 * fields, its colour by renewal count and the latest live credential) and
 * GET /api/v1/registry/card/qr.svg?regno= (that credential's QR code). Registrars only:
 * the card shows the date of birth. */
#include "web_registry.h"

#include "reg_qr.h"
#include "rs_error.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The newest credential of regno that has not expired, or NULL. */
static const char *web_card_token(json_t *show)
{
	json_t *creds = json_object_get(show, "credentials");
	time_t now = time(NULL);
	size_t i;
	json_t *c;
	json_array_foreach(creds, i, c)
		if (json_integer_value(json_object_get(c, "exp")) > now)
			return json_string_value(json_object_get(c, "jws"));
	return NULL;
}

static enum MHD_Result web_card_load(struct web_request *req, json_t **out)
{
	const char *regno = web_reg_arg(req, "regno");
	if (!regno || !reg_regno_valid(regno))
		return web_reply_msg(req, 400, "invalid-request", "reg.regno_invalid", NULL);
	rs_db *db;
	if (web_db(req, &db) != 0)
		return web_reply_msg(req, 503, "service-unavailable", "reg.unavailable", NULL);
	int rc = reg_wf_show(out, db, regno, (int64_t)time(NULL));
	if (rc == RS_ENOTFOUND)
		return web_reply_msg(req, 404, "not-found", "reg.registrant_not_found", regno, NULL);
	if (rc != 0)
		return web_reply_msg(req, 503, "service-unavailable", "reg.unavailable", NULL);
	return MHD_YES;
}

enum MHD_Result web_h_card(struct web_request *req)
{
	json_t *s = NULL;
	enum MHD_Result r = web_card_load(req, &s);
	if (!s)
		return r;
	json_int_t renewals = json_integer_value(json_object_get(s, "renewal_count"));
	const char *colour = reg_card_colour((int)renewals);
	const char *tok = web_card_token(s);
	json_t *o = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:s}",
	                      "regno", json_object_get(s, "regno"), "name", json_object_get(s, "name"),
	                      "name_kana", json_object_get(s, "name_kana"), "name_latn", json_object_get(s, "name_latn"),
	                      "date_of_birth", json_object_get(s, "date_of_birth"), "reg_date", json_object_get(s, "reg_date"),
	                      "renewal_count", json_object_get(s, "renewal_count"),
	                      "valid_until", json_object_get(s, "valid_until"),
	                      "exam_pass_date", json_object_get(s, "exam_pass_date"), "colour", colour);
	json_object_set(o, "status", json_object_get(s, "status"));
	json_object_set(o, "effective_status", json_object_get(s, "effective_status"));
	/* A printed card goes to its holder: it shows the public reason, never the registrar's words. */
	json_object_set(o, "public_reason", json_object_get(s, "public_reason"));
	if (tok) {
		char url[8192];
		snprintf(url, sizeof url, "%s/v/%s", web_reg_base_url(), tok);
		json_object_set_new(o, "verify_url", json_string(url));
	} else {
		json_object_set_new(o, "verify_url", json_null());
	}
	json_decref(s);
	return web_reply_json(req, 200, o);
}

enum MHD_Result web_h_card_qr(struct web_request *req)
{
	json_t *s = NULL;
	enum MHD_Result r = web_card_load(req, &s);
	if (!s)
		return r;
	const char *tok = web_card_token(s);
	char *url = NULL, *svg = NULL;
	if (!tok) {
		json_decref(s);
		return web_reply_msg(req, 404, "not-found", "reg.no_live_credential", NULL);
	}
	if (reg_qr_verify_url(&url, web_reg_base_url(), tok) != 0 || reg_qr_svg(&svg, url, REG_QR_M, 4) != 0) {
		json_decref(s);
		free(url);
		return web_reply_msg(req, 500, "internal-error", "reg.qr_failed", NULL);
	}
	json_decref(s);
	free(url);
	r = web_reply_text(req, 200, "image/svg+xml", svg, strlen(svg), "no-store");
	free(svg);
	return r;
}
