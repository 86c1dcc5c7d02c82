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
		size_t n = strlen(q.text);
		if (n == 0 || n > 2 * REG_SEARCH_Q_MAX || (q.by_regno && !reg_regno_valid(q.text)))
			abort();
		/* every LIKE metacharacter is escaped */
		for (size_t i = 0; i < n; i++) {
			if (q.text[i] == '\\') {
				if (i + 1 >= n || (q.text[i + 1] != '\\' && q.text[i + 1] != '%' && q.text[i + 1] != '_'))
					abort();
				i++;
			} else if (q.text[i] == '%' || q.text[i] == '_') {
				abort();
			}
		}
	} else if (rc != RS_EINVAL) {
		abort();
	}
	free(copy);
	return 0;
}
