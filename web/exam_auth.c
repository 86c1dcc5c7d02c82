/* Candidate sessions (cookie riss_exam): resolved by exam delivery. Until a session store
 * exists, no token is valid, so candidate routes answer 401. */
#include "web.h"

#include "rs_error.h"

int web_exam_auth(struct web_request *req, const char *token)
{
	(void)req;
	(void)token;
	rs_error_set("no such exam session");
	return RS_EAUTH;
}
