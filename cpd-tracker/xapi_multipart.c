/* cpd-tracker: the multipart/mixed reader for statements with attachments (RFC 2046 5.1,
 * xAPI 1.0.3 Communication 1.5.2). Pure: it only splits the body it is given. */
#include "cpd_xapi.h"

#include "rs_error.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define CPD_MP_HEADER_MAX 1000

static const char *cpd_mp_find(const char *h, size_t hn, const char *n, size_t nn)
{
	if (nn == 0 || hn < nn)
		return NULL;
	for (size_t i = 0; i + nn <= hn; i++)
		if (h[i] == n[0] && memcmp(h + i, n, nn) == 0)
			return h + i;
	return NULL;
}

/* The boundary parameter of a Content-Type value (quoted or not), into out. */
static int cpd_mp_boundary(char *out, size_t cap, const char *ctype)
{
	const char *p = ctype;
	if (strncasecmp(p, "multipart/mixed", 15) != 0)
		return RS_EINVAL;
	for (p += 15; *p;) {
		while (*p == ';' || *p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "boundary=", 9) == 0) {
			p += 9;
			size_t n = 0;
			if (*p == '"') {
				p++;
				while (p[n] && p[n] != '"')
					n++;
			} else {
				while (p[n] && p[n] != ';' && p[n] != ' ' && p[n] != '\t')
					n++;
			}
			if (n == 0 || n > 70 || n + 1 > cap)
				return RS_EINVAL;
			memcpy(out, p, n);
			out[n] = '\0';
			return 0;
		}
		while (*p && *p != ';')
			p++;
	}
	return RS_EINVAL;
}

static void cpd_mp_trim(const char **v, size_t *n)
{
	while (*n && (**v == ' ' || **v == '\t')) {
		(*v)++;
		(*n)--;
	}
	while (*n && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t' || (*v)[*n - 1] == '\r'))
		(*n)--;
}

/* Read the header lines of one part at p (up to end); *data is set after the blank line. */
static int cpd_mp_headers(struct cpd_xapi_part *part, const char *p, const char *end, const char **data)
{
	for (;;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol || eol - p > CPD_MP_HEADER_MAX)
			return RS_EINVAL;
		size_t n = (size_t)(eol - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (n == 0) {
			*data = eol + 1;
			return 0;
		}
		const char *colon = memchr(p, ':', n);
		if (!colon)
			return RS_EINVAL;
		size_t kn = (size_t)(colon - p);
		const char *v = colon + 1;
		size_t vn = n - kn - 1;
		cpd_mp_trim(&v, &vn);
		if (kn == 12 && strncasecmp(p, "Content-Type", 12) == 0) {
			part->ctype = v;
			part->ctype_len = vn;
		} else if (kn == 21 && strncasecmp(p, "X-Experience-API-Hash", 21) == 0) {
			part->hash = v;
			part->hash_len = vn;
		} else if (kn == 25 && strncasecmp(p, "Content-Transfer-Encoding", 25) == 0) {
			part->enc = v;
			part->enc_len = vn;
		}
		p = eol + 1;
	}
}

int cpd_xapi_multipart(struct cpd_xapi_part *out, size_t max, size_t *out_n, const char *ctype, const char *body,
                       size_t len)
{
	char b[80], delim[84];
	if (!ctype || cpd_mp_boundary(b, sizeof b, ctype) != 0) {
		rs_error_msg("xapi.multipart.boundary", NULL);
		return RS_EINVAL;
	}
	size_t dn = (size_t)snprintf(delim, sizeof delim, "--%s", b);
	const char *end = body + len;
	/* The first delimiter: at the start or after a preamble line break. */
	const char *p = NULL;
	if (len >= dn && memcmp(body, delim, dn) == 0) {
		p = body;
	} else {
		char d2[88];
		size_t d2n = (size_t)snprintf(d2, sizeof d2, "\n%s", delim);
		const char *f = cpd_mp_find(body, len, d2, d2n);
		p = f ? f + 1 : NULL;
	}
	if (!p) {
		rs_error_msg("xapi.multipart.malformed", NULL);
		return RS_EINVAL;
	}
	size_t n = 0;
	char next[88];
	size_t nextn = (size_t)snprintf(next, sizeof next, "\n%s", delim);
	for (;;) {
		p += dn;
		if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			*out_n = n;
			return n ? 0 : (rs_error_msg("xapi.multipart.malformed", NULL), RS_EINVAL);
		}
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && *p == '\r')
			p++;
		if (p >= end || *p != '\n')
			break;
		p++;
		if (n == max) {
			rs_error_msg("xapi.multipart.too_many", NULL);
			return RS_EINVAL;
		}
		struct cpd_xapi_part part = { 0 };
		const char *data;
		if (cpd_mp_headers(&part, p, end, &data) != 0)
			break;
		const char *f = cpd_mp_find(data, (size_t)(end - data), next, nextn);
		if (!f)
			break;
		const char *dend = f;
		if (dend > data && dend[-1] == '\r')
			dend--;
		part.data = data;
		part.len = (size_t)(dend - data);
		out[n++] = part;
		p = f + 1;
	}
	rs_error_msg("xapi.multipart.malformed", NULL);
	return RS_EINVAL;
}
