/* A released table as CSV (st.h): the same figures as the JSON, labels in one language. */
#include "st.h"

#include "rs_msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One field, quoted when it holds a comma, quote or line break (RFC 4180). */
static void st_csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void st_csv_row(FILE *f, const json_t *cols, const json_t *row, int en)
{
	const char *label = json_string_value(json_object_get(row, "label"));
	const char *id = json_string_value(json_object_get(row, "label_id"));
	if (en && json_string_value(json_object_get(row, "label_en")))
		label = json_string_value(json_object_get(row, "label_en"));
	if (!label && id)
		label = rs_msg_text(id, en);
	st_csv_field(f, json_string_value(json_object_get(row, "key")));
	fputc(',', f);
	st_csv_field(f, label ? label : "");
	size_t i;
	json_t *c;
	json_array_foreach(cols, i, c) {
		json_t *v = json_object_get(json_object_get(row, "values"), json_string_value(json_object_get(c, "key")));
		fputc(',', f);
		if (json_is_integer(v))
			fprintf(f, "%lld", (long long)json_integer_value(v));
		else if (json_is_real(v))
			fprintf(f, strcmp(json_string_value(json_object_get(c, "type")), "rate") == 0 ? "%.4f" : "%.1f",
			        json_real_value(v));
		else
			fputc('x', f); /* suppressed */
	}
	fputs("\r\n", f);
}

char *st_csv(const json_t *table, int en)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	const json_t *cols = json_object_get(table, "columns");
	fputs("key,label", f);
	size_t i;
	json_t *c, *row;
	json_array_foreach(cols, i, c) {
		fputc(',', f);
		st_csv_field(f, json_string_value(json_object_get(c, "key")));
	}
	fputs("\r\n", f);
	json_array_foreach(json_object_get(table, "rows"), i, row)
		st_csv_row(f, cols, row, en);
	if (json_object_get(table, "total"))
		st_csv_row(f, cols, json_object_get(table, "total"), en);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
