/* cpd-tracker: the public keys a provider registered for its signed xAPI statements — an RSA
 * JWK in (`riss provider set-key`), its RFC 7638 thumbprint, and the verification of a JWS
 * that carries no x5c certificate. */
#include "cpd.h"
#include "cpd_lrs.h"
#include "store.h"
#include "store_lrs.h"

#include "rs_audit.h"
#include "rs_encode.h"
#include "rs_error.h"

#include <ctype.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A JWK member as bytes (base64url): 0 or RS_EINVAL. */
static int cpd_lrs_jwk_bytes(unsigned char *out, size_t cap, size_t *out_len, const json_t *jwk, const char *name)
{
	const char *s = json_string_value(json_object_get(jwk, name));
	return s && rs_b64url_decode(out, cap, out_len, s, strlen(s)) == 0 && *out_len > 0 ? 0 : RS_EINVAL;
}

/* The RSA public key of a JWK {"kty": "RSA", "n", "e"} (no private members), or NULL with a
 * message. */
static EVP_PKEY *cpd_lrs_jwk_rsa(const json_t *jwk)
{
	unsigned char n[1025], e[16];
	size_t nl = 0, el = 0;
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	if (!json_is_object(jwk) || !kty || strcmp(kty, "RSA") != 0) {
		rs_error_msg("xapi.key.kty", NULL);
		return NULL;
	}
	if (json_object_get(jwk, "d") || json_object_get(jwk, "p") || json_object_get(jwk, "q")) {
		rs_error_msg("xapi.key.private", NULL);
		return NULL;
	}
	if (cpd_lrs_jwk_bytes(n, sizeof n, &nl, jwk, "n") || cpd_lrs_jwk_bytes(e, sizeof e, &el, jwk, "e")) {
		rs_error_msg("xapi.key.bad", NULL);
		return NULL;
	}
	EVP_PKEY *key = NULL;
	BIGNUM *bn = BN_bin2bn(n, (int)nl, NULL), *be = BN_bin2bn(e, (int)el, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (bn && be && bld && ctx && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) == 1 && (params = OSSL_PARAM_BLD_to_param(bld)) &&
	    EVP_PKEY_fromdata_init(ctx) == 1)
		EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(bn);
	BN_free(be);
	if (!key)
		rs_error_msg("xapi.key.bad", NULL);
	return key;
}

/* RFC 7638 thumbprint of an RSA JWK: base64url SHA-256 of {"e","kty","n"} in that order. */
static int cpd_lrs_jwk_thumbprint(char out[44], const json_t *jwk)
{
	char *canon = NULL;
	if (asprintf(&canon, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", json_string_value(json_object_get(jwk, "e")),
	             json_string_value(json_object_get(jwk, "n"))) < 0)
		return RS_ENOMEM;
	unsigned char md[32];
	unsigned int ml = 0;
	int ok = EVP_Digest(canon, strlen(canon), md, &ml, EVP_sha256(), NULL) == 1;
	free(canon);
	if (!ok)
		return RS_ECRYPTO;
	rs_b64url_encode(out, md, sizeof md);
	return 0;
}

/* A kid as xapi.signing_keys takes it: 1 to 128 of A-Z a-z 0-9 . _ : - */
static int cpd_lrs_kid_ok(const char *kid)
{
	size_t n = kid ? strlen(kid) : 0;
	if (n == 0 || n > 128)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)kid[i]) && !strchr("._:-", kid[i]))
			return 0;
	return 1;
}

struct cpd_lrs_key_arg {
	const struct cpd_actor *who;
	int64_t provider_id;
	const char *kid, *thumbprint;
	unsigned char *spki;
	size_t spki_len;
	int bits;
};

static int cpd_lrs_key_set_tx(rs_db *db, void *arg)
{
	struct cpd_lrs_key_arg *a = arg;
	int n = 0;
	int rc = cpd_store_lrs_key_count(db, &n, a->provider_id);
	if (rc == 0 && n >= CPD_LRS_KEYS_MAX) {
		char max[8];
		snprintf(max, sizeof max, "%d", CPD_LRS_KEYS_MAX);
		rs_error_msg("xapi.key.too_many", max, NULL);
		return RS_ESTATE;
	}
	if (rc == 0)
		rc = cpd_store_lrs_key_put(db, a->provider_id, a->kid, a->thumbprint, a->spki, a->spki_len, a->bits,
		                           a->who->actor);
	if (rc == RS_EEXIST)
		rs_error_msg("xapi.key.exists", a->kid, NULL);
	else if (rc == RS_EINVAL) /* the foreign key: no such provider */
		rc = cpd_error_id(RS_ENOTFOUND, "cpd.provider.not_found", a->provider_id);
	if (rc != 0)
		return rc;
	char obj[40];
	snprintf(obj, sizeof obj, "provider:%lld", (long long)a->provider_id);
	json_t *d = json_pack("{s:s, s:s, s:i}", "kid", a->kid, "thumbprint", a->thumbprint, "bits", a->bits);
	rc = rs_audit(db, a->who->actor, a->who->role, "xapi.key.set", obj, d, a->who->request_id);
	json_decref(d);
	return rc;
}

void cpd_lrs_jwk_free(struct cpd_lrs_jwk *k)
{
	if (k) {
		OPENSSL_free(k->spki);
		k->spki = NULL;
	}
}

int cpd_lrs_jwk_read(struct cpd_lrs_jwk *out, const char *text, size_t len)
{
	memset(out, 0, sizeof *out);
	json_t *jwk = text && len <= CPD_LRS_JWK_MAX ? json_loadb(text, len, 0, NULL) : NULL;
	if (!jwk) {
		rs_error_msg("xapi.key.bad", NULL);
		return RS_EINVAL;
	}
	EVP_PKEY *key = cpd_lrs_jwk_rsa(jwk);
	int rc = key ? 0 : RS_EINVAL;
	out->bits = key ? EVP_PKEY_get_bits(key) : 0;
	if (rc == 0 && (out->bits < 2048 || out->bits > 8192)) {
		rs_error_msg("xapi.key.size", NULL);
		rc = RS_EINVAL;
	}
	int n = rc == 0 ? i2d_PUBKEY(key, &out->spki) : 0;
	if (rc == 0 && n <= 0) {
		rs_error_set("cannot encode the public key");
		rc = RS_ECRYPTO;
	}
	out->spki_len = n > 0 ? (size_t)n : 0;
	if (rc == 0)
		rc = cpd_lrs_jwk_thumbprint(out->thumbprint, jwk);
	const char *kid = json_string_value(json_object_get(jwk, "kid"));
	if (rc == 0 && kid && !cpd_lrs_kid_ok(kid)) {
		rs_error_msg("xapi.key.kid", NULL);
		rc = RS_EINVAL;
	}
	if (rc == 0)
		snprintf(out->kid, sizeof out->kid, "%s", kid ? kid : out->thumbprint);
	EVP_PKEY_free(key);
	json_decref(jwk);
	if (rc != 0)
		cpd_lrs_jwk_free(out);
	return rc;
}

int cpd_lrs_key_set(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t provider_id, const char *jwk_text)
{
	struct cpd_lrs_jwk k;
	int rc = cpd_lrs_jwk_read(&k, jwk_text, jwk_text ? strlen(jwk_text) : 0);
	if (rc != 0)
		return rc;
	struct cpd_lrs_key_arg a = { .who = who, .provider_id = provider_id, .kid = k.kid, .thumbprint = k.thumbprint,
	                             .spki = k.spki, .spki_len = k.spki_len, .bits = k.bits };
	rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_lrs_key_set_tx, &a);
	if (rc == 0)
		*out = json_pack("{s:I, s:s, s:s, s:i}", "provider_id", (json_int_t)provider_id, "kid", k.kid, "thumbprint",
		                 k.thumbprint, "bits", k.bits);
	cpd_lrs_jwk_free(&k);
	return rc;
}

int cpd_lrs_key_list(json_t **out, rs_db *db, int64_t provider_id)
{
	json_t *keys = NULL;
	int rc = cpd_store_lrs_key_list(db, &keys, provider_id);
	if (rc == 0)
		*out = json_pack("{s:I, s:o}", "provider_id", (json_int_t)provider_id, "keys", keys);
	return rc;
}

static int cpd_lrs_key_remove_tx(rs_db *db, void *arg)
{
	struct cpd_lrs_key_arg *a = arg;
	int n = 0;
	int rc = cpd_store_lrs_key_delete(db, &n, a->provider_id, a->kid);
	if (rc == 0 && n == 0) {
		rs_error_msg("xapi.key.unknown", a->kid, NULL);
		return RS_ENOTFOUND;
	}
	char obj[40];
	snprintf(obj, sizeof obj, "provider:%lld", (long long)a->provider_id);
	json_t *d = json_pack("{s:s}", "kid", a->kid);
	rc = rc ? rc : rs_audit(db, a->who->actor, a->who->role, "xapi.key.remove", obj, d, a->who->request_id);
	json_decref(d);
	return rc;
}

int cpd_lrs_key_remove(rs_db *db, const struct cpd_actor *who, int64_t provider_id, const char *kid)
{
	struct cpd_lrs_key_arg a = { .who = who, .provider_id = provider_id, .kid = kid ? kid : "" };
	return rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_lrs_key_remove_tx, &a);
}

/* ---- verification of a signed statement ---- */

static int cpd_lrs_keyset_add(void *ctx, const char *kid, const unsigned char *spki, size_t len)
{
	struct cpd_lrs_keyset *k = ctx;
	if (k->n >= CPD_LRS_KEYS_MAX)
		return 0;
	const unsigned char *p = spki;
	EVP_PKEY *key = d2i_PUBKEY(NULL, &p, (long)len);
	if (!key)
		return 0;
	snprintf(k->kid[k->n], sizeof k->kid[k->n], "%s", kid);
	k->key[k->n++] = key;
	return 0;
}

int cpd_lrs_keyset_load(struct cpd_lrs_keyset *out, rs_db *db, int64_t provider_id)
{
	memset(out, 0, sizeof *out);
	return cpd_store_lrs_key_each(db, provider_id, cpd_lrs_keyset_add, out);
}

void cpd_lrs_keyset_free(struct cpd_lrs_keyset *k)
{
	for (size_t i = 0; k && i < k->n; i++)
		EVP_PKEY_free(k->key[i]);
	if (k)
		k->n = 0;
}

int cpd_lrs_keyset_verify(const struct cpd_lrs_keyset *k, const char *kid, const EVP_MD *md, const unsigned char *input,
                          size_t len, const unsigned char *sig, size_t sig_len)
{
	for (size_t i = 0; i < k->n; i++) {
		if (kid && strcmp(kid, k->kid[i]) != 0)
			continue;
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, k->key[i]) == 1 &&
		         EVP_DigestVerify(ctx, sig, sig_len, input, len) == 1;
		EVP_MD_CTX_free(ctx);
		if (ok)
			return 0;
	}
	return RS_EINVAL;
}
