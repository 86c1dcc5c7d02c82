/* Fuzz target: the xAPI statement validator (bounded parse, then cpd_xapi_validate on the
 * statement or each of a batch). A refusal always names a catalogue message; a statement it
 * accepts has an actor, a verb with an IRI id and an object. */
#include "cpd_xapi.h"
#include "rs_error.h"
#include "rs_json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void cpd_fuzz_one(const json_t *s)
{
	rs_error_clear();
	if (cpd_xapi_validate(s) != 0) {
		if (!rs_error_last_id() || strncmp(rs_error_last_id(), "xapi.bad.", 9) != 0)
			abort();
		return;
	}
	if (!json_is_object(json_object_get(s, "actor")) || !json_is_object(json_object_get(s, "object")) ||
	    !json_is_string(json_object_get(json_object_get(s, "verb"), "id")))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *v = NULL;
	if (rs_json_parse(&v, (const char *)data, size, 1 << 20) != 0)
		return 0;
	if (json_is_array(v))
		for (size_t i = 0; i < json_array_size(v) && i < 64; i++)
			cpd_fuzz_one(json_array_get(v, i));
	else
		cpd_fuzz_one(v);
	json_decref(v);
	return 0;
}
