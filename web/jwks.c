/* rissd: GET /.well-known/jwks.json — every issuer key that can still verify a live credential. */
#include "web_registry.h"

#include "rs_json.h"

#include <stdlib.h>
#include <string.h>

enum MHD_Result web_h_jwks(struct web_request *req)
{
	struct web_reg_keys *keys = web_reg_keys_get();
	if (!keys)
		return web_reply_msg(req, 503, "service-unavailable", "keys.unavailable", NULL);
	char *text = rs_json_dump(keys->k.jwks_json);
	web_reg_keys_put(keys);
	if (!text)
		return MHD_NO;
	enum MHD_Result r = web_reply_text(req, 200, "application/jwk-set+json", text, strlen(text), "public, max-age=300");
	free(text);
	return r;
}
