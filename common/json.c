/* Bounded JSON parsing and typed field extraction. */
#include "rs_json.h"
#include "rs_error.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int rs_json_parse(json_t **out, const char *buf, size_t len, size_t max)
{
	if (len > max) {
		char have[24], limit[24];
		snprintf(have, sizeof have, "%zu", len);
		snprintf(limit, sizeof limit, "%zu", max);
		rs_error_msg("json.too_big", have, limit, NULL);
		return RS_ETOOBIG;
	}
	if (len == 0) {
		rs_error_msg("json.empty", NULL);
		return RS_EPARSE;
	}
	json_error_t jerr;
	json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!v) {
		char line[16], col[16];
		snprintf(line, sizeof line, "%d", jerr.line);
		snprintf(col, sizeof col, "%d", jerr.column);
		rs_error_msg("json.malformed", line, col, jerr.text, NULL);
		return RS_EPARSE;
	}
	*out = v;
	return 0;
}

/* The catalogue message for "field {0} must be <kind>". */
static const char *rs_json_kind_msg(enum rs_json_kind k)
{
	switch (k) {
	case RS_JSON_STRING: return "json.field_want_string";
	case RS_JSON_INT: return "json.field_want_integer";
	case RS_JSON_NUMBER: return "json.field_want_number";
	case RS_JSON_BOOL: return "json.field_want_bool";
	case RS_JSON_OBJECT: return "json.field_want_object";
	case RS_JSON_ARRAY: return "json.field_want_array";
	}
	return "json.field_want_string";
}

int rs_json_fields(const json_t *obj, const struct rs_json_field *spec, size_t n)
{
	if (!json_is_object(obj)) {
		rs_error_msg("json.not_object", NULL);
		return RS_EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		const struct rs_json_field *f = &spec[i];
		json_t *v = json_object_get(obj, f->name);
		if (!v || json_is_null(v)) {
			if (f->optional)
				continue;
			rs_error_msg("json.field_missing", f->name, NULL);
			return RS_EINVAL;
		}
		int ok = 0;
		switch (f->kind) {
		case RS_JSON_STRING:
			if (json_is_string(v)) {
				size_t len = json_string_length(v);
				const char *s = json_string_value(v);
				if (strlen(s) != len) {
					rs_error_msg("json.field_nul", f->name, NULL);
					return RS_EINVAL;
				}
				if ((long long)len < f->min || (f->max > 0 && (long long)len > f->max)) {
					char lo[24], hi[24];
					snprintf(lo, sizeof lo, "%lld", f->min);
					snprintf(hi, sizeof hi, "%lld", f->max);
					rs_error_msg("json.field_length", f->name, lo, hi, NULL);
					return RS_EINVAL;
				}
				*(const char **)f->out = s;
				ok = 1;
			}
			break;
		case RS_JSON_INT:
			if (json_is_integer(v)) {
				long long x = json_integer_value(v);
				if ((f->min || f->max) && (x < f->min || x > f->max)) {
					char val[24], lo[24], hi[24];
					snprintf(val, sizeof val, "%lld", x);
					snprintf(lo, sizeof lo, "%lld", f->min);
					snprintf(hi, sizeof hi, "%lld", f->max);
					rs_error_msg("json.field_range", f->name, val, lo, hi, NULL);
					return RS_EINVAL;
				}
				*(long long *)f->out = x;
				ok = 1;
			}
			break;
		case RS_JSON_NUMBER:
			if (json_is_number(v)) {
				*(double *)f->out = json_number_value(v);
				ok = 1;
			}
			break;
		case RS_JSON_BOOL:
			if (json_is_boolean(v)) {
				*(int *)f->out = json_is_true(v);
				ok = 1;
			}
			break;
		case RS_JSON_OBJECT:
			if (json_is_object(v)) {
				*(json_t **)f->out = v;
				ok = 1;
			}
			break;
		case RS_JSON_ARRAY:
			if (json_is_array(v)) {
				*(json_t **)f->out = v;
				ok = 1;
			}
			break;
		}
		if (!ok) {
			rs_error_msg(rs_json_kind_msg(f->kind), f->name, NULL);
			return RS_EINVAL;
		}
	}
	return 0;
}

char *rs_json_dump(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT);
}
