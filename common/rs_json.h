/* JSON helpers over jansson: bounded parsing and a field spec that pulls typed values
 * with one clear error per bad field (GNU Taler's json spec, simplified). */
#ifndef RS_JSON_H
#define RS_JSON_H

#include <jansson.h>
#include <stddef.h>

/* Parse buf (len bytes, at most max) as one JSON value. On error the message says where
 * ("line 1, column 7: ..."). *out is owned by the caller (json_decref). */
int rs_json_parse(json_t **out, const char *buf, size_t len, size_t max);

enum rs_json_kind {
	RS_JSON_STRING,  /* out: const char ** (borrowed from the object) */
	RS_JSON_INT,     /* out: long long * */
	RS_JSON_NUMBER,  /* out: double * (integers accepted) */
	RS_JSON_BOOL,    /* out: int * */
	RS_JSON_OBJECT,  /* out: json_t ** (borrowed) */
	RS_JSON_ARRAY,   /* out: json_t ** (borrowed) */
};

struct rs_json_field {
	const char *name;
	enum rs_json_kind kind;
	void *out;
	int optional;        /* absent or null leaves *out untouched */
	long long min, max;  /* INT: value bounds; STRING: length bounds in bytes (max 0 = none) */
};

/* Fill each spec'd field from obj. Unknown extra fields are ignored. On the first bad
 * field returns RS_EINVAL with a message naming it ("field 'age': expected an integer"). */
int rs_json_fields(const json_t *obj, const struct rs_json_field *spec, size_t n);

/* Serialise compactly; caller frees with free(). NULL on allocation failure. */
char *rs_json_dump(const json_t *v);

#endif
