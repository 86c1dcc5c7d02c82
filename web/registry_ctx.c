/* rissd: shared registry state — key directory snapshots, the riss-signd signer and the log
 * cache. (The lapse sweep runs in the renewal job: web/jobs_timer.c, riss jobs run.) */
#include "web_registry.h"

#include "cert_signd.h"
#include "rs_config.h"
#include "rs_error.h"
#include "rs_log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static pthread_mutex_t web_reg_keys_mu = PTHREAD_MUTEX_INITIALIZER;
static struct web_reg_keys *web_reg_keys_cur;
static time_t web_reg_keys_checked;
static struct timespec web_reg_keys_mtime;

static void web_reg_keys_unref(struct web_reg_keys *k)
{
	/* Called with web_reg_keys_mu held. */
	if (k && --k->refs == 0) {
		reg_keys_free(&k->k);
		free(k);
	}
}

struct web_reg_keys *web_reg_keys_get(void)
{
	time_t now = time(NULL);
	pthread_mutex_lock(&web_reg_keys_mu);
	if (!web_reg_keys_cur || now != web_reg_keys_checked) {
		web_reg_keys_checked = now;
		char path[4200];
		snprintf(path, sizeof path, "%s/keys.json", rs_config_str("keys_dir"));
		struct stat st;
		int changed = stat(path, &st) != 0 || !web_reg_keys_cur ||
		              st.st_mtim.tv_sec != web_reg_keys_mtime.tv_sec ||
		              st.st_mtim.tv_nsec != web_reg_keys_mtime.tv_nsec;
		if (changed) {
			struct web_reg_keys *nk = calloc(1, sizeof *nk);
			if (nk && reg_keys_load(&nk->k, rs_config_str("keys_dir"), (int64_t)now) == 0) {
				nk->refs = 1;
				web_reg_keys_unref(web_reg_keys_cur);
				web_reg_keys_cur = nk;
				web_reg_keys_mtime = st.st_mtim;
			} else {
				if (nk)
					rs_warn("issuer keys: %s", rs_error_last());
				free(nk);
			}
		}
	}
	struct web_reg_keys *k = web_reg_keys_cur;
	if (k)
		k->refs++;
	else
		rs_error_set("no issuer keys in %s", rs_config_str("keys_dir"));
	pthread_mutex_unlock(&web_reg_keys_mu);
	return k;
}

void web_reg_keys_put(struct web_reg_keys *k)
{
	pthread_mutex_lock(&web_reg_keys_mu);
	web_reg_keys_unref(k);
	pthread_mutex_unlock(&web_reg_keys_mu);
}

const char *web_reg_base_url(void)
{
	return rs_config_str("public_base_url");
}

int web_reg_issuer(struct reg_issuer *out, char kid[CERT_KID_MAX + 1])
{
	struct web_reg_keys *keys = web_reg_keys_get();
	int ok = keys && keys->k.current_kid[0];
	if (ok)
		snprintf(kid, CERT_KID_MAX + 1, "%s", keys->k.current_kid);
	if (keys)
		web_reg_keys_put(keys);
	if (!ok)
		return -1;
	*out = (struct reg_issuer){ .base_url = web_reg_base_url(), .kid = kid, .signer = &web_reg_signer };
	return 0;
}

static pthread_mutex_t web_reg_sign_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cert_signer web_reg_signd;

static int web_reg_sign(void *ctx, unsigned char out_sig[CERT_SIG_LEN], const char *kid, const unsigned char *msg,
                        size_t len)
{
	(void)ctx;
	pthread_mutex_lock(&web_reg_sign_mu);
	int rc = 0;
	if (!web_reg_signd.sign)
		rc = cert_signd_signer_new(&web_reg_signd, rs_config_str("signd_socket"));
	if (rc == 0)
		rc = web_reg_signd.sign(web_reg_signd.ctx, out_sig, kid, msg, len);
	pthread_mutex_unlock(&web_reg_sign_mu);
	return rc;
}

const struct cert_signer web_reg_signer = { .sign = web_reg_sign, .ctx = NULL };

struct reg_tlog_cache web_reg_tlog = REG_TLOG_CACHE_INIT;

static pthread_once_t web_reg_vc_once = PTHREAD_ONCE_INIT;
static struct reg_status_cache *web_reg_vc;

static void web_reg_vc_init(void)
{
	if (reg_status_cache_new(&web_reg_vc, WEB_REG_VERIFY_TTL_S) != 0)
		web_reg_vc = NULL;
}

struct reg_status_cache *web_reg_verify_cache(void)
{
	pthread_once(&web_reg_vc_once, web_reg_vc_init);
	return web_reg_vc;
}

struct reg_actor web_reg_actor(struct web_request *req)
{
	struct reg_actor a = { .actor = req->actor[0] ? req->actor : "public", .role = web_role_name(req->roles),
	                       .request_id = req->id };
	return a;
}

const char *web_reg_arg(struct web_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}
