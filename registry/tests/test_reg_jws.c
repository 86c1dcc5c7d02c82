/* Unit tests of registry/reg_jws: a credential signs and verifies offline from the JWKS;
 * every negative vector of issue 6 is rejected with its own reason, none crashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "cert_keys.h"
#include "reg_jws.h"
#include "rs_encode.h"
#include "rs_error.h"

#define T0 1790000000 /* the test's "now" */

static char dir[64], other_dir[64];
static char kid_old[CERT_KID_MAX + 1], kid_new[CERT_KID_MAX + 1], kid_stray[CERT_KID_MAX + 1];
static struct cert_keyring *kr_before;  /* loaded before rotation: old key still active */
static struct cert_keyring *kr_after;   /* after rotation */
static struct cert_keyring *kr_stray;   /* a key the registry never published */
static struct cert_jwks jwks;

static void fill_cred(struct reg_credential *c, int64_t iat, int64_t exp)
{
	memset(c, 0, sizeof *c);
	strcpy(c->iss, "https://riss.example.jp");
	strcpy(c->sub, "000001");
	strcpy(c->name, "情報 太郎");
	strcpy(c->name_latn, "JOHO Taro");
	strcpy(c->qual, "RISS");
	strcpy(c->reg_date, "2026-04-01");
	c->renewal_count = 1;
	c->iat = iat;
	c->exp = exp;
	c->status_idx = 4242;
	strcpy(c->status_uri, "https://riss.example.jp/status/1");
}

static int setup(void **state)
{
	(void)state;
	struct cert_keydir kd, od;
	strcpy(dir, "/tmp/reg-jws-XXXXXX");
	strcpy(other_dir, "/tmp/reg-jws-o-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_non_null(mkdtemp(other_dir));
	assert_int_equal(cert_keydir_load(&kd, dir), 0);
	assert_int_equal(cert_keydir_new(kid_old, &kd, T0 - 1000), 0);
	assert_int_equal(cert_keyring_load(&kr_before, dir), 0);
	/* Rotation at T0 - 500: kid_old stops signing, stays published. */
	assert_int_equal(cert_keydir_rotate(kid_new, &kd, T0 - 500, CERT_DEFAULT_PUBLISH_S), 0);
	assert_int_equal(cert_keyring_load(&kr_after, dir), 0);
	char p[128];
	snprintf(p, sizeof p, "%s/jwks.json", dir);
	assert_int_equal(cert_jwks_load(&jwks, p), 0);
	cert_keydir_free(&kd);
	assert_int_equal(cert_keydir_load(&od, other_dir), 0);
	assert_int_equal(cert_keydir_new(kid_stray, &od, T0 - 1000), 0);
	assert_int_equal(cert_keyring_load(&kr_stray, other_dir), 0);
	cert_keydir_free(&od);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[200];
	cert_keyring_free(kr_before);
	cert_keyring_free(kr_after);
	cert_keyring_free(kr_stray);
	snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, other_dir);
	return system(cmd);
}

static struct reg_verify_opts opts_now(int64_t now)
{
	struct reg_verify_opts o = { .jwks = &jwks, .now = now, .expected_iss = "https://riss.example.jp" };
	return o;
}

/* noinline: inlined, GCC 12 at -O2 mistakes pointers into the returned token for pointers
 * to the local `tok` (-Wdangling-pointer false positive). */
__attribute__((noinline)) static char *issue(struct cert_keyring *kr, const char *kid, int64_t iat, int64_t exp)
{
	struct reg_credential c;
	struct cert_signer s = cert_keyring_signer(kr);
	char *tok = NULL;
	fill_cred(&c, iat, exp);
	int rc = reg_jws_sign(&tok, &c, kid, &s);
	if (rc != 0 || !tok)
		fail_msg("signing failed: %s", rs_error_last());
	return tok;
}

/* A JWS over arbitrary header and payload JSON, signed by kr/kid (for hostile vectors). */
static char *raw_jws(const char *hdr, const char *pl, struct cert_keyring *kr, const char *kid)
{
	size_t hl = rs_b64url_len(strlen(hdr)), pll = rs_b64url_len(strlen(pl));
	char *t = malloc(hl + pll + 100);
	unsigned char sig[64];
	rs_b64url_encode(t, (const unsigned char *)hdr, strlen(hdr));
	t[hl] = '.';
	rs_b64url_encode(t + hl + 1, (const unsigned char *)pl, strlen(pl));
	assert_int_equal(cert_keyring_sign(kr, sig, kid, (unsigned char *)t, hl + 1 + pll), 0);
	t[hl + 1 + pll] = '.';
	rs_b64url_encode(t + hl + 2 + pll, sig, 64);
	return t;
}

static enum reg_jws_reason verify_at(const char *tok, size_t len, int64_t now)
{
	struct reg_verify_result r;
	struct reg_verify_opts o = opts_now(now);
	int rc = reg_jws_verify(&r, tok, len, &o);
	assert_true((rc == 0) == (r.reason == REG_JWS_VALID));
	assert_true(r.message[0] != '\0');
	return r.reason;
}

static enum reg_jws_reason verify(const char *tok)
{
	return verify_at(tok, strlen(tok), T0);
}

static void test_valid_roundtrip(void **state)
{
	(void)state;
	char *tok = issue(kr_after, kid_new, T0 - 10, T0 + 86400);
	struct reg_verify_result r;
	struct reg_verify_opts o = opts_now(T0);
	assert_int_equal(reg_jws_verify(&r, tok, strlen(tok), &o), 0);
	assert_int_equal(r.reason, REG_JWS_VALID);
	assert_true(r.have_claims);
	assert_string_equal(r.cred.name, "情報 太郎");
	assert_string_equal(r.cred.sub, "000001");
	assert_int_equal(r.cred.status_idx, 4242);
	assert_string_equal(r.kid, kid_new);
	assert_string_equal(reg_jws_verdict(r.reason), "valid");

	/* The header is exactly the fixed one. */
	char hdr[256];
	size_t n = 0;
	assert_int_equal(rs_b64url_decode((unsigned char *)hdr, sizeof hdr, &n, tok,
	                                  (size_t)(strchr(tok, '.') - tok)), 0);
	hdr[n] = '\0';
	char want[256];
	snprintf(want, sizeof want, "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"riss+jwt\"}", kid_new);
	assert_string_equal(hdr, want);

	/* Key rotation: a credential the old key signed before its retirement still verifies. */
	char *old = issue(kr_before, kid_old, T0 - 800, T0 + 86400);
	assert_int_equal(verify(old), REG_JWS_VALID);
	free(old);
	free(tok);
}

static void test_altered_payload_and_signature(void **state)
{
	(void)state;
	char *tok = issue(kr_after, kid_new, T0 - 10, T0 + 86400);
	char *dot1 = strchr(tok, '.'), *dot2 = strchr(dot1 + 1, '.');
	/* Re-encode the payload with renewal_count 1 -> 2, signature kept. */
	char pl[2048], *pl2, *t2;
	size_t n = 0;
	assert_int_equal(rs_b64url_decode((unsigned char *)pl, sizeof pl - 1, &n, dot1 + 1,
	                                  (size_t)(dot2 - dot1 - 1)), 0);
	pl[n] = '\0';
	char *rc = strstr(pl, "\"renewal_count\":1");
	assert_non_null(rc);
	rc[strlen("\"renewal_count\":")] = '2';
	pl2 = malloc(rs_b64url_len(n) + 1);
	rs_b64url_encode(pl2, (unsigned char *)pl, n);
	t2 = malloc(strlen(tok) + 10);
	sprintf(t2, "%.*s.%s%s", (int)(dot1 - tok), tok, pl2, dot2);
	assert_int_equal(verify(t2), REG_JWS_BAD_SIGNATURE);

	/* Flip one bit of the signature's first byte. */
	strcpy(t2, tok);
	char *s = strrchr(t2, '.') + 1;
	s[0] = s[0] == 'A' ? 'B' : 'A';
	assert_int_equal(verify(t2), REG_JWS_BAD_SIGNATURE);
	free(pl2);
	free(t2);
	free(tok);
}

static void test_alg_none_and_hs256(void **state)
{
	(void)state;
	char *tok = issue(kr_after, kid_new, T0 - 10, T0 + 86400);
	char *dot1 = strchr(tok, '.'), *dot2 = strchr(dot1 + 1, '.');
	char buf[4096], hdr64[256], sig64[100];
	const char *none = "{\"alg\":\"none\",\"typ\":\"riss+jwt\"}";
	rs_b64url_encode(hdr64, (const unsigned char *)none, strlen(none));
	snprintf(buf, sizeof buf, "%s.%.*s.", hdr64, (int)(dot2 - dot1 - 1), dot1 + 1);
	assert_int_equal(verify(buf), REG_JWS_ALG_NONE);

	/* HS256 with the public key bytes as the HMAC secret (the classic key-confusion attack). */
	char hs[256];
	snprintf(hs, sizeof hs, "{\"alg\":\"HS256\",\"kid\":\"%s\",\"typ\":\"riss+jwt\"}", kid_new);
	rs_b64url_encode(hdr64, (const unsigned char *)hs, strlen(hs));
	snprintf(buf, sizeof buf, "%s.%.*s", hdr64, (int)(dot2 - dot1 - 1), dot1 + 1);
	unsigned char mac[32];
	unsigned int ml = 0;
	const struct cert_pubkey *pk = cert_jwks_find(&jwks, kid_new);
	assert_non_null(HMAC(EVP_sha256(), pk->pub, 32, (unsigned char *)buf, strlen(buf), mac, &ml));
	rs_b64url_encode(sig64, mac, ml);
	strcat(buf, ".");
	strcat(buf, sig64);
	assert_int_equal(verify(buf), REG_JWS_ALG_UNSUPPORTED);
	free(tok);
}

static void test_keys(void **state)
{
	(void)state;
	/* Signed by a key the registry never published. */
	char *stray = issue(kr_stray, kid_stray, T0 - 10, T0 + 86400);
	assert_int_equal(verify(stray), REG_JWS_UNKNOWN_KID);
	/* Signed by the old key after its retirement (a stolen retired key). */
	char *late = issue(kr_before, kid_old, T0 - 100, T0 + 86400);
	assert_int_equal(verify(late), REG_JWS_RETIRED_KEY);
	free(stray);
	free(late);
}

static void test_times(void **state)
{
	(void)state;
	char *exp = issue(kr_after, kid_new, T0 - 86400, T0 - 301);
	char *exp_skew = issue(kr_after, kid_new, T0 - 86400, T0 - 299);
	char *future = issue(kr_after, kid_new, T0 + 301, T0 + 86400);
	char *future_skew = issue(kr_after, kid_new, T0 + 299, T0 + 86400);
	assert_int_equal(verify(exp), REG_JWS_EXPIRED);
	assert_string_equal(reg_jws_verdict(REG_JWS_EXPIRED), "expired");
	assert_int_equal(verify(exp_skew), REG_JWS_VALID);
	assert_int_equal(verify(future), REG_JWS_NOT_YET_VALID);
	assert_int_equal(verify(future_skew), REG_JWS_VALID);
	free(exp);
	free(exp_skew);
	free(future);
	free(future_skew);
}

struct fake_status {
	uint64_t idx;
	uint8_t value;
	int fail;
};

static int fake_lookup(void *ctx, uint8_t *out, const char *uri, uint64_t idx)
{
	struct fake_status *f = ctx;
	if (f->fail) {
		rs_error_set("status list unreachable");
		return RS_EUNAVAIL;
	}
	assert_string_equal(uri, "https://riss.example.jp/status/1");
	*out = idx == f->idx ? f->value : 0;
	return 0;
}

static void test_status(void **state)
{
	(void)state;
	char *tok = issue(kr_after, kid_new, T0 - 10, T0 + 86400);
	struct fake_status f = { .idx = 4242, .value = 1 };
	struct reg_verify_opts o = opts_now(T0);
	struct reg_verify_result r;
	o.status = fake_lookup;
	o.status_ctx = &f;
	assert_int_not_equal(reg_jws_verify(&r, tok, strlen(tok), &o), 0);
	assert_int_equal(r.reason, REG_JWS_REVOKED);
	assert_string_equal(reg_jws_verdict(r.reason), "revoked");
	assert_true(r.have_claims); /* the page still shows whose registration it was */
	f.value = 2;
	assert_int_not_equal(reg_jws_verify(&r, tok, strlen(tok), &o), 0);
	assert_int_equal(r.reason, REG_JWS_SUSPENDED);
	f.value = 0;
	assert_int_equal(reg_jws_verify(&r, tok, strlen(tok), &o), 0);
	f.idx = 1; /* someone else's entry is revoked: not ours */
	f.value = 1;
	assert_int_equal(reg_jws_verify(&r, tok, strlen(tok), &o), 0);
	f.fail = 1;
	assert_int_not_equal(reg_jws_verify(&r, tok, strlen(tok), &o), 0);
	assert_int_equal(r.reason, REG_JWS_STATUS_UNKNOWN);
	free(tok);
}

static void test_structure(void **state)
{
	(void)state;
	char *tok = issue(kr_after, kid_new, T0 - 10, T0 + 86400);
	size_t len = strlen(tok);
	char *t = strdup(tok);
	/* Truncated anywhere: never valid, never a crash. */
	assert_int_equal(verify_at(tok, len - 10, T0), REG_JWS_TRUNCATED);
	assert_int_equal(verify_at(tok, (size_t)(strrchr(tok, '.') - tok), T0), REG_JWS_TRUNCATED);
	for (size_t cut = 0; cut < len; cut++)
		assert_int_not_equal(verify_at(tok, cut, T0), REG_JWS_VALID);
	/* Not base64url: '+' (standard alphabet) and '=' padding. */
	t[5] = '+';
	assert_int_equal(verify(t), REG_JWS_NOT_BASE64URL);
	strcpy(t, tok);
	char *padded = malloc(len + 3);
	sprintf(padded, "%s==", tok);
	assert_int_equal(verify(padded), REG_JWS_NOT_BASE64URL);
	/* A 100 KB token. */
	char *big = malloc(100 * 1024 + 1);
	memset(big, 'A', 100 * 1024);
	big[100] = '.';
	big[200] = '.';
	big[100 * 1024] = '\0';
	assert_int_equal(verify(big), REG_JWS_TOO_BIG);
	assert_string_equal(reg_jws_verdict(REG_JWS_TOO_BIG), "not_genuine");
	/* Four parts. */
	sprintf(padded, "%s.", tok);
	assert_int_equal(verify(padded), REG_JWS_MALFORMED);
	free(big);
	free(padded);
	free(t);
	free(tok);
}

/* Sign hdr.pl with kid from kr and expect verify's reason. */
static void expect(const char *hdr, const char *pl, struct cert_keyring *kr, const char *kid,
                   enum reg_jws_reason want)
{
	char *t = raw_jws(hdr, pl, kr, kid);
	assert_int_equal(verify(t), want);
	free(t);
}

static void test_strict_header_and_claims(void **state)
{
	(void)state;
	char hdr[256], *t;
	const char *claims_ok = "{\"iss\":\"https://riss.example.jp\",\"sub\":\"000001\",\"name\":\"a\","
	    "\"name_latn\":\"a\",\"qual\":\"RISS\",\"reg_date\":\"2026-04-01\",\"renewal_count\":0,"
	    "\"iat\":1789999000,\"exp\":1799999000,\"status\":{\"status_list\":{\"idx\":1,\"uri\":\"u\"}}}";
	const char *claims_dob = "{\"iss\":\"https://riss.example.jp\",\"sub\":\"000001\",\"name\":\"a\","
	    "\"name_latn\":\"a\",\"qual\":\"RISS\",\"reg_date\":\"2026-04-01\",\"renewal_count\":0,"
	    "\"iat\":1789999000,\"exp\":1799999000,\"dob\":\"1990-01-01\"}";
	const char *claims_dup = "{\"iss\":\"https://riss.example.jp\",\"sub\":\"000001\",\"sub\":\"000002\"}";

	snprintf(hdr, sizeof hdr, "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"riss+jwt\"}", kid_new);
	expect(hdr, claims_ok, kr_after, kid_new, REG_JWS_VALID);
	expect(hdr, claims_dob, kr_after, kid_new, REG_JWS_BAD_CLAIMS);
	expect(hdr, claims_dup, kr_after, kid_new, REG_JWS_BAD_CLAIMS);
	/* An embedded jwk in the header (key injection) is refused outright. */
	snprintf(hdr, sizeof hdr, "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"riss+jwt\",\"jwk\":{}}", kid_new);
	expect(hdr, claims_ok, kr_after, kid_new, REG_JWS_BAD_HEADER);
	snprintf(hdr, sizeof hdr, "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid_new);
	expect(hdr, claims_ok, kr_after, kid_new, REG_JWS_BAD_TYP);
	/* The canonical header bytes skip the JSON parser; every other spelling of the same
	 * header (member order, white space, an escaped character) goes through it and must
	 * reach the same verdict, and near-canonical forgeries must not slip past either path. */
	static const char *const same[][2] = {
		{ "{\"typ\":\"riss+jwt\",\"alg\":\"EdDSA\",\"kid\":\"", "\"}" },
		{ "{ \"alg\" : \"EdDSA\", \"kid\" : \"", "\", \"typ\" : \"riss+jwt\" }" },
		{ "{\"alg\":\"Ed\\u0044SA\",\"kid\":\"", "\",\"typ\":\"riss\\u002bjwt\"}" },
	};
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		snprintf(hdr, sizeof hdr, "%s%s%s", same[i][0], kid_new, same[i][1]);
		expect(hdr, claims_ok, kr_after, kid_new, REG_JWS_VALID);
	}
	snprintf(hdr, sizeof hdr, "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"riss+jwt\"}", kid_stray);
	expect(hdr, claims_ok, kr_stray, kid_stray, REG_JWS_UNKNOWN_KID);
	snprintf(hdr, sizeof hdr, "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"kid\":\"%s\",\"typ\":\"riss+jwt\"}", kid_new,
	         kid_new);
	expect(hdr, claims_ok, kr_after, kid_new, REG_JWS_BAD_HEADER);
	snprintf(hdr, sizeof hdr, "{\"alg\":\"EdDSA\",\"kid\":\"%s\\\"\",\"typ\":\"riss+jwt\"}", kid_new);
	expect(hdr, claims_ok, kr_after, kid_new, REG_JWS_UNKNOWN_KID);
	/* Another issuer's credential, signed with a published key, is still not ours. */
	struct reg_verify_opts o = opts_now(T0);
	struct reg_verify_result r;
	o.expected_iss = "https://other.example";
	snprintf(hdr, sizeof hdr, "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"riss+jwt\"}", kid_new);
	t = raw_jws(hdr, claims_ok, kr_after, kid_new);
	assert_int_not_equal(reg_jws_verify(&r, t, strlen(t), &o), 0);
	assert_int_equal(r.reason, REG_JWS_WRONG_ISSUER);
	free(t);
}

/* A token made by another signer (openssl pkeyutl with the RFC 8037 example key) verifies
 * against a JWKS listing that key, and its claims come out as signed. */
static void test_openssl_signed_token(void **state)
{
	(void)state;
	static const char jwks_text[] =
	    "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\","
	    "\"kid\":\"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k\"}]}";
	static const char tok[] =
	    "eyJhbGciOiJFZERTQSIsImtpZCI6ImtQcktfcW14VldhWVZBOXd3QkY2SXVvM3ZWeno3VHhIQ1R3WEJ5Z3JTNGsiLCJ0eXAiOiJy"
	    "aXNzK2p3dCJ9.eyJpc3MiOiJodHRwczovL3Jpc3MuZXhhbXBsZS5qcCIsInN1YiI6IjAwMDAwMSIsIm5hbWUiOiLmg4XloLEg5aSq6YOOIiwibmFtZV9sYXRuIjoiSk9ITyBUYXJvIiwicXVhbCI6IlJJU1MiLCJyZWdfZGF0ZSI6IjIwMjYtMDQtMDEiLCJyZW5ld2F"
	    "sX2NvdW50IjoxLCJpYXQiOjE3OTAwMDAwMDAsImV4cCI6MTg5MDAwMDAwMCwic3RhdHVzIjp7InN0YXR1c19saXN0Ijp7ImlkeCI6NDI0MiwidXJpIjoiaHR0cHM6Ly9yaXNzLmV4YW1wbGUuanAvc3RhdHVzLzEifX19.jzNQOFBJO09IMqGbWB0dwPjwd5lZULzJQI"
	    "co4zpupW90t-VYISSLG63v2iH4hnDkngBqt4RbK_BJ6GrWaxOOAg";
	struct cert_jwks rfc;
	struct reg_verify_result r;
	assert_int_equal(cert_jwks_parse(&rfc, jwks_text, strlen(jwks_text)), 0);
	struct reg_verify_opts o = { .jwks = &rfc, .now = 1800000000 };
	assert_int_equal(reg_jws_verify(&r, tok, strlen(tok), &o), 0);
	assert_string_equal(r.cred.name, "情報 太郎");
	assert_int_equal(r.cred.exp, 1890000000);
	/* The same token checked against our own JWKS: unknown key. */
	assert_int_equal(verify(tok), REG_JWS_UNKNOWN_KID);
}

static void test_sign_refuses_bad_claims(void **state)
{
	(void)state;
	struct reg_credential c;
	struct cert_signer s = cert_keyring_signer(kr_after);
	char *tok = NULL;
	fill_cred(&c, T0, T0 + 10);
	strcpy(c.sub, "12345");
	assert_int_equal(reg_jws_sign(&tok, &c, kid_new, &s), RS_EINVAL);
	fill_cred(&c, T0, T0 - 10);
	assert_int_equal(reg_jws_sign(&tok, &c, kid_new, &s), RS_EINVAL);
	fill_cred(&c, T0, T0 + 10);
	assert_int_equal(reg_jws_sign(&tok, &c, kid_old, &s), RS_ESTATE); /* retired key */
	assert_null(tok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_roundtrip),
		cmocka_unit_test(test_altered_payload_and_signature),
		cmocka_unit_test(test_alg_none_and_hs256),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_strict_header_and_claims),
		cmocka_unit_test(test_openssl_signed_token),
		cmocka_unit_test(test_sign_refuses_bad_claims),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
