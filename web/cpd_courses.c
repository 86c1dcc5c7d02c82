/* rissd: courses — a provider lists and adds its own; the agency sees all and designates
 * a private practical course as 特定講習 for a fiscal year. */
#include "web_cpd.h"

#include "rs_error.h"
#include "rs_json.h"

enum MHD_Result web_h_cpd_courses(struct web_request *req)
{
	rs_db *db;
	enum MHD_Result reply;
	if (web_cpd_begin(req, &db, NULL, &reply) != 0)
		return reply;
	json_t *arr = NULL;
	/* A provider sees its own courses only; agency staff see every provider's. */
	int64_t only = (req->roles & WEB_ROLE_PROVIDER) ? req->provider_id : 0;
	int rc = cpd_course_list(&arr, db, only);
	if (rc != 0)
		return web_cpd_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, json_pack("{s:o}", "courses", arr));
}

enum MHD_Result web_h_cpd_course_add(struct web_request *req)
{
	struct cpd_actor who;
	rs_db *db;
	enum MHD_Result reply;
	if (web_cpd_begin(req, &db, &who, &reply) != 0)
		return reply;
	json_t *out = NULL;
	int rc = cpd_course_add(&out, db, &who, req->provider_id, req->json);
	return web_cpd_answer(req, rc, out, MHD_HTTP_CREATED);
}

enum MHD_Result web_h_cpd_course_designate(struct web_request *req)
{
	long long course = 0, year = 0;
	const char *number = NULL;
	struct rs_json_field spec[] = {
		{ "course_id", RS_JSON_INT, &course, 0, 1, 1LL << 53 },
		{ "fiscal_year", RS_JSON_INT, &year, 0, 2016, 2100 },
		{ "designation_no", RS_JSON_STRING, &number, 0, 1, 40 },
	};
	if (rs_json_fields(req->json, spec, sizeof spec / sizeof spec[0]) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	struct cpd_actor who;
	rs_db *db;
	enum MHD_Result reply;
	if (web_cpd_begin(req, &db, &who, &reply) != 0)
		return reply;
	json_t *out = NULL;
	int rc = cpd_course_designate(&out, db, &who, (int64_t)course, (int)year, number);
	return web_cpd_answer(req, rc, out, MHD_HTTP_OK);
}
