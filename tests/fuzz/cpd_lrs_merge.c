/* Fuzz target: the JSON merge of an xAPI document POST (cpd_lrs_merge). The input is split
 * at its first NUL into the existing and the posted document; a merge that succeeds is a
 * JSON object holding every member of the posted one, and merging the result again with the
 * posted document changes nothing. */
#include "cpd_lrs.h"
#include "rs_json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	size_t a_len = nul ? (size_t)(nul - text) : size;
	const char *b = nul ? nul + 1 : "";
	size_t b_len = nul ? size - a_len - 1 : 0;
	char *out = NULL;
	size_t out_len = 0;
	if (cpd_lrs_merge(&out, &out_len, text, a_len, b, b_len, 1 << 20) != 0)
		return 0;
	json_t *m = NULL, *add = NULL;
	if (rs_json_parse(&m, out, out_len, 1 << 22) != 0 || !json_is_object(m) ||
	    rs_json_parse(&add, b, b_len, 1 << 20) != 0)
		abort();
	const char *k;
	json_t *v;
	json_object_foreach(add, k, v)
		if (!json_equal(json_object_get(m, k), v))
			abort();
	char *again = NULL;
	size_t again_len = 0;
	if (cpd_lrs_merge(&again, &again_len, out, out_len, b, b_len, 1 << 22) != 0)
		abort();
	json_t *m2 = NULL;
	if (rs_json_parse(&m2, again, again_len, 1 << 22) != 0 || !json_equal(m, m2))
		abort();
	json_decref(m);
	json_decref(m2);
	json_decref(add);
	free(out);
	free(again);
	return 0;
}
