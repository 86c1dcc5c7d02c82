/* rissd: the provider desk's list of xAPI statements that became no CPD completion
 * (GET /api/v1/cpd/xapi/unmatched, Bearer key, own statements only). */
#include "web_cpd.h"

#include "cpd_xapi.h"

#include <stdlib.h>

enum MHD_Result web_h_cpd_xapi_unmatched(struct web_request *req)
{
	rs_db *db;
	enum MHD_Result reply;
	if (web_cpd_begin(req, &db, NULL, &reply) != 0)
		return reply;
	const char *limit = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "limit");
	int lim = limit ? atoi(limit) : 100;
	if (lim < 1 || lim > 1000)
		lim = 100;
	json_t *out = NULL;
	int rc = cpd_xapi_unmatched(&out, db, req->provider_id, lim);
	if (rc == 0)
		web_msg_localise(req, json_object_get(out, "unmatched"));
	return web_cpd_answer(req, rc, out, MHD_HTTP_OK);
}
