/* Fuzz target: the item file (JSON Lines) reader/validator and, for input it accepts, the
 * canonical writer, whose output must read back to the same bytes. */
#include "ib_items.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *ib_fz_write(const struct ib_itemset *set, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);
	if (!f)
		abort();
	if (ib_items_write(f, set) != 0)
		abort();
	fclose(f);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ib_itemset *set = NULL;
	struct ib_diags d = { 0 };
	if (ib_items_parse(&set, &d, (const char *)data, size, 0) == 0) {
		/* Accepted input: the canonical form must be accepted too, and be a fixed point. */
		size_t l1 = 0, l2 = 0;
		char *c1 = ib_fz_write(set, &l1);
		struct ib_itemset *set2 = NULL;
		struct ib_diags d2 = { 0 };
		if (ib_items_parse(&set2, &d2, c1, l1, 0) != 0)
			abort();
		char *c2 = ib_fz_write(set2, &l2);
		if (l1 != l2 || memcmp(c1, c2, l1) != 0)
			abort();
		free(c1);
		free(c2);
		ib_itemset_free(set2);
		ib_diags_free(&d2);
		ib_itemset_free(set);
	}
	ib_diags_free(&d);
	return 0;
}
