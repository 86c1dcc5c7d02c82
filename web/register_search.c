/* rissd: GET /api/v1/register/search?q= — the public register by number or name (published
 * fields only), rate-limited per client address. */
#include "web_registry.h"

#include "rs_error.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#define WEB_RL_SLOTS 4096
#define WEB_RL_BURST 20.0    /* requests a client may make at once */
#define WEB_RL_RATE 0.5      /* requests per second refilled (30 a minute) */

static struct {
	char ip[48];
	double tokens;
	double at;
} web_rl[WEB_RL_SLOTS];
static pthread_mutex_t web_rl_mu = PTHREAD_MUTEX_INITIALIZER;

/* Token bucket per address (hashed into a fixed table: a collision only shares a bucket). */
static int web_rl_allow(const char *ip, int *retry_after)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	unsigned h = 2166136261u;
	for (const char *p = ip; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	pthread_mutex_lock(&web_rl_mu);
	__typeof__(web_rl[0]) *b = &web_rl[h % WEB_RL_SLOTS];
	if (strcmp(b->ip, ip) != 0) {
		snprintf(b->ip, sizeof b->ip, "%s", ip);
		b->tokens = WEB_RL_BURST;
		b->at = now;
	}
	b->tokens += (now - b->at) * WEB_RL_RATE;
	if (b->tokens > WEB_RL_BURST)
		b->tokens = WEB_RL_BURST;
	b->at = now;
	int ok = b->tokens >= 1.0;
	if (ok)
		b->tokens -= 1.0;
	else
		*retry_after = (int)((1.0 - b->tokens) / WEB_RL_RATE) + 1;
	pthread_mutex_unlock(&web_rl_mu);
	return ok;
}

enum MHD_Result web_h_register_search(struct web_request *req)
{
	int retry = 0;
	if (!web_rl_allow(req->client_ip, &retry)) {
		return web_reply_problem(req, 429, "rate-limited",
		                         req->lang_en ? "Too many searches from this address; try again in %d s."
		                                      : "この端末からの検索が多すぎます。%d 秒後にもう一度お試しください。",
		                         retry);
	}
	const char *q = web_reg_arg(req, "q");
	if (!q || !q[0] || strlen(q) > 100)
		return web_reply_problem(req, 400, "invalid-request", "Give q: a registration number (6 digits) or the start of a name (at most 100 bytes).");
	rs_db *db;
	if (web_db(req, &db) != 0)
		return web_reply_problem(req, 503, "service-unavailable", "The register cannot be reached; try again shortly.");
	web_reg_maybe_lapse(db);
	json_t *arr = NULL;
	int rc = reg_register_search(&arr, db, q, REG_SEARCH_MAX);
	if (rc == RS_EINVAL)
		return web_reply_problem(req, 400, "invalid-request", "%s", rs_error_last());
	if (rc != 0)
		return web_reply_problem(req, 503, "service-unavailable", "The register cannot be searched now; try again shortly.");
	return web_reply_json(req, 200, json_pack("{s:s, s:o}", "q", q, "results", arr));
}
