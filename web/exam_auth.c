/* Candidate sessions (cookie riss_exam + workstation cookie riss_ws): resolved by exam
 * delivery. On success the caller is candidate:<session id> with a CSRF token derived from
 * the session token, which the page reads from GET /api/v1/exam/current. */
#include "web.h"
#include "auth.h"
#include "web_exam.h"

#include "dlv.h"
#include "rs_encode.h"
#include "rs_error.h"
#include "rs_log.h"

#include <openssl/evp.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void web_exam_csrf(char *out, size_t cap, const char *token)
{
	unsigned char md[32];
	unsigned int n = 0;
	char in[64];
	snprintf(in, sizeof in, "csrf:%s", token);
	EVP_Digest(in, strlen(in), md, &n, EVP_sha256(), NULL);
	char b64[48];
	rs_b64url_encode(b64, md, 16);
	snprintf(out, cap, "%s", b64);
}

int web_exam_auth(struct web_request *req, const char *token)
{
	const char *ws = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, web_cookie_name("riss_ws"));
	rs_db *db = NULL;
	int64_t sid = 0;
	int rc = web_db(req, &db) != 0 ? RS_EUNAVAIL : dlv_auth(&sid, db, token, ws);
	if (rc == RS_EUNAVAIL)
		return RS_EUNAVAIL; /* the server answers 503 "please wait", not "sign in" */
	if (rc != 0)
		return RS_EAUTH;
	req->roles |= WEB_ROLE_CANDIDATE;
	snprintf(req->actor, sizeof req->actor, "candidate:%" PRId64, sid);
	if (!req->csrf[0])
		web_exam_csrf(req->csrf, sizeof req->csrf, token);
	return 0;
}

int64_t web_exam_session(const struct web_request *req)
{
	long long id = 0;
	if (sscanf(req->actor, "candidate:%lld", &id) != 1)
		return 0;
	return (int64_t)id;
}

int web_exam_enter(struct web_request *req, int64_t *sid, rs_db **db, enum MHD_Result *reply)
{
	*sid = web_exam_session(req);
	int rc = *sid == 0 ? RS_EUNAVAIL /* the database was away at sign-in */ : dlv_rate_check(*sid);
	if (rc == 0 && web_db(req, db) != 0)
		rc = RS_EUNAVAIL;
	if (rc != 0) {
		*reply = web_exam_fail(req, rc);
		return -1;
	}
	return 0;
}

enum MHD_Result web_exam_fail(struct web_request *req, int rc)
{
	const char *slug = dlv_slug_last();
	unsigned status;
	switch (rc) {
	case RS_EUNAVAIL:
		/* A candidate is told their answers are safe; staff get the generic text. */
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable",
		                     (req->roles & WEB_ROLE_CANDIDATE) ? "exam.unavailable" : "problem.service-unavailable.detail", NULL);
	case RS_EINVAL: case RS_EPARSE: case RS_ERANGE: status = MHD_HTTP_UNPROCESSABLE_CONTENT; break;
	case RS_ETOOBIG: status = MHD_HTTP_CONTENT_TOO_LARGE; break;
	case RS_ENOTFOUND: status = MHD_HTTP_NOT_FOUND; break;
	case RS_EAUTH: status = MHD_HTTP_UNAUTHORIZED; break;
	case RS_EPERM: status = strcmp(slug, "rate-limited") == 0 ? MHD_HTTP_TOO_MANY_REQUESTS : MHD_HTTP_FORBIDDEN; break;
	case RS_ESTATE: case RS_ECONFLICT: case RS_EEXIST: status = MHD_HTTP_CONFLICT; break;
	default:
		/* A bug, not the candidate's input: logged once with the request id, no details out. */
		rs_err("exam delivery failed: %s", rs_error_last());
		return web_reply_msg(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal-error",
		                     (req->roles & WEB_ROLE_CANDIDATE) ? "exam.internal" : "problem.internal-error.detail", NULL);
	}
	return web_reply_error(req, status, slug[0] ? slug : (status == MHD_HTTP_CONTENT_TOO_LARGE ? "body-too-large" : "invalid-request"));
}

void web_exam_actor(struct dlv_actor *out, const struct web_request *req)
{
	out->actor = req->actor;
	out->role = web_role_name(req->roles & ~WEB_ROLE_PUBLIC);
	out->centre = (req->roles & WEB_ROLE_PROCTOR) ? req->centre_code : NULL;
	out->request_id = req->id;
}
