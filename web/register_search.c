/* rissd: GET /api/v1/register/search?q= — the public register by number or name (published
 * fields only), rate-limited per client address. */
#include "web_registry.h"

#include "rs_error.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#define WEB_SEARCH_BURST 20.0 /* searches a client may make at once */
#define WEB_SEARCH_RATE 0.5   /* searches per second refilled (30 a minute) */

static struct web_ratelimit web_search_rl;
static pthread_once_t web_search_rl_once = PTHREAD_ONCE_INIT;

static void web_search_rl_init(void)
{
	web_rl_init(&web_search_rl, WEB_SEARCH_RATE, WEB_SEARCH_BURST);
}

enum MHD_Result web_h_register_search(struct web_request *req)
{
	int retry = 0;
	pthread_once(&web_search_rl_once, web_search_rl_init);
	if (!web_rl_allow(&web_search_rl, req->client_ip, &retry)) {
		req->retry_after = retry;
		char secs[16];
		snprintf(secs, sizeof secs, "%d", retry);
		return web_reply_msg(req, 429, "rate-limited", "register.search_rate_limited", secs, NULL);
	}
	const char *q = web_reg_arg(req, "q");
	if (!q || !q[0] || strlen(q) > 100)
		return web_reply_msg(req, 400, "invalid-request", "reg.search_length", NULL);
	rs_db *db;
	if (web_db(req, &db) != 0)
		return web_reply_msg(req, 503, "service-unavailable", "reg.unavailable", NULL);
	json_t *arr = NULL;
	int rc = reg_register_search(&arr, db, q, REG_SEARCH_MAX, (int64_t)time(NULL));
	if (rc == RS_EINVAL)
		return web_reply_error(req, 400, "invalid-request");
	if (rc != 0)
		return web_reply_msg(req, 503, "service-unavailable", "reg.unavailable", NULL);
	return web_reply_json(req, 200, json_pack("{s:s, s:o}", "q", q, "results", arr));
}
