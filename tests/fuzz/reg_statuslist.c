/* Fuzz target: the status list decoder (reg_sl_decode) and the statuslist+jwt verifier. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cert_keys.h"
#include "reg_statuslist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char jwks_text[] =
	    "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\","
	    "\"kid\":\"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k\"}]}";
	static struct cert_jwks jwks;
	static int ready;
	struct reg_statuslist sl = { 0 };
	if (!ready) {
		if (cert_jwks_parse(&jwks, jwks_text, strlen(jwks_text)) != 0)
			abort();
		ready = 1;
	}
	if (reg_sl_decode(&sl, (const char *)data, size) == 0) {
		if (sl.n == 0 || sl.n > REG_SL_MAX_ENTRIES || sl.n % 4)
			abort();
		(void)reg_sl_get(&sl, sl.n - 1);
		reg_sl_free(&sl);
	}
	if (reg_sl_jwt_verify(&sl, (const char *)data, size, &jwks, NULL, 1800000000) == 0)
		reg_sl_free(&sl);
	return 0;
}
