/* Fuzz target: the provider's signing key as `riss provider set-key --jwk FILE` reads it
 * (cpd_lrs_jwk_read, xapi). Any bytes give an answer, never a crash; an accepted key is RSA
 * of 2048-8192 bits with a 43-character thumbprint and a DER public key that reads back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cpd_lrs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpd_lrs_jwk k;
	if (cpd_lrs_jwk_read(&k, (const char *)data, size) != 0)
		return 0;
	if (k.bits < 2048 || k.bits > 8192 || strlen(k.thumbprint) != 43 || !k.kid[0] || !k.spki)
		abort();
	const unsigned char *p = k.spki;
	EVP_PKEY *key = d2i_PUBKEY(NULL, &p, (long)k.spki_len);
	if (!key || EVP_PKEY_get_bits(key) != k.bits)
		abort();
	EVP_PKEY_free(key);
	cpd_lrs_jwk_free(&k);
	return 0;
}
