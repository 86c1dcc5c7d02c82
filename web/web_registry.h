/* rissd: state shared by the registry handlers (verify, JWKS, status lists, log, register
 * search, registrar API): issuer keys reloaded from keys_dir, the riss-signd signer, the
 * transparency-log hash cache. Private to web/. */
#ifndef WEB_REGISTRY_H
#define WEB_REGISTRY_H

#include "reg_issue.h"
#include "web.h"

/* A snapshot of the key directory, shared by reference count; refreshed when keys.json
 * changes (checked at most once a second). */
struct web_reg_keys {
	struct reg_keys k;
	int refs;
};
/* Take the current snapshot (NULL when keys_dir has no usable key; rs_error says why).
 * Release with web_reg_keys_put. */
struct web_reg_keys *web_reg_keys_get(void);
void web_reg_keys_put(struct web_reg_keys *k);

/* The configured public base URL (credential iss). */
const char *web_reg_base_url(void);

/* The issuer for a new credential: the current key's id (copied into kid), the base URL
 * and the signer. 0, or -1 when keys_dir has no current key. */
int web_reg_issuer(struct reg_issuer *out, char kid[CERT_KID_MAX + 1]);

/* Sign through riss-signd with one shared connection (serialised; reconnects once). */
extern const struct cert_signer web_reg_signer;

/* The verify API's status cache (entries kept WEB_REG_VERIFY_TTL_S seconds: well inside the
 * 60 s in which a suspension must show). NULL only when out of memory. */
#define WEB_REG_VERIFY_TTL_S 10
struct reg_status_cache *web_reg_verify_cache(void);

/* The log's leaf-hash cache. */
extern struct reg_tlog_cache web_reg_tlog;

/* The caller as a registry actor (actor, role name, request id). */
struct reg_actor web_reg_actor(struct web_request *req);

/* A query-string argument, or NULL. */
const char *web_reg_arg(struct web_request *req, const char *name);

#endif
