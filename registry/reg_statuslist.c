/* registry: Token Status List (2-bit, LSB-first, zlib, base64url) and statuslist+jwt. */
#include "reg_statuslist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/rand.h>
#include <zlib.h>

#include "reg_jws.h"
#include "rs_encode.h"
#include "rs_error.h"

int reg_sl_new(struct reg_statuslist *out, size_t n)
{
	if (n < REG_SL_MIN_ENTRIES || n > REG_SL_MAX_ENTRIES || n % 4) {
		rs_error_set("a status list holds %u..%u entries, a multiple of 4 (asked %zu)",
		             REG_SL_MIN_ENTRIES, REG_SL_MAX_ENTRIES, n);
		return RS_ERANGE;
	}
	out->bytes = calloc(n / 4, 1);
	if (!out->bytes)
		return RS_ENOMEM;
	out->n = n;
	return 0;
}

void reg_sl_free(struct reg_statuslist *sl)
{
	if (!sl)
		return;
	free(sl->bytes);
	sl->bytes = NULL;
	sl->n = 0;
}

int reg_sl_set(struct reg_statuslist *sl, uint64_t idx, unsigned value)
{
	if (idx >= sl->n || value > 3) {
		rs_error_set("status entry %llu = %u is outside the list of %zu entries or 0..3",
		             (unsigned long long)idx, value, sl->n);
		return RS_ERANGE;
	}
	unsigned shift = (unsigned)(idx % 4) * 2;
	uint8_t *b = &sl->bytes[idx / 4];
	*b = (uint8_t)((*b & ~(3u << shift)) | (value << shift));
	return 0;
}

unsigned reg_sl_get(const struct reg_statuslist *sl, uint64_t idx)
{
	if (idx >= sl->n)
		return 3;
	return (sl->bytes[idx / 4] >> ((idx % 4) * 2)) & 3u;
}

int reg_sl_encode(char **out_lst, const struct reg_statuslist *sl)
{
	size_t raw = (sl->n + 3) / 4;
	uLongf clen = compressBound((uLong)raw);
	unsigned char *z = malloc(clen);
	char *s = NULL;
	int rc = RS_ENOMEM;
	if (!z)
		goto done;
	/* compress2 writes the zlib format (RFC 1950: header + DEFLATE + Adler-32). */
	if (compress2(z, &clen, sl->bytes, (uLong)raw, Z_BEST_COMPRESSION) != Z_OK) {
		rs_error_set("zlib compression of the status list failed");
		rc = RS_EINTERNAL;
		goto done;
	}
	s = malloc(rs_b64url_len(clen) + 1);
	if (!s)
		goto done;
	rs_b64url_encode(s, z, clen);
	*out_lst = s;
	rc = 0;
done:
	free(z);
	return rc;
}

int reg_sl_decode(struct reg_statuslist *out, const char *lst, size_t len)
{
	const size_t max_raw = REG_SL_MAX_ENTRIES / 4;
	unsigned char *z = NULL, *raw = NULL;
	size_t zlen = 0;
	z_stream zs;
	int rc = RS_EPARSE, zr;

	memset(&zs, 0, sizeof zs);
	if (len > REG_SL_JWT_MAX) {
		rs_error_set("status list text is %zu bytes, over the bound", len);
		return RS_ETOOBIG;
	}
	z = malloc(len / 4 * 3 + 3);
	raw = malloc(max_raw + 1);
	if (!z || !raw) {
		rc = RS_ENOMEM;
		goto done;
	}
	if ((rc = rs_b64url_decode(z, len / 4 * 3 + 3, &zlen, lst, len)) != 0) {
		rs_error_set("status list is not base64url");
		rc = RS_EPARSE;
		goto done;
	}
	if (inflateInit(&zs) != Z_OK) {
		rc = RS_ENOMEM;
		goto done;
	}
	zs.next_in = z;
	zs.avail_in = (uInt)zlen;
	zs.next_out = raw;
	zs.avail_out = (uInt)(max_raw + 1);
	zr = inflate(&zs, Z_FINISH);
	if (zr != Z_STREAM_END) {
		if (zs.total_out > max_raw) {
			rs_error_set("status list inflates past %zu bytes", max_raw);
			rc = RS_ETOOBIG;
		} else {
			rs_error_set("status list is not a complete zlib stream");
			rc = RS_EPARSE;
		}
		goto done;
	}
	if (zs.total_out > max_raw) {
		/* The buffer holds one byte more than the bound, to tell "exactly at" from "over". */
		rs_error_set("status list inflates past %zu bytes", max_raw);
		rc = RS_ETOOBIG;
		goto done;
	}
	if (zs.avail_in != 0 || zs.total_out == 0) {
		rs_error_set("status list has trailing bytes after its zlib stream, or is empty");
		rc = RS_EPARSE;
		goto done;
	}
	out->n = zs.total_out * 4;
	/* Keep an exact-size copy (the inflate buffer was sized for the largest list). */
	out->bytes = malloc(zs.total_out);
	if (out->bytes) {
		memcpy(out->bytes, raw, zs.total_out);
	} else {
		out->bytes = raw;
		raw = NULL;
	}
	rc = 0;
done:
	inflateEnd(&zs);
	free(z);
	free(raw);
	return rc;
}

int reg_sl_random_index(uint64_t *out, size_t n, int (*is_used)(void *ctx, uint64_t idx), void *ctx)
{
	uint64_t r, limit, idx;
	int used;
	if (n == 0) {
		rs_error_set("the status list is empty");
		return RS_ESTATE;
	}
	/* Rejection sampling gives a uniform index; 64 draws miss only in a nearly full list. */
	limit = UINT64_MAX - UINT64_MAX % n;
	for (int tries = 0; tries < 64; tries++) {
		if (RAND_bytes((unsigned char *)&r, sizeof r) != 1) {
			rs_error_set("the random number generator failed");
			return RS_EINTERNAL;
		}
		if (r >= limit)
			continue;
		idx = r % n;
		if ((used = is_used(ctx, idx)) < 0)
			return used;
		if (!used) {
			*out = idx;
			return 0;
		}
	}
	/* Nearly full: walk from a random start so the choice stays unpredictable. */
	if (RAND_bytes((unsigned char *)&r, sizeof r) != 1)
		return RS_EINTERNAL;
	for (uint64_t k = 0; k < n; k++) {
		idx = (r + k) % n;
		if ((used = is_used(ctx, idx)) < 0)
			return used;
		if (!used) {
			*out = idx;
			return 0;
		}
	}
	rs_error_set("every one of the %zu status list entries is allocated", n);
	return RS_ESTATE;
}

int reg_sl_jwt_sign(char **out_jwt, const struct reg_statuslist *sl, const char *uri, int64_t iat,
                    int64_t exp, int64_t ttl, const char *kid, const struct cert_signer *signer)
{
	char *lst = NULL, *hs = NULL, *ps = NULL, *t = NULL;
	json_t *h = NULL, *p = NULL;
	unsigned char sig[CERT_SIG_LEN];
	size_t hl, pl;
	int rc;
	if (exp <= iat || ttl <= 0) {
		rs_error_set("status list exp must follow iat and ttl be positive");
		return RS_EINVAL;
	}
	if ((rc = reg_sl_encode(&lst, sl)) != 0)
		return rc;
	rc = RS_ENOMEM;
	h = json_pack("{s:s, s:s, s:s}", "alg", "EdDSA", "kid", kid, "typ", "statuslist+jwt");
	p = json_pack("{s:s, s:I, s:I, s:I, s:{s:i, s:s}}", "sub", uri, "iat", (json_int_t)iat,
	              "exp", (json_int_t)exp, "ttl", (json_int_t)ttl, "status_list", "bits", REG_SL_BITS,
	              "lst", lst);
	if (!h || !p || !(hs = json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER)) ||
	    !(ps = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER)))
		goto done;
	hl = rs_b64url_len(strlen(hs));
	pl = rs_b64url_len(strlen(ps));
	if (hl + 1 + pl > 256 * 1024 - 1) {
		/* riss-signd signs at most 256 KiB: a list this incompressible needs splitting. */
		rs_error_set("status list token would be %zu bytes, over the signer's bound", hl + 1 + pl);
		rc = RS_ETOOBIG;
		goto done;
	}
	if (!(t = malloc(hl + pl + 90)))
		goto done;
	rs_b64url_encode(t, (const unsigned char *)hs, strlen(hs));
	t[hl] = '.';
	rs_b64url_encode(t + hl + 1, (const unsigned char *)ps, strlen(ps));
	if ((rc = signer->sign(signer->ctx, sig, kid, (const unsigned char *)t, hl + 1 + pl)) != 0)
		goto done;
	t[hl + 1 + pl] = '.';
	rs_b64url_encode(t + hl + 2 + pl, sig, sizeof sig);
	*out_jwt = t;
	t = NULL;
	rc = 0;
done:
	free(t);
	free(hs);
	free(ps);
	free(lst);
	json_decref(h);
	json_decref(p);
	return rc;
}

int reg_sl_jwt_verify(struct reg_statuslist *out, const char *jwt, size_t len,
                      const struct cert_jwks *jwks, const char *expected_uri, int64_t now)
{
	const char *d1, *d2;
	unsigned char *buf = NULL, sig[CERT_SIG_LEN + 3];
	size_t n;
	json_t *h = NULL, *p = NULL, *sl;
	json_error_t jerr;
	const struct cert_pubkey *key;
	const char *alg, *typ, *kid, *sub, *lst;
	int rc = RS_EPARSE;

	if (len > REG_SL_JWT_MAX) {
		rs_error_set("status list token is %zu bytes, over the %u bound", len, REG_SL_JWT_MAX);
		return RS_ETOOBIG;
	}
	d1 = memchr(jwt, '.', len);
	d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - jwt)) : NULL;
	if (!d1 || !d2 || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - jwt))) {
		rs_error_set("status list token is not three dot-separated parts");
		return RS_EPARSE;
	}
	if (!(buf = malloc(len)))
		return RS_ENOMEM;
	if (rs_b64url_decode(buf, len, &n, jwt, (size_t)(d1 - jwt)) != 0 ||
	    !(h = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, &jerr))) {
		rs_error_set("status list token header is not base64url JSON");
		goto done;
	}
	alg = json_string_value(json_object_get(h, "alg"));
	typ = json_string_value(json_object_get(h, "typ"));
	kid = json_string_value(json_object_get(h, "kid"));
	if (!alg || strcmp(alg, "EdDSA") != 0 || !typ || strcmp(typ, "statuslist+jwt") != 0 || !kid) {
		rs_error_set("status list token header is not EdDSA / statuslist+jwt with a kid");
		rc = RS_ECRYPTO;
		goto done;
	}
	if (!(key = cert_jwks_find(jwks, kid))) {
		rs_error_set("status list signed with unpublished key \"%.64s\"", kid);
		rc = RS_ECRYPTO;
		goto done;
	}
	if (rs_b64url_decode(sig, sizeof sig, &n, d2 + 1, len - (size_t)(d2 + 1 - jwt)) != 0 ||
	    n != CERT_SIG_LEN ||
	    cert_ed25519_verify(key->pub, (const unsigned char *)jwt, (size_t)(d2 - jwt), sig) != 0) {
		rs_error_set("status list signature does not match");
		rc = RS_ECRYPTO;
		goto done;
	}
	if (rs_b64url_decode(buf, len, &n, d1 + 1, (size_t)(d2 - d1 - 1)) != 0 ||
	    !(p = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, &jerr))) {
		rs_error_set("status list claims are not base64url JSON");
		goto done;
	}
	sub = json_string_value(json_object_get(p, "sub"));
	sl = json_object_get(p, "status_list");
	lst = json_string_value(json_object_get(sl, "lst"));
	if (!sub || !lst || json_integer_value(json_object_get(sl, "bits")) != REG_SL_BITS ||
	    !json_is_integer(json_object_get(p, "iat"))) {
		rs_error_set("status list claims lack sub, iat or a 2-bit status_list");
		goto done;
	}
	if (expected_uri && strcmp(expected_uri, sub) != 0) {
		rs_error_set("status list is for \"%.200s\", not the uri the credential names", sub);
		rc = RS_ECRYPTO;
		goto done;
	}
	json_t *exp = json_object_get(p, "exp");
	if (json_is_integer(exp) && now > json_integer_value(exp) + REG_CLOCK_SKEW_S) {
		rs_error_set("status list expired at %lld", (long long)json_integer_value(exp));
		rc = RS_ERANGE;
		goto done;
	}
	rc = reg_sl_decode(out, lst, strlen(lst));
done:
	json_decref(h);
	json_decref(p);
	free(buf);
	return rc;
}

int reg_sl_lookup(void *ctx, uint8_t *out_status, const char *uri, uint64_t idx)
{
	const struct reg_sl_source *src = ctx;
	if (src->uri && strcmp(src->uri, uri) != 0) {
		rs_error_set("credential names status list \"%.200s\", which was not provided", uri);
		return RS_ENOTFOUND;
	}
	if (idx >= src->sl->n) {
		rs_error_set("status index %llu is beyond the list's %zu entries", (unsigned long long)idx,
		             src->sl->n);
		return RS_ERANGE;
	}
	*out_status = (uint8_t)reg_sl_get(src->sl, idx);
	return 0;
}
