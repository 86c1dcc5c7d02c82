/* cpd-tracker: the pure parts of the LRS frame — agent identifiers, IRIs, UUIDs,
 * timestamps, the document merge, ETags and the Person object. No I/O. */
#include "cpd_lrs.h"
#include "cpd_xapi.h"

#include "rs_encode.h"
#include "rs_error.h"
#include "rs_json.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void cpd_lrs_endpoint(char *out, size_t n, const char *base_url)
{
	size_t k = base_url ? strlen(base_url) : 0;
	snprintf(out, n, "%.*s/xapi/", (int)(k > 0 && base_url[k - 1] == '/' ? k - 1 : k), base_url ? base_url : "");
}

void cpd_lrs_endpoint_set(json_t *out, const char *base_url)
{
	json_t *x = json_object_get(out, "xapi");
	if (!x || !base_url)
		return;
	char ep[1100];
	cpd_lrs_endpoint(ep, sizeof ep, base_url);
	json_object_set_new(x, "endpoint", json_string(ep));
}

int cpd_lrs_iri_ok(const char *s)
{
	/* The statements' IRI rule (xapi_validate.c), with the frame's bound on a parameter. */
	return cpd_xapi_is_iri(s) && strlen(s) <= 2048;
}

static int cpd_lrs_digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int cpd_lrs_time_parse(int64_t *out_us, const char *s)
{
	int Y, M, D, h, m, sec;
	if (!s || strlen(s) < 20 || strlen(s) > 40 || cpd_lrs_digits(s, 4, &Y) || s[4] != '-' ||
	    cpd_lrs_digits(s + 5, 2, &M) || s[7] != '-' || cpd_lrs_digits(s + 8, 2, &D) || s[10] != 'T' ||
	    cpd_lrs_digits(s + 11, 2, &h) || s[13] != ':' || cpd_lrs_digits(s + 14, 2, &m) || s[16] != ':' ||
	    cpd_lrs_digits(s + 17, 2, &sec))
		goto bad;
	const char *p = s + 19;
	int64_t frac_us = 0;
	if (*p == '.') {
		p++;
		int k = 0;
		int64_t scale = 100000;
		while (isdigit((unsigned char)*p)) {
			if (k < 6)
				frac_us += (*p - '0') * scale;
			scale /= 10;
			k++;
			p++;
		}
		if (k == 0)
			goto bad;
	}
	int off_min = 0;
	if (*p == 'Z' && p[1] == '\0') {
		off_min = 0;
	} else if ((*p == '+' || *p == '-')) {
		int oh = 0, om = 0;
		const char *q = p + 1;
		if (cpd_lrs_digits(q, 2, &oh))
			goto bad;
		q += 2;
		if (*q == ':')
			q++;
		if (*q && cpd_lrs_digits(q, 2, &om))
			goto bad;
		if (*q)
			q += 2;
		if (*q || oh > 23 || om > 59)
			goto bad;
		/* RFC 3339 forbids -00:00 ("unknown offset"); xAPI follows it. */
		if (*p == '-' && oh == 0 && om == 0)
			goto bad;
		off_min = (*p == '-' ? -1 : 1) * (oh * 60 + om);
	} else {
		goto bad;
	}
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23 || m > 59 || sec > 60)
		goto bad;
	struct tm tm = { .tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h, .tm_min = m, .tm_sec = sec };
	time_t t = timegm(&tm);
	*out_us = ((int64_t)t - (int64_t)off_min * 60) * 1000000 + frac_us;
	return 0;
bad:
	rs_error_msg("lrs.param.timestamp", NULL);
	return RS_EINVAL;
}

static int cpd_lrs_agent_bad(void)
{
	rs_error_msg("lrs.param.agent", NULL);
	return RS_EINVAL;
}

int cpd_lrs_agent_key(char out[CPD_LRS_AGENT_KEY_MAX + 1], const json_t *agent)
{
	if (!json_is_object(agent))
		return cpd_lrs_agent_bad();
	const char *ot = json_string_value(json_object_get(agent, "objectType"));
	if (json_object_get(agent, "objectType") && (!ot || (strcmp(ot, "Agent") != 0 && strcmp(ot, "Group") != 0)))
		return cpd_lrs_agent_bad();
	const json_t *name = json_object_get(agent, "name");
	if (name && !json_is_string(name))
		return cpd_lrs_agent_bad();
	const char *ifis[] = { "mbox", "mbox_sha1sum", "openid", "account" };
	int count = 0;
	const char *which = NULL;
	for (size_t i = 0; i < 4; i++)
		if (json_object_get(agent, ifis[i])) {
			count++;
			which = ifis[i];
		}
	if (count != 1)
		return cpd_lrs_agent_bad();
	const json_t *v = json_object_get(agent, which);
	int n;
	if (strcmp(which, "account") == 0) {
		const char *home = json_string_value(json_object_get(v, "homePage"));
		const char *an = json_string_value(json_object_get(v, "name"));
		if (!json_is_object(v) || !home || !an || !cpd_lrs_iri_ok(home) || json_object_size(v) != 2)
			return cpd_lrs_agent_bad();
		n = snprintf(out, CPD_LRS_AGENT_KEY_MAX + 1, "account:%s %s", home, an);
	} else {
		const char *s = json_string_value(v);
		if (!s)
			return cpd_lrs_agent_bad();
		if (strcmp(which, "mbox") == 0 && (strncmp(s, "mailto:", 7) != 0 || !strchr(s + 7, '@')))
			return cpd_lrs_agent_bad();
		if (strcmp(which, "mbox_sha1sum") == 0 && (strlen(s) != 40 || strspn(s, "0123456789abcdefABCDEF") != 40))
			return cpd_lrs_agent_bad();
		if (strcmp(which, "openid") == 0 && !cpd_lrs_iri_ok(s))
			return cpd_lrs_agent_bad();
		n = snprintf(out, CPD_LRS_AGENT_KEY_MAX + 1, "%s:%s", which, s);
	}
	if (n < 0 || n > CPD_LRS_AGENT_KEY_MAX)
		return cpd_lrs_agent_bad();
	return 0;
}

void cpd_lrs_etag(char out[41], const char *data, size_t len)
{
	unsigned char h[20];
	unsigned int n = 0;
	EVP_Digest(data, len, h, &n, EVP_sha1(), NULL);
	rs_hex_encode(out, h, sizeof h);
}

int cpd_lrs_merge(char **out, size_t *out_len, const char *old, size_t old_len, const char *add, size_t add_len,
                  size_t max)
{
	json_t *a = NULL, *b = NULL;
	int rc = RS_EINVAL;
	if (rs_json_parse(&a, old, old_len, max) != 0 || rs_json_parse(&b, add, add_len, max) != 0 ||
	    !json_is_object(a) || !json_is_object(b)) {
		rs_error_msg("lrs.doc.merge_not_json", NULL);
		goto done;
	}
	if (json_object_update(a, b) != 0) {
		rc = RS_ENOMEM;
		goto done;
	}
	char *text = rs_json_dump(a);
	if (!text) {
		rc = RS_ENOMEM;
		goto done;
	}
	*out = text;
	*out_len = strlen(text);
	rc = 0;
done:
	json_decref(a);
	json_decref(b);
	return rc;
}

int cpd_lrs_person(json_t **out, const json_t *agent)
{
	char key[CPD_LRS_AGENT_KEY_MAX + 1];
	int rc = cpd_lrs_agent_key(key, agent);
	if (rc != 0)
		return rc;
	json_t *p = json_pack("{s:s}", "objectType", "Person");
	const char *members[] = { "name", "mbox", "mbox_sha1sum", "openid", "account" };
	for (size_t i = 0; p && i < 5; i++) {
		json_t *v = json_object_get(agent, members[i]);
		if (v)
			json_object_set_new(p, members[i], json_pack("[O]", v));
	}
	if (!p) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	*out = p;
	return 0;
}
