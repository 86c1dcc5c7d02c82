/* Fuzz target: the statistics filters (stats/st_tables.c st_filter_set): the request's
 * from/to/exam/centre/prefecture values. Input: "name=value" (the first '='). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "st.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	char *eq = strchr(s, '=');
	const char *name = s, *value = "";
	if (eq) {
		*eq = 0;
		value = eq + 1;
	}
	struct st_filter f;
	memset(&f, 0, sizeof f);
	if (st_filter_set(&f, name, value) == 0) {
		/* What was accepted is short and terminated: it goes into SQL parameters. */
		if (strlen(f.from_month) > 10 || strlen(f.to_month) > 10 || strlen(f.exam) > 16 || strlen(f.centre) > 32 ||
		    strlen(f.prefecture) > 2)
			abort();
	}
	free(s);
	return 0;
}
