/* POST /api/v1/exam/answer {position, item_id, choice}: commits the answer, then returns the
 * next item (or the result). A resend of a stored answer returns the same next item. */
#include "web_exam.h"

#include "rs_error.h"
#include "rs_json.h"

enum MHD_Result web_h_exam_answer(struct web_request *req)
{
	long long position = -1, choice = -1;
	const char *item = NULL;
	struct rs_json_field spec[] = {
		{ .name = "position", .kind = RS_JSON_INT, .out = &position, .min = 0, .max = 999 },
		{ .name = "item_id", .kind = RS_JSON_STRING, .out = &item, .min = 1, .max = 63 },
		{ .name = "choice", .kind = RS_JSON_INT, .out = &choice, .min = 0, .max = 3 },
	};
	if (rs_json_fields(req->json, spec, 3) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	int64_t sid;
	rs_db *db = NULL;
	enum MHD_Result reply;
	if (web_exam_enter(req, &sid, &db, &reply) != 0)
		return reply;
	json_t *view = NULL;
	int rc;
	if ((rc = dlv_answer(&view, db, sid, (int)position, item, (int)choice)) != 0)
		return web_exam_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, view);
}
