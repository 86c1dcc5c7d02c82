/* The coded attributes the agency collects at application, for its statistics: prefecture
 * (JIS X 0401), occupation, industry (Japan Standard Industrial Classification Rev. 14
 * division) and employer type. The same code lists as the CHECK constraints of migrations
 * 0037 (exam) and 0042 (registry); labels attr.<kind>.<code> in
 * common/messages/attributes.tsv. Every attribute is optional (NULL = not answered). */
#ifndef RS_ATTR_H
#define RS_ATTR_H

#include <jansson.h>
#include <stddef.h>

enum rs_attr_kind {
	RS_ATTR_PREFECTURE,
	RS_ATTR_OCCUPATION,
	RS_ATTR_INDUSTRY,
	RS_ATTR_EMPLOYER_TYPE,
	RS_ATTR_N
};

/* One person's answers: each a code of its kind or NULL (not answered). Strings are
 * borrowed (from the JSON object or a static list). */
struct rs_attrs {
	const char *v[RS_ATTR_N];
};

/* The field name of a kind ("prefecture", "occupation", "industry", "employer_type"). */
const char *rs_attr_field(enum rs_attr_kind k);
/* The codes of a kind, in list order (static); *n their number. */
const char *const *rs_attr_codes(enum rs_attr_kind k, size_t *n);
/* 1 when code is one of the kind's codes, else 0. */
int rs_attr_valid(enum rs_attr_kind k, const char *code);
/* 0 for NULL or a valid code; RS_EINVAL with the catalogue message attr.invalid_<field>
 * (the bad value quoted, in Japanese and English) otherwise. */
int rs_attr_check(enum rs_attr_kind k, const char *code);
/* Read the four optional fields of a JSON object: each may be absent, null or "" (not
 * answered, NULL in *out) or a string code of its kind. RS_EINVAL (message names the field
 * or the bad code) otherwise; *out is set only on success. */
int rs_attrs_from_json(struct rs_attrs *out, const json_t *in);
/* Add the four fields to obj (null for not answered). 0, or RS_ENOMEM. */
int rs_attrs_to_json(json_t *obj, const struct rs_attrs *a);

#endif
