/* The coded statistical attributes (rs_attr.h): code lists, checks and JSON in and out. The
 * lists must match the CHECK constraints of migrations 0037 and 0042 (the unit test
 * common-attr compares them). */
#include "rs_attr.h"

#include "rs_error.h"

#include <assert.h>
#include <string.h>

static const char *const rs_attr_prefectures[] = {
	"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16",
	"17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32",
	"33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46", "47",
};
static const char *const rs_attr_occupations[] = {
	"it_planning", "it_development", "it_operations", "it_infrastructure", "it_security", "it_pm",
	"it_audit", "it_sales", "it_other", "sales", "office", "research", "other", "student", "not_employed",
};
static const char *const rs_attr_industries[] = {
	"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T",
};
static const char *const rs_attr_employers[] = {
	"private", "government", "public_corp", "education", "self_employed", "none",
};

static const struct {
	const char *field, *msg;
	const char *const *codes;
	size_t n;
} rs_attr_kinds[RS_ATTR_N] = {
	[RS_ATTR_PREFECTURE] = { "prefecture", "attr.invalid_prefecture", rs_attr_prefectures,
	                         sizeof rs_attr_prefectures / sizeof *rs_attr_prefectures },
	[RS_ATTR_OCCUPATION] = { "occupation", "attr.invalid_occupation", rs_attr_occupations,
	                         sizeof rs_attr_occupations / sizeof *rs_attr_occupations },
	[RS_ATTR_INDUSTRY] = { "industry", "attr.invalid_industry", rs_attr_industries,
	                       sizeof rs_attr_industries / sizeof *rs_attr_industries },
	[RS_ATTR_EMPLOYER_TYPE] = { "employer_type", "attr.invalid_employer_type", rs_attr_employers,
	                            sizeof rs_attr_employers / sizeof *rs_attr_employers },
};

const char *rs_attr_field(enum rs_attr_kind k)
{
	assert(k < RS_ATTR_N);
	return rs_attr_kinds[k].field;
}

const char *const *rs_attr_codes(enum rs_attr_kind k, size_t *n)
{
	assert(k < RS_ATTR_N);
	*n = rs_attr_kinds[k].n;
	return rs_attr_kinds[k].codes;
}

int rs_attr_valid(enum rs_attr_kind k, const char *code)
{
	assert(k < RS_ATTR_N);
	if (!code)
		return 0;
	for (size_t i = 0; i < rs_attr_kinds[k].n; i++)
		if (strcmp(rs_attr_kinds[k].codes[i], code) == 0)
			return 1;
	return 0;
}

int rs_attr_check(enum rs_attr_kind k, const char *code)
{
	if (!code || rs_attr_valid(k, code))
		return 0;
	/* Quote at most 24 bytes of what was given, cut at a character boundary. */
	char shown[32];
	size_t len = strlen(code);
	if (len > 24) {
		len = 24;
		while (len > 0 && ((unsigned char)code[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(shown, code, len);
	shown[len] = '\0';
	rs_error_msg(rs_attr_kinds[k].msg, shown, NULL);
	return RS_EINVAL;
}

int rs_attrs_from_json(struct rs_attrs *out, const json_t *in)
{
	struct rs_attrs a = { { NULL } };
	for (int k = 0; k < RS_ATTR_N; k++) {
		const char *name = rs_attr_kinds[k].field;
		const json_t *v = in ? json_object_get(in, name) : NULL;
		if (!v || json_is_null(v))
			continue;
		if (!json_is_string(v)) {
			rs_error_msg("json.field_want_string", name, NULL);
			return RS_EINVAL;
		}
		const char *s = json_string_value(v);
		if (s[0] == '\0')
			continue;
		int rc = rs_attr_check((enum rs_attr_kind)k, s);
		if (rc != 0)
			return rc;
		a.v[k] = s;
	}
	*out = a;
	return 0;
}

int rs_attrs_to_json(json_t *obj, const struct rs_attrs *a)
{
	for (int k = 0; k < RS_ATTR_N; k++)
		if (json_object_set_new(obj, rs_attr_kinds[k].field, a->v[k] ? json_string(a->v[k]) : json_null()) != 0)
			return RS_ENOMEM;
	return 0;
}
