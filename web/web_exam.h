/* Helpers shared by the exam, proctor and schedule handlers (web/exam_*.c, proctor_*.c,
 * schedule_*.c). Private to web/. */
#ifndef WEB_EXAM_H
#define WEB_EXAM_H

#include "web.h"
#include "dlv.h"

/* The candidate's session id from req->actor ("candidate:<id>"), or 0. */
int64_t web_exam_session(const struct web_request *req);
/* CSRF token of a candidate session: derived from the session token. */
void web_exam_csrf(char *out, size_t cap, const char *token);
/* Map a failing dlv_ call to problem+json (status from the code, type from the slug). */
enum MHD_Result web_exam_fail(struct web_request *req, int rc);
/* The calling candidate's session and a pooled database connection, past the
 * per-session rate limit. 0, or -1 with *reply holding the answer already queued. */
int web_exam_enter(struct web_request *req, int64_t *sid, rs_db **db, enum MHD_Result *reply);
/* Audit identity of the caller; proctors are limited to their centre. */
void web_exam_actor(struct dlv_actor *out, const struct web_request *req);

#endif
