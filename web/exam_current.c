/* GET /api/v1/exam/current: the candidate's view (current item without its key, countdown,
 * progress, or the result); it changes nothing — a sitting that is over but not closed says
 * "finishing". POST /api/v1/exam/begin starts the clock after the instructions and closes a
 * finishing sitting. Both rebuild the engine state on the server. */
#include "web_exam.h"

#include "rs_error.h"

enum MHD_Result web_h_exam_current(struct web_request *req)
{
	int64_t sid;
	rs_db *db = NULL;
	enum MHD_Result reply;
	if (web_exam_enter(req, &sid, &db, &reply) != 0)
		return reply;
	json_t *view = NULL;
	int rc;
	if ((rc = dlv_current(&view, db, sid)) != 0)
		return web_exam_fail(req, rc);
	json_object_set_new(view, "csrf", json_string(req->csrf));
	return web_reply_json(req, MHD_HTTP_OK, view);
}

enum MHD_Result web_h_exam_begin(struct web_request *req)
{
	int64_t sid;
	rs_db *db = NULL;
	enum MHD_Result reply;
	if (web_exam_enter(req, &sid, &db, &reply) != 0)
		return reply;
	json_t *view = NULL;
	int rc;
	if ((rc = dlv_begin(&view, db, sid)) != 0)
		return web_exam_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, view);
}
