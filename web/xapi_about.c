/* rissd: the xAPI About resource (/xapi/about): the versions this LRS speaks. Open to all,
 * no version header needed (xAPI 1.0.3 §7.7). */
#include "xapi.h"

enum MHD_Result web_xapi_about(struct web_xapi *x)
{
	static const char *const allowed[] = { NULL };
	enum MHD_Result reply;
	if (web_xapi_params_only(x, allowed, &reply) != 0)
		return reply;
	json_t *about = json_pack("{s:[s, s, s, s], s:{}}", "version", "1.0.0", "1.0.1", "1.0.2", WEB_XAPI_VERSION,
	                          "extensions");
	return web_xapi_reply_json(x, MHD_HTTP_OK, about, NULL);
}
