/* rissd: the xAPI Agents resource (/xapi/agents: the Person object of an agent) and the
 * Activities resource (/xapi/activities: the definition merged from the provider's
 * statements). */
#include "xapi.h"

#include "cpd_lrs.h"
#include "cpd_xapi.h"
#include "rs_error.h"
#include "rs_json.h"

#include <string.h>

/* The "agent" parameter as a validated Agent object (*out caller owns): 0, or -1 with the 400
 * answer queued. */
int web_xapi_agent_param(struct web_xapi *x, json_t **out, char key[CPD_LRS_AGENT_KEY_MAX + 1],
                         enum MHD_Result *reply)
{
	const char *text = web_xapi_param(x, "agent");
	json_t *a = NULL;
	if (!text) {
		*reply = web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "lrs.param.missing", "agent", NULL);
		return -1;
	}
	if (rs_json_parse(&a, text, strlen(text), WEB_XAPI_PARAM_MAX) != 0 || cpd_lrs_agent_key(key, a) != 0) {
		json_decref(a);
		*reply = web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "lrs.param.agent", NULL);
		return -1;
	}
	*out = a;
	return 0;
}

enum MHD_Result web_xapi_agents(struct web_xapi *x)
{
	static const char *const allowed[] = { "agent", NULL };
	enum MHD_Result reply;
	if (web_xapi_params_only(x, allowed, &reply) != 0)
		return reply;
	json_t *agent = NULL, *person = NULL;
	char key[CPD_LRS_AGENT_KEY_MAX + 1];
	if (web_xapi_agent_param(x, &agent, key, &reply) != 0)
		return reply;
	rs_db *db = NULL;
	int rc = web_db(x->req, &db);
	if (rc == 0)
		rc = cpd_xapi_person(&person, db, x->provider_id, agent);
	json_decref(agent);
	if (rc != 0)
		return web_xapi_reply_rc(x, rc);
	return web_xapi_reply_json(x, MHD_HTTP_OK, person, NULL);
}

enum MHD_Result web_xapi_activities(struct web_xapi *x)
{
	static const char *const allowed[] = { "activityId", NULL };
	enum MHD_Result reply;
	if (web_xapi_params_only(x, allowed, &reply) != 0)
		return reply;
	const char *id = web_xapi_param(x, "activityId");
	if (!id)
		return web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "lrs.param.missing", "activityId", NULL);
	if (!cpd_lrs_iri_ok(id))
		return web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "lrs.param.iri", "activityId", NULL);
	rs_db *db = NULL;
	json_t *a = NULL;
	int rc = web_db(x->req, &db);
	if (rc == 0)
		rc = cpd_lrs_activity_get(&a, db, x->provider_id, id);
	if (rc == RS_ENOTFOUND)
		/* An activity never seen is still an Activity: its id alone (xAPI 1.0.3 §7.5). */
		return web_xapi_reply_json(x, MHD_HTTP_OK, json_pack("{s:s, s:s}", "objectType", "Activity", "id", id), NULL);
	if (rc != 0)
		return web_xapi_reply_rc(x, rc);
	return web_xapi_reply_json(x, MHD_HTTP_OK, a, NULL);
}
