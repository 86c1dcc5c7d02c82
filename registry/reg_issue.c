/* registry: credentials against the database — issuance in one transaction with its log
 * leaf, verification with live status, keys from the key directory, signed status lists,
 * the transparency log service and the whole-log audit. */
#include "reg_issue.h"
#include "reg_statuslist.h"
#include "store.h"

#include "rs_audit.h"
#include "rs_encode.h"
#include "rs_error.h"
#include "rs_log.h"
#include "rs_msg.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- leaves ---------- */

static char *reg_leaf_dump(json_t *o)
{
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII) : NULL;
	json_decref(o);
	return s;
}

char *reg_leaf_issue(const char *regno, const char *kid, int64_t iat, int64_t exp, int list_id, uint64_t idx,
                     const unsigned char jws_sha256[32])
{
	char hex[65];
	rs_hex_encode(hex, jws_sha256, 32);
	return reg_leaf_dump(json_pack("{s:s, s:s, s:s, s:I, s:I, s:i, s:I, s:s}", "type", "issue", "sub", regno,
	                               "kid", kid, "iat", (json_int_t)iat, "exp", (json_int_t)exp, "list", list_id,
	                               "idx", (json_int_t)idx, "jws_sha256", hex));
}

char *reg_leaf_status(const char *regno, int list_id, uint64_t idx, int status, int64_t at, const char *reason)
{
	return reg_leaf_dump(json_pack("{s:s, s:s, s:i, s:I, s:i, s:I, s:s}", "type", "status", "sub", regno,
	                               "list", list_id, "idx", (json_int_t)idx, "status", status, "at", (json_int_t)at,
	                               "reason", reason ? reason : ""));
}

void reg_statuslist_uri(char *out, size_t cap, const char *base_url, int list_id)
{
	size_t n = strlen(base_url);
	while (n > 0 && base_url[n - 1] == '/')
		n--;
	snprintf(out, cap, "%.*s/statuslists/%d", (int)n, base_url, list_id);
}

/* ---------- issuance ---------- */

struct reg_issue_arg {
	const char *const *regnos;
	size_t n;
	const struct reg_issuer *issuer;
	int64_t now;
	const struct reg_actor *who;
	char **out; /* n slots */
};

/* The indices already chosen in this batch (distinct within a list). */
struct reg_issue_chosen {
	const int64_t *idx;
	const unsigned char *ok;
	size_t n;
	size_t self;
};

static int reg_issue_chosen_used(void *ctx, uint64_t idx)
{
	const struct reg_issue_chosen *c = ctx;
	for (size_t i = 0; i < c->n; i++)
		if (i != c->self && c->ok[i] && (uint64_t)c->idx[i] == idx)
			return 1;
	return 0;
}

/* Random free entries for creds [from, from + count) of list_id: draw, insert all the draws
 * in one statement, draw again for the few that collided with entries already taken. */
static int reg_issue_entries(rs_db *db, struct reg_credential *c, int64_t *idx, unsigned char *ok, size_t count,
                             int list_id, int size)
{
	memset(ok, 0, count);
	size_t missing = count;
	int64_t *want = malloc(count * sizeof *want);
	size_t *slot = malloc(count * sizeof *slot);
	unsigned char *taken = malloc(count);
	int rc = 0;
	if (!want || !slot || !taken) {
		rc = RS_ENOMEM;
		goto done;
	}
	for (int round = 0; missing > 0; round++) {
		if (round > 200) {
			rs_error_set("status list %d: no free entries found", list_id);
			rc = RS_ESTATE;
			goto done;
		}
		size_t m = 0;
		for (size_t i = 0; i < count; i++) {
			if (ok[i])
				continue;
			/* distinct from the entries this batch already holds or is asking for now */
			struct reg_issue_chosen ch = { .idx = idx, .ok = ok, .n = count, .self = i };
			uint64_t v = 0;
			do {
				if ((rc = reg_sl_random_index(&v, (size_t)size, reg_issue_chosen_used, &ch)) != 0)
					goto done;
				int dup = 0;
				for (size_t k = 0; k < m; k++)
					dup |= (uint64_t)want[k] == v;
				if (!dup)
					break;
			} while (1);
			want[m] = (int64_t)v;
			slot[m++] = i;
		}
		if ((rc = reg_store_status_alloc_many(db, taken, list_id, want, m)) != 0)
			goto done;
		for (size_t k = 0; k < m; k++)
			if (taken[k]) {
				idx[slot[k]] = want[k];
				ok[slot[k]] = 1;
				missing--;
			}
	}
	for (size_t i = 0; i < count; i++) {
		c[i].status_idx = (uint64_t)idx[i];
	}
done:
	free(want);
	free(slot);
	free(taken);
	(void)list_id;
	return rc;
}

static int reg_issue_tx(rs_db *db, void *arg)
{
	struct reg_issue_arg *a = arg;
	size_t n = a->n;
	struct reg_registrant *r = calloc(n, sizeof *r);
	struct reg_credential *c = calloc(n, sizeof *c);
	int *list = calloc(n, sizeof *list);
	int64_t *idx = calloc(n, sizeof *idx);
	unsigned char *ok = calloc(n, 1);
	char **leaf = calloc(n, sizeof *leaf);
	struct reg_store_cred_row *rows = calloc(n, sizeof *rows);
	size_t signed_n = 0;
	int rc = 0;
	if (!r || !c || !list || !idx || !ok || !leaf || !rows) {
		rc = RS_ENOMEM;
		goto done;
	}
	/* 1. The registrants, locked: each must be active and within its validity. */
	if ((rc = reg_store_registrants_lock(db, r, a->regnos, n)) != 0)
		goto done;
	char today[11];
	reg_today_jst(today, a->now);
	for (size_t i = 0; i < n; i++) {
		if (r[i].status != REG_ST_ACTIVE) {
			rs_error_msg("reg.issue_not_active", r[i].regno, NULL);
			rc = RS_ESTATE;
			goto done;
		}
		if (strcmp(r[i].valid_until, today) < 0) {
			rs_error_msg("reg.issue_ended", r[i].regno, r[i].valid_until, NULL);
			rc = RS_ESTATE;
			goto done;
		}
		struct reg_credential *ci = &c[i];
		snprintf(ci->iss, sizeof ci->iss, "%s", a->issuer->base_url);
		snprintf(ci->sub, sizeof ci->sub, "%s", r[i].regno);
		snprintf(ci->name, sizeof ci->name, "%.255s", r[i].name);
		snprintf(ci->name_latn, sizeof ci->name_latn, "%.255s", r[i].name_latn);
		snprintf(ci->qual, sizeof ci->qual, "RISS");
		snprintf(ci->reg_date, sizeof ci->reg_date, "%s", r[i].reg_date);
		ci->renewal_count = r[i].renewal_count;
		ci->iat = a->now;
		if ((rc = reg_validity_exp(&ci->exp, r[i].valid_until)) != 0)
			goto done;
	}
	/* 2. Random free entries of the open list(s) (herd privacy: neighbours are unrelated). */
	for (size_t pos = 0; pos < n;) {
		int list_id = 0, size = 0, granted = 0;
		int want = n - pos > (size_t)REG_SL_FILL_MAX ? REG_SL_FILL_MAX : (int)(n - pos);
		if ((rc = reg_store_list_take_n(db, &list_id, &size, &granted, want, REG_SL_FILL_MAX, REG_SL_LIST_SIZE)) != 0)
			goto done;
		if (granted <= 0) {
			rs_error_set("no status list entry could be reserved");
			rc = RS_EINTERNAL;
			goto done;
		}
		if ((rc = reg_issue_entries(db, c + pos, idx + pos, ok + pos, (size_t)granted, list_id, size)) != 0)
			goto done;
		for (size_t i = pos; i < pos + (size_t)granted; i++) {
			list[i] = list_id;
			reg_statuslist_uri(c[i].status_uri, sizeof c[i].status_uri, a->issuer->base_url, list_id);
		}
		pos += (size_t)granted;
	}
	/* 3. Signatures, inside the transaction: if riss-signd is gone, everything above rolls
	 * back and nothing (entry, credential, leaf) is left behind. */
	if ((rc = reg_jws_sign_many(a->out, c, n, a->issuer->kid, a->issuer->signer)) != 0)
		goto done;
	signed_n = n;
	/* 4. The issuance leaves and the credential rows, one statement each. */
	for (size_t i = 0; i < n; i++) {
		SHA256((const unsigned char *)a->out[i], strlen(a->out[i]), rows[i].sha);
		leaf[i] = reg_leaf_issue(r[i].regno, a->issuer->kid, c[i].iat, c[i].exp, list[i], (uint64_t)idx[i],
		                         rows[i].sha);
		if (!leaf[i]) {
			rc = RS_ENOMEM;
			goto done;
		}
	}
	uint64_t first = 0;
	if ((rc = reg_store_leaves_append_many(db, &first, "issue", (const char *const *)leaf, n)) != 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		rows[i].regno = r[i].regno;
		rows[i].jws = a->out[i];
		rows[i].kid = a->issuer->kid;
		rows[i].list_id = list[i];
		rows[i].idx = idx[i];
		rows[i].iat = c[i].iat;
		rows[i].exp = c[i].exp;
		rows[i].leaf_idx = first + i;
	}
	if ((rc = reg_store_creds_insert_many(db, rows, n)) != 0)
		goto done;
	json_t *d = json_pack("{s:s, s:I}", "kid", a->issuer->kid, "count", (json_int_t)n);
	char obj[32];
	snprintf(obj, sizeof obj, n == 1 ? "registrant:%s" : "registrants:%s...", a->regnos[0]);
	rc = rs_audit(db, a->who->actor, a->who->role, "registry.credential.issue", obj, d, a->who->request_id);
	json_decref(d);
done:
	if (rc != 0) {
		/* The transaction rolls back (and may be retried): forget what was signed. */
		for (size_t i = 0; i < signed_n; i++) {
			free(a->out[i]);
			a->out[i] = NULL;
		}
	}
	if (leaf)
		for (size_t i = 0; i < n; i++)
			free(leaf[i]);
	free(leaf);
	free(rows);
	free(r);
	free(c);
	free(list);
	free(idx);
	free(ok);
	return rc;
}

int reg_issue_batch(char **out_jws, rs_db *db, const char *const *regnos, size_t n, const struct reg_issuer *issuer,
                    int64_t now, const struct reg_actor *who)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!reg_regno_valid(regnos[i])) {
			rs_error_msg("reg.regno_invalid", NULL);
			return RS_EINVAL;
		}
	if (n > REG_ISSUE_BATCH_MAX) {
		rs_error_set("at most %d credentials per batch", REG_ISSUE_BATCH_MAX);
		return RS_EINVAL;
	}
	if (!issuer->kid || !issuer->kid[0]) {
		rs_error_msg("reg.no_issuer_key", NULL);
		return RS_ESTATE;
	}
	for (size_t i = 0; i < n; i++)
		out_jws[i] = NULL;
	struct reg_issue_arg a = { .regnos = regnos, .n = n, .issuer = issuer, .now = now, .who = who, .out = out_jws };
	return rs_db_tx(db, RS_DB_READ_COMMITTED, 3, reg_issue_tx, &a);
}

int reg_issue_in_tx(char **out_jws, rs_db *db, const char *regno, const struct reg_issuer *issuer, int64_t now,
                    const struct reg_actor *who)
{
	if (!reg_regno_valid(regno)) {
		rs_error_set("\"%.20s\" is not a registration number (6 digits)", regno);
		return RS_EINVAL;
	}
	if (!issuer->kid || !issuer->kid[0]) {
		rs_error_set("no active issuer key: create one with riss keys new");
		return RS_ESTATE;
	}
	const char *one[] = { regno };
	*out_jws = NULL;
	struct reg_issue_arg a = { .regnos = one, .n = 1, .issuer = issuer, .now = now, .who = who, .out = out_jws };
	return reg_issue_tx(db, &a);
}

int reg_issue(char **out_jws, rs_db *db, const char *regno, const struct reg_issuer *issuer, int64_t now,
              const struct reg_actor *who)
{
	const char *one[] = { regno };
	return reg_issue_batch(out_jws, db, one, 1, issuer, now, who);
}

/* One batch of reg_issue_missing: the registrants without a live credential, read and
 * issued in the same transaction. */
struct reg_missing_arg {
	const struct reg_issuer *issuer;
	const struct reg_actor *who;
	int64_t now;
	size_t issued;
};

#define REG_MISSING_BATCH 1000

static int reg_missing_tx(rs_db *db, void *arg)
{
	struct reg_missing_arg *a = arg;
	a->issued = 0;
	char today[11];
	reg_today_jst(today, a->now);
	json_t *list = NULL;
	int rc = reg_store_without_live_cred(db, &list, a->now, today, REG_MISSING_BATCH);
	if (rc != 0)
		return rc;
	size_t n = json_array_size(list);
	const char **regnos = calloc(n ? n : 1, sizeof *regnos);
	char **jws = calloc(n ? n : 1, sizeof *jws);
	if (!regnos || !jws) {
		rc = RS_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		regnos[i] = json_string_value(json_array_get(list, i));
	if (n) {
		struct reg_issue_arg ia = { .regnos = regnos, .n = n, .issuer = a->issuer, .now = a->now, .who = a->who,
			                    .out = jws };
		rc = reg_issue_tx(db, &ia);
	}
	if (rc == 0)
		a->issued = n;
	for (size_t i = 0; i < n; i++)
		free(jws[i]);
done:
	free(jws);
	free(regnos);
	json_decref(list);
	return rc;
}

int reg_issue_missing(size_t *out_n, rs_db *db, const struct reg_issuer *issuer, int64_t now,
                      const struct reg_actor *who)
{
	*out_n = 0;
	if (!issuer->kid || !issuer->kid[0]) {
		rs_error_msg("reg.no_issuer_key", NULL);
		return RS_ESTATE;
	}
	struct reg_missing_arg a = { .issuer = issuer, .who = who, .now = now };
	for (;;) {
		int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, reg_missing_tx, &a);
		if (rc != 0)
			return rc;
		*out_n += a.issued;
		if (a.issued < REG_MISSING_BATCH)
			return 0;
	}
}

/* ---------- keys ---------- */

int reg_keys_load(struct reg_keys *out, const char *dir, int64_t now)
{
	struct cert_keydir kd;
	memset(&kd, 0, sizeof kd);
	memset(out, 0, sizeof *out);
	int rc = cert_keydir_load(&kd, dir);
	if (rc != 0)
		return rc;
	json_t *jwks = cert_keydir_jwks(&kd, now);
	char *text = jwks ? json_dumps(jwks, JSON_COMPACT) : NULL;
	if (!text) {
		json_decref(jwks);
		cert_keydir_free(&kd);
		rs_error_set("out of memory building the JWKS");
		return RS_ENOMEM;
	}
	rc = cert_jwks_parse(&out->jwks, text, strlen(text));
	free(text);
	const struct cert_keyinfo *cur = cert_keydir_current(&kd);
	if (rc == 0 && cur) {
		snprintf(out->current_kid, sizeof out->current_kid, "%s", cur->kid);
		memcpy(out->current_pub, cur->pub, CERT_PUB_LEN);
	}
	if (rc == 0 && out->jwks.n == 0) {
		rs_error_set("key directory %.200s holds no usable key (riss keys new creates one)", dir);
		rc = RS_ENOTFOUND;
	}
	cert_keydir_free(&kd);
	if (rc != 0) {
		json_decref(jwks);
		return rc;
	}
	out->jwks_json = jwks;
	return 0;
}

void reg_keys_free(struct reg_keys *k)
{
	if (!k)
		return;
	json_decref(k->jwks_json);
	k->jwks_json = NULL;
}

/* ---------- verification ---------- */

struct reg_check_ctx {
	int (*get_db)(void *ctx, rs_db **out);
	void *db_ctx;
	struct reg_status_cache *cache;
	int64_t now;
	const char *base_url;
	int db_failed;
	int have_entry;                 /* the lookup below ran */
	struct reg_store_entry_info info;
};

/* Parse "<base>/statuslists/<id>" into id; 0 when uri is not one of ours. */
static int reg_check_list_id(const char *base_url, const char *uri)
{
	/* The form reg_statuslist_uri writes: base URL without trailing '/', "/statuslists/", id. */
	static const char mid[] = "/statuslists/";
	size_t bl = strlen(base_url);
	while (bl > 0 && base_url[bl - 1] == '/')
		bl--;
	if (strncmp(uri, base_url, bl) != 0 || strncmp(uri + bl, mid, sizeof mid - 1) != 0)
		return 0;
	const char *p = uri + bl + sizeof mid - 1;
	if (!*p || strlen(p) > 7 || *p == '0')
		return 0;
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			return 0;
	return atoi(p);
}

/* ---------- the verify cache: status entry + its registrant, kept a few seconds ---------- */

#define REG_SC_SLOTS 2048 /* direct-mapped */
#define REG_SC_STRIPES 32

struct reg_sc_slot {
	int list_id;            /* 0: empty */
	int64_t idx;
	int64_t fetched;        /* Unix seconds */
	struct reg_store_entry_info info;
};

struct reg_status_cache {
	int ttl_s;
	pthread_mutex_t mu[REG_SC_STRIPES];
	struct reg_sc_slot slot[REG_SC_SLOTS];
};

int reg_status_cache_new(struct reg_status_cache **out, int ttl_s)
{
	struct reg_status_cache *c = calloc(1, sizeof *c);
	if (!c)
		return RS_ENOMEM;
	c->ttl_s = ttl_s;
	for (int i = 0; i < REG_SC_STRIPES; i++)
		pthread_mutex_init(&c->mu[i], NULL);
	*out = c;
	return 0;
}

void reg_status_cache_free(struct reg_status_cache *c)
{
	if (!c)
		return;
	for (int i = 0; i < REG_SC_STRIPES; i++)
		pthread_mutex_destroy(&c->mu[i]);
	free(c);
}

void reg_status_cache_clear(struct reg_status_cache *c)
{
	if (!c)
		return;
	for (int k = 0; k < REG_SC_STRIPES; k++) {
		pthread_mutex_lock(&c->mu[k]);
		for (size_t i = (size_t)k; i < REG_SC_SLOTS; i += REG_SC_STRIPES)
			c->slot[i].list_id = 0;
		pthread_mutex_unlock(&c->mu[k]);
	}
}

static size_t reg_sc_hash(int list_id, int64_t idx)
{
	uint64_t h = ((uint64_t)(uint32_t)list_id << 32) ^ (uint64_t)idx;
	h *= 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 40) % REG_SC_SLOTS;
}

static int reg_sc_get(struct reg_status_cache *c, struct reg_store_entry_info *out, int list_id, int64_t idx,
                      int64_t now)
{
	size_t h = reg_sc_hash(list_id, idx);
	int hit = 0;
	pthread_mutex_lock(&c->mu[h % REG_SC_STRIPES]);
	struct reg_sc_slot *s = &c->slot[h];
	if (s->list_id == list_id && s->idx == idx && now >= s->fetched && now - s->fetched < c->ttl_s) {
		*out = s->info;
		hit = 1;
	}
	pthread_mutex_unlock(&c->mu[h % REG_SC_STRIPES]);
	return hit;
}

static void reg_sc_put(struct reg_status_cache *c, const struct reg_store_entry_info *in, int list_id, int64_t idx,
                       int64_t now)
{
	size_t h = reg_sc_hash(list_id, idx);
	pthread_mutex_lock(&c->mu[h % REG_SC_STRIPES]);
	struct reg_sc_slot *s = &c->slot[h];
	s->list_id = list_id;
	s->idx = idx;
	s->fetched = now;
	s->info = *in;
	pthread_mutex_unlock(&c->mu[h % REG_SC_STRIPES]);
}

static int reg_check_status(void *ctx, uint8_t *out_status, const char *uri, uint64_t idx)
{
	struct reg_check_ctx *c = ctx;
	int list_id = reg_check_list_id(c->base_url, uri);
	if (list_id <= 0 || idx > 16777216) {
		rs_error_set("status list \"%.100s\" is not one of this registry's", uri);
		return RS_ENOTFOUND;
	}
	if (!c->cache || !reg_sc_get(c->cache, &c->info, list_id, (int64_t)idx, c->now)) {
		rs_db *db = NULL;
		int rc = c->get_db(c->db_ctx, &db);
		if (rc == 0)
			rc = reg_store_entry_info(db, &c->info, list_id, (int64_t)idx);
		if (rc != 0) {
			if (rc != RS_ENOTFOUND)
				c->db_failed = 1;
			return rc;
		}
		if (c->cache)
			reg_sc_put(c->cache, &c->info, list_id, (int64_t)idx, c->now);
	}
	c->have_entry = 1;
	*out_status = (uint8_t)c->info.status;
	return 0;
}

int reg_check_token_cached(struct reg_check *out, struct reg_status_cache *cache,
                           int (*get_db)(void *ctx, rs_db **out), void *db_ctx, const char *token, size_t len,
                           const struct cert_jwks *jwks, const char *base_url, int64_t now)
{
	/* reg_jws_verify fills out->res; the registrant is filled only with have_registrant. */
	out->have_registrant = 0;
	struct reg_check_ctx ctx_s, *ctx = &ctx_s;
	ctx->db_failed = ctx->have_entry = 0;
	ctx->info.have_registrant = 0;
	ctx->get_db = get_db;
	ctx->db_ctx = db_ctx;
	ctx->cache = cache;
	ctx->now = now;
	ctx->base_url = base_url;
	struct reg_verify_opts o = { .jwks = jwks, .now = now, .expected_iss = base_url, .status = reg_check_status,
	                             .status_ctx = ctx };
	int vr = reg_jws_verify(&out->res, token, len, &o);
	(void)vr;
	int rc = 0;
	if (ctx->db_failed) {
		rc = RS_EUNAVAIL;
		goto done;
	}
	if (out->res.reason == REG_JWS_STATUS_UNKNOWN) {
		/* A genuine signature whose entry we never allocated: not ours, not genuine. */
		out->res.reason = REG_JWS_BAD_CLAIMS;
		snprintf(out->res.message, sizeof out->res.message,
		         "the credential names a status entry this registry never allocated");
		goto done;
	}
	enum reg_jws_reason r = out->res.reason;
	if (out->res.have_claims && ctx->have_entry &&
	    (!ctx->info.have_registrant || strcmp(ctx->info.registrant.regno, out->res.cred.sub) != 0)) {
		/* The status entry must be the one this registry allocated to a credential of the
		 * token's subject: a genuine token cannot borrow another registrant's entry (security
		 * review finding 4). */
		out->res.reason = REG_JWS_BAD_CLAIMS;
		snprintf(out->res.message, sizeof out->res.message,
		         "the credential's status entry belongs to another registration than its subject");
		goto done;
	}
	if (out->res.have_claims && (r == REG_JWS_VALID || r == REG_JWS_PENDING || r == REG_JWS_SUSPENDED ||
	                             r == REG_JWS_REVOKED || r == REG_JWS_EXPIRED)) {
		if (ctx->have_entry) {
			/* The entry's credential belongs to the token's subject: its row came along. */
			out->registrant = ctx->info.registrant;
			out->have_registrant = 1;
		} else {
			rs_db *db = NULL;
			int g = get_db(db_ctx, &db);
			if (g == 0)
				g = reg_store_registrant_get(db, &out->registrant, out->res.cred.sub, 0);
			if (g == 0)
				out->have_registrant = 1;
			else if (g != RS_ENOTFOUND)
				rc = RS_EUNAVAIL;
		}
	}
	/* A registration that is not active overrides "valid" whatever the list says (the list
	 * follows within its cache time; the register is the authority). */
	if (out->have_registrant && (out->res.reason == REG_JWS_VALID || out->res.reason == REG_JWS_PENDING)) {
		enum reg_status st = out->registrant.status;
		if (st != REG_ST_ACTIVE) {
			out->res.reason = st == REG_ST_SUSPENDED ? REG_JWS_SUSPENDED
			                  : st == REG_ST_LAPSED  ? REG_JWS_EXPIRED
			                                         : REG_JWS_REVOKED;
			snprintf(out->res.message, sizeof out->res.message, "the registration is %s", reg_status_name(st));
		}
	}
done:
	return rc;
}

json_t *reg_check_json(const struct reg_check *c, int en, int64_t now)
{
	/* The reason in the reader's language (verify.reason.<code>: {0} the registration number,
	 * {1} its registration date); the verifier's own English line stays in the log. */
	char id[64], msg[512];
	snprintf(id, sizeof id, "verify.reason.%s", reg_jws_reason_code(c->res.reason));
	const char *args[] = { c->res.have_claims ? c->res.cred.sub : "", c->res.have_claims ? c->res.cred.reg_date : "",
	                       NULL };
	rs_msg_format(msg, sizeof msg, id, en, args);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "verdict", reg_jws_verdict(c->res.reason), "reason",
	                      reg_jws_reason_code(c->res.reason), "message_id", id, "message", msg);
	if (c->res.kid[0])
		json_object_set_new(o, "kid", json_string(c->res.kid));
	if (c->have_registrant) {
		char today[11];
		reg_today_jst(today, now);
		json_t *reg = reg_registrant_public_json(&c->registrant, today);
		/* The credential's own claims that are always printed on it. */
		json_object_set_new(reg, "qual", json_string("RISS"));
		json_object_set_new(o, "registrant", reg);
		json_object_set_new(o, "exp", json_integer(c->res.cred.exp));
		json_object_set_new(o, "iat", json_integer(c->res.cred.iat));
	} else {
		json_object_set_new(o, "registrant", json_null());
	}
	return o;
}

/* ---------- status lists ---------- */

static int reg_sl_fill(void *ctx, int64_t idx, int status)
{
	return reg_sl_set(ctx, (uint64_t)idx, (unsigned)status);
}

int reg_statuslist_jwt(char **out_jwt, rs_db *db, int list_id, const struct reg_issuer *issuer, int64_t now)
{
	int size = 0;
	int rc = reg_store_list_size(db, &size, list_id);
	if (rc != 0)
		return rc;
	struct reg_statuslist sl = { 0 };
	if ((rc = reg_sl_new(&sl, (size_t)size)) != 0)
		return rc;
	if ((rc = reg_store_list_nonzero(db, list_id, reg_sl_fill, &sl)) == 0) {
		char uri[REG_URI_MAX];
		reg_statuslist_uri(uri, sizeof uri, issuer->base_url, list_id);
		rc = reg_sl_jwt_sign(out_jwt, &sl, uri, now, now + 86400, REG_SL_TTL_S, issuer->kid, issuer->signer);
	}
	reg_sl_free(&sl);
	return rc;
}

/* ---------- transparency log ---------- */

int reg_tlog_sync(uint64_t *out_size, struct reg_tlog_cache *c, rs_db *db)
{
	uint64_t size = 0;
	int rc = reg_store_tlog_size(db, &size);
	if (rc != 0)
		return rc;
	pthread_mutex_lock(&c->mu);
	if (size > c->n) {
		rc = reg_store_tlog_hashes(db, &c->hashes, &c->cap, c->n, size);
		if (rc == 0)
			c->n = size;
	}
	pthread_mutex_unlock(&c->mu);
	if (rc == 0)
		*out_size = size;
	return rc;
}

void reg_tlog_cache_clear(struct reg_tlog_cache *c)
{
	pthread_mutex_lock(&c->mu);
	free(c->hashes);
	c->hashes = NULL;
	c->n = c->cap = 0;
	pthread_mutex_unlock(&c->mu);
}

void reg_tlog_origin(char *out, size_t cap, const char *base_url)
{
	const char *h = strstr(base_url, "://");
	h = h ? h + 3 : base_url;
	size_t n = strcspn(h, "/ ");
	snprintf(out, cap, "%.*s/riss-log", (int)n, h);
}

int reg_tlog_checkpoint(char **out_note, rs_db *db, struct reg_tlog_cache *c, const struct reg_issuer *issuer,
                        const unsigned char pub[CERT_PUB_LEN])
{
	uint64_t size = 0, have = 0;
	char *note = NULL;
	int rc = reg_tlog_sync(&size, c, db);
	if (rc != 0)
		return rc;
	rc = reg_store_checkpoint_latest(db, &have, &note);
	if (rc != 0 && rc != RS_ENOTFOUND)
		return rc;
	if (rc == 0 && (have == size || !issuer || !issuer->signer)) {
		*out_note = note;
		return 0;
	}
	free(note);
	if (!issuer || !issuer->signer)
		return RS_ENOTFOUND;
	struct reg_checkpoint cp;
	memset(&cp, 0, sizeof cp);
	reg_tlog_origin(cp.origin, sizeof cp.origin, issuer->base_url);
	cp.size = size;
	pthread_mutex_lock(&c->mu);
	reg_tlog_root(cp.root, (const reg_hash *)c->hashes, size);
	pthread_mutex_unlock(&c->mu);
	if ((rc = reg_checkpoint_sign(&note, &cp, cp.origin, pub, issuer->kid, issuer->signer)) != 0)
		return rc;
	if ((rc = reg_store_checkpoint_insert(db, size, cp.root, note)) != 0) {
		/* A node reading from a streaming replica cannot store the note; Ed25519 is
		 * deterministic, so the note it serves is the one the primary stores for this size. */
		if (rc != RS_EDB || !reg_store_read_only(db)) {
			free(note);
			return rc;
		}
		rs_debug("checkpoint for size %llu served unstored (read-only database)", (unsigned long long)size);
	}
	*out_note = note;
	return 0;
}

static json_t *reg_hashes_json(const reg_hash *h, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		char b64[48];
		EVP_EncodeBlock((unsigned char *)b64, h[i], REG_HASH_LEN);
		json_array_append_new(arr, json_string(b64));
	}
	return arr;
}

int reg_tlog_inclusion_json(json_t **out, rs_db *db, struct reg_tlog_cache *c, uint64_t index, uint64_t size)
{
	uint64_t n = 0;
	int rc = reg_tlog_sync(&n, c, db);
	if (rc != 0)
		return rc;
	if (size == 0)
		size = n;
	if (index >= size || size > n) {
		rs_error_set("no leaf %llu in a tree of %llu (the log holds %llu)", (unsigned long long)index,
		             (unsigned long long)size, (unsigned long long)n);
		return RS_ERANGE;
	}
	reg_hash proof[REG_PROOF_MAX];
	size_t pn = 0;
	pthread_mutex_lock(&c->mu);
	rc = reg_tlog_inclusion_proof(proof, &pn, REG_PROOF_MAX, index, (const reg_hash *)c->hashes, size);
	pthread_mutex_unlock(&c->mu);
	if (rc != 0)
		return rc;
	char *data = NULL;
	size_t dl = 0;
	reg_hash lh;
	if ((rc = reg_store_leaf_get(db, &data, &dl, lh, index)) != 0)
		return rc;
	char b64[48];
	EVP_EncodeBlock((unsigned char *)b64, lh, REG_HASH_LEN);
	*out = json_pack("{s:I, s:I, s:s, s:s, s:o}", "index", (json_int_t)index, "tree_size", (json_int_t)size,
	                 "leaf_hash", b64, "data", data, "proof", reg_hashes_json(proof, pn));
	free(data);
	return 0;
}

int reg_tlog_consistency_json(json_t **out, rs_db *db, struct reg_tlog_cache *c, uint64_t first, uint64_t second)
{
	uint64_t n = 0;
	int rc = reg_tlog_sync(&n, c, db);
	if (rc != 0)
		return rc;
	if (second == 0)
		second = n;
	if (first == 0 || first > second || second > n) {
		rs_error_set("no consistency proof from %llu to %llu (the log holds %llu)", (unsigned long long)first,
		             (unsigned long long)second, (unsigned long long)n);
		return RS_ERANGE;
	}
	reg_hash proof[REG_PROOF_MAX];
	size_t pn = 0;
	pthread_mutex_lock(&c->mu);
	rc = reg_tlog_consistency_proof(proof, &pn, REG_PROOF_MAX, first, (const reg_hash *)c->hashes, second);
	pthread_mutex_unlock(&c->mu);
	if (rc != 0)
		return rc;
	*out = json_pack("{s:I, s:I, s:o}", "first", (json_int_t)first, "second", (json_int_t)second, "proof",
	                 reg_hashes_json(proof, pn));
	return 0;
}

/* ---------- audit ---------- */

struct reg_audit {
	json_t *problems;
	size_t nproblems;
	reg_hash *hashes;
	uint64_t n, cap;
	char **issue_data;     /* per leaf: data of an issue leaf (owned), else NULL */
	unsigned char *claimed;
	/* Expected status per list (index list_id - 1), from the last status leaf. */
	uint8_t **expect;
	size_t nlists;
	const struct cert_jwks *jwks;
	const char *base_url;
	uint64_t creds, checkpoints, unverified;
};

static void reg_audit_problem(struct reg_audit *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reg_audit_problem(struct reg_audit *a, const char *fmt, ...)
{
	a->nproblems++;
	if (json_array_size(a->problems) >= 1000)
		return;
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	json_array_append_new(a->problems, json_string(line));
}

static uint8_t *reg_audit_list(struct reg_audit *a, int list_id)
{
	if (list_id < 1 || list_id > 100000)
		return NULL;
	if ((size_t)list_id > a->nlists) {
		uint8_t **nl = realloc(a->expect, (size_t)list_id * sizeof *nl);
		if (!nl)
			return NULL;
		for (size_t i = a->nlists; i < (size_t)list_id; i++)
			nl[i] = NULL;
		a->expect = nl;
		a->nlists = (size_t)list_id;
	}
	if (!a->expect[list_id - 1])
		a->expect[list_id - 1] = calloc(REG_SL_MAX_ENTRIES, 1);
	return a->expect[list_id - 1];
}

static int reg_audit_leaf(void *ctx, const struct reg_store_leaf_row *row)
{
	struct reg_audit *a = ctx;
	if (row->idx != a->n) {
		reg_audit_problem(a, "leaf %llu: expected index %llu (gap or reordering)", (unsigned long long)row->idx,
		                  (unsigned long long)a->n);
	}
	if (a->n == a->cap) {
		uint64_t nc = a->cap ? a->cap * 2 : 1024;
		reg_hash *nh = realloc(a->hashes, nc * sizeof *nh);
		char **nd = realloc(a->issue_data, nc * sizeof *nd);
		if (nd)
			a->issue_data = nd;
		if (nh)
			a->hashes = nh;
		if (!nh || !nd)
			return RS_ENOMEM;
		a->cap = nc;
	}
	reg_hash h;
	reg_tlog_leaf_hash(h, row->data, row->data_len);
	if (memcmp(h, row->hash, REG_HASH_LEN) != 0)
		reg_audit_problem(a, "leaf %llu: stored hash does not match its data (row changed)",
		                  (unsigned long long)row->idx);
	memcpy(a->hashes[a->n], row->hash, REG_HASH_LEN);
	a->issue_data[a->n] = NULL;
	json_t *d = json_loadb(row->data, row->data_len, 0, NULL);
	const char *type = json_string_value(json_object_get(d, "type"));
	if (!d || !type || strcmp(type, row->kind) != 0) {
		reg_audit_problem(a, "leaf %llu: data is not a %s event", (unsigned long long)row->idx, row->kind);
	} else if (strcmp(type, "issue") == 0) {
		a->issue_data[a->n] = strdup(row->data);
	} else {
		int list = (int)json_integer_value(json_object_get(d, "list"));
		json_int_t idx = json_integer_value(json_object_get(d, "idx"));
		json_int_t st = json_integer_value(json_object_get(d, "status"));
		uint8_t *l = reg_audit_list(a, list);
		if (!l || idx < 0 || idx >= REG_SL_MAX_ENTRIES || st < 0 || st > 2)
			reg_audit_problem(a, "leaf %llu: status event out of range", (unsigned long long)row->idx);
		else
			l[idx] = (uint8_t)st;
	}
	json_decref(d);
	a->n++;
	return 0;
}

static int reg_audit_cred(void *ctx, const struct reg_store_cred_row *row)
{
	struct reg_audit *a = ctx;
	a->creds++;
	unsigned char sha[32];
	SHA256((const unsigned char *)row->jws, strlen(row->jws), sha);
	if (memcmp(sha, row->sha, 32) != 0)
		reg_audit_problem(a, "credential of %s (leaf %llu): token does not match its recorded hash (row changed)",
		                  row->regno, (unsigned long long)row->leaf_idx);
	if (row->leaf_idx >= a->n || !a->issue_data[row->leaf_idx]) {
		reg_audit_problem(a, "credential of %s: its leaf %llu is missing or not an issuance", row->regno,
		                  (unsigned long long)row->leaf_idx);
		return 0;
	}
	if (a->claimed[row->leaf_idx])
		reg_audit_problem(a, "leaf %llu is claimed by two credentials", (unsigned long long)row->leaf_idx);
	a->claimed[row->leaf_idx] = 1;
	char *want = reg_leaf_issue(row->regno, row->kid, row->iat, row->exp, row->list_id, (uint64_t)row->idx, sha);
	if (!want || strcmp(want, a->issue_data[row->leaf_idx]) != 0)
		reg_audit_problem(a, "credential of %s: row differs from its log leaf %llu (row changed)", row->regno,
		                  (unsigned long long)row->leaf_idx);
	free(want);
	/* The token itself: genuine, and saying what the row says. Checked at its issuance time
	 * so that expired credentials still audit. */
	struct reg_verify_result vr;
	struct reg_verify_opts o = { .jwks = a->jwks, .now = row->iat, .expected_iss = NULL };
	/* A credential issued ahead of its registration date is genuine (pending). */
	if (reg_jws_verify(&vr, row->jws, strlen(row->jws), &o) != 0 && vr.reason != REG_JWS_PENDING) {
		if (vr.reason != REG_JWS_UNKNOWN_KID)
			reg_audit_problem(a, "credential of %s (leaf %llu): %s", row->regno, (unsigned long long)row->leaf_idx,
			                  vr.message);
	} else if (strcmp(vr.cred.sub, row->regno) != 0 || vr.cred.iat != row->iat || vr.cred.exp != row->exp ||
	           vr.cred.status_idx != (uint64_t)row->idx || strcmp(vr.kid, row->kid) != 0) {
		reg_audit_problem(a, "credential of %s (leaf %llu): token claims differ from the row", row->regno,
		                  (unsigned long long)row->leaf_idx);
	}
	return 0;
}

static int reg_audit_status(void *ctx, int list_id, int64_t idx, int status)
{
	struct reg_audit *a = ctx;
	uint8_t *l = reg_audit_list(a, list_id);
	int want = l && idx >= 0 && idx < REG_SL_MAX_ENTRIES ? l[idx] : 0;
	if (want != status)
		reg_audit_problem(a, "status entry %d/%lld is %d but the log says %d (changed without a log leaf)", list_id,
		                  (long long)idx, status, want);
	return 0;
}

static int reg_audit_checkpoint(void *ctx, uint64_t size, const reg_hash root, const char *note)
{
	struct reg_audit *a = ctx;
	a->checkpoints++;
	if (size > a->n) {
		reg_audit_problem(a, "checkpoint of size %llu is beyond the log (%llu leaves)", (unsigned long long)size,
		                  (unsigned long long)a->n);
		return 0;
	}
	reg_hash r;
	reg_tlog_root(r, (const reg_hash *)a->hashes, size);
	if (memcmp(r, root, REG_HASH_LEN) != 0)
		reg_audit_problem(a, "checkpoint %llu: the leaves no longer hash to its root (log rewritten)",
		                  (unsigned long long)size);
	char origin[REG_NOTE_NAME_MAX];
	reg_tlog_origin(origin, sizeof origin, a->base_url);
	int ok = 0;
	for (size_t k = 0; k < a->jwks->n && !ok; k++) {
		char vkey[512];
		struct reg_checkpoint cp;
		if (reg_note_vkey(vkey, sizeof vkey, origin, a->jwks->keys[k].pub) != 0)
			continue;
		if (reg_checkpoint_verify(&cp, note, strlen(note), vkey, origin) == 0) {
			ok = 1;
			if (cp.size != size || memcmp(cp.root, root, REG_HASH_LEN) != 0)
				reg_audit_problem(a, "checkpoint %llu: row differs from its signed note", (unsigned long long)size);
		}
	}
	if (!ok) {
		/* Signed by a key that has left the JWKS (or another origin): the root was still
		 * checked against the leaves above, so this is a warning, not a finding. */
		a->unverified++;
	}
	return 0;
}

int reg_log_audit(json_t **out, rs_db *db, const struct cert_jwks *jwks, const char *base_url)
{
	struct reg_audit a;
	memset(&a, 0, sizeof a);
	a.problems = json_array();
	a.jwks = jwks;
	a.base_url = base_url;
	uint64_t state = 0;
	int rc = reg_store_scan_leaves(db, reg_audit_leaf, &a);
	if (rc == 0)
		rc = reg_store_tlog_size(db, &state);
	if (rc == 0 && state != a.n)
		reg_audit_problem(&a, "log size says %llu but %llu leaves are stored", (unsigned long long)state,
		                  (unsigned long long)a.n);
	if (rc == 0 && !(a.claimed = calloc(a.n + 1, 1)))
		rc = RS_ENOMEM;
	if (rc == 0)
		rc = reg_store_scan_creds(db, reg_audit_cred, &a);
	for (uint64_t i = 0; rc == 0 && i < a.n; i++)
		if (a.issue_data[i] && !a.claimed[i])
			reg_audit_problem(&a, "leaf %llu records an issuance with no credential row", (unsigned long long)i);
	if (rc == 0)
		rc = reg_store_scan_status(db, reg_audit_status, &a);
	if (rc == 0)
		rc = reg_store_scan_checkpoints(db, reg_audit_checkpoint, &a);
	if (rc == 0) {
		*out = json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:O}", "ok", a.nproblems == 0, "leaves", (json_int_t)a.n,
		                 "credentials", (json_int_t)a.creds, "checkpoints", (json_int_t)a.checkpoints,
		                 "checkpoints_unverified", (json_int_t)a.unverified,
		                 "problem_count", (json_int_t)a.nproblems, "problems", a.problems);
	}
	for (uint64_t i = 0; i < a.n; i++)
		free(a.issue_data[i]);
	free(a.issue_data);
	free(a.hashes);
	free(a.claimed);
	for (size_t i = 0; i < a.nlists; i++)
		free(a.expect[i]);
	free(a.expect);
	json_decref(a.problems);
	return rc;
}
