/* registry: credentials against the database — issuance (status entry, signature through
 * the signer, credential and its log leaf in one transaction), verification with live
 * status, the signed status lists, the transparency log service and its audit. */
#ifndef REG_ISSUE_H
#define REG_ISSUE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cert_keys.h"
#include "reg_jws.h"
#include "reg_register.h"
#include "reg_tlog.h"
#include "reg_workflow.h"
#include "rs_db.h"

#define REG_SL_LIST_SIZE 131072  /* entries per status list */
#define REG_SL_FILL_MAX 65536    /* a list takes no more credentials than this (half full) */
#define REG_SL_TTL_S 30          /* status lists are re-signed at most this often */

/* The issuer: base URL (iss, status list URIs, QR), the key new credentials are signed
 * with and the signer that holds it. */
struct reg_issuer {
	const char *base_url;
	const char *kid;
	const struct cert_signer *signer;
};

/* Issue a credential for an active registrant: a random status entry, claims from the
 * register, a signature by issuer->kid, then the credential row and its issuance leaf,
 * all in one transaction (a signer failure leaves nothing behind). *out_jws is the
 * caller's. Returns 0, RS_ENOTFOUND, RS_ESTATE (not active / validity over), the signer's
 * error (RS_EUNAVAIL when riss-signd is gone) or a database error. */
int reg_issue(char **out_jws, rs_db *db, const char *regno, const struct reg_issuer *issuer,
              int64_t now, const struct reg_actor *who);
/* reg_issue inside the caller's transaction (renewal: the new validity and its credential
 * commit together). On failure the caller must roll back. */
int reg_issue_in_tx(char **out_jws, rs_db *db, const char *regno, const struct reg_issuer *issuer, int64_t now,
                    const struct reg_actor *who);
#define REG_ISSUE_BATCH_MAX 10000
/* Issue for n (<= REG_ISSUE_BATCH_MAX) registrants in one transaction (benchmarks, bulk
 * renewal): one statement per step for the whole batch. out_jws[i] are the caller's. All
 * or nothing. */
int reg_issue_batch(char **out_jws, rs_db *db, const char *const *regnos, size_t n,
                    const struct reg_issuer *issuer, int64_t now, const struct reg_actor *who);

/* Issue, through issuer's signer, a credential to every active registrant (valid today)
 * who holds no live credential — registrants written in bulk, e.g. by riss demo — in batches
 * of reg_issue_batch. *out_n is how many were issued (also on failure: the batches before
 * it committed). */
int reg_issue_missing(size_t *out_n, rs_db *db, const struct reg_issuer *issuer, int64_t now,
                      const struct reg_actor *who);

/* Keys from a key directory (config keys_dir): the verify set (every key that can still
 * verify a live credential), and the current signing key. */
struct reg_keys {
	struct cert_jwks jwks;
	char current_kid[CERT_KID_MAX + 1]; /* "" when no active key */
	unsigned char current_pub[CERT_PUB_LEN];
	json_t *jwks_json;                  /* the published JWKS document; owned */
};
/* Load dir into *out at time now. Free with reg_keys_free. RS_ENOTFOUND when the directory
 * holds no usable key. */
int reg_keys_load(struct reg_keys *out, const char *dir, int64_t now);
void reg_keys_free(struct reg_keys *k);

/* Result of a verification against the register. */
struct reg_check {
	struct reg_verify_result res;       /* verdict = reg_jws_verdict(res.reason) */
	int have_registrant;
	struct reg_registrant registrant;   /* when have_registrant */
};
/* A small thread-safe cache for verification: each status entry looked up (with its
 * credential's registrant) is kept ttl_s seconds, so a suspension shows within ttl_s. */
struct reg_status_cache;
int reg_status_cache_new(struct reg_status_cache **out, int ttl_s);
void reg_status_cache_free(struct reg_status_cache *c);
/* Forget every entry (after a status change made here). NULL is fine. */
void reg_status_cache_clear(struct reg_status_cache *c);
/* Verify token with keys and live status (no signer needed), through cache (may be NULL):
 * the database is asked for (get_db) only on a miss, with one statement for the entry, its
 * credential and registrant. out is always filled; returns 0 when the check ran (whatever
 * the verdict), RS_EUNAVAIL when the status could not be read. */
int reg_check_token_cached(struct reg_check *out, struct reg_status_cache *cache,
                           int (*get_db)(void *ctx, rs_db **out), void *db_ctx, const char *token, size_t len,
                           const struct cert_jwks *jwks, const char *base_url, int64_t now);
/* The verify API answer: {verdict, reason, message_id, message (in English when en, else
 * Japanese), kid, registrant{...published, status as on the day of now}}. Caller owns it. */
json_t *reg_check_json(const struct reg_check *c, int en, int64_t now);

/* The statuslist+jwt of list_id (URI <base>/statuslists/<id>), signed now. *out_jwt is the
 * caller's. RS_ENOTFOUND for an unknown list. */
int reg_statuslist_jwt(char **out_jwt, rs_db *db, int list_id, const struct reg_issuer *issuer,
                       int64_t now);
/* The status list URI of list_id into out. */
void reg_statuslist_uri(char *out, size_t cap, const char *base_url, int list_id);

/* An in-memory copy of the log's leaf hashes, extended from the database on demand
 * (the log is append-only). Thread-safe. */
struct reg_tlog_cache {
	pthread_mutex_t mu;
	reg_hash *hashes;
	uint64_t n, cap;
};
#define REG_TLOG_CACHE_INIT { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0 }
/* Bring the cache up to the database's tree size; *out_size gets that size. */
int reg_tlog_sync(uint64_t *out_size, struct reg_tlog_cache *c, rs_db *db);
/* Free the cached hashes. */
void reg_tlog_cache_clear(struct reg_tlog_cache *c);
/* The log origin line for base_url ("<host>/riss-log"). */
void reg_tlog_origin(char *out, size_t cap, const char *base_url);
/* The latest signed checkpoint: signs and stores one for the current size when none
 * exists yet (signer may be NULL: then the newest stored one is returned). *out_note is
 * the caller's. */
int reg_tlog_checkpoint(char **out_note, rs_db *db, struct reg_tlog_cache *c,
                        const struct reg_issuer *issuer, const unsigned char pub[CERT_PUB_LEN]);
/* {"index","tree_size","leaf_hash","data","proof":[b64...]} for leaf index in the tree of
 * size. Caller owns it. RS_ERANGE when index >= size or size > log size. */
int reg_tlog_inclusion_json(json_t **out, rs_db *db, struct reg_tlog_cache *c, uint64_t index,
                            uint64_t size);
/* {"first","second","proof":[...]} between tree sizes first and second. */
int reg_tlog_consistency_json(json_t **out, rs_db *db, struct reg_tlog_cache *c, uint64_t first,
                              uint64_t second);

/* Audit the whole log against the database: every leaf hash, every credential against its
 * leaf and signature, every status entry against its last status leaf, every checkpoint
 * root and signature (by vkeys of jwks keys). *out is a report {ok, leaves, credentials,
 * checkpoints, problems:[...]} the caller owns. Returns 0 when the audit ran (read
 * out.ok), or a database error. */
int reg_log_audit(json_t **out, rs_db *db, const struct cert_jwks *jwks, const char *base_url);

/* Leaf data of an issuance and of a status change (canonical JSON, caller frees). */
char *reg_leaf_issue(const char *regno, const char *kid, int64_t iat, int64_t exp, int list_id,
                     uint64_t idx, const unsigned char jws_sha256[32]);
char *reg_leaf_status(const char *regno, int list_id, uint64_t idx, int status, int64_t at,
                      const char *reason);

#endif
