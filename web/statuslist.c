/* rissd: GET /statuslists/<id> — the signed Token Status List (statuslist+jwt), re-signed at
 * most every REG_SL_TTL_S seconds so a suspension shows within a minute. */
#include "web_registry.h"

#include "rs_error.h"
#include "rs_log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WEB_SL_CACHE 16

static struct {
	int id;
	time_t made;
	char *jwt;
} web_sl_cache[WEB_SL_CACHE];
static pthread_mutex_t web_sl_mu = PTHREAD_MUTEX_INITIALIZER;

enum MHD_Result web_h_statuslist(struct web_request *req)
{
	const char *p = req->url + strlen("/statuslists/");
	size_t n = strlen(p);
	if (n == 0 || n > 7 || strspn(p, "0123456789") != n || p[0] == '0')
		return web_reply_msg(req, 404, "not-found", "statuslist.not_found", NULL);
	int id = atoi(p);
	time_t now = time(NULL);
	char *jwt = NULL;
	pthread_mutex_lock(&web_sl_mu);
	for (int i = 0; i < WEB_SL_CACHE; i++)
		if (web_sl_cache[i].id == id && now - web_sl_cache[i].made < REG_SL_TTL_S && web_sl_cache[i].jwt)
			jwt = strdup(web_sl_cache[i].jwt);
	pthread_mutex_unlock(&web_sl_mu);
	if (!jwt) {
		struct web_reg_keys *keys = web_reg_keys_get();
		if (!keys || !keys->k.current_kid[0]) {
			if (keys)
				web_reg_keys_put(keys);
			return web_reply_msg(req, 503, "service-unavailable", "statuslist.no_key", NULL);
		}
		rs_db *db;
		if (web_db(req, &db) != 0) {
			web_reg_keys_put(keys);
			return web_reply_msg(req, 503, "service-unavailable", "http.register_unreachable", NULL);
		}
		struct reg_issuer is = { .base_url = web_reg_base_url(), .kid = keys->k.current_kid, .signer = &web_reg_signer };
		int rc = reg_statuslist_jwt(&jwt, db, id, &is, (int64_t)now);
		web_reg_keys_put(keys);
		if (rc == RS_ENOTFOUND)
			return web_reply_msg(req, 404, "not-found", "statuslist.not_found", NULL);
		if (rc != 0) {
			rs_warn("status list %d: %s", id, rs_error_last());
			return web_reply_msg(req, 503, "service-unavailable", "statuslist.cannot_sign", NULL);
		}
		pthread_mutex_lock(&web_sl_mu);
		int slot = 0;
		for (int i = 0; i < WEB_SL_CACHE; i++) {
			if (web_sl_cache[i].id == id) {
				slot = i;
				break;
			}
			if (web_sl_cache[i].made < web_sl_cache[slot].made)
				slot = i;
		}
		free(web_sl_cache[slot].jwt);
		web_sl_cache[slot].id = id;
		web_sl_cache[slot].made = now;
		web_sl_cache[slot].jwt = strdup(jwt);
		pthread_mutex_unlock(&web_sl_mu);
	}
	char cc[64];
	snprintf(cc, sizeof cc, "public, max-age=%d", REG_SL_TTL_S);
	enum MHD_Result r = web_reply_text(req, 200, "application/statuslist+jwt", jwt, strlen(jwt), cc);
	free(jwt);
	return r;
}
