/* GET /api/v1/proctor/bookings[?date=YYYY-MM-DD]: the day's bookings at the proctor's centre. */
#include "web_exam.h"

#include "rs_error.h"

enum MHD_Result web_h_proctor_bookings(struct web_request *req)
{
	const char *date = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "date");
	struct dlv_actor who;
	web_exam_actor(&who, req);
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_exam_fail(req, RS_EUNAVAIL);
	json_t *out = NULL;
	int rc = dlv_proctor_day(&out, db, &who, date && *date ? date : NULL);
	if (rc != 0)
		return web_exam_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, out);
}
