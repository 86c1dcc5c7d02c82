/* POST /api/v1/proctor/{identity,admit,move,pause,resume,extra-time,end}: proctor actions on
 * bookings and sessions of the proctor's own centre; each is audited by delivery. */
#include "web_exam.h"

#include "rs_error.h"
#include "rs_json.h"

#include <string.h>

enum MHD_Result web_h_proctor_action(struct web_request *req)
{
	const char *verb = strrchr(req->url, '/') + 1;
	long long booking = 0, session = 0, minutes = 0;
	const char *document = NULL, *tail = NULL, *seat = NULL, *reason = NULL;
	struct rs_json_field spec[] = {
		{ .name = "booking", .kind = RS_JSON_INT, .out = &booking, .optional = 1, .min = 1, .max = INT64_MAX },
		{ .name = "session", .kind = RS_JSON_INT, .out = &session, .optional = 1, .min = 1, .max = INT64_MAX },
		{ .name = "minutes", .kind = RS_JSON_INT, .out = &minutes, .optional = 1, .min = 1, .max = 240 },
		{ .name = "document", .kind = RS_JSON_STRING, .out = &document, .optional = 1, .min = 1, .max = 40 },
		{ .name = "number_tail", .kind = RS_JSON_STRING, .out = &tail, .optional = 1, .min = 1, .max = 8 },
		{ .name = "seat", .kind = RS_JSON_STRING, .out = &seat, .optional = 1, .min = 1, .max = 16 },
		{ .name = "reason", .kind = RS_JSON_STRING, .out = &reason, .optional = 1, .min = 1, .max = 500 },
	};
	if (rs_json_fields(req->json, spec, 7) != 0)
		return web_reply_error(req, MHD_HTTP_BAD_REQUEST, "invalid-request");
	int is_booking = !strcmp(verb, "identity") || !strcmp(verb, "admit") || !strcmp(verb, "move");
	if (is_booking ? booking == 0 : session == 0)
		return web_reply_msg(req, MHD_HTTP_BAD_REQUEST, "invalid-request",
		                     is_booking ? "proctor.need_booking" : "proctor.need_session", NULL);
	struct dlv_actor who;
	web_exam_actor(&who, req);
	rs_db *db = NULL;
	if (web_db(req, &db) != 0)
		return web_exam_fail(req, RS_EUNAVAIL);
	int rc;
	json_t *out = NULL;
	if (!strcmp(verb, "identity")) {
		rc = dlv_proctor_identity(db, &who, booking, document, tail);
	} else if (!strcmp(verb, "admit") || !strcmp(verb, "move")) {
		char code[DLV_CODE_LEN + 1];
		int64_t sid = 0;
		rc = dlv_proctor_admit(code, &sid, db, &who, booking, seat, !strcmp(verb, "move"));
		if (rc == 0)
			out = json_pack("{s:I, s:s, s:i}", "session", (json_int_t)sid, "code", code, "expires_in_s", 900);
	} else if (!strcmp(verb, "pause") || !strcmp(verb, "resume")) {
		rc = dlv_proctor_pause(db, &who, session, !strcmp(verb, "pause"));
	} else if (!strcmp(verb, "extra-time")) {
		rc = dlv_proctor_extra(db, &who, session, (int)minutes);
	} else {
		rc = dlv_proctor_end(db, &who, session, reason);
	}
	if (rc != 0)
		return web_exam_fail(req, rc);
	return web_reply_json(req, MHD_HTTP_OK, out ? out : json_pack("{s:b}", "ok", 1));
}
