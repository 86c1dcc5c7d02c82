/* rissd: helpers shared by the continuing-training handlers (web/cpd_*.c). Private to web/. */
#ifndef WEB_CPD_H
#define WEB_CPD_H

#include "web.h"

#include "cpd.h"

/* The caller as a cpd actor (actor text, role name, request id); borrowed from req. */
void web_cpd_actor(struct cpd_actor *out, struct web_request *req);
/* Answer a module error: 400 / 404 / 409 / 401 / 413 from the code, with the recorded
 * catalogue message; anything else is logged and answered 503 (cpd.unavailable). */
enum MHD_Result web_cpd_fail(struct web_request *req, int rc);
/* A problem+json whose detail is catalogue message msg_id with args (NULL-terminated,
 * may be NULL), plus the members of ext (stolen, may be NULL), e.g. per-record results. */
enum MHD_Result web_cpd_problem(struct web_request *req, unsigned status, const char *type, const char *msg_id,
                                const char *const *args, json_t *ext);
/* Rewrite "detail" of every problem object in arr (each with "problem" = catalogue id and
 * "arg") in the caller's language. */
void web_cpd_localize(struct web_request *req, json_t *arr);
/* The pooled database and the caller as actor (who may be NULL). 0, or the answer to give
 * (503) in *reply when the database cannot be reached. */
int web_cpd_begin(struct web_request *req, rs_db **db, struct cpd_actor *who, enum MHD_Result *reply);
/* Answer a module call: its error (web_cpd_fail) or out (stolen) with status. */
enum MHD_Result web_cpd_answer(struct web_request *req, int rc, json_t *out, unsigned status);
/* A positive integer member of the JSON body; 0 or -1 when missing or not one. */
int web_cpd_body_id(struct web_request *req, const char *name, int64_t *out);

#endif
