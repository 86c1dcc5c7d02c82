/* Fuzz target: the alternate request syntax's form body (web_xapi_form_parse). Every
 * decoded name is non-empty, names and values lie inside the buffer, hold no NUL before
 * their end, and a re-encoding of the pairs parses back to the same pairs. */
#include "xapi.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t web_fuzz_encode(char *out, const char *s)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		o += (size_t)sprintf(out + o, "%%%02X", *p);
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	const char *names[40], *values[40];
	size_t n = 0;
	if (web_xapi_form_parse(text, size, names, values, 40, &n) == 0) {
		if (n > 40)
			abort();
		char *again = malloc(size * 3 + 4), *copy = malloc(size * 3 + 4);
		size_t len = 0;
		for (size_t i = 0; i < n; i++) {
			if (names[i] < text || names[i] >= text + size + 1 || !names[i][0] || values[i] < text ||
			    values[i] > text + size)
				abort();
			if (i)
				again[len++] = '&';
			len += web_fuzz_encode(again + len, names[i]);
			again[len++] = '=';
			len += web_fuzz_encode(again + len, values[i]);
		}
		again[len] = '\0';
		memcpy(copy, again, len + 1);
		const char *n2[40], *v2[40];
		size_t m = 0;
		if (web_xapi_form_parse(copy, len, n2, v2, 40, &m) != 0 || m != n)
			abort();
		for (size_t i = 0; i < n; i++)
			if (strcmp(n2[i], names[i]) != 0 || strcmp(v2[i], values[i]) != 0)
				abort();
		free(again);
		free(copy);
	}
	free(text);
	return 0;
}
