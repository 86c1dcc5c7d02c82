/* cpd-tracker: the xAPI Statements resource over schema xapi — storing batches (ids,
 * stored, authority, version set by the LRS; statement equality for ids that exist;
 * voiding; attachments by hash; signed statements) and the way from a completed/passed
 * statement to a CPD completion; the queries of GET with `more` paging. */
#include "cpd.h"
#include "cpd_lrs.h"
#include "cpd_xapi.h"
#include "reg_mbox.h"
#include "store.h"
#include "store_xapi.h"
#include "store_lrs.h"

#include "rs_audit.h"
#include "rs_error.h"
#include "rs_util.h"

#include <ctype.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define XAPI_VOIDED "http://adlnet.gov/expapi/verbs/voided"
#define XAPI_SIGNATURE "http://adlnet.gov/expapi/attachments/signature"

/* ---- identifiers and index keys ---- */

/* The key of an Agent's or identified Group's inverse functional identifier, or NULL. */
static char *cpd_xapi_ifi(const json_t *a)
{
	const char *s;
	char *out = NULL;
	if ((s = json_string_value(json_object_get(a, "mbox")))) {
		if (asprintf(&out, "mbox:%s", s) < 0)
			out = NULL;
	} else if ((s = json_string_value(json_object_get(a, "mbox_sha1sum")))) {
		if (asprintf(&out, "sha1:%s", s) >= 0)
			for (char *p = out + 5; *p; p++)
				*p = (char)tolower((unsigned char)*p);
		else
			out = NULL;
	} else if ((s = json_string_value(json_object_get(a, "openid")))) {
		if (asprintf(&out, "openid:%s", s) < 0)
			out = NULL;
	} else if (json_is_object(json_object_get(a, "account"))) {
		const json_t *ac = json_object_get(a, "account");
		if (asprintf(&out, "account:%s %s", json_string_value(json_object_get(ac, "homePage")),
		             json_string_value(json_object_get(ac, "name"))) < 0)
			out = NULL;
	}
	return out;
}

static void cpd_xapi_add_agent(json_t *arr, const json_t *a)
{
	if (!json_is_object(a))
		return;
	char *k = cpd_xapi_ifi(a);
	if (k)
		json_array_append_new(arr, json_string(k));
	free(k);
	const json_t *m = json_object_get(a, "member");
	for (size_t i = 0; i < json_array_size(m); i++) {
		k = cpd_xapi_ifi(json_array_get(m, i));
		if (k)
			json_array_append_new(arr, json_string(k));
		free(k);
	}
}

static int cpd_xapi_is_type(const json_t *o, const char *type, int dflt)
{
	const char *t = json_string_value(json_object_get(o, "objectType"));
	return t ? strcmp(t, type) == 0 : dflt;
}

static void cpd_xapi_add_ctx_activities(json_t *arr, const json_t *ctx)
{
	const json_t *ca = json_object_get(ctx, "contextActivities");
	static const char *const keys[] = { "parent", "grouping", "category", "other" };
	for (int k = 0; k < 4; k++) {
		const json_t *x = json_object_get(ca, keys[k]);
		if (json_is_object(x))
			json_array_append(arr, json_object_get(x, "id"));
		for (size_t i = 0; json_is_array(x) && i < json_array_size(x); i++)
			json_array_append(arr, json_object_get(json_array_get(x, i), "id"));
	}
}

/* agents, rel_agents, rel_activities of statement s (a SubStatement adds its own). */
static void cpd_xapi_index(const json_t *s, json_t *agents, json_t *rel_agents, json_t *rel_acts, int sub)
{
	const json_t *obj = json_object_get(s, "object");
	const json_t *ctx = json_object_get(s, "context");
	if (!sub) {
		cpd_xapi_add_agent(agents, json_object_get(s, "actor"));
		if (cpd_xapi_is_type(obj, "Agent", 0) || cpd_xapi_is_type(obj, "Group", 0))
			cpd_xapi_add_agent(agents, obj);
		cpd_xapi_add_agent(rel_agents, json_object_get(s, "authority"));
	} else {
		cpd_xapi_add_agent(rel_agents, json_object_get(s, "actor"));
		if (cpd_xapi_is_type(obj, "Agent", 0) || cpd_xapi_is_type(obj, "Group", 0))
			cpd_xapi_add_agent(rel_agents, obj);
	}
	cpd_xapi_add_agent(rel_agents, json_object_get(ctx, "instructor"));
	cpd_xapi_add_agent(rel_agents, json_object_get(ctx, "team"));
	if (cpd_xapi_is_type(obj, "Activity", 1))
		json_array_append(rel_acts, json_object_get(obj, "id"));
	cpd_xapi_add_ctx_activities(rel_acts, ctx);
	if (!sub && cpd_xapi_is_type(obj, "SubStatement", 0))
		cpd_xapi_index(obj, agents, rel_agents, rel_acts, 1);
}

static void cpd_xapi_uuid4(char out[37])
{
	unsigned char b[16];
	if (rs_random_bytes(b, sizeof b) != 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		for (int i = 0; i < 16; i++)
			b[i] = (unsigned char)((uint64_t)ts.tv_nsec * 2654435761u >> (i % 8 * 4)) ^ (unsigned char)(i * 37);
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
	         b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static void cpd_xapi_iso_now(char out[32], int64_t *out_us)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
	         tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100, (int)(ts.tv_nsec / 1000000) % 1000);
	if (out_us)
		*out_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void cpd_xapi_lower(char *s)
{
	for (; s && *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* ---- statement equality (Data 2.3.1: stored, authority, version and the id are not compared) ---- */

static json_t *cpd_xapi_comparable(const json_t *s)
{
	json_t *c = json_deep_copy(s);
	if (!c)
		return NULL;
	json_object_del(c, "id");
	json_object_del(c, "stored");
	json_object_del(c, "authority");
	json_object_del(c, "version");
	return c;
}

static int cpd_xapi_same(const json_t *a, const json_t *b)
{
	json_t *x = cpd_xapi_comparable(a), *y = cpd_xapi_comparable(b);
	int eq = x && y && json_equal(x, y);
	json_decref(x);
	json_decref(y);
	return eq;
}

/* ---- signed statements (Data 2.6) ---- */

static int cpd_xapi_b64url(unsigned char **out, size_t *out_len, const char *s, size_t n)
{
	size_t cap = n / 4 * 3 + 3;
	unsigned char *buf = malloc(cap + 1);
	if (!buf)
		return RS_ENOMEM;
	unsigned v = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i], d;
		if (c >= 'A' && c <= 'Z')
			d = c - 'A';
		else if (c >= 'a' && c <= 'z')
			d = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			d = c - '0' + 52;
		else if (c == '-' || c == '+')
			d = 62;
		else if (c == '_' || c == '/')
			d = 63;
		else if (c == '=')
			break;
		else {
			free(buf);
			return RS_EINVAL;
		}
		v = (v << 6) | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (unsigned char)(v >> bits);
		}
	}
	buf[o] = '\0';
	*out = buf;
	*out_len = o;
	return 0;
}

/* Verify RSASSA-PKCS1-v1_5 over input with the first certificate of x5c (DER, base64). */
static int cpd_xapi_jws_rsa(const json_t *x5c, const EVP_MD *md, const char *input, size_t in_len,
                            const unsigned char *sig, size_t sig_len)
{
	const char *b64 = json_string_value(json_array_get(x5c, 0));
	if (!b64)
		return RS_EINVAL;
	unsigned char *der = NULL;
	size_t der_len = 0;
	if (cpd_xapi_b64url(&der, &der_len, b64, strlen(b64)) != 0)
		return RS_EINVAL;
	const unsigned char *p = der;
	X509 *cert = d2i_X509(NULL, &p, (long)der_len);
	EVP_PKEY *key = cert ? X509_get_pubkey(cert) : NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = key && ctx && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
	         EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) == 1 &&
	         EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)input, in_len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	X509_free(cert);
	free(der);
	return ok ? 0 : RS_EINVAL;
}

/* A signed statement: the JWS (compact, RS256/384/512) whose payload is the statement
 * without its signature attachment; checked against x5c when the header carries one, else
 * against the provider's registered keys (the header's kid picks one) when it has any. */
static int cpd_xapi_check_signature(const json_t *stmt, const struct cpd_xapi_blob *blob,
                                    const struct cpd_lrs_keyset *keys)
{
	int rc = RS_EINVAL;
	const char *jws = (const char *)blob->data;
	size_t n = blob->len;
	while (n && (jws[n - 1] == '\r' || jws[n - 1] == '\n' || jws[n - 1] == ' '))
		n--;
	const char *d1 = memchr(jws, '.', n);
	const char *d2 = d1 ? memchr(d1 + 1, '.', n - (size_t)(d1 + 1 - jws)) : NULL;
	unsigned char *hdr = NULL, *pay = NULL, *sig = NULL;
	size_t hl, pl, sl;
	json_t *h = NULL, *payload = NULL, *want = NULL;
	if (!d2 || memchr(d2 + 1, '.', n - (size_t)(d2 + 1 - jws)))
		goto done;
	if (cpd_xapi_b64url(&hdr, &hl, jws, (size_t)(d1 - jws)) || cpd_xapi_b64url(&pay, &pl, d1 + 1, (size_t)(d2 - d1 - 1)) ||
	    cpd_xapi_b64url(&sig, &sl, d2 + 1, n - (size_t)(d2 + 1 - jws)))
		goto done;
	h = json_loadb((const char *)hdr, hl, 0, NULL);
	const char *alg = json_string_value(json_object_get(h, "alg"));
	const EVP_MD *md = !alg ? NULL : strcmp(alg, "RS256") == 0 ? EVP_sha256()
	                   : strcmp(alg, "RS384") == 0             ? EVP_sha384()
	                   : strcmp(alg, "RS512") == 0             ? EVP_sha512()
	                                                           : NULL;
	if (!md)
		goto done;
	payload = json_loadb((const char *)pay, pl, 0, NULL);
	if (!json_is_object(payload))
		goto done;
	want = json_deep_copy(stmt);
	json_t *atts = json_object_get(want, "attachments");
	for (size_t i = json_array_size(atts); i-- > 0;) {
		const char *u = json_string_value(json_object_get(json_array_get(atts, i), "usageType"));
		if (u && strcmp(u, XAPI_SIGNATURE) == 0)
			json_array_remove(atts, i);
	}
	if (atts && json_array_size(atts) == 0)
		json_object_del(want, "attachments");
	if (!cpd_xapi_same(payload, want))
		goto done;
	const json_t *x5c = json_object_get(h, "x5c");
	if (x5c && cpd_xapi_jws_rsa(x5c, md, jws, (size_t)(d2 - jws), sig, sl) != 0)
		goto done;
	if (!x5c && keys && keys->n > 0 &&
	    cpd_lrs_keyset_verify(keys, json_string_value(json_object_get(h, "kid")), md, (const unsigned char *)jws,
	                          (size_t)(d2 - jws), sig, sl) != 0)
		goto done;
	rc = 0;
done:
	if (rc != 0)
		rs_error_msg("xapi.bad.signature", NULL);
	json_decref(h);
	json_decref(payload);
	json_decref(want);
	free(hdr);
	free(pay);
	free(sig);
	return rc;
}

/* The blob's content has the hash its part names. */
static int cpd_xapi_blob_hash_ok(const struct cpd_xapi_blob *b)
{
	size_t n = strlen(b->sha2);
	const EVP_MD *md = n == 56 ? EVP_sha224() : n == 64 ? EVP_sha256() : n == 96 ? EVP_sha384()
	                   : n == 128 ? EVP_sha512() : NULL;
	unsigned char d[64];
	unsigned dl = 0;
	if (!md || EVP_Digest(b->data, b->len, d, &dl, md, NULL) != 1)
		return 0;
	char hex[129];
	for (unsigned i = 0; i < dl; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return strcmp(hex, b->sha2) == 0;
}

/* True when a statement of stmts has a signature attachment. */
static int cpd_xapi_has_signature(const json_t *stmts)
{
	for (size_t i = 0; i < json_array_size(stmts); i++) {
		const json_t *atts = json_object_get(json_array_get(stmts, i), "attachments");
		for (size_t j = 0; j < json_array_size(atts); j++) {
			const char *u = json_string_value(json_object_get(json_array_get(atts, j), "usageType"));
			if (u && strcmp(u, XAPI_SIGNATURE) == 0)
				return 1;
		}
	}
	return 0;
}

/* Every attachment without fileUrl has its blob, every blob its attachment; signatures. */
static int cpd_xapi_check_attachments(json_t *stmts, const struct cpd_xapi_blob *blobs, size_t nblob,
                                      const struct cpd_lrs_keyset *keys)
{
	unsigned char used[CPD_XAPI_PARTS_MAX] = { 0 };
	if (nblob > CPD_XAPI_PARTS_MAX) {
		rs_error_msg("xapi.multipart.too_many", NULL);
		return RS_EINVAL;
	}
	for (size_t k = 0; k < nblob; k++)
		if (!cpd_xapi_blob_hash_ok(&blobs[k])) {
			rs_error_msg("xapi.attachment.hash", blobs[k].sha2, NULL);
			return RS_EINVAL;
		}
	for (size_t i = 0; i < json_array_size(stmts); i++) {
		const json_t *s = json_array_get(stmts, i);
		const json_t *atts = json_object_get(s, "attachments");
		for (size_t j = 0; j < json_array_size(atts); j++) {
			const json_t *a = json_array_get(atts, j);
			char sha[129];
			snprintf(sha, sizeof sha, "%s", json_string_value(json_object_get(a, "sha2")));
			cpd_xapi_lower(sha);
			const char *usage = json_string_value(json_object_get(a, "usageType"));
			int is_sig = usage && strcmp(usage, XAPI_SIGNATURE) == 0;
			size_t k;
			for (k = 0; k < nblob; k++)
				if (strcmp(blobs[k].sha2, sha) == 0)
					break;
			if (k < nblob)
				used[k] = 1;
			if (is_sig) {
				const char *ct = json_string_value(json_object_get(a, "contentType"));
				if (!ct || strcmp(ct, "application/octet-stream") != 0 || k == nblob) {
					rs_error_msg("xapi.bad.signature", NULL);
					return RS_EINVAL;
				}
				int rc = cpd_xapi_check_signature(s, &blobs[k], keys);
				if (rc)
					return rc;
			} else if (k == nblob && !json_object_get(a, "fileUrl")) {
				rs_error_msg("xapi.attachment.missing", sha, NULL);
				return RS_EINVAL;
			}
		}
	}
	for (size_t k = 0; k < nblob; k++)
		if (!used[k]) {
			rs_error_msg("xapi.attachment.unused", blobs[k].sha2, NULL);
			return RS_EINVAL;
		}
	return 0;
}

/* Context activities are answered as arrays even when a single object was sent (Data
 * 2.4.6.2): store them so. */
static void cpd_xapi_ctx_arrays(json_t *s)
{
	json_t *ca = json_object_get(json_object_get(s, "context"), "contextActivities");
	const char *k;
	json_t *v;
	json_object_foreach(ca, k, v)
		if (json_is_object(v))
			json_object_set_new(ca, k, json_pack("[O]", v));
	json_t *obj = json_object_get(s, "object");
	if (cpd_xapi_is_type(obj, "SubStatement", 0))
		cpd_xapi_ctx_arrays(obj);
}

/* ---- storing ---- */

struct cpd_xs_batch {
	const struct cpd_xapi_who *who;
	json_t *stmts;
	const struct cpd_xapi_blob *blobs;
	size_t nblob, n;
	const char **ids;                 /* borrowed from stmts */
	unsigned char *skip;              /* exists already, identical */
	unsigned char *exists_voiding;    /* per target lookup: set during the tx */
	json_t *rows;                     /* insert rows (prepared outside the tx) */
	const char *stored;
	int conflict;                     /* set by the existing-row callback */
	char conflict_id[37];
	json_t *targets_found;            /* {id: is_voiding} */
	json_t *credited;                 /* re-matching: [{provider_id, statement_id, completion_id}] */
};

static void cpd_xs_on_existing(void *ctx, const char *id, const char *body, int is_voiding)
{
	struct cpd_xs_batch *b = ctx;
	json_object_set_new(b->targets_found, id, json_boolean(is_voiding));
	for (size_t i = 0; i < b->n; i++) {
		if (strcasecmp(b->ids[i], id) != 0)
			continue;
		json_t *old = json_loads(body, 0, NULL);
		if (old && cpd_xapi_same(old, json_array_get(b->stmts, i))) {
			b->skip[i] = 1;
		} else if (!b->conflict) {
			b->conflict = 1;
			snprintf(b->conflict_id, sizeof b->conflict_id, "%s", id);
		}
		json_decref(old);
	}
}

static void cpd_xs_on_void_completion(void *ctx, int64_t cid)
{
	cpd_arr_addf_int(ctx, cid);
}

struct cpd_xs_hours {
	const char **codes;
	int *hours10;
	size_t n;
};

static void cpd_xs_on_hours(void *ctx, const char *code, int hours10)
{
	struct cpd_xs_hours *h = ctx;
	for (size_t i = 0; i < h->n; i++)
		if (h->codes[i] && strcmp(h->codes[i], code) == 0)
			h->hours10[i] = hours10;
}

/* The course code a completion statement names: activity id <base>/courses/<code>. */
static const char *cpd_xs_course_code(const char *activity, const char *base)
{
	size_t bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		bl--;
	if (!activity || strncmp(activity, base, bl) != 0 || strncmp(activity + bl, "/courses/", 9) != 0)
		return NULL;
	const char *c = activity + bl + 9;
	size_t n = strlen(c);
	if (n == 0 || n > 40)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)c[i]) && c[i] != '.' && c[i] != '_' && c[i] != '-')
			return NULL;
	return c;
}

/* The registration number of an actor {account: {homePage: base, name: regno}}. */
static const char *cpd_xs_regno(const json_t *actor, const char *base)
{
	if (!cpd_xapi_is_type(actor, "Agent", 1))
		return NULL;
	const json_t *ac = json_object_get(actor, "account");
	const char *hp = json_string_value(json_object_get(ac, "homePage"));
	const char *name = json_string_value(json_object_get(ac, "name"));
	if (!hp || !name)
		return NULL;
	size_t bl = strlen(base), hl = strlen(hp);
	while (bl && base[bl - 1] == '/')
		bl--;
	while (hl && hp[hl - 1] == '/')
		hl--;
	if (bl != hl || strncmp(base, hp, bl) != 0 || strlen(name) != 6)
		return NULL;
	for (int i = 0; i < 6; i++)
		if (!isdigit((unsigned char)name[i]))
			return NULL;
	return name;
}

/* The e-mail identities of a batch's actors, per statement (allocated at the first one). */
struct cpd_xs_mboxes {
	char **addr, **sha1;              /* stored-form address of an mbox, lower-case mbox_sha1sum */
	char (*regno)[REG_REGNO_LEN + 1]; /* reg_mbox_resolve's answer */
	size_t n;                         /* statements of the batch (0: none allocated) */
	int oom;
};

static void cpd_xs_mboxes_free(struct cpd_xs_mboxes *m)
{
	for (size_t i = 0; m->addr && m->sha1 && i < m->n; i++) {
		free(m->addr[i]);
		free(m->sha1[i]);
	}
	free(m->addr);
	free(m->sha1);
	free(m->regno);
}

/* Record the mbox or mbox_sha1sum of Agent actor as statement i's (of n): 1 when it has one,
 * 0 when not (or out of memory: m->oom). */
static int cpd_xs_mbox_key(struct cpd_xs_mboxes *m, size_t i, size_t n, const json_t *actor)
{
	if (!cpd_xapi_is_type(actor, "Agent", 1))
		return 0;
	const char *mbox = json_string_value(json_object_get(actor, "mbox"));
	const char *sha1 = json_string_value(json_object_get(actor, "mbox_sha1sum"));
	if (!mbox && !sha1)
		return 0;
	if (!m->addr) {
		m->addr = calloc(n, sizeof *m->addr);
		m->sha1 = calloc(n, sizeof *m->sha1);
		m->regno = calloc(n, sizeof *m->regno);
		if (!m->addr || !m->sha1 || !m->regno) {
			m->oom = 1;
			return 0;
		}
		m->n = n;
	}
	char norm[REG_EMAIL_MAX];
	if (mbox && reg_mbox_normalise(norm, mbox) == 0) {
		m->addr[i] = strdup(norm);
		m->oom |= !m->addr[i];
	} else if (sha1 && strlen(sha1) == 40) {
		m->sha1[i] = strdup(sha1);
		m->oom |= !m->sha1[i];
		for (char *c = m->sha1[i]; c && *c; c++)
			*c = (char)tolower((unsigned char)*c);
	} else {
		return 0;
	}
	return m->oom ? 0 : 1;
}

/* Completed/passed statements among the new ones: credit or unmatched, into outcomes. */
static int cpd_xs_credit(rs_db *db, struct cpd_xs_batch *b)
{
	const struct cpd_xapi_who *who = b->who;
	size_t n = b->n;
	json_t *outcomes = json_array();
	const char **codes = calloc(n, sizeof *codes);
	const char **regnos = calloc(n, sizeof *regnos);
	const char **reasons = calloc(n, sizeof *reasons);
	int *hours10 = calloc(n, sizeof *hours10);
	unsigned char *cand = calloc(n, 1);
	struct cpd_arr codes_arr = { 0 };
	struct cpd_batch cb = { 0 };
	json_t *res = NULL;
	int rc = outcomes && codes && regnos && reasons && hours10 && cand ? 0 : RS_ENOMEM;
	size_t ncand = 0, nmb = 0;
	struct cpd_xs_mboxes mb = { 0 };
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (b->skip[i])
			continue;
		const json_t *s = json_array_get(b->stmts, i);
		const char *verb = json_string_value(json_object_get(json_object_get(s, "verb"), "id"));
		if (strcmp(verb, "http://adlnet.gov/expapi/verbs/completed") != 0 &&
		    strcmp(verb, "http://adlnet.gov/expapi/verbs/passed") != 0)
			continue;
		cand[i] = 1;
		ncand++;
		const json_t *obj = json_object_get(s, "object");
		const json_t *completion = json_object_get(json_object_get(s, "result"), "completion");
		if (!json_is_true(completion)) {
			reasons[i] = "xapi.unmatched.not_completed";
			continue;
		}
		codes[i] = cpd_xapi_is_type(obj, "Activity", 1)
			? cpd_xs_course_code(json_string_value(json_object_get(obj, "id")), who->base_url) : NULL;
		if (!codes[i]) {
			reasons[i] = "xapi.unmatched.not_course";
			continue;
		}
		const json_t *actor = json_object_get(s, "actor");
		regnos[i] = cpd_xs_regno(actor, who->base_url);
		if (!regnos[i] && cpd_xs_mbox_key(&mb, i, n, actor) == 1) {
			nmb++;
			continue; /* resolved below, with the batch's other addresses */
		}
		if (!regnos[i]) {
			reasons[i] = "xapi.unmatched.actor";
			codes[i] = NULL;
			continue;
		}
		cpd_arr_add(&codes_arr, codes[i]);
	}
	if (rc == 0 && mb.oom)
		rc = RS_ENOMEM;
	if (rc != 0 || ncand == 0)
		goto done;
	/* Actors named by e-mail (mbox, mbox_sha1sum): the registrant who confirmed the address at
	 * /me (registry's, in this transaction). */
	if (nmb > 0 && (rc = reg_mbox_resolve(mb.regno, db, (const char *const *)mb.addr,
	                                      (const char *const *)mb.sha1, n)) != 0)
		goto done;
	for (size_t i = 0; nmb > 0 && i < n; i++) {
		if (!mb.addr[i] && !mb.sha1[i])
			continue;
		if (mb.regno[i][0]) {
			regnos[i] = mb.regno[i];
			cpd_arr_add(&codes_arr, codes[i]);
		} else {
			reasons[i] = "xapi.unmatched.mbox";
			codes[i] = NULL;
		}
	}
	if (codes_arr.n > 0) {
		const char *ct = cpd_arr_text(&codes_arr);
		struct cpd_xs_hours h = { .codes = codes, .hours10 = hours10, .n = n };
		rc = ct ? cpd_xs_course_hours(db, who->provider_id, ct, cpd_xs_on_hours, &h) : RS_ENOMEM;
	}
	/* The records for the completion path. */
	size_t nrec = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (codes[i] && !hours10[i]) {
			reasons[i] = "cpd.record.course_unknown";
			codes[i] = NULL;
		} else if (codes[i]) {
			nrec++;
		}
	size_t *rec_of = NULL;
	if (rc == 0 && nrec > 0) {
		cb.rec = calloc(nrec, sizeof *cb.rec);
		cb.bad = calloc(nrec, 1);
		rec_of = calloc(nrec, sizeof *rec_of);
		if (!cb.rec || !cb.bad || !rec_of)
			rc = RS_ENOMEM;
		for (size_t i = 0; rc == 0 && i < n; i++) {
			if (!codes[i])
				continue;
			const json_t *s = json_array_get(b->stmts, i);
			struct cpd_record *r = &cb.rec[cb.n];
			snprintf(r->provider_record_id, sizeof r->provider_record_id, "%s", b->ids[i]);
			snprintf(r->regno, sizeof r->regno, "%s", regnos[i]);
			snprintf(r->course_code, sizeof r->course_code, "%s", codes[i]);
			int64_t us = 0;
			const char *ts = json_string_value(json_object_get(s, "timestamp"));
			if (!ts || cpd_xapi_time_parse(&us, ts) != 0)
				cpd_xapi_time_parse(&us, b->stored);
			r->completed_on = cpd_today_jst(us / 1000000);
			r->hours10 = hours10[i];
			rec_of[cb.n] = i;
			cb.n++;
		}
		struct cpd_actor actor = { .actor = who->actor, .role = who->role ? who->role : "provider",
		                           .request_id = who->request_id };
		if (rc == 0)
			rc = cpd_completions_log_in_tx(&res, db, &actor, who->provider_id, "xapi", &cb);
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!cand[i] || codes[i])
			continue;
		json_array_append_new(outcomes, json_pack("{s:s, s:s, s:s}", "statement_id", b->ids[i], "outcome",
		                                          "unmatched", "reason", reasons[i]));
	}
	const json_t *results = json_object_get(res, "results");
	for (size_t k = 0; rc == 0 && k < json_array_size(results); k++) {
		const json_t *r = json_array_get(results, k);
		const json_t *cid = json_object_get(r, "completion_id");
		const char *sid = b->ids[rec_of[k]];
		if (json_is_integer(cid)) {
			json_array_append_new(outcomes, json_pack("{s:s, s:s, s:s, s:O}", "statement_id", sid, "outcome",
			                                          "credited", "reason", "", "completion_id", cid));
			if (b->credited)
				json_array_append_new(b->credited, json_pack("{s:I, s:s, s:O}", "provider_id",
				                                             (json_int_t)who->provider_id, "statement_id", sid,
				                                             "completion_id", cid));
		} else {
			const char *why = json_string_value(
				json_object_get(json_array_get(json_object_get(r, "problems"), 0), "problem"));
			json_array_append_new(outcomes, json_pack("{s:s, s:s, s:s}", "statement_id", sid, "outcome",
			                                          "unmatched", "reason", why ? why : "xapi.unmatched.refused"));
		}
	}
	free(rec_of);
	if (rc == 0 && json_array_size(outcomes) > 0) {
		char *text = json_dumps(outcomes, JSON_COMPACT);
		rc = text ? cpd_xs_outcomes_put(db, who->provider_id, text) : RS_ENOMEM;
		free(text);
	}
done:
	cpd_xs_mboxes_free(&mb);
	json_decref(res);
	cpd_batch_free(&cb);
	cpd_arr_free(&codes_arr);
	json_decref(outcomes);
	free(codes);
	free(regnos);
	free(reasons);
	free(hours10);
	free(cand);
	return rc;
}

/* ---- the Agents resource: a Person from the provider's own identifiers ---- */

/* Merge the identifier arrays of Person person_of_actor into Person p, each value once. */
static void cpd_xp_merge(json_t *p, const json_t *person_of_actor)
{
	const char *k;
	json_t *vals;
	json_object_foreach((json_t *)(uintptr_t)person_of_actor, k, vals) {
		if (!json_is_array(vals))
			continue;
		json_t *into = json_object_get(p, k);
		if (!into) {
			json_object_set(p, k, vals);
			continue;
		}
		for (size_t i = 0; i < json_array_size(vals); i++) {
			const json_t *v = json_array_get(vals, i);
			size_t j;
			for (j = 0; j < json_array_size(into); j++)
				if (json_equal(json_array_get(into, j), v))
					break;
			if (j == json_array_size(into))
				json_array_append(into, (json_t *)(uintptr_t)v);
		}
	}
}

int cpd_xapi_person(json_t **out, rs_db *db, int64_t provider_id, const json_t *agent)
{
	json_t *p = NULL;
	int rc = cpd_lrs_person(&p, agent);
	if (rc != 0)
		return rc;
	char *key = cpd_xapi_ifi(agent), *text = NULL;
	rc = key ? cpd_xs_own_actors(db, &text, provider_id, key, CPD_XAPI_PERSON_MAX) : RS_ENOMEM;
	json_t *actors = text ? json_loads(text, 0, NULL) : NULL;
	if (rc == 0 && !actors)
		rc = RS_ENOMEM;
	for (size_t i = 0; rc == 0 && i < json_array_size(actors); i++) {
		json_t *one = NULL;
		if (cpd_lrs_person(&one, json_array_get(actors, i)) == 0)
			cpd_xp_merge(p, one);
		json_decref(one);
	}
	free(key);
	free(text);
	json_decref(actors);
	if (rc != 0) {
		json_decref(p);
		return rc;
	}
	*out = p;
	return 0;
}

/* ---- statements stored before their actor's address was confirmed ---- */

#define CPD_XS_REMATCH_PAGE 200      /* statements read (and credited) at a time */

struct cpd_xs_page {
	json_t *rows;                     /* [{pid, seq, id, body}] */
	int oom;
};

static void cpd_xs_on_unmatched(void *ctx, int64_t pid, int64_t seq, const char *id, const char *body)
{
	struct cpd_xs_page *p = ctx;
	json_t *st = json_loads(body, 0, NULL);
	json_t *row = st ? json_pack("{s:I, s:I, s:s, s:o}", "pid", (json_int_t)pid, "seq", (json_int_t)seq, "id", id,
	                             "body", st)
	                 : NULL;
	if (!row || json_array_append_new(p->rows, row) != 0)
		p->oom = 1;
}

/* Rows [from, to) of the page (one provider's) through cpd_xs_credit as a batch. */
static int cpd_xs_rematch_group(rs_db *db, json_t *rows, size_t from, size_t to, const struct cpd_xapi_who *base,
                                json_t *credited)
{
	size_t n = to - from;
	struct cpd_xapi_who who = *base;
	who.provider_id = (int64_t)json_integer_value(json_object_get(json_array_get(rows, from), "pid"));
	json_t *stmts = json_array();
	const char **ids = calloc(n, sizeof *ids);
	unsigned char *skip = calloc(n, 1);
	int rc = stmts && ids && skip ? 0 : RS_ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const json_t *r = json_array_get(rows, from + i);
		json_array_append(stmts, json_object_get(r, "body"));
		ids[i] = json_string_value(json_object_get(r, "id"));
	}
	const char *stored = json_string_value(json_object_get(json_object_get(json_array_get(rows, from), "body"),
	                                                       "stored"));
	struct cpd_xs_batch b = { .who = &who, .stmts = stmts, .n = n, .ids = ids, .skip = skip,
	                          .stored = stored ? stored : "", .credited = credited };
	if (rc == 0)
		rc = cpd_xs_credit(db, &b);
	json_decref(stmts);
	free(ids);
	free(skip);
	return rc;
}

int cpd_xapi_rematch_in_tx(int *out_credited, rs_db *db, const char *regno, const char *address,
                           const char *base_url, const char *actor, const char *role, const char *request_id)
{
	char sha1[41];
	reg_mbox_sha1(sha1, address);
	struct cpd_xapi_who who = { .base_url = base_url, .actor = actor, .role = role, .request_id = request_id };
	json_t *credited = json_array();
	int rc = credited ? 0 : RS_ENOMEM;
	int64_t after_pid = 0, after_seq = 0, looked = 0;
	while (rc == 0) {
		struct cpd_xs_page p = { .rows = json_array() };
		if (!p.rows) {
			rc = RS_ENOMEM;
			break;
		}
		rc = cpd_xs_unmatched_mbox(db, address, sha1, after_pid, after_seq, CPD_XS_REMATCH_PAGE,
		                           cpd_xs_on_unmatched, &p);
		if (rc == 0 && p.oom)
			rc = RS_ENOMEM;
		size_t n = json_array_size(p.rows);
		/* One batch per provider (the page is in provider order). */
		for (size_t from = 0, to; rc == 0 && from < n; from = to) {
			json_int_t pid = json_integer_value(json_object_get(json_array_get(p.rows, from), "pid"));
			for (to = from + 1;
			     to < n && json_integer_value(json_object_get(json_array_get(p.rows, to), "pid")) == pid; to++)
				;
			rc = cpd_xs_rematch_group(db, p.rows, from, to, &who, credited);
		}
		if (rc == 0 && n > 0) {
			const json_t *last = json_array_get(p.rows, n - 1);
			after_pid = (int64_t)json_integer_value(json_object_get(last, "pid"));
			after_seq = (int64_t)json_integer_value(json_object_get(last, "seq"));
			looked += (int64_t)n;
		}
		json_decref(p.rows);
		if (n < CPD_XS_REMATCH_PAGE)
			break;
	}
	if (rc == 0 && looked > 0) {
		char obj[32];
		snprintf(obj, sizeof obj, "registrant:%s", regno);
		json_t *d = json_pack("{s:s, s:I, s:O}", "address", address, "looked_at", (json_int_t)looked, "credited",
		                      credited);
		rc = d ? rs_audit(db, actor, role, "cpd.xapi.rematch", obj, d, request_id) : RS_ENOMEM;
		json_decref(d);
	}
	if (rc == 0 && out_credited)
		*out_credited = (int)json_array_size(credited);
	json_decref(credited);
	return rc;
}

/* ---- the job's sweep: statements stored while their mbox was being confirmed ---- */

struct cpd_xs_sweep {
	const struct cpd_xapi_who *who;
	int64_t after_pid, after_seq;     /* the page starts after this statement */
	size_t looked;                    /* statements of the page (CPD_XS_REMATCH_PAGE: more follow) */
	int credited;
};

/* One page of the unmatched-by-mbox statements, in one transaction: those whose mbox or
 * mbox_sha1sum a registrant has confirmed since go the way of a new statement (as at the
 * confirmation), one audit entry lists them. */
static int cpd_xs_sweep_page(rs_db *db, void *arg)
{
	struct cpd_xs_sweep *w = arg;
	struct cpd_xs_page p = { .rows = json_array() };
	json_t *credited = json_array(), *keep = json_array();
	struct cpd_xs_mboxes mb = { 0 };
	int rc = p.rows && credited && keep ? 0 : RS_ENOMEM;
	if (rc == 0)
		rc = cpd_xs_unmatched_mbox(db, NULL, NULL, w->after_pid, w->after_seq, CPD_XS_REMATCH_PAGE,
		                           cpd_xs_on_unmatched, &p);
	if (rc == 0 && p.oom)
		rc = RS_ENOMEM;
	size_t n = json_array_size(p.rows), nmb = 0;
	w->looked = n;
	w->credited = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		nmb += (size_t)cpd_xs_mbox_key(&mb, i, n,
		                               json_object_get(json_object_get(json_array_get(p.rows, i), "body"), "actor"));
	if (rc == 0 && mb.oom)
		rc = RS_ENOMEM;
	if (rc == 0 && nmb > 0)
		rc = reg_mbox_resolve(mb.regno, db, (const char *const *)mb.addr, (const char *const *)mb.sha1, n);
	/* Only the statements someone now answers for: the others stay as they are. */
	for (size_t i = 0; rc == 0 && nmb > 0 && i < n; i++)
		if (mb.regno[i][0])
			json_array_append(keep, json_array_get(p.rows, i));
	size_t nk = json_array_size(keep);
	for (size_t from = 0, to; rc == 0 && from < nk; from = to) {
		json_int_t pid = json_integer_value(json_object_get(json_array_get(keep, from), "pid"));
		for (to = from + 1; to < nk && json_integer_value(json_object_get(json_array_get(keep, to), "pid")) == pid;
		     to++)
			;
		rc = cpd_xs_rematch_group(db, keep, from, to, w->who, credited);
	}
	if (rc == 0 && nk > 0) {
		json_t *d = json_pack("{s:I, s:O}", "looked_at", (json_int_t)nk, "credited", credited);
		rc = d ? rs_audit(db, w->who->actor, w->who->role, "cpd.xapi.rematch", "job:xapi-sweep", d, NULL) : RS_ENOMEM;
		json_decref(d);
	}
	if (rc == 0 && n > 0) {
		const json_t *last = json_array_get(p.rows, n - 1);
		w->after_pid = (int64_t)json_integer_value(json_object_get(last, "pid"));
		w->after_seq = (int64_t)json_integer_value(json_object_get(last, "seq"));
		w->credited = (int)json_array_size(credited);
	}
	cpd_xs_mboxes_free(&mb);
	json_decref(p.rows);
	json_decref(keep);
	json_decref(credited);
	return rc;
}

int cpd_xapi_rematch_sweep(int *out_credited, rs_db *db, const char *base_url, const char *actor, const char *role)
{
	struct cpd_xapi_who who = { .base_url = base_url ? base_url : "", .actor = actor, .role = role };
	struct cpd_xs_sweep w = { .who = &who };
	int total = 0, rc = 0;
	do {
		rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 5, cpd_xs_sweep_page, &w);
		total += rc == 0 ? w.credited : 0;
	} while (rc == 0 && w.looked == CPD_XS_REMATCH_PAGE);
	if (out_credited)
		*out_credited = total;
	return rc;
}

/* Every Activity of s (object, context activities, a SubStatement's) into acts, in order. */
static void cpd_xs_activities(json_t *acts, const json_t *s)
{
	const json_t *obj = json_object_get(s, "object");
	if (cpd_xapi_is_type(obj, "Activity", 1))
		json_array_append(acts, (json_t *)(uintptr_t)obj);
	const json_t *ca = json_object_get(json_object_get(s, "context"), "contextActivities");
	static const char *const keys[] = { "parent", "grouping", "category", "other" };
	for (int k = 0; k < 4; k++) {
		const json_t *x = json_object_get(ca, keys[k]);
		if (json_is_object(x))
			json_array_append(acts, (json_t *)(uintptr_t)x);
		for (size_t i = 0; json_is_array(x) && i < json_array_size(x); i++)
			json_array_append(acts, json_array_get(x, i));
	}
	if (cpd_xapi_is_type(obj, "SubStatement", 0))
		cpd_xs_activities(acts, obj);
}

/* The Activities resource learns each activity of the new statements: every definition
 * carried, and each id once. */
static int cpd_xs_merge_activities(rs_db *db, struct cpd_xs_batch *b)
{
	json_t *acts = json_array(), *seen = json_object();
	int rc = acts && seen ? 0 : RS_ENOMEM;
	for (size_t i = 0; rc == 0 && i < b->n; i++)
		if (!b->skip[i])
			cpd_xs_activities(acts, json_array_get(b->stmts, i));
	for (size_t i = 0; rc == 0 && i < json_array_size(acts); i++) {
		const json_t *a = json_array_get(acts, i);
		const char *id = json_string_value(json_object_get(a, "id"));
		const json_t *def = json_object_get(a, "definition");
		const json_t *had = id ? json_object_get(seen, id) : NULL;
		if (!id || (had && (!def || json_equal(had, def))))
			continue; /* nothing new to learn: the same id without or with the same definition */
		json_object_set_new(seen, id, def ? json_deep_copy(def) : json_null());
		rc = cpd_lrs_activity_merge_in_tx(db, b->who->provider_id, id, def);
	}
	json_decref(acts);
	json_decref(seen);
	return rc;
}

static int cpd_xs_body(rs_db *db, void *arg)
{
	struct cpd_xs_batch *b = arg;
	const struct cpd_xapi_who *who = b->who;
	memset(b->skip, 0, b->n);
	b->conflict = 0;
	json_object_clear(b->targets_found);
	/* Ids of the batch and the statements voiding ones target. */
	struct cpd_arr look = { 0 }, targets = { 0 }, voids = { 0 };
	int rc = 0;
	for (size_t i = 0; i < b->n; i++) {
		cpd_arr_add(&look, b->ids[i]);
		const json_t *s = json_array_get(b->stmts, i);
		if (strcmp(json_string_value(json_object_get(json_object_get(s, "verb"), "id")), XAPI_VOIDED) == 0)
			cpd_arr_add(&look, json_string_value(json_object_get(json_object_get(s, "object"), "id")));
	}
	const char *lt = cpd_arr_text(&look);
	rc = lt ? cpd_xs_existing(db, who->provider_id, lt, cpd_xs_on_existing, b) : RS_ENOMEM;
	if (rc == 0 && b->conflict) {
		rs_error_msg("xapi.conflict", b->conflict_id, NULL);
		rc = RS_EEXIST;
	}
	/* Voiding: never a voiding statement (stored, or in this batch). */
	json_t *rows = json_array();
	for (size_t i = 0; rc == 0 && i < b->n; i++) {
		if (b->skip[i])
			continue;
		json_array_append(rows, json_array_get(b->rows, i));
		const json_t *s = json_array_get(b->stmts, i);
		if (strcmp(json_string_value(json_object_get(json_object_get(s, "verb"), "id")), XAPI_VOIDED) != 0)
			continue;
		const char *t = json_string_value(json_object_get(json_object_get(s, "object"), "id"));
		int voiding = json_is_true(json_object_get(b->targets_found, t));
		for (size_t j = 0; j < b->n; j++)
			if (strcasecmp(b->ids[j], t) == 0 &&
			    strcmp(json_string_value(json_object_get(json_object_get(json_array_get(b->stmts, j), "verb"), "id")),
			           XAPI_VOIDED) == 0)
				voiding = 1;
		if (voiding) {
			rs_error_msg("xapi.void_voiding", t, NULL);
			rc = RS_EINVAL;
		}
		cpd_arr_add(&targets, t);
	}
	if (rc == 0 && json_array_size(rows) > 0) {
		char *text = json_dumps(rows, JSON_COMPACT);
		size_t got = 0;
		rc = text ? cpd_xs_insert(db, &got, who->provider_id, text) : RS_ENOMEM;
		free(text);
		if (rc == 0 && got != json_array_size(rows)) {
			rs_error_set("a statement id was stored concurrently");
			rc = RS_ECONFLICT;
		}
	}
	json_decref(rows);
	for (size_t k = 0; rc == 0 && k < b->nblob; k++) {
		size_t len = b->blobs[k].len;
		char *hex = malloc(len * 2 + 1);
		if (!hex) {
			rc = RS_ENOMEM;
			break;
		}
		for (size_t i = 0; i < len; i++)
			snprintf(hex + 2 * i, 3, "%02x", b->blobs[k].data[i]);
		hex[len * 2] = '\0';
		rc = cpd_xs_attachment_put(db, who->provider_id, b->blobs[k].sha2,
		                           b->blobs[k].ctype[0] ? b->blobs[k].ctype : "application/octet-stream", hex);
		free(hex);
	}
	if (rc == 0 && targets.n > 0) {
		const char *tt = cpd_arr_text(&targets);
		rc = tt ? cpd_xs_void(db, who->provider_id, tt) : RS_ENOMEM;
		if (rc == 0)
			rc = cpd_xs_outcomes_void(db, who->provider_id, tt, cpd_xs_on_void_completion, &voids);
		if (rc == 0 && voids.n > 0) {
			const char *vt = cpd_arr_text(&voids);
			rc = vt ? cpd_store_void(db, who->provider_id, vt, who->actor, "voided by an xAPI voiding statement")
			        : RS_ENOMEM;
		}
	}
	if (rc == 0)
		rc = cpd_xs_merge_activities(db, b);
	if (rc == 0)
		rc = cpd_xs_credit(db, b);
	cpd_arr_free(&look);
	cpd_arr_free(&targets);
	cpd_arr_free(&voids);
	return rc;
}

static json_t *cpd_xs_strarr(json_t *arr)
{
	/* Unique strings only (the index arrays). */
	json_t *out = json_array();
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *v = json_array_get(arr, i);
		if (!json_is_string(v))
			continue;
		size_t j;
		for (j = 0; j < json_array_size(out); j++)
			if (json_equal(json_array_get(out, j), v))
				break;
		if (j == json_array_size(out))
			json_array_append(out, (json_t *)(uintptr_t)v);
	}
	json_decref(arr);
	return out;
}

int cpd_xapi_store(json_t **out_ids, rs_db *db, const struct cpd_xapi_who *who, json_t *stmts,
                   const char *statement_id, const struct cpd_xapi_blob *blobs, size_t nblob)
{
	size_t n = json_array_size(stmts);
	if (n == 0 || n > CPD_XAPI_BATCH_MAX) {
		rs_error_msg("xapi.batch_size", NULL);
		return RS_EINVAL;
	}
	struct cpd_xs_batch b = { .who = who, .stmts = stmts, .blobs = blobs, .nblob = nblob, .n = n };
	char stored[32];
	cpd_xapi_iso_now(stored, NULL);
	b.stored = stored;
	b.ids = calloc(n, sizeof *b.ids);
	b.skip = calloc(n, 1);
	b.rows = json_array();
	b.targets_found = json_object();
	char (*newids)[37] = calloc(n, 37);
	int rc = b.ids && b.skip && b.rows && b.targets_found && newids ? 0 : RS_ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		json_t *s = json_array_get(stmts, i);
		const char *id = json_string_value(json_object_get(s, "id"));
		if (statement_id) {
			if (id && strcasecmp(id, statement_id) != 0) {
				rs_error_msg("xapi.id_mismatch", NULL);
				rc = RS_EINVAL;
				break;
			}
			id = statement_id;
		}
		if (!id) {
			cpd_xapi_uuid4(newids[i]);
			id = newids[i];
		} else {
			snprintf(newids[i], 37, "%s", id);
			cpd_xapi_lower(newids[i]);
			id = newids[i];
		}
		json_object_set_new(s, "id", json_string(id));
		b.ids[i] = json_string_value(json_object_get(s, "id"));
		for (size_t j = 0; j < i; j++)
			if (strcmp(b.ids[j], b.ids[i]) == 0) {
				rs_error_msg("xapi.duplicate_id", b.ids[i], NULL);
				rc = RS_EINVAL;
			}
	}
	/* Signed statements without x5c are verified against the provider's registered keys. */
	struct cpd_lrs_keyset keys = { 0 };
	if (rc == 0 && cpd_xapi_has_signature(stmts))
		rc = cpd_lrs_keyset_load(&keys, db, who->provider_id);
	if (rc == 0)
		rc = cpd_xapi_check_attachments(stmts, blobs, nblob, &keys);
	cpd_lrs_keyset_free(&keys);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		json_t *s = json_array_get(stmts, i);
		cpd_xapi_ctx_arrays(s);
		json_object_set_new(s, "stored", json_string(stored));
		json_object_set(s, "authority", (json_t *)(uintptr_t)who->authority);
		if (!json_object_get(s, "version"))
			json_object_set_new(s, "version", json_string("1.0.0"));
		if (!json_object_get(s, "timestamp"))
			json_object_set_new(s, "timestamp", json_string(stored));
		json_t *agents = json_array(), *rel_agents = json_array(), *rel_acts = json_array();
		cpd_xapi_index(s, agents, rel_agents, rel_acts, 0);
		agents = cpd_xs_strarr(agents);
		for (size_t k = 0; k < json_array_size(agents); k++)
			json_array_append(rel_agents, json_array_get(agents, k));
		rel_agents = cpd_xs_strarr(rel_agents);
		rel_acts = cpd_xs_strarr(rel_acts);
		const json_t *obj = json_object_get(s, "object");
		const json_t *ctx = json_object_get(s, "context");
		const char *verb = json_string_value(json_object_get(json_object_get(s, "verb"), "id"));
		/* The statement itself, not its text: the rows are serialised once, and the store
		 * keeps the statement's member of that text verbatim (a json, not a jsonb, column). */
		json_t *row = json_pack("{s:s, s:s, s:s, s:O?, s:O?, s:O?, s:b, s:o, s:o, s:o, s:O}", "id", b.ids[i],
		                        "stored", stored, "verb_id", verb, "activity_id",
		                        cpd_xapi_is_type(obj, "Activity", 1) ? json_object_get(obj, "id") : NULL,
		                        "registration", json_object_get(ctx, "registration"), "target_id",
		                        cpd_xapi_is_type(obj, "StatementRef", 0) ? json_object_get(obj, "id") : NULL,
		                        "is_voiding", strcmp(verb, XAPI_VOIDED) == 0, "agents", agents, "rel_agents",
		                        rel_agents, "rel_activities", rel_acts, "body", s);
		if (!row)
			rc = RS_ENOMEM;
		else
			json_array_append_new(b.rows, row);
	}
	if (rc == 0)
		rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 5, cpd_xs_body, &b);
	if (rc == 0) {
		json_t *ids = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(ids, json_string(b.ids[i]));
		*out_ids = ids;
	}
	free(b.ids);
	free(b.skip);
	free(newids);
	json_decref(b.rows);
	json_decref(b.targets_found);
	return rc;
}

/* ---- queries ---- */

static json_t *cpd_xapi_ids_agent(const json_t *a)
{
	json_t *o = json_object();
	static const char *const keep[] = { "objectType", "mbox", "mbox_sha1sum", "openid", "account" };
	for (int i = 0; i < 5; i++)
		if (json_object_get(a, keep[i]))
			json_object_set(o, keep[i], json_object_get(a, keep[i]));
	const json_t *m = json_object_get(a, "member");
	if (m && !cpd_xapi_ifi(a)) {
		json_t *mm = json_array();
		for (size_t i = 0; i < json_array_size(m); i++)
			json_array_append_new(mm, cpd_xapi_ids_agent(json_array_get(m, i)));
		json_object_set_new(o, "member", mm);
	}
	return o;
}

static void cpd_xapi_ids_form(json_t *s)
{
	static const char *const agent_keys[] = { "actor", "authority" };
	for (int i = 0; i < 2; i++)
		if (json_object_get(s, agent_keys[i]))
			json_object_set_new(s, agent_keys[i], cpd_xapi_ids_agent(json_object_get(s, agent_keys[i])));
	json_t *verb = json_object_get(s, "verb");
	if (verb)
		json_object_del(verb, "display");
	json_t *obj = json_object_get(s, "object");
	if (cpd_xapi_is_type(obj, "Activity", 1)) {
		json_object_del(obj, "definition");
		json_object_del(obj, "objectType");
	} else if (cpd_xapi_is_type(obj, "Agent", 0) || cpd_xapi_is_type(obj, "Group", 0)) {
		json_object_set_new(s, "object", cpd_xapi_ids_agent(obj));
	} else if (cpd_xapi_is_type(obj, "SubStatement", 0)) {
		cpd_xapi_ids_form(obj);
	}
	json_t *ctx = json_object_get(s, "context");
	static const char *const ctx_agents[] = { "instructor", "team" };
	for (int i = 0; ctx && i < 2; i++)
		if (json_object_get(ctx, ctx_agents[i]))
			json_object_set_new(ctx, ctx_agents[i], cpd_xapi_ids_agent(json_object_get(ctx, ctx_agents[i])));
	json_t *ca = json_object_get(ctx, "contextActivities");
	const char *k;
	json_t *v;
	json_object_foreach(ca, k, v) {
		if (json_is_object(v))
			json_object_del(v, "definition");
		for (size_t i = 0; json_is_array(v) && i < json_array_size(v); i++)
			json_object_del(json_array_get(v, i), "definition");
	}
}

/* True when language tag k is acceptable for the Accept-Language range tag (equal, or the
 * range is k's primary subtag, or they share the primary subtag). */
static int cpd_xapi_lang_match(const char *k, const char *tag)
{
	if (strcasecmp(k, tag) == 0)
		return 1;
	size_t pl = strcspn(tag, "-");
	return strncasecmp(k, tag, pl) == 0 && (k[pl] == '\0' || k[pl] == '-');
}

/* Language map m reduced to the languages Accept-Language al asks for: for each range with
 * q > 0, in its order, the key equal to it, else the keys sharing its primary subtag; a key
 * equal to a range with q=0 never. When that leaves nothing (or al is empty or only "*"),
 * m's first language. A new object (caller owns). */
static json_t *cpd_xapi_lang_keep(json_t *m, const char *al)
{
	json_t *out = json_object(), *refused = json_object();
	const char *p = al ? al : "";
	const char *k;
	json_t *v;
	while (out && refused && *p) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, ",;");
		char tag[64];
		size_t tl = n < sizeof tag ? n : sizeof tag - 1;
		memcpy(tag, p, tl);
		tag[tl] = '\0';
		while (tl && tag[tl - 1] == ' ')
			tag[--tl] = '\0';
		p += n;
		const char *params = p;
		while (*p && *p != ',')
			p++;
		const char *q = strstr(params, "q=");
		if (q && q < p && strtod(q + 2, NULL) <= 0.0) { /* q=0: not acceptable */
			json_object_set_new(refused, tag, json_true());
			continue;
		}
		if (!tl || strcmp(tag, "*") == 0)
			continue;
		int exact = 0;
		json_object_foreach(m, k, v)
			if (strcasecmp(k, tag) == 0) {
				json_object_set(out, k, v);
				exact = 1;
			}
		json_object_foreach(m, k, v)
			if (!exact && cpd_xapi_lang_match(k, tag))
				json_object_set(out, k, v);
	}
	json_object_foreach(refused, k, v) {
		const char *ok;
		json_t *ov;
		void *tmp;
		json_object_foreach_safe(out, tmp, ok, ov)
			if (strcasecmp(ok, k) == 0)
				json_object_del(out, ok);
	}
	json_decref(refused);
	if (out && json_object_size(out) == 0)
		json_object_foreach(m, k, v) {
			json_object_set(out, k, v);
			break;
		}
	return out;
}

static int cpd_xapi_is_lang_map(json_t *m)
{
	const char *k;
	json_t *v;
	if (!json_is_object(m) || json_object_size(m) == 0)
		return 0;
	json_object_foreach(m, k, v)
		if (!json_is_string(v))
			return 0;
	return 1;
}

/* format=canonical: every language map (display, name, description) keeps the languages of
 * Accept-Language (cpd_xapi_lang_keep). */
static void cpd_xapi_canonical(json_t *o, const char *al)
{
	const char *k;
	json_t *v;
	if (json_is_array(o)) {
		for (size_t i = 0; i < json_array_size(o); i++)
			cpd_xapi_canonical(json_array_get(o, i), al);
		return;
	}
	if (!json_is_object(o))
		return;
	json_object_foreach(o, k, v) {
		if ((strcmp(k, "display") == 0 || strcmp(k, "name") == 0 || strcmp(k, "description") == 0) &&
		    cpd_xapi_is_lang_map(v)) {
			json_object_set_new(o, k, cpd_xapi_lang_keep(v, al));
		} else if (strcmp(k, "extensions") != 0) {
			cpd_xapi_canonical(v, al);
		}
	}
}

struct cpd_xq {
	json_t *list;
	const char *accept_language;
	int64_t last_seq;
	int64_t newest_us;
	const char *format;
	size_t rows;
	json_t *shas;
	int64_t seqs[CPD_XAPI_LIMIT_MAX + 1];
};

static void cpd_xq_row(void *ctx, int64_t seq, const char *body)
{
	struct cpd_xq *q = ctx;
	q->rows++;
	json_t *s = json_loads(body, 0, NULL);
	if (!s)
		return;
	int64_t us;
	if (cpd_xapi_time_parse(&us, json_string_value(json_object_get(s, "stored"))) == 0 && us > q->newest_us)
		q->newest_us = us;
	const json_t *atts = json_object_get(s, "attachments");
	for (size_t i = 0; q->shas && i < json_array_size(atts); i++) {
		const json_t *a = json_array_get(atts, i);
		json_array_append(q->shas, json_object_get(a, "sha2"));
	}
	if (q->format && strcmp(q->format, "ids") == 0)
		cpd_xapi_ids_form(s);
	if (q->rows <= CPD_XAPI_LIMIT_MAX + 1)
		q->seqs[q->rows - 1] = seq;
	json_array_append_new(q->list, s);
	q->last_seq = seq;
}

/* Every Activity object of statement s (object, context activities, a SubStatement's) into
 * acts (borrowed). */
static void cpd_xq_activity_objects(json_t *acts, json_t *s)
{
	json_t *obj = json_object_get(s, "object");
	if (cpd_xapi_is_type(obj, "Activity", 1))
		json_array_append(acts, obj);
	json_t *ca = json_object_get(json_object_get(s, "context"), "contextActivities");
	const char *k;
	json_t *v;
	json_object_foreach(ca, k, v)
		for (size_t i = 0; i < json_array_size(v); i++)
			json_array_append(acts, json_array_get(v, i));
	if (cpd_xapi_is_type(obj, "SubStatement", 0))
		cpd_xq_activity_objects(acts, obj);
}

/* format=canonical over the statements of list: each Activity object gets the definition the
 * LRS keeps for it (xapi.activities: merged from the provider's statements), then every
 * language map keeps the languages of Accept-Language al. Agents and Groups stay exact. */
static int cpd_xq_canonical(rs_db *db, int64_t provider_id, json_t *list, const char *al)
{
	json_t *acts = json_array();
	struct cpd_arr ids = { 0 };
	for (size_t i = 0; acts && i < json_array_size(list); i++)
		cpd_xq_activity_objects(acts, json_array_get(list, i));
	for (size_t i = 0; i < json_array_size(acts); i++)
		cpd_arr_add(&ids, json_string_value(json_object_get(json_array_get(acts, i), "id")));
	json_t *defs = NULL;
	int rc = acts ? 0 : RS_ENOMEM;
	if (rc == 0 && json_array_size(acts) > 0) {
		const char *text = cpd_arr_text(&ids);
		rc = text ? cpd_store_lrs_activities_get(db, &defs, provider_id, text) : RS_ENOMEM;
	}
	for (size_t i = 0; rc == 0 && i < json_array_size(acts); i++) {
		json_t *a = json_array_get(acts, i);
		json_t *def = json_object_get(defs, json_string_value(json_object_get(a, "id")));
		if (json_is_object(def) && json_object_size(def) > 0)
			json_object_set_new(a, "definition", json_deep_copy(def));
	}
	for (size_t i = 0; rc == 0 && i < json_array_size(list); i++)
		cpd_xapi_canonical(json_array_get(list, i), al);
	json_decref(defs);
	json_decref(acts);
	cpd_arr_free(&ids);
	return rc;
}

struct cpd_xq_blobs {
	struct cpd_xapi_result *r;
	size_t cap;
};

static void cpd_xq_blob(void *ctx, const char *sha2, const char *ctype, const unsigned char *data, size_t len)
{
	struct cpd_xq_blobs *x = ctx;
	struct cpd_xapi_result *r = x->r;
	if (r->nblob == x->cap)
		return;
	unsigned char *copy = malloc(len ? len : 1);
	if (!copy)
		return;
	memcpy(copy, data, len);
	struct cpd_xapi_blob *b = &r->blobs[r->nblob];
	snprintf(b->sha2, sizeof b->sha2, "%s", sha2);
	snprintf(b->ctype, sizeof b->ctype, "%s", ctype);
	b->data = copy;
	b->len = len;
	r->blob_data[r->nblob++] = copy;
}

void cpd_xapi_result_free(struct cpd_xapi_result *r)
{
	if (!r)
		return;
	json_decref(r->body);
	for (size_t i = 0; i < r->nblob; i++)
		free(r->blob_data[i]);
	free(r->blob_data);
	free(r->blobs);
	memset(r, 0, sizeof *r);
}

static void cpd_xapi_iso(char *out, size_t n, int64_t us)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	gmtime_r(&t, &tm);
	char day[32];
	strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, n, "%.20s.%06dZ", day, (int)((us % 1000000 + 1000000) % 1000000));
}

static void cpd_xapi_http_date(char *out, size_t n, int64_t us)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

int cpd_xapi_unmatched(json_t **out, rs_db *db, int64_t provider_id, int limit)
{
	char *text = NULL;
	int rc = cpd_xs_unmatched(db, &text, provider_id, limit);
	if (rc != 0)
		return rc;
	json_t *arr = json_loads(text, 0, NULL);
	free(text);
	if (!arr)
		return RS_ENOMEM;
	*out = json_pack("{s:o}", "unmatched", arr);
	return *out ? 0 : RS_ENOMEM;
}

int cpd_xapi_query(struct cpd_xapi_result *out, rs_db *db, const struct cpd_xapi_who *who,
                   const struct cpd_xapi_query *q)
{
	memset(out, 0, sizeof *out);
	struct cpd_xs_filter f = { 0 };
	char since[40], until[40], after[24], upto[24];
	char *agent = NULL;
	int single = q->statement_id || q->voided_statement_id;
	if (single) {
		f.statement_id = q->statement_id ? q->statement_id : q->voided_statement_id;
		f.voided = q->voided_statement_id != NULL;
		if (!cpd_xapi_is_uuid(f.statement_id)) {
			rs_error_msg("xapi.bad.uuid", q->statement_id ? "statementId" : "voidedStatementId", NULL);
			return RS_EINVAL;
		}
	} else {
		if (q->agent) {
			agent = cpd_xapi_ifi(q->agent);
			if (!agent) {
				rs_error_msg("xapi.bad.ifi", "agent", NULL);
				return RS_EINVAL;
			}
			if (strncmp(agent, "sha1:", 5) != 0 && 0)
				cpd_xapi_lower(agent);
		}
		f.agent = agent;
		f.verb = q->verb;
		f.activity = q->activity;
		f.registration = q->registration;
		if (q->since_us) {
			cpd_xapi_iso(since, sizeof since, q->since_us);
			f.since = since;
		}
		if (q->until_us) {
			cpd_xapi_iso(until, sizeof until, q->until_us);
			f.until = until;
		}
		if (q->after_seq) {
			snprintf(after, sizeof after, "%lld", (long long)q->after_seq);
			f.after = after;
		}
		f.related_agents = q->related_agents;
		f.related_activities = q->related_activities;
		f.ascending = q->ascending;
		int lim = q->limit <= 0 || q->limit > CPD_XAPI_LIMIT_MAX ? CPD_XAPI_LIMIT_MAX : q->limit;
		f.limit = lim + 1;
	}
	struct cpd_xq x = { .list = json_array(), .format = q->format, .accept_language = q->accept_language, .shas = q->attachments ? json_array() : NULL };
	int64_t now_us;
	char now[32];
	cpd_xapi_iso_now(now, &now_us);
	snprintf(out->consistent, sizeof out->consistent, "%s", now);
	int64_t up = q->upto_seq;
	int rc = 0;
	if (!single && !up)
		rc = cpd_xs_max_seq(db, &up, who->provider_id);
	if (rc == 0 && !single) {
		snprintf(upto, sizeof upto, "%lld", (long long)up);
		f.upto = upto;
	}
	if (rc == 0)
		rc = cpd_xs_query(db, who->provider_id, &f, cpd_xq_row, &x);
	free(agent);
	if (rc == 0 && single && json_array_size(x.list) == 0) {
		rs_error_msg("xapi.not_found", f.statement_id, NULL);
		rc = RS_ENOTFOUND;
	}
	if (rc == 0 && !single) {
		size_t lim = (size_t)f.limit - 1;
		if (json_array_size(x.list) > lim) {
			json_array_remove(x.list, lim);
			out->next_after = x.seqs[lim - 1];
		}
		out->next_upto = up;
	}
	if (rc == 0 && q->format && strcmp(q->format, "canonical") == 0)
		rc = cpd_xq_canonical(db, who->provider_id, x.list, q->accept_language);
	if (rc == 0 && q->attachments && json_array_size(x.shas) > 0) {
		json_t *u = cpd_xs_strarr(x.shas);
		x.shas = NULL;
		struct cpd_arr sa = { 0 };
		for (size_t i = 0; i < json_array_size(u); i++) {
			char sha[129];
			snprintf(sha, sizeof sha, "%s", json_string_value(json_array_get(u, i)));
			cpd_xapi_lower(sha);
			cpd_arr_add(&sa, sha);
		}
		size_t cap = json_array_size(u);
		out->blobs = calloc(cap, sizeof *out->blobs);
		out->blob_data = calloc(cap, sizeof *out->blob_data);
		const char *st = cpd_arr_text(&sa);
		struct cpd_xq_blobs xb = { .r = out, .cap = cap };
		rc = out->blobs && out->blob_data && st ? cpd_xs_attachments_get(db, who->provider_id, st, cpd_xq_blob, &xb)
		                                        : RS_ENOMEM;
		cpd_arr_free(&sa);
		json_decref(u);
	}
	json_decref(x.shas);
	if (rc != 0) {
		json_decref(x.list);
		cpd_xapi_result_free(out);
		return rc;
	}
	if (x.newest_us)
		cpd_xapi_http_date(out->last_modified, sizeof out->last_modified, x.newest_us);
	if (single) {
		out->body = json_incref(json_array_get(x.list, 0));
		json_decref(x.list);
	} else {
		out->body = json_pack("{s:o, s:s}", "statements", x.list, "more", "");
	}
	return out->body ? 0 : RS_ENOMEM;
}
