/* Fuzz target: the multipart/mixed reader of statement requests. The first line of the input
 * is the Content-Type, the rest the body; every part it gives lies inside the body. */
#include "cpd_xapi.h"
#include "rs_error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nl = memchr(text, '\n', size);
	if (!nl || nl - text > 200)
		return 0;
	char ctype[201];
	memcpy(ctype, text, (size_t)(nl - text));
	ctype[nl - text] = '\0';
	if (memchr(ctype, '\0', (size_t)(nl - text)))
		return 0;
	const char *body = nl + 1;
	size_t len = size - (size_t)(body - text);
	struct cpd_xapi_part parts[8];
	size_t n = 0;
	rs_error_clear();
	if (cpd_xapi_multipart(parts, 8, &n, ctype, body, len) != 0) {
		if (!rs_error_last_id())
			abort();
		return 0;
	}
	if (n == 0 || n > 8)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (parts[i].data < body || parts[i].data + parts[i].len > body + len)
			abort();
		if (parts[i].ctype && (parts[i].ctype < body || parts[i].ctype + parts[i].ctype_len > body + len))
			abort();
		if (parts[i].hash && (parts[i].hash < body || parts[i].hash + parts[i].hash_len > body + len))
			abort();
	}
	return 0;
}
