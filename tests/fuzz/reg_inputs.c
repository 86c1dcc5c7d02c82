/* Fuzz target: the registry's other small parsers — the verify input (token or verify URL,
 * reg_token_input), published fields as PostgreSQL prints them (reg_pub_from_pg), and the
 * dates of the register rules (reg_next_reg_date, reg_validity_end, reg_validity_exp,
 * reg_renewal_period), and the verify API's body fast path (reg_token_json_body), checked
 * against jansson: whatever it accepts must parse to {"token": <the same bytes>}. The
 * first byte picks the parser ('J' the body fast path). Never a crash, answers in range. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reg_jws.h"
#include "reg_register.h"
#include "reg_workflow.h"
#include "rs_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	unsigned which = data[0] == 'J' ? 4 : data[0] % 4u; /* 'J': the JSON body fast path */
	data++;
	size--;
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	switch (which) {
	case 0: {
		const char *tok = NULL;
		size_t n = 0;
		reg_token_input(&tok, &n, s, size);
		if (tok < s || tok + n > s + size)
			abort();
		break;
	}
	case 1: {
		unsigned bits = reg_pub_from_pg(s);
		if (bits >> 7)
			abort(); /* seven publishable fields */
		break;
	}
	case 2: {
		char a[11], b[11];
		int64_t exp = 0;
		if (reg_next_reg_date(a, s) == 0) {
			if (!reg_is_reg_date(a))
				abort();
			int rc = reg_validity_end(b, a);
			if ((rc == 0 && !reg_date_valid(b)) || (rc != 0 && rc != RS_EINVAL))
				abort();
		}
		if (reg_validity_exp(&exp, s) == 0 && !reg_date_valid(s))
			abort();
		break;
	}
	case 4: {
		const char *tok = NULL;
		size_t n = 0;
		if (reg_token_json_body(&tok, &n, s, size)) {
			json_error_t err;
			json_t *o = json_loadb(s, size, JSON_REJECT_DUPLICATES, &err);
			json_t *t = json_object_get(o, "token");
			if (!json_is_object(o) || json_object_size(o) != 1 || !json_is_string(t) ||
			    json_string_length(t) != n || memcmp(json_string_value(t), tok, n) != 0)
				abort();
			json_decref(o);
		}
		break;
	}
	default: {
		/* "<valid_until>|<today>" */
		char from[11], until[11];
		char *bar = strchr(s, '|');
		if (bar) {
			*bar = '\0';
			int rc = reg_renewal_period(from, until, REG_ST_ACTIVE, s, bar + 1);
			if (rc == 0 && (!reg_is_reg_date(from) || !reg_date_valid(until)))
				abort();
			if (rc != 0 && rc != RS_ESTATE && rc != RS_EINVAL)
				abort();
		}
		break;
	}
	}
	free(s);
	return 0;
}
