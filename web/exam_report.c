/* GET /api/v1/exam/report: the printable score report of the candidate's finished exam. */
#include "web_exam.h"

#include "rs_error.h"

enum MHD_Result web_h_exam_report(struct web_request *req)
{
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_exam_fail(req, RS_EUNAVAIL);
	json_t *rep = NULL;
	int rc = dlv_report(&rep, db, web_exam_session(req));
	if (rc != 0)
		return web_exam_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, rep);
}
