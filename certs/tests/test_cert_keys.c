/* Unit tests of certs/cert_keys: RFC 8037 vectors, key directory lifecycle, keyring, JWKS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cert_keys.h"
#include "rs_encode.h"
#include "rs_error.h"

/* RFC 8037 appendix A: the example key, its thumbprint, and the A.4 JWS. */
#define RFC8037_X "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
#define RFC8037_KID "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
#define RFC8037_INPUT "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
#define RFC8037_SIG "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"

static void rfc_pub(unsigned char pub[32])
{
	size_t n = 0;
	assert_int_equal(rs_b64url_decode(pub, 32, &n, RFC8037_X, strlen(RFC8037_X)), 0);
	assert_int_equal(n, 32);
}

static void test_thumbprint_rfc8037(void **state)
{
	(void)state;
	unsigned char pub[32];
	char kid[CERT_KID_MAX + 1];
	rfc_pub(pub);
	cert_thumbprint(kid, pub);
	assert_string_equal(kid, RFC8037_KID);
}

static void test_verify_rfc8037_jws(void **state)
{
	(void)state;
	unsigned char pub[32], sig[64];
	size_t n = 0;
	rfc_pub(pub);
	assert_int_equal(rs_b64url_decode(sig, 64, &n, RFC8037_SIG, strlen(RFC8037_SIG)), 0);
	assert_int_equal(cert_ed25519_verify(pub, (const unsigned char *)RFC8037_INPUT,
	                                     strlen(RFC8037_INPUT), sig), 0);
	sig[10] ^= 1;
	assert_int_equal(cert_ed25519_verify(pub, (const unsigned char *)RFC8037_INPUT,
	                                     strlen(RFC8037_INPUT), sig), RS_ECRYPTO);
}

static char *tmpdir(void)
{
	char *d = strdup("/tmp/cert-keys-XXXXXX");
	assert_non_null(mkdtemp(d));
	return d;
}

static void rmrf(const char *d)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
}

static void test_keydir_lifecycle(void **state)
{
	(void)state;
	char *d = tmpdir();
	struct cert_keydir kd;
	char kid1[CERT_KID_MAX + 1], kid2[CERT_KID_MAX + 1], path[600];
	struct stat st;
	struct cert_keyring *kr = NULL;
	unsigned char sig[64];
	const unsigned char msg[] = "hello";
	const int64_t now = 1780000000;

	assert_int_equal(cert_keydir_load(&kd, d), 0);
	assert_int_equal(kd.n, 0);
	assert_null(cert_keydir_current(&kd));
	assert_int_equal(cert_keydir_new(kid1, &kd, now), 0);
	assert_int_equal(strlen(kid1), 43);

	/* The private key is a PKCS#8 PEM readable by its owner alone. */
	snprintf(path, sizeof path, "%s/%s.pem", d, kid1);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	FILE *f = fopen(path, "r");
	char line[64] = "";
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	assert_string_equal(line, "-----BEGIN PRIVATE KEY-----\n");

	/* Reloading from disk gives the same key; it signs, and the signature verifies. */
	cert_keydir_free(&kd);
	assert_int_equal(cert_keydir_load(&kd, d), 0);
	assert_int_equal(kd.n, 1);
	assert_string_equal(cert_keydir_current(&kd)->kid, kid1);
	assert_int_equal(cert_keyring_load(&kr, d), 0);
	assert_int_equal(cert_keyring_sign(kr, sig, kid1, msg, 5), 0);
	assert_int_equal(cert_ed25519_verify(kd.keys[0].pub, msg, 5, sig), 0);
	assert_int_equal(cert_keyring_sign(kr, sig, RFC8037_KID, msg, 5), RS_ENOTFOUND);
	cert_keyring_free(kr);

	/* Rotation: a new active key, the old one retired but still in the JWKS. */
	assert_int_equal(cert_keydir_rotate(kid2, &kd, now + 10, 1000), 0);
	assert_string_not_equal(kid1, kid2);
	assert_string_equal(cert_keydir_current(&kd)->kid, kid2);
	assert_int_equal(cert_keydir_find(&kd, kid1)->state, CERT_KEY_RETIRED);
	assert_int_equal(cert_keydir_find(&kd, kid1)->retired_at, now + 10);
	assert_int_equal(cert_keydir_retire(&kd, kid1, now + 20, 1000), RS_ESTATE);

	struct cert_jwks jwks;
	char jwks_path[600];
	snprintf(jwks_path, sizeof jwks_path, "%s/jwks.json", d);
	assert_int_equal(cert_jwks_load(&jwks, jwks_path), 0);
	assert_int_equal(jwks.n, 2);
	assert_int_equal(cert_jwks_find(&jwks, kid1)->retired_at, now + 10);
	assert_int_equal(cert_jwks_find(&jwks, kid2)->retired_at, 0);

	/* Once the last credential the old key signed has expired, the key leaves the JWKS. */
	json_t *j = cert_keydir_jwks(&kd, now + 10 + 1000);
	assert_int_equal(json_array_size(json_object_get(j, "keys")), 1);
	json_decref(j);

	/* A retired key signs nothing. */
	assert_int_equal(cert_keyring_load(&kr, d), 0);
	assert_int_equal(cert_keyring_sign(kr, sig, kid1, msg, 5), RS_ESTATE);
	assert_int_equal(cert_keyring_sign(kr, sig, kid2, msg, 5), 0);
	cert_keyring_free(kr);

	/* A private key others can read is refused. */
	snprintf(path, sizeof path, "%s/%s.pem", d, kid2);
	assert_int_equal(chmod(path, 0644), 0);
	kr = NULL;
	assert_int_equal(cert_keyring_load(&kr, d), RS_EPERM);
	assert_null(kr);

	cert_keydir_free(&kd);
	rmrf(d);
	free(d);
}

/* Two commands that loaded the directory before either wrote: neither change is lost. */
static void test_keydir_concurrent_changes(void **state)
{
	(void)state;
	char *d = tmpdir();
	struct cert_keydir a, b, check;
	char k1[CERT_KID_MAX + 1], k2[CERT_KID_MAX + 1];
	assert_int_equal(cert_keydir_load(&a, d), 0);
	assert_int_equal(cert_keydir_load(&b, d), 0);
	assert_int_equal(cert_keydir_new(k1, &a, 1780000000), 0);
	assert_int_equal(cert_keydir_new(k2, &b, 1780000001), 0); /* b never saw k1 */
	assert_int_equal(cert_keydir_load(&check, d), 0);
	assert_int_equal(check.n, 2);
	assert_non_null(cert_keydir_find(&check, k1));
	assert_non_null(cert_keydir_find(&check, k2));
	cert_keydir_free(&a);
	cert_keydir_free(&b);
	cert_keydir_free(&check);
	rmrf(d);
	free(d);
}

static void test_jwks_parse_rejects(void **state)
{
	(void)state;
	struct cert_jwks jwks;
	const char *good = "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" RFC8037_X
	                   "\",\"kid\":\"" RFC8037_KID "\"}]}";
	const char *liar = "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" RFC8037_X
	                   "\",\"kid\":\"someone-else\"}]}";
	const char *rsa = "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\",\"kid\":\"x\"}]}";
	assert_int_equal(cert_jwks_parse(&jwks, good, strlen(good)), 0);
	assert_int_equal(jwks.n, 1);
	assert_non_null(cert_jwks_find(&jwks, RFC8037_KID));
	assert_int_equal(cert_jwks_parse(&jwks, liar, strlen(liar)), RS_EPARSE);
	assert_non_null(strstr(rs_error_last(), "thumbprint"));
	assert_int_equal(cert_jwks_parse(&jwks, rsa, strlen(rsa)), RS_EPARSE);
	assert_int_equal(cert_jwks_parse(&jwks, "{", 1), RS_EPARSE);
	char *big = malloc(CERT_JWKS_MAX + 10);
	memset(big, ' ', CERT_JWKS_MAX + 10);
	assert_int_equal(cert_jwks_parse(&jwks, big, CERT_JWKS_MAX + 10), RS_ETOOBIG);
	free(big);
}

static void test_time_roundtrip(void **state)
{
	(void)state;
	char buf[32];
	int64_t t = 0;
	cert_time_format(buf, 1775001600);
	assert_string_equal(buf, "2026-04-01T00:00:00Z");
	assert_int_equal(cert_time_parse(&t, buf), 0);
	assert_int_equal(t, 1775001600);
	assert_int_equal(cert_time_parse(&t, "2026-04-01 00:00"), RS_EPARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thumbprint_rfc8037),
		cmocka_unit_test(test_verify_rfc8037_jws),
		cmocka_unit_test(test_keydir_lifecycle),
		cmocka_unit_test(test_keydir_concurrent_changes),
		cmocka_unit_test(test_jwks_parse_rejects),
		cmocka_unit_test(test_time_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
