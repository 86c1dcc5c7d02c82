/* Fuzz target: the decoder of sealed secrets (common/rs_seal.h; TOTP secrets at rest, issue
 * 17 sec3). Inputs are bounded as the column is (RS_SEAL_TEXT_MAX - 1 characters, longer
 * ones must be refused). An accepted text has an 8-hex key id and a blob of nonce, at least
 * one byte and tag that fits its buffer; opening it with no key loaded is refused, never read. */
#include "rs_error.h"
#include "rs_seal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[RS_SEAL_TEXT_MAX + 8];
	if (size > sizeof in - 1)
		size = sizeof in - 1;
	memcpy(in, data, size);
	in[size] = '\0';
	char id[9];
	unsigned char blob[128], plain[RS_SEAL_PLAIN_MAX];
	size_t n = 0, pn = 0;
	int rc = rs_seal_parse(id, blob, sizeof blob, &n, in);
	if (rc == 0) {
		if (strlen(in) >= RS_SEAL_TEXT_MAX || strlen(id) != 8 || strspn(id, "0123456789abcdef") != 8 ||
		    n < 12 + 1 + 16 || n > sizeof blob)
			abort();
	} else if (rc != RS_EPARSE && rc != RS_ETOOBIG) {
		abort();
	}
	if (rs_unseal(plain, sizeof plain, &pn, in, "staff.accounts:1") == 0)
		abort();
	return 0;
}
