/* Fuzz target: the admission-code normaliser (what a candidate types: case, spaces and
 * hyphens forgiven). An accepted code is DLV_CODE_LEN characters of the alphabet and
 * normalises to itself. Inputs are bounded like the route's field (64 bytes). */
#include "dlv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[65], out[DLV_CODE_LEN + 1], again[DLV_CODE_LEN + 1];
	if (size > 64)
		size = 64;
	memcpy(in, data, size);
	in[size] = '\0';
	if (dlv_code_normalise(out, in) != 0)
		return 0;
	if (strlen(out) != DLV_CODE_LEN || strspn(out, DLV_CODE_ALPHABET) != DLV_CODE_LEN)
		abort();
	if (dlv_code_normalise(again, out) != 0 || strcmp(again, out) != 0)
		abort();
	return 0;
}
