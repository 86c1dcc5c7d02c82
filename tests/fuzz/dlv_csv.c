/* Fuzz target: the booking CSV parser (RFC 4180 quoting, 13 columns, per-field checks).
 * Any input gives either rows or a list of errors, never both empty, and every accepted row
 * carries all columns with normalised booleans. */
#include "dlv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *rows = NULL, *errors = NULL;
	int rc = dlv_csv_bookings_parse(&rows, &errors, (const char *)data, size);
	(void)rc; /* the outcome is checked through rows and errors below */
	if (!rows || !errors) {
		json_decref(rows);
		json_decref(errors);
		return 0;
	}
	if (json_array_size(rows) == 0 && json_array_size(errors) == 0)
		abort(); /* the user would get neither an import nor a reason */
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *lt = json_string_value(json_object_get(row, "large_text"));
		const char *hc = json_string_value(json_object_get(row, "high_contrast"));
		if (json_object_size(row) != 14 || !lt || !hc || (strcmp(lt, "t") && strcmp(lt, "f")) ||
		    (strcmp(hc, "t") && strcmp(hc, "f")) || json_integer_value(json_object_get(row, "line")) < 2)
			abort();
	}
	json_array_foreach(errors, i, row) {
		if (!json_string_value(json_object_get(row, "field")) || !json_string_value(json_object_get(row, "message")))
			abort();
	}
	json_decref(rows);
	json_decref(errors);
	return 0;
}
