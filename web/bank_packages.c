/* The psychometrician's exam packages (item-bank/ib_package.h) on the staff surface:
 * GET  /api/v1/bank/packages[?exam=SG]                list
 * POST /api/v1/bank/packages {"exam", "strict"?}      publish from the bank
 * GET  /api/v1/bank/packages/compare?from=A&to=B      differences
 * POST /api/v1/bank/packages/activate {"package", "window"?}  the exam's (or a window's) package
 * POST /api/v1/bank/packages/retire {"package"}    refused while an open window names it
 * GET  /api/v1/bank/packages/show?id=N                 blueprint, counts, exposure (no item text)
 * GET  /api/v1/bank/packages/windows[?exam=SG]         the windows that name a package
 * Refusals carry the catalogue message in the caller's language (the domain named when the
 * blueprint cannot be met). */
#include "web_exam.h"

#include "ib_package.h"
#include "rs_error.h"
#include "rs_json.h"

#include <stdlib.h>
#include <string.h>

/* A corrupt package is a conflict with what is stored, not a server bug. */
static enum MHD_Result web_pkg_fail(struct web_request *req, int rc)
{
	return web_reply_rc(req, rc == RS_ECRYPTO ? RS_ESTATE : rc, rc == RS_ENOTFOUND ? "not-found" : NULL);
}

static int web_pkg_id(const char *s, long long *out)
{
	char *end;
	long long v = s ? strtoll(s, &end, 10) : 0;
	if (!s || !*s || *end || v <= 0)
		return -1;
	*out = v;
	return 0;
}

enum MHD_Result web_h_bank_packages(struct web_request *req)
{
	const char *exam = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "exam");
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_reply_rc(req, RS_EUNAVAIL, NULL);
	json_t *out = NULL;
	int rc = ib_package_list(&out, db, exam && exam[0] ? exam : NULL);
	if (rc != 0)
		return web_pkg_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, out);
}

enum MHD_Result web_h_bank_package_compare(struct web_request *req)
{
	long long a = 0, b = 0;
	if (web_pkg_id(MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "from"), &a) ||
	    web_pkg_id(MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "to"), &b))
		return web_reply_msg(req, MHD_HTTP_BAD_REQUEST, "invalid-request", "packages.ids_needed", NULL);
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_reply_rc(req, RS_EUNAVAIL, NULL);
	json_t *out = NULL;
	int rc = ib_package_compare(&out, db, a, b);
	if (rc != 0)
		return web_pkg_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, out);
}

enum MHD_Result web_h_bank_package_publish(struct web_request *req)
{
	const char *exam = NULL;
	int strict = 0;
	struct rs_json_field f[] = { { "exam", RS_JSON_STRING, &exam, 0, 1, 16 }, { "strict", RS_JSON_BOOL, &strict, 1, 0, 0 } };
	if (rs_json_fields(req->json, f, 2) != 0)
		return web_reply_error(req, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid-request");
	struct dlv_actor who;
	web_exam_actor(&who, req);
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_reply_rc(req, RS_EUNAVAIL, NULL);
	struct ib_publish_result res;
	int rc = ib_package_publish_exam(&res, db, who.actor, who.role, exam, strict, who.request_id);
	if (rc != 0) {
		ib_publish_result_clear(&res);
		return web_pkg_fail(req, rc);
	}
	json_t *out = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:O, s:s, s:s, s:b}", "id", (json_int_t)res.id, "exam", exam,
	                        "sha256", res.sha256, "items", (json_int_t)res.items, "operational", (json_int_t)res.operational,
	                        "pretest", (json_int_t)res.pretest, "skipped", res.skipped, "bank_version", res.bank_version,
	                        "state", "published", "exposure_feasible", res.feasibility.feasible);
	ib_publish_result_clear(&res);
	return web_reply_json(req, MHD_HTTP_CREATED, out);
}

enum MHD_Result web_h_bank_package_step(struct web_request *req)
{
	int activate = strcmp(strrchr(req->url, '/') + 1, "activate") == 0;
	json_int_t pkg = 0, window = 0;
	struct rs_json_field f[] = { { "package", RS_JSON_INT, &pkg, 0, 1, INT32_MAX },
	                             { "window", RS_JSON_INT, &window, 1, 1, INT32_MAX } };
	if (rs_json_fields(req->json, f, activate ? 2 : 1) != 0)
		return web_reply_error(req, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid-request");
	struct dlv_actor who;
	web_exam_actor(&who, req);
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_reply_rc(req, RS_EUNAVAIL, NULL);
	json_t *out = NULL;
	int rc;
	if (activate && window)
		rc = dlv_window_package(&out, db, &who, window, pkg);
	else if (activate)
		rc = ib_package_activate(db, who.actor, who.role, pkg, who.request_id);
	else
		rc = dlv_package_retire(db, &who, pkg);
	if (rc != 0)
		return web_pkg_fail(req, rc);
	if (!out)
		out = json_pack("{s:I, s:s}", "package", pkg, "state", activate ? "active" : "retired");
	return web_reply_json(req, MHD_HTTP_OK, out);
}

/* Package desk (web/static/admin/packages/): what a package holds, and which windows use it. */
enum MHD_Result web_h_bank_package_show(struct web_request *req)
{
	long long id = 0;
	if (web_pkg_id(MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "id"), &id))
		return web_reply_msg(req, MHD_HTTP_BAD_REQUEST, "invalid-request", "pkgdesk.id_needed", NULL);
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_reply_rc(req, RS_EUNAVAIL, NULL);
	json_t *out = NULL;
	int rc = ib_package_summary(&out, db, id);
	if (rc != 0)
		return web_pkg_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, out);
}

enum MHD_Result web_h_bank_package_windows(struct web_request *req)
{
	const char *exam = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "exam");
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_reply_rc(req, RS_EUNAVAIL, NULL);
	json_t *out = NULL;
	int rc = dlv_package_windows(&out, db, exam && exam[0] ? exam : NULL);
	if (rc != 0)
		return web_pkg_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, out);
}
