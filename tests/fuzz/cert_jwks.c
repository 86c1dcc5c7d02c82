/* Fuzz target: the JWKS parser (cert_jwks_parse). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cert_keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cert_jwks jwks;
	if (cert_jwks_parse(&jwks, (const char *)data, size) == 0) {
		if (jwks.n > CERT_JWKS_KEYS_MAX)
			abort();
		for (size_t i = 0; i < jwks.n; i++) {
			/* Every accepted key's kid is its thumbprint. */
			char tp[CERT_KID_MAX + 1];
			cert_thumbprint(tp, jwks.keys[i].pub);
			if (strcmp(tp, jwks.keys[i].kid) != 0)
				abort();
		}
	}
	return 0;
}
