/* Fuzz target: the reader of NIST's JSON framework export (cpd_skills_nice_parse). A release
 * is read whole, or refused with a recorded reason; every element read has an identifier,
 * a kind and a title within their bounds. */
#include "cpd_skills.h"
#include "rs_error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *r = NULL;
	if (cpd_skills_nice_parse(&r, (const char *)data, size) != 0) {
		if (!rs_error_last()[0])
			abort();
		return 0;
	}
	size_t i;
	json_t *e;
	json_t *els = json_object_get(r, "elements");
	if (json_array_size(els) == 0)
		abort();
	json_array_foreach(els, i, e) {
		const char *id = json_string_value(json_object_get(e, "ident"));
		const char *t = json_string_value(json_object_get(e, "title_en"));
		if (!id || !id[0] || strlen(id) > 40 || !t || !t[0] || strlen(t) > 300 || !json_object_get(e, "kind"))
			abort();
	}
	json_decref(r);
	return 0;
}
