/* rissd: the form-encoded body of xAPI's alternate request syntax
 * (application/x-www-form-urlencoded), decoded in place. Pure; fuzzed (tests/fuzz/web_xapi_form.c). */
#include "xapi.h"

#include "rs_error.h"

#include <string.h>

static int web_xapi_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s[0..n) in place ('+' is a space, %XX a byte); NUL-terminates. 0 or -1. */
static int web_xapi_unescape(char *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi = i + 1 < n ? web_xapi_hexval(s[i + 1]) : -1;
			int lo = i + 2 < n ? web_xapi_hexval(s[i + 2]) : -1;
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		s[o++] = c;
	}
	s[o] = '\0';
	return 0;
}

int web_xapi_form_parse(char *text, size_t len, const char **names, const char **values, size_t max, size_t *n)
{
	size_t count = 0, i = 0;
	if (memchr(text, '\0', len)) {
		rs_error_set("form body holds a NUL byte");
		return RS_EPARSE;
	}
	while (i < len) {
		size_t start = i;
		while (i < len && text[i] != '&')
			i++;
		size_t end = i;          /* pair is text[start..end) */
		if (i < len)
			i++;                 /* skip '&' */
		if (end == start)
			continue;            /* "a=1&&b=2" */
		char *eq = memchr(text + start, '=', end - start);
		if (!eq) {
			rs_error_set("form field without '='");
			return RS_EPARSE;
		}
		if (count >= max) {
			rs_error_set("too many form fields");
			return RS_ETOOBIG;
		}
		size_t nlen = (size_t)(eq - (text + start));
		size_t vlen = end - start - nlen - 1;
		/* Decode the value first: its terminating NUL lands at or before text[end]. */
		char *val = eq + 1;
		if (web_xapi_unescape(val, vlen) != 0 || web_xapi_unescape(text + start, nlen) != 0 || text[start] == '\0') {
			rs_error_set("bad escape or empty name in form body");
			return RS_EPARSE;
		}
		names[count] = text + start;
		values[count] = val;
		count++;
	}
	*n = count;
	return 0;
}
