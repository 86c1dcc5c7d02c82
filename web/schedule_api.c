/* Agency scheduling API: GET/POST /api/v1/schedule/{centres,windows,candidates,bookings} and
 * POST /api/v1/schedule/bookings/import (text/csv; all rows or none);
 * GET /api/v1/schedule/packages and POST /api/v1/schedule/windows/package {"window",
 * "package"}: another package for a window without sittings. */
#include "web_exam.h"

#include "rs_error.h"
#include "rs_json.h"

#include <string.h>
#include <strings.h>

enum MHD_Result web_h_schedule_list(struct web_request *req)
{
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_reply_rc(req, RS_EUNAVAIL, NULL);
	json_t *out = NULL;
	int rc = dlv_sched_list(&out, db, strrchr(req->url, '/') + 1);
	if (rc != 0)
		return web_reply_rc(req, rc, dlv_slug_last());
	return web_reply_json(req, MHD_HTTP_OK, out);
}

enum MHD_Result web_h_schedule_put(struct web_request *req)
{
	const char *kind = strrchr(req->url, '/') + 1;
	struct dlv_actor who;
	web_exam_actor(&who, req);
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_reply_rc(req, RS_EUNAVAIL, NULL);
	json_t *out = NULL;
	int rc;
	if (!strcmp(kind, "centres"))
		rc = dlv_centre_put(&out, db, &who, req->json);
	else if (!strcmp(kind, "windows"))
		rc = dlv_window_put(&out, db, &who, req->json);
	else if (!strcmp(kind, "candidates"))
		rc = dlv_candidate_put(&out, db, &who, req->json);
	else
		rc = dlv_booking_put(&out, db, &who, req->json);
	if (rc != 0)
		return web_reply_rc(req, rc, dlv_slug_last());
	return web_reply_json(req, MHD_HTTP_CREATED, out);
}

enum MHD_Result web_h_schedule_import(struct web_request *req)
{
	const char *ct = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!ct || strncasecmp(ct, "text/csv", 8) != 0)
		return web_reply_msg(req, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "csv.want_csv", NULL);
	struct dlv_actor who;
	web_exam_actor(&who, req);
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_reply_rc(req, RS_EUNAVAIL, NULL);
	json_t *out = NULL;
	int rc = dlv_booking_import(&out, db, &who, req->body ? req->body : "", req->body_len);
	if (rc == RS_EINVAL || rc == RS_EPARSE || rc == RS_ETOOBIG) {
		/* Every bad row, in one problem document, each in the reader's language. */
		json_t *errors = json_incref(json_object_get(out, "errors"));
		json_decref(out);
		web_msg_localise(req, errors);
		return web_reply_error_ext(req, MHD_HTTP_UNPROCESSABLE_CONTENT, "import-refused",
		                           json_pack("{s:o}", "errors", errors ? errors : json_array()));
	}
	if (rc != 0)
		return web_reply_rc(req, rc, dlv_slug_last());
	return web_reply_json(req, MHD_HTTP_OK, out);
}

enum MHD_Result web_h_schedule_window_package(struct web_request *req)
{
	json_int_t window = 0, pkg = 0;
	struct rs_json_field f[] = { { "window", RS_JSON_INT, &window, 0, 1, INT32_MAX },
	                             { "package", RS_JSON_INT, &pkg, 0, 1, INT32_MAX } };
	if (rs_json_fields(req->json, f, 2) != 0)
		return web_reply_error(req, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid-request");
	struct dlv_actor who;
	web_exam_actor(&who, req);
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_reply_rc(req, RS_EUNAVAIL, NULL);
	json_t *out = NULL;
	int rc = dlv_window_package_unsat(&out, db, &who, window, pkg);
	if (rc != 0)
		return web_reply_rc(req, rc == RS_ECRYPTO ? RS_ESTATE : rc, dlv_slug_last());
	return web_reply_json(req, MHD_HTTP_OK, out);
}
