/* rissd: skill profiles — GET /api/v1/skills/profile/<regno> (public when the registrant
 * publishes it; staff see every profile), the registrant's own profile, the choice to
 * publish it and the OB 3.0 credential download under /api/v1/me/skills, and the agency's
 * counts per claim (GET /api/v1/skills/claims). An unpublished profile answers 200 with
 * {"regno", "published": false} and nothing else. */
#include "web_registry.h"
#include "web_renewal.h"

#include "cpd_skills.h"
#include "rs_error.h"
#include "rs_json.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum MHD_Result web_skills_fail(struct web_request *req, int rc)
{
	return web_renewal_fail(req, rc);
}

enum MHD_Result web_h_skills_profile(struct web_request *req)
{
	const char *regno = req->url + strlen("/api/v1/skills/profile/");
	if (strlen(regno) != 6)
		return web_reply_msg(req, MHD_HTTP_NOT_FOUND, "not-found", "skills.no_profile", NULL);
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_skills_fail(req, RS_EUNAVAIL);
	json_t *p = NULL;
	int rc = cpd_skills_profile_public(&p, db, regno, (req->roles & WEB_ROLE_STAFF) != 0, (int64_t)time(NULL));
	/* Not published: say so plainly (the verify page asks for every valid credential). */
	if (rc == RS_ENOTFOUND && rs_error_last_id() && strcmp(rs_error_last_id(), "skills.not_published") == 0)
		return web_reply_json(req, MHD_HTTP_OK, json_pack("{s:s, s:b}", "regno", regno, "published", 0));
	if (rc == RS_ENOTFOUND || rc == RS_EINVAL)
		return web_reply_msg(req, MHD_HTTP_NOT_FOUND, "not-found", "skills.no_profile", NULL);
	if (rc != 0)
		return web_skills_fail(req, rc);
	/* The employer's view: the claims with their framework releases; pay beside them. */
	json_object_del(p, "unmapped");
	return web_reply_json(req, MHD_HTTP_OK, p);
}

enum MHD_Result web_h_me_skills(struct web_request *req)
{
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_skills_fail(req, RS_EUNAVAIL);
	json_t *p = NULL;
	int rc = cpd_skills_profile(&p, db, req->regno, (int64_t)time(NULL));
	if (rc != 0)
		return web_skills_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, p);
}

enum MHD_Result web_h_me_skills_publish(struct web_request *req)
{
	json_t *v = json_object_get(req->json, "publish");
	if (!json_is_boolean(v))
		return web_reply_msg(req, MHD_HTTP_BAD_REQUEST, "invalid-request", "skills.publish_field", NULL);
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_skills_fail(req, RS_EUNAVAIL);
	int rc = cpd_skills_publish(db, req->regno, json_is_true(v), req->actor, req->id);
	if (rc != 0)
		return web_skills_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, json_pack("{s:s, s:b}", "regno", req->regno, "publish", json_is_true(v)));
}

enum MHD_Result web_h_me_ob3(struct web_request *req)
{
	struct web_reg_keys *k = web_reg_keys_get();
	if (!k)
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "verify.keys_unavailable", NULL);
	rs_db *db = NULL;
	if (web_db(req, &db) != 0) {
		web_reg_keys_put(k);
		return web_skills_fail(req, RS_EUNAVAIL);
	}
	struct reg_issuer issuer = { .base_url = web_reg_base_url(), .kid = k->k.current_kid, .signer = &web_reg_signer };
	char *jwt = NULL;
	int rc = cpd_skills_ob3_export(&jwt, db, req->regno, &issuer, (int64_t)time(NULL), req->actor);
	web_reg_keys_put(k);
	if (rc != 0)
		return web_skills_fail(req, rc);
	const char *hdrs[] = { "Content-Disposition", "attachment; filename=\"riss-openbadge.jwt\"", NULL };
	enum MHD_Result r = web_reply_text_hdrs(req, MHD_HTTP_OK, "application/vc+jwt", jwt, strlen(jwt), "no-store", hdrs);
	free(jwt);
	return r;
}

enum MHD_Result web_h_skills_claims(struct web_request *req)
{
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_skills_fail(req, RS_EUNAVAIL);
	json_t *o = NULL;
	int rc = cpd_skills_claim_counts(&o, db, (int64_t)time(NULL));
	if (rc != 0)
		return web_skills_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, o);
}
