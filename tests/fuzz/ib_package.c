/* Fuzz target: the exam package reader (item-bank/ib_package.h) past its hash check: the
 * input's own SHA-256 is given as the stored one, so every input reaches the JSON, exam,
 * bank and view checks. A second call with another hash must refuse it. */
#include "ib_package.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char hex[65];
	ib_package_sha256_hex(hex, data, size);
	struct ib_package *p = NULL;
	if (ib_package_parse(&p, (const char *)data, size, hex) == 0)
		ib_package_free(p);
	hex[0] = hex[0] == '0' ? '1' : '0';
	p = NULL;
	if (ib_package_parse(&p, (const char *)data, size, hex) == 0)
		__builtin_trap(); /* a package whose bytes do not match its hash was accepted */
	return 0;
}
