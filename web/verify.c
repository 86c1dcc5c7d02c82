/* rissd: credential verification — POST /api/v1/verify {"token"} and the page GET /v/<JWS>. */
#include "web_registry.h"

#include "rs_config.h"
#include "rs_error.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int web_verify_db(void *ctx, rs_db **out)
{
	return web_db(ctx, out) == 0 ? 0 : RS_EUNAVAIL;
}

/* One client address may not keep the verifier's cores to itself: verify_rate_limit per
 * second, verify_rate_burst at once (bulk checks belong offline, against the JWKS and the
 * status list). */
static struct web_ratelimit web_verify_rl;
static pthread_once_t web_verify_rl_once = PTHREAD_ONCE_INIT;

static void web_verify_rl_init(void)
{
	web_rl_init(&web_verify_rl, (double)rs_config_int("verify_rate_limit"), (double)rs_config_int("verify_rate_burst"));
}

enum MHD_Result web_h_verify(struct web_request *req)
{
	int retry = 0;
	pthread_once(&web_verify_rl_once, web_verify_rl_init);
	if (!web_rl_allow(&web_verify_rl, req->client_ip, &retry)) {
		req->retry_after = retry;
		char secs[16];
		snprintf(secs, sizeof secs, "%d", retry);
		return web_reply_msg(req, 429, "rate-limited", "verify.rate_limited", secs, NULL);
	}
	const char *in = NULL;
	size_t in_len = 0;
	if (!reg_token_json_body(&in, &in_len, req->body ? req->body : "", req->body_len)) {
		enum MHD_Result r;
		if (web_body_json(req, &r) != 0)
			return r;
		json_t *t = json_object_get(req->json, "token");
		if (!json_is_string(t))
			return web_reply_msg(req, 400, "invalid-request", "verify.token_field", NULL);
		in = json_string_value(t);
		in_len = json_string_length(t);
	}
	const char *tok = NULL;
	size_t len = 0;
	reg_token_input(&tok, &len, in, in_len);
	struct web_reg_keys *keys = web_reg_keys_get();
	if (!keys)
		return web_reply_msg(req, 503, "service-unavailable", "verify.keys_unavailable", NULL);
	struct reg_check *c = malloc(sizeof *c);
	if (!c) {
		web_reg_keys_put(keys);
		return MHD_NO;
	}
	/* Status and registrant come from a cache of a few seconds (a suspension shows within
	 * WEB_REG_VERIFY_TTL_S); the database is asked only on a miss. */
	int64_t now = (int64_t)time(NULL);
	int rc = reg_check_token_cached(c, web_reg_verify_cache(), web_verify_db, req, tok, len, &keys->k.jwks,
	                                web_reg_base_url(), now);
	web_reg_keys_put(keys);
	enum MHD_Result r;
	if (rc != 0)
		r = web_reply_msg(req, 503, "service-unavailable", "verify.status_unavailable", NULL);
	else
		r = web_reply_json(req, 200, reg_check_json(c, req->lang_en, now));
	free(c);
	return r;
}

enum MHD_Result web_h_verify_page(struct web_request *req)
{
	/* One static page for every /v/<JWS>: its script reads the token from the address and
	 * asks POST /api/v1/verify. */
	return web_send_file(req, "verify/index.html", "no-cache");
}
