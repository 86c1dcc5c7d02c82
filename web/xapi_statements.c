/* rissd: the xAPI Statements resource (/xapi/statements). Owned by the statements part
 * (helper xapi-stmt); until it lands, each method answers 501. */
#include "xapi.h"

static enum MHD_Result web_xapi_statements_todo(struct web_xapi *x)
{
	return web_xapi_error(x, MHD_HTTP_NOT_IMPLEMENTED, "lrs.not_implemented", NULL);
}

enum MHD_Result web_xapi_statements_get(struct web_xapi *x)
{
	return web_xapi_statements_todo(x);
}

enum MHD_Result web_xapi_statements_put(struct web_xapi *x)
{
	return web_xapi_statements_todo(x);
}

enum MHD_Result web_xapi_statements_post(struct web_xapi *x)
{
	return web_xapi_statements_todo(x);
}
