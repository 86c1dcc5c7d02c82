/* Fuzz target: the public register search input (reg_search_parse). Any bytes must give
 * 0 or RS_EINVAL, never a crash; a parse that succeeds yields a registration number or an
 * escaped LIKE prefix within its bound. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reg_register.h"
#include "rs_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reg_search_q q;
	/* Not NUL-terminated on purpose: the parser must respect the length. */
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	int rc = reg_search_parse(&q, copy, size);
	if (rc == 0) {
		/* A trimmed, non-empty text within the bound, with no control character (the
		 * database does the rest: parameters, registry.search_key). */
		size_t n = strlen(q.text);
		if (n == 0 || n > REG_SEARCH_Q_MAX || q.text[0] == ' ' || q.text[n - 1] == ' ')
			abort();
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)q.text[i] < 0x20 || q.text[i] == 0x7f)
				abort();
	} else if (rc != RS_EINVAL) {
		abort();
	}
	free(copy);
	return 0;
}
