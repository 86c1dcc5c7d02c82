/* Bounded JSON parsing and typed field extraction. */
#include "rs_json.h"
#include "rs_error.h"

#include <stdint.h>
#include <string.h>

int rs_json_parse(json_t **out, const char *buf, size_t len, size_t max)
{
	if (len > max) {
		rs_error_set("JSON body is %zu bytes, more than the %zu allowed", len, max);
		return RS_ETOOBIG;
	}
	if (len == 0) {
		rs_error_set("the body is empty; a JSON value was expected");
		return RS_EPARSE;
	}
	json_error_t jerr;
	json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!v) {
		rs_error_set("malformed JSON at line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
		return RS_EPARSE;
	}
	*out = v;
	return 0;
}

static const char *rs_json_kind_name(enum rs_json_kind k)
{
	switch (k) {
	case RS_JSON_STRING: return "a string";
	case RS_JSON_INT: return "an integer";
	case RS_JSON_NUMBER: return "a number";
	case RS_JSON_BOOL: return "true or false";
	case RS_JSON_OBJECT: return "an object";
	case RS_JSON_ARRAY: return "an array";
	}
	return "a value";
}

int rs_json_fields(const json_t *obj, const struct rs_json_field *spec, size_t n)
{
	if (!json_is_object(obj)) {
		rs_error_set("expected a JSON object");
		return RS_EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		const struct rs_json_field *f = &spec[i];
		json_t *v = json_object_get(obj, f->name);
		if (!v || json_is_null(v)) {
			if (f->optional)
				continue;
			rs_error_set("field '%s' is missing", f->name);
			return RS_EINVAL;
		}
		int ok = 0;
		switch (f->kind) {
		case RS_JSON_STRING:
			if (json_is_string(v)) {
				size_t len = json_string_length(v);
				const char *s = json_string_value(v);
				if (strlen(s) != len) {
					rs_error_set("field '%s' contains a NUL character", f->name);
					return RS_EINVAL;
				}
				if ((long long)len < f->min || (f->max > 0 && (long long)len > f->max)) {
					rs_error_set("field '%s' must be %lld to %lld bytes long", f->name, f->min, f->max);
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
					rs_error_set("field '%s' is %lld, outside %lld..%lld", f->name, x, f->min, f->max);
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
			rs_error_set("field '%s': expected %s", f->name, rs_json_kind_name(f->kind));
			return RS_EINVAL;
		}
	}
	return 0;
}

char *rs_json_dump(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT);
}
