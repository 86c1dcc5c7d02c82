/* Unit tests of registry/reg_statuslist: the spec's worked example, an independent decode
 * by Python's zlib, bounds, random allocation, and the signed statuslist+jwt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <zlib.h>

#include "cert_keys.h"
#include "reg_jws.h"
#include "reg_statuslist.h"
#include "rs_encode.h"
#include "rs_error.h"

/* draft-ietf-oauth-status-list, 2-bit example: statuses 1,2,0,3,0,1,0,1,1,2,3,3 are the
 * bytes c9 44 f9, and their zlib/base64url form is this lst. */
#define SPEC_LST "eNo76fITAAPfAgc"
static const unsigned spec_values[12] = { 1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3 };

static void test_spec_example_decode(void **state)
{
	(void)state;
	struct reg_statuslist sl = { 0 };
	assert_int_equal(reg_sl_decode(&sl, SPEC_LST, strlen(SPEC_LST)), 0);
	assert_int_equal(sl.n, 12);
	assert_int_equal(sl.bytes[0], 0xc9);
	assert_int_equal(sl.bytes[1], 0x44);
	assert_int_equal(sl.bytes[2], 0xf9);
	for (int i = 0; i < 12; i++)
		assert_int_equal(reg_sl_get(&sl, (uint64_t)i), spec_values[i]);
	assert_int_equal(reg_sl_get(&sl, 12), 3); /* out of range reads as reserved */
	reg_sl_free(&sl);
}

static void test_spec_example_encode(void **state)
{
	(void)state;
	uint8_t bytes[3] = { 0 };
	struct reg_statuslist sl = { .bytes = bytes, .n = 12 };
	char *lst = NULL;
	for (int i = 0; i < 12; i++)
		assert_int_equal(reg_sl_set(&sl, (uint64_t)i, spec_values[i]), 0);
	assert_int_equal(bytes[0], 0xc9);
	assert_int_equal(reg_sl_encode(&lst, &sl), 0);
	assert_string_equal(lst, SPEC_LST);
	free(lst);
	assert_int_equal(reg_sl_set(&sl, 12, 1), RS_ERANGE);
	assert_int_equal(reg_sl_set(&sl, 0, 4), RS_ERANGE);
}

/* Write lst to a file and ask Python (its own base64 and zlib) for the given entries. */
static void python_entries(const char *lst, const uint64_t *idx, int n, unsigned *out)
{
	char dir[] = "/tmp/reg-sl-XXXXXX", path[64], cmd[512], line[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/lst", dir);
	FILE *f = fopen(path, "w");
	fputs(lst, f);
	fclose(f);
	int len = snprintf(cmd, sizeof cmd,
	    "python3 -c \"import sys,base64,zlib;s=open('%s').read();"
	    "b=zlib.decompress(base64.urlsafe_b64decode(s+'='*(-len(s)%%4)));"
	    "print(len(b));[print((b[i//4]>>(i%%4)*2)&3) for i in map(int,sys.argv[1:])]\"", path);
	for (int i = 0; i < n; i++)
		len += snprintf(cmd + len, sizeof cmd - (size_t)len, " %llu", (unsigned long long)idx[i]);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof line, p));
	assert_int_equal(atoi(line), REG_SL_MIN_ENTRIES / 4);
	for (int i = 0; i < n; i++) {
		assert_non_null(fgets(line, sizeof line, p));
		out[i] = (unsigned)atoi(line);
	}
	assert_int_equal(pclose(p), 0);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_python_decodes_our_list(void **state)
{
	(void)state;
	struct reg_statuslist sl;
	char *lst = NULL;
	const uint64_t idx[] = { 0, 1, 2, 3, 4, 77777, 131071, 65536, 99 };
	const unsigned val[] = { 1, 0, 2, 1, 0, 2, 1, 1, 0 };
	unsigned got[9];
	assert_int_equal(reg_sl_new(&sl, REG_SL_MIN_ENTRIES), 0);
	for (int i = 0; i < 9; i++)
		assert_int_equal(reg_sl_set(&sl, idx[i], val[i]), 0);
	assert_int_equal(reg_sl_encode(&lst, &sl), 0);
	/* The zlib header the spec requires: CMF 0x78. */
	assert_int_equal(strncmp(lst, "eN", 2), 0);
	python_entries(lst, idx, 9, got);
	for (int i = 0; i < 9; i++)
		assert_int_equal(got[i], val[i]);
	free(lst);
	reg_sl_free(&sl);
	assert_int_equal(reg_sl_new(&sl, 1000), RS_ERANGE); /* too small for herd privacy */
}

static void test_decode_bounds(void **state)
{
	(void)state;
	struct reg_statuslist sl = { 0 };
	/* A zlib bomb: 5 MB of zeros compresses to a few KB but may not inflate past 4 MB. */
	size_t raw = 5u << 20;
	unsigned char *zeros = calloc(raw, 1);
	uLongf zl = compressBound(raw);
	unsigned char *z = malloc(zl);
	assert_int_equal(compress2(z, &zl, zeros, raw, 9), Z_OK);
	char *b = malloc(rs_b64url_len(zl) + 1);
	rs_b64url_encode(b, z, zl);
	assert_int_equal(reg_sl_decode(&sl, b, strlen(b)), RS_ETOOBIG);
	/* Exactly at the bound decodes (2^24 entries); one byte over is refused (it used to be
	 * accepted: the inflate buffer holds bound + 1 bytes). */
	for (size_t extra = 0; extra < 2; extra++) {
		uLongf l = compressBound(raw);
		size_t at = REG_SL_MAX_ENTRIES / 4 + extra;
		assert_int_equal(compress2(z, &l, zeros, at, 9), Z_OK);
		char *e = malloc(rs_b64url_len(l) + 1);
		rs_b64url_encode(e, z, l);
		int rc = reg_sl_decode(&sl, e, strlen(e));
		if (extra == 0) {
			assert_int_equal(rc, 0);
			assert_int_equal(sl.n, REG_SL_MAX_ENTRIES);
			reg_sl_free(&sl);
		} else {
			assert_int_equal(rc, RS_ETOOBIG);
		}
		free(e);
	}
	/* Truncated zlib, not base64url, trailing garbage: clear errors. */
	assert_int_equal(reg_sl_decode(&sl, b, 12), RS_EPARSE);
	assert_int_equal(reg_sl_decode(&sl, "eNo7+fITAAPfAgc", 15), RS_EPARSE);
	assert_int_equal(reg_sl_decode(&sl, SPEC_LST "AAAA", strlen(SPEC_LST) + 4), RS_EPARSE);
	free(b);
	free(z);
	free(zeros);
}

struct bitmap {
	uint8_t *bits;
	size_t n;
};

static int bm_used(void *ctx, uint64_t idx)
{
	struct bitmap *b = ctx;
	return (b->bits[idx / 8] >> (idx % 8)) & 1;
}

static void test_random_index(void **state)
{
	(void)state;
	struct bitmap b = { .bits = calloc(REG_SL_MIN_ENTRIES / 8, 1), .n = REG_SL_MIN_ENTRIES };
	uint64_t idx, lo = UINT64_MAX, hi = 0, prev = 0;
	int adjacent = 0;
	for (int i = 0; i < 2000; i++) {
		assert_int_equal(reg_sl_random_index(&idx, b.n, bm_used, &b), 0);
		assert_true(idx < b.n);
		assert_false(bm_used(&b, idx)); /* never hands out an index twice */
		b.bits[idx / 8] |= (uint8_t)(1u << (idx % 8));
		lo = idx < lo ? idx : lo;
		hi = idx > hi ? idx : hi;
		adjacent += i > 0 && (idx == prev + 1 || idx + 1 == prev);
		prev = idx;
	}
	/* Spread over the whole list, not handed out in order. */
	assert_true(lo < b.n / 10 && hi > b.n - b.n / 10);
	assert_true(adjacent < 10);
	free(b.bits);

	/* A full list says so. */
	uint8_t full[1] = { 0xff };
	struct bitmap f = { .bits = full, .n = 8 };
	assert_int_equal(reg_sl_random_index(&idx, 8, bm_used, &f), RS_ESTATE);
	full[0] = 0xff & ~(1u << 5);
	assert_int_equal(reg_sl_random_index(&idx, 8, bm_used, &f), 0);
	assert_int_equal(idx, 5);
}

static void test_signed_list_and_credential(void **state)
{
	(void)state;
	char dir[] = "/tmp/reg-sl-k-XXXXXX", kid[CERT_KID_MAX + 1], path[64], cmd[128];
	struct cert_keydir kd;
	struct cert_keyring *kr = NULL;
	struct cert_jwks jwks;
	struct reg_statuslist sl, got = { 0 };
	char *jwt = NULL;
	const char *uri = "https://riss.example.jp/status/1";
	const int64_t now = 1790000000;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(cert_keydir_load(&kd, dir), 0);
	assert_int_equal(cert_keydir_new(kid, &kd, now - 100), 0);
	assert_int_equal(cert_keyring_load(&kr, dir), 0);
	snprintf(path, sizeof path, "%s/jwks.json", dir);
	assert_int_equal(cert_jwks_load(&jwks, path), 0);
	struct cert_signer s = cert_keyring_signer(kr);

	assert_int_equal(reg_sl_new(&sl, REG_SL_MIN_ENTRIES), 0);
	assert_int_equal(reg_sl_set(&sl, 4242, REG_SL_SUSPENDED), 0);
	assert_int_equal(reg_sl_jwt_sign(&jwt, &sl, uri, now, now + 86400, 60, kid, &s), 0);

	/* Header and claims are what the spec names. */
	char *d1 = strchr(jwt, '.'), *d2 = strchr(d1 + 1, '.');
	unsigned char buf[8192];
	size_t n = 0;
	assert_int_equal(rs_b64url_decode(buf, sizeof buf, &n, jwt, (size_t)(d1 - jwt)), 0);
	json_t *h = json_loadb((char *)buf, n, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(h, "typ")), "statuslist+jwt");
	assert_string_equal(json_string_value(json_object_get(h, "alg")), "EdDSA");
	json_decref(h);
	assert_int_equal(rs_b64url_decode(buf, sizeof buf, &n, d1 + 1, (size_t)(d2 - d1 - 1)), 0);
	json_t *p = json_loadb((char *)buf, n, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(p, "sub")), uri);
	assert_int_equal(json_integer_value(json_object_get(p, "ttl")), 60);
	assert_int_equal(json_integer_value(json_object_get(p, "exp")), now + 86400);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(p, "status_list"), "bits")), 2);
	json_decref(p);

	assert_int_equal(reg_sl_jwt_verify(&got, jwt, strlen(jwt), &jwks, uri, now), 0);
	assert_int_equal(got.n, REG_SL_MIN_ENTRIES);
	assert_int_equal(reg_sl_get(&got, 4242), REG_SL_SUSPENDED);
	assert_int_equal(reg_sl_get(&got, 4243), REG_SL_VALID);

	/* The credential whose index is 4242 now verifies as suspended. */
	struct reg_credential c;
	memset(&c, 0, sizeof c);
	strcpy(c.iss, "https://riss.example.jp");
	strcpy(c.sub, "000001");
	strcpy(c.name, "情報 太郎");
	strcpy(c.name_latn, "JOHO Taro");
	strcpy(c.qual, "RISS");
	strcpy(c.reg_date, "2026-04-01");
	c.iat = now;
	c.exp = now + 86400;
	c.status_idx = 4242;
	strcpy(c.status_uri, uri);
	char *tok = NULL;
	assert_int_equal(reg_jws_sign(&tok, &c, kid, &s), 0);
	struct reg_sl_source src = { .uri = uri, .sl = &got };
	struct reg_verify_opts o = { .jwks = &jwks, .now = now, .status = reg_sl_lookup, .status_ctx = &src };
	struct reg_verify_result r;
	assert_int_not_equal(reg_jws_verify(&r, tok, strlen(tok), &o), 0);
	assert_int_equal(r.reason, REG_JWS_SUSPENDED);
	free(tok);
	reg_sl_free(&got);

	/* Wrong list, altered list, expired list. */
	assert_int_equal(reg_sl_jwt_verify(&got, jwt, strlen(jwt), &jwks, "https://other/status", now), RS_ECRYPTO);
	assert_int_equal(reg_sl_jwt_verify(&got, jwt, strlen(jwt), &jwks, uri, now + 86400 + 301), RS_ERANGE);
	d1[3] = d1[3] == 'A' ? 'B' : 'A';
	assert_int_equal(reg_sl_jwt_verify(&got, jwt, strlen(jwt), &jwks, uri, now), RS_ECRYPTO);

	free(jwt);
	reg_sl_free(&sl);
	cert_keyring_free(kr);
	cert_keydir_free(&kd);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_example_decode),
		cmocka_unit_test(test_spec_example_encode),
		cmocka_unit_test(test_python_decodes_our_list),
		cmocka_unit_test(test_decode_bounds),
		cmocka_unit_test(test_random_index),
		cmocka_unit_test(test_signed_list_and_credential),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
