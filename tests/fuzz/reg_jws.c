/* Fuzz target: the credential token parser/verifier (reg_jws_verify) against a fixed JWKS
 * holding the RFC 8037 example key. Any input must give a reason and a message, no crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cert_keys.h"
#include "reg_jws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int reg_fuzz_status(void *ctx, uint8_t *out, const char *uri, uint64_t idx)
{
	(void)ctx;
	(void)uri;
	*out = (uint8_t)(idx % 3);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char jwks_text[] =
	    "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\","
	    "\"kid\":\"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k\"}]}";
	static struct cert_jwks jwks;
	static int ready;
	struct reg_verify_result r;
	if (!ready) {
		if (cert_jwks_parse(&jwks, jwks_text, strlen(jwks_text)) != 0)
			abort();
		ready = 1;
	}
	for (int with_status = 0; with_status < 2; with_status++) {
		struct reg_verify_opts o = { .jwks = &jwks, .now = 1800000000,
		                             .status = with_status ? reg_fuzz_status : NULL };
		int rc = reg_jws_verify(&r, (const char *)data, size, &o);
		/* Invariants a caller relies on. */
		if ((rc == 0) != (r.reason == REG_JWS_VALID) || r.message[0] == '\0' ||
		    strlen(r.message) >= sizeof r.message || reg_jws_verdict(r.reason) == NULL)
			abort();
		if (rc == 0 && (!r.have_claims || strlen(r.cred.sub) != 6))
			abort();
	}
	return 0;
}
