/* cpd-tracker: the LRS frame over schema xapi — xAPI credentials (issue, check, a short
 * cache), the document resources with their ETag preconditions and JSON merge, and the
 * Activity definitions merged from statements. Each write is one transaction. */
#include "cpd_lrs.h"
#include "store_lrs.h"

#include "rs_encode.h"
#include "rs_error.h"
#include "rs_json.h"
#include "rs_util.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CPD_LRS_DOC_MAX (16u << 20)     /* a document merge parses at most this much */
#define CPD_LRS_CACHE_SLOTS 64
#define CPD_LRS_CACHE_TTL_MS 10000

/* ---- credentials ---- */

static void cpd_lrs_sha256_hex(char out[65], const char *s)
{
	unsigned char h[32];
	unsigned int n = 0;
	EVP_Digest(s, strlen(s), h, &n, EVP_sha256(), NULL);
	rs_hex_encode(out, h, sizeof h);
}

int cpd_lrs_cred_issue_in_tx(json_t **out, rs_db *db, int64_t provider_id)
{
	unsigned char ru[8], rp[32];
	int rc = rs_random_bytes(ru, sizeof ru);
	if (rc == 0)
		rc = rs_random_bytes(rp, sizeof rp);
	if (rc != 0)
		return rc;
	char user[CPD_LRS_USER_LEN + 1], pass[CPD_LRS_PASS_LEN + 1], hash[65];
	memcpy(user, "rxu_", 4);
	rs_hex_encode(user + 4, ru, sizeof ru);
	memcpy(pass, "rxp_", 4);
	rs_b64url_encode(pass + 4, rp, sizeof rp);
	OPENSSL_cleanse(rp, sizeof rp);
	cpd_lrs_sha256_hex(hash, pass);
	rc = cpd_store_lrs_cred_insert(db, provider_id, user, hash);
	if (rc == 0 && !(*out = json_pack("{s:s, s:s}", "username", user, "password", pass)))
		rc = RS_ENOMEM;
	OPENSSL_cleanse(pass, sizeof pass);
	return rc;
}

/* Credentials checked in the last 10 s: username, provider, password hash. A hit still
 * compares the password's hash, so the cache saves only the database round trip. */
static struct {
	char user[CPD_LRS_USER_LEN + 1];
	char hash[65];
	int64_t provider_id;
	int64_t until_ms;
} cpd_lrs_cache[CPD_LRS_CACHE_SLOTS];
static pthread_mutex_t cpd_lrs_cache_mu = PTHREAD_MUTEX_INITIALIZER;

static unsigned cpd_lrs_cache_slot(const char *user)
{
	unsigned h = 2166136261u;
	for (const char *p = user; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h % CPD_LRS_CACHE_SLOTS;
}

static int cpd_lrs_user_ok(const char *u)
{
	return u && strlen(u) == CPD_LRS_USER_LEN && strncmp(u, "rxu_", 4) == 0 &&
	       strspn(u + 4, "0123456789abcdef") == CPD_LRS_USER_LEN - 4;
}

static int cpd_lrs_refuse(void)
{
	rs_error_msg("lrs.auth.refused", NULL);
	return RS_EAUTH;
}

int cpd_lrs_auth(struct cpd_lrs_principal *out, rs_db *db, const char *username, const char *password)
{
	if (!cpd_lrs_user_ok(username) || !password || strlen(password) != CPD_LRS_PASS_LEN)
		return cpd_lrs_refuse();
	char given[65];
	cpd_lrs_sha256_hex(given, password);
	unsigned slot = cpd_lrs_cache_slot(username);
	int64_t now = rs_now_ms(), provider = 0;
	char hash[65] = "";
	pthread_mutex_lock(&cpd_lrs_cache_mu);
	if (strcmp(cpd_lrs_cache[slot].user, username) == 0 && cpd_lrs_cache[slot].until_ms > now) {
		memcpy(hash, cpd_lrs_cache[slot].hash, sizeof hash);
		provider = cpd_lrs_cache[slot].provider_id;
	}
	pthread_mutex_unlock(&cpd_lrs_cache_mu);
	if (!provider) {
		int active = 0;
		int rc = cpd_store_lrs_cred_get(db, &provider, hash, &active, username);
		if (rc == RS_ENOTFOUND)
			return cpd_lrs_refuse();
		if (rc != 0)
			return rc;
		if (!active)
			return cpd_lrs_refuse();
		if (CRYPTO_memcmp(hash, given, 64) == 0) {
			pthread_mutex_lock(&cpd_lrs_cache_mu);
			snprintf(cpd_lrs_cache[slot].user, sizeof cpd_lrs_cache[slot].user, "%s", username);
			memcpy(cpd_lrs_cache[slot].hash, hash, sizeof hash);
			cpd_lrs_cache[slot].provider_id = provider;
			cpd_lrs_cache[slot].until_ms = now + CPD_LRS_CACHE_TTL_MS;
			pthread_mutex_unlock(&cpd_lrs_cache_mu);
		}
	}
	if (CRYPTO_memcmp(hash, given, 64) != 0)
		return cpd_lrs_refuse();
	out->provider_id = provider;
	snprintf(out->username, sizeof out->username, "%s", username);
	return 0;
}

/* ---- documents ---- */

void cpd_lrs_doc_free(struct cpd_lrs_doc *d)
{
	if (d) {
		free(d->content);
		d->content = NULL;
	}
}

/* True when the ETag list (RFC 7232: "*" or quoted tags, commas between) names etag. */
static int cpd_lrs_etag_listed(const char *list, const char *etag, int exists)
{
	const char *p = list;
	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (*p == '*')
			return exists;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		int quoted = *p == '"';
		if (quoted)
			p++;
		const char *e = p;
		while (*e && (quoted ? *e != '"' : (*e != ',' && *e != ' ')))
			e++;
		if (exists && (size_t)(e - p) == 40 && strncasecmp(p, etag, 40) == 0)
			return 1;
		p = *e ? e + 1 : e;
	}
	return 0;
}

/* The precondition of a change to a document that exists (cur) or not: 0, RS_ESTATE (412),
 * RS_EEXIST (409: a profile PUT over a document without either header) or RS_EINVAL (400:
 * the same PUT when there is no document). */
static int cpd_lrs_precond(const struct cpd_lrs_cond *c, const struct cpd_lrs_doc *cur, int exists)
{
	if (!c)
		return 0;
	if (c->if_match && !cpd_lrs_etag_listed(c->if_match, exists ? cur->etag : "", exists)) {
		rs_error_msg("lrs.doc.if_match", NULL);
		return RS_ESTATE;
	}
	if (c->if_none_match && cpd_lrs_etag_listed(c->if_none_match, exists ? cur->etag : "", exists)) {
		rs_error_msg("lrs.doc.if_none_match", NULL);
		return RS_ESTATE;
	}
	if (c->require && !c->if_match && !c->if_none_match) {
		/* A profile PUT names its precondition: 409 over a document, 400 (as the ADL suite
		 * and LRS have it) when there is none yet. */
		rs_error_msg("lrs.doc.need_etag", NULL);
		return exists ? RS_EEXIST : RS_EINVAL;
	}
	return 0;
}

static int cpd_lrs_is_json(const char *ctype)
{
	return ctype && strncasecmp(ctype, "application/json", 16) == 0 &&
	       (ctype[16] == '\0' || ctype[16] == ';' || ctype[16] == ' ');
}

struct cpd_lrs_write_tx {
	const struct cpd_lrs_doc_key *k;
	enum cpd_lrs_write how;
	const char *ctype, *body;
	size_t len;
	const struct cpd_lrs_cond *cond;
};

static int cpd_lrs_write_body(rs_db *db, void *arg)
{
	struct cpd_lrs_write_tx *t = arg;
	struct cpd_lrs_doc cur = { 0 };
	int rc = cpd_store_lrs_doc_get(db, &cur, t->k, 1);
	int exists = rc == 0;
	if (rc != 0 && rc != RS_ENOTFOUND)
		return rc;
	char *merged = NULL;
	const char *body = t->body, *ctype = t->ctype;
	size_t len = t->len;
	rc = cpd_lrs_precond(t->cond, &cur, exists);
	if (rc == 0 && t->how == CPD_LRS_POST && exists) {
		if (!cpd_lrs_is_json(cur.content_type) || !cpd_lrs_is_json(t->ctype)) {
			rs_error_msg("lrs.doc.merge_not_json", NULL);
			rc = RS_EINVAL;
		} else {
			rc = cpd_lrs_merge(&merged, &len, cur.content, cur.len, t->body, t->len, CPD_LRS_DOC_MAX);
			body = merged;
			ctype = cur.content_type;
		}
	}
	if (rc == 0) {
		char etag[41];
		cpd_lrs_etag(etag, body, len);
		rc = cpd_store_lrs_doc_put(db, t->k, ctype, body, len, etag);
	}
	free(merged);
	cpd_lrs_doc_free(&cur);
	return rc;
}

int cpd_lrs_doc_write(rs_db *db, const struct cpd_lrs_doc_key *k, enum cpd_lrs_write how, const char *ctype,
                      const char *body, size_t len, const struct cpd_lrs_cond *cond)
{
	if (!ctype || !ctype[0])
		ctype = "application/octet-stream";
	if (strlen(ctype) > 200) {
		rs_error_msg("lrs.doc.content_type", NULL);
		return RS_EINVAL;
	}
	if (how == CPD_LRS_POST && cpd_lrs_is_json(ctype)) {
		/* A JSON document posted must be an object, whether or not one exists to merge. */
		json_t *v = NULL;
		int ok = rs_json_parse(&v, body ? body : "", len, CPD_LRS_DOC_MAX) == 0 && json_is_object(v);
		json_decref(v);
		if (!ok) {
			rs_error_msg("lrs.doc.merge_not_json", NULL);
			return RS_EINVAL;
		}
	}
	struct cpd_lrs_write_tx t = { .k = k, .how = how, .ctype = ctype, .body = body ? body : "", .len = len,
	                              .cond = cond };
	return rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_lrs_write_body, &t);
}

int cpd_lrs_doc_get(struct cpd_lrs_doc *out, rs_db *db, const struct cpd_lrs_doc_key *k)
{
	return cpd_store_lrs_doc_get(db, out, k, 0);
}

int cpd_lrs_doc_ids(json_t **out, rs_db *db, const struct cpd_lrs_doc_key *k, int64_t since_us)
{
	return cpd_store_lrs_doc_ids(db, out, k, since_us);
}

struct cpd_lrs_delete_tx {
	const struct cpd_lrs_doc_key *k;
	const struct cpd_lrs_cond *cond;
};

static int cpd_lrs_delete_body(rs_db *db, void *arg)
{
	struct cpd_lrs_delete_tx *t = arg;
	if (t->k->doc_id && t->cond && (t->cond->if_match || t->cond->if_none_match)) {
		struct cpd_lrs_doc cur = { 0 };
		int rc = cpd_store_lrs_doc_get(db, &cur, t->k, 1);
		if (rc != 0 && rc != RS_ENOTFOUND)
			return rc;
		struct cpd_lrs_cond c = *t->cond;
		c.require = 0;
		int prc = cpd_lrs_precond(&c, &cur, rc == 0);
		cpd_lrs_doc_free(&cur);
		if (prc != 0)
			return prc;
	}
	return cpd_store_lrs_doc_delete(db, t->k);
}

int cpd_lrs_doc_delete(rs_db *db, const struct cpd_lrs_doc_key *k, const struct cpd_lrs_cond *cond)
{
	struct cpd_lrs_delete_tx t = { .k = k, .cond = cond };
	return rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_lrs_delete_body, &t);
}

/* ---- activities ---- */

/* Merge language map add into base[member] (per language). */
static void cpd_lrs_langmap_merge(json_t *base, const char *member, json_t *add)
{
	json_t *cur = json_object_get(base, member);
	if (json_is_object(cur) && json_is_object(add))
		json_object_update(cur, add);
	else
		json_object_set(base, member, add);
}

int cpd_lrs_activity_merge_in_tx(rs_db *db, int64_t provider_id, const char *activity_id, const json_t *def)
{
	if (!def || !json_is_object(def) || json_object_size(def) == 0)
		return cpd_store_lrs_activity_put(db, provider_id, activity_id, NULL);
	json_t *cur = NULL;
	int rc = cpd_store_lrs_activity_get(db, &cur, provider_id, activity_id, 1);
	if (rc == RS_ENOTFOUND) {
		cur = json_object();
		rc = cur ? 0 : RS_ENOMEM;
	}
	if (rc != 0)
		return rc;
	json_t *add = json_deep_copy(def);  /* jansson iterates only non-const objects */
	const char *k;
	json_t *v;
	json_object_foreach(add, k, v) {
		if (strcmp(k, "name") == 0 || strcmp(k, "description") == 0)
			cpd_lrs_langmap_merge(cur, k, v);
		else
			json_object_set(cur, k, v);
	}
	json_decref(add);
	char *text = rs_json_dump(cur);
	json_decref(cur);
	if (!text) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	rc = cpd_store_lrs_activity_put(db, provider_id, activity_id, text);
	free(text);
	return rc;
}

int cpd_lrs_activity_get(json_t **out, rs_db *db, int64_t provider_id, const char *activity_id)
{
	json_t *def = NULL;
	int rc = cpd_store_lrs_activity_get(db, &def, provider_id, activity_id, 0);
	if (rc != 0)
		return rc;
	json_t *a = json_pack("{s:s, s:s}", "objectType", "Activity", "id", activity_id);
	if (a && json_object_size(def) > 0)
		json_object_set(a, "definition", def);
	json_decref(def);
	if (!a) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	*out = a;
	return 0;
}
