/* Fuzz target: the engine bank parser (JSON Lines, cat_bank_parse) and the line writer's
 * round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cat_bank *b = NULL;
	if (size > (1u << 20))
		return 0;
	if (cat_bank_parse(&b, (const char *)data, size) != 0) {
		if (cat_error_last()[0] == 0)
			abort();
		return 0;
	}
	char line[CAT_BANK_MAX_LINE];
	for (size_t i = 0; i < b->n; i++) {
		struct cat_bank_item back;
		int l = cat_bank_item_format(line, sizeof line, &b->items[i]);
		if (l > 0 && (cat_bank_item_parse(&back, line, (size_t)l) != 0 ||
		              memcmp(&back.irt, &b->items[i].irt, sizeof back.irt) != 0))
			abort(); /* what we write we must read back exactly */
	}
	cat_bank_free(b);
	return 0;
}
