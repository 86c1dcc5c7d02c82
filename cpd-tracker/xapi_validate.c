/* cpd-tracker: xAPI 1.0.3 statement validation (pure, no I/O). Every refusal records a
 * catalogue message xapi.bad.<what> with the JSON path of the property as {0}. */
#include "cpd_xapi.h"

#include "rs_error.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define XV_PATH_MAX 160

struct xv {
	char path[XV_PATH_MAX];
	size_t len;
};

/* jansson iterates only over non-const objects; nothing here changes them. */
static json_t *cpd_xv_mut(const json_t *o)
{
	return (json_t *)(uintptr_t)o;
}

static void cpd_xv_push(struct xv *v, size_t *saved, const char *seg)
{
	*saved = v->len;
	int n = snprintf(v->path + v->len, sizeof v->path - v->len, "%s%s", v->len ? "." : "", seg);
	if (n > 0)
		v->len = v->len + (size_t)n < sizeof v->path ? v->len + (size_t)n : sizeof v->path - 1;
}

static void cpd_xv_push_i(struct xv *v, size_t *saved, size_t i)
{
	*saved = v->len;
	int n = snprintf(v->path + v->len, sizeof v->path - v->len, "[%zu]", i);
	if (n > 0)
		v->len = v->len + (size_t)n < sizeof v->path ? v->len + (size_t)n : sizeof v->path - 1;
}

static void cpd_xv_pop(struct xv *v, size_t saved)
{
	v->len = saved;
	v->path[saved] = '\0';
}

static int cpd_xv_fail(struct xv *v, const char *what, const char *key)
{
	char path[XV_PATH_MAX + 64];
	snprintf(path, sizeof path, "%s%s%s", v->path[0] ? v->path : "statement", key ? "." : "", key ? key : "");
	char id[48];
	snprintf(id, sizeof id, "xapi.bad.%s", what);
	rs_error_msg(id, path, NULL);
	return RS_EINVAL;
}

/* Only the listed keys may appear. */
static int cpd_xv_keys(struct xv *v, const json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *val;
	json_object_foreach(cpd_xv_mut(o), k, val) {
		size_t i;
		for (i = 0; allowed[i]; i++)
			if (strcmp(k, allowed[i]) == 0)
				break;
		if (!allowed[i])
			return cpd_xv_fail(v, "unknown", k);
		(void)val;
	}
	return 0;
}

int cpd_xapi_is_uuid(const char *s)
{
	static const int dash[] = { 8, 13, 18, 23 };
	if (!s || strlen(s) != 36)
		return 0;
	for (int i = 0, d = 0; i < 36; i++) {
		if (d < 4 && i == dash[d]) {
			if (s[i] != '-')
				return 0;
			d++;
		} else if (!isxdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}

/* An IRI: a scheme (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )), ':', then no control
 * characters, spaces or the characters RFC 3987 excludes. */
int cpd_xapi_is_iri(const char *s)
{
	if (!s || !isalpha((unsigned char)s[0]))
		return 0;
	size_t i = 1;
	while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')
		i++;
	if (s[i] != ':' || s[i + 1] == '\0')
		return 0;
	for (i++; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' || c == '^' || c == '`' ||
		    c == '{' || c == '|' || c == '}')
			return 0;
	}
	return 1;
}

/* RFC 5646 in outline: a primary language subtag of 2-8 letters (or x / i), then subtags of
 * 1-8 letters or digits. */
static int cpd_xv_is_lang(const char *s)
{
	size_t n = 0;
	int first = 1;
	for (const char *p = s;; p++) {
		if (*p == '-' || *p == '\0') {
			if (n == 0 || n > 8)
				return 0;
			if (first && n == 1 && !(s[0] == 'x' || s[0] == 'X' || s[0] == 'i' || s[0] == 'I'))
				return 0;
			first = 0;
			n = 0;
			if (*p == '\0')
				return 1;
			continue;
		}
		if (first ? !isalpha((unsigned char)*p) : !isalnum((unsigned char)*p))
			return 0;
		n++;
	}
}

static int cpd_xv_lang_map(struct xv *v, const json_t *m, const char *key)
{
	if (!json_is_object(m))
		return cpd_xv_fail(v, "lang_map", key);
	const char *k;
	json_t *val;
	json_object_foreach(cpd_xv_mut(m), k, val) {
		if (!cpd_xv_is_lang(k) || !json_is_string(val))
			return cpd_xv_fail(v, "lang_map", key);
	}
	return 0;
}

static int cpd_xv_iri_at(struct xv *v, const json_t *o, const char *key, int required)
{
	const json_t *s = json_object_get(o, key);
	if (!s)
		return required ? cpd_xv_fail(v, "missing", key) : 0;
	if (!json_is_string(s) || !cpd_xapi_is_iri(json_string_value(s)))
		return cpd_xv_fail(v, "iri", key);
	return 0;
}

static int cpd_xv_str_at(struct xv *v, const json_t *o, const char *key)
{
	const json_t *s = json_object_get(o, key);
	if (s && !json_is_string(s))
		return cpd_xv_fail(v, "type", key);
	return 0;
}

static int cpd_xv_extensions(struct xv *v, const json_t *e, const char *key)
{
	if (!json_is_object(e))
		return cpd_xv_fail(v, "type", key);
	const char *k;
	json_t *val;
	json_object_foreach(cpd_xv_mut(e), k, val) {
		if (!cpd_xapi_is_iri(k))
			return cpd_xv_fail(v, "iri", key);
		(void)val;
	}
	return 0;
}

static int cpd_xv_digits(const char **p, int n, int *out)
{
	int x = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = x;
	return 0;
}

static int cpd_xv_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int cpd_xapi_time_parse(int64_t *out_us, const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (!s)
		return RS_EINVAL;
	const char *p = s;
	int y, mo, d, h, mi, se, us = 0;
	if (cpd_xv_digits(&p, 4, &y) || *p++ != '-' || cpd_xv_digits(&p, 2, &mo) || *p++ != '-' ||
	    cpd_xv_digits(&p, 2, &d) || (*p != 'T' && *p != 't') || !*p++ || cpd_xv_digits(&p, 2, &h) || *p++ != ':' ||
	    cpd_xv_digits(&p, 2, &mi) || *p++ != ':' || cpd_xv_digits(&p, 2, &se))
		return RS_EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && cpd_xv_leap(y)) || h > 23 || mi > 59 || se > 60)
		return RS_EINVAL;
	if (*p == '.' || *p == ',') {
		p++;
		int nd = 0;
		if (!isdigit((unsigned char)*p))
			return RS_EINVAL;
		while (isdigit((unsigned char)*p)) {
			if (nd < 6) {
				us = us * 10 + (*p - '0');
				nd++;
			}
			p++;
		}
		while (nd < 6) {
			us *= 10;
			nd++;
		}
	}
	int off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int neg = *p == '-', oh, om = 0;
		p++;
		if (cpd_xv_digits(&p, 2, &oh))
			return RS_EINVAL;
		if (*p == ':') {
			p++;
			if (cpd_xv_digits(&p, 2, &om))
				return RS_EINVAL;
		} else if (isdigit((unsigned char)*p) && cpd_xv_digits(&p, 2, &om)) {
			return RS_EINVAL;
		}
		if (oh > 23 || om > 59 || (neg && oh == 0 && om == 0)) /* -00:00 is "unknown offset": refused */
			return RS_EINVAL;
		off = (neg ? -1 : 1) * (oh * 60 + om);
	}
	if (*p != '\0')
		return RS_EINVAL;
	/* days from civil (Howard Hinnant) */
	int yy = y - (mo <= 2);
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	long days = era * 146097 + doe - 719468;
	int64_t secs = (int64_t)days * 86400 + h * 3600 + mi * 60 + (se > 59 ? 59 : se) - off * 60;
	*out_us = secs * 1000000 + us;
	return 0;
}

/* ISO 8601 duration: P[nY][nM][nW][nD][T[nH][nM][n[.n]S]], at least one element. */
static int cpd_xv_is_duration(const char *s)
{
	if (!s || *s != 'P')
		return 0;
	const char *p = s + 1;
	int any = 0, in_time = 0;
	const char *order_d = "YMWD", *order_t = "HMS";
	const char *ord = order_d;
	while (*p) {
		if (*p == 'T') {
			if (in_time)
				return 0;
			in_time = 1;
			ord = order_t;
			p++;
			if (!*p)
				return 0;
			continue;
		}
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
		int frac = 0;
		if (*p == '.' || *p == ',') {
			p++;
			if (!isdigit((unsigned char)*p))
				return 0;
			while (isdigit((unsigned char)*p))
				p++;
			frac = 1;
		}
		const char *at = strchr(ord, *p);
		if (!*p || !at)
			return 0;
		if (frac && !(in_time && *p == 'S'))
			return 0;
		ord = at + 1;
		any = 1;
		p++;
	}
	if (strchr(s, 'W') && (strpbrk(s, "YMDTHS") != NULL))
		return 0; /* PnW stands alone (ISO 8601 4.4.3.2) */
	return any;
}

/* mailto: with one '@' and something either side. */
static int cpd_xv_is_mbox(const char *s)
{
	if (!s || strncmp(s, "mailto:", 7) != 0)
		return 0;
	const char *a = s + 7, *at = strchr(a, '@');
	if (!at || at == a || !at[1] || strchr(at + 1, '@'))
		return 0;
	for (const char *p = a; *p; p++)
		if ((unsigned char)*p <= 0x20)
			return 0;
	return 1;
}

static int cpd_xv_account(struct xv *v, const json_t *a)
{
	static const char *const keys[] = { "homePage", "name", NULL };
	size_t sv;
	cpd_xv_push(v, &sv, "account");
	int rc = 0;
	if (!json_is_object(a))
		rc = cpd_xv_fail(v, "type", NULL);
	if (rc == 0)
		rc = cpd_xv_keys(v, a, keys);
	if (rc == 0)
		rc = cpd_xv_iri_at(v, a, "homePage", 1);
	if (rc == 0) {
		const json_t *n = json_object_get(a, "name");
		if (!n)
			rc = cpd_xv_fail(v, "missing", "name");
		else if (!json_is_string(n))
			rc = cpd_xv_fail(v, "type", "name");
	}
	cpd_xv_pop(v, sv);
	return rc;
}

/* The inverse functional identifiers of o: each well formed; *count how many. */
static int cpd_xv_ifis(struct xv *v, const json_t *o, int *count)
{
	int n = 0;
	const json_t *x;
	if ((x = json_object_get(o, "mbox"))) {
		if (!json_is_string(x) || !cpd_xv_is_mbox(json_string_value(x)))
			return cpd_xv_fail(v, "mbox", "mbox");
		n++;
	}
	if ((x = json_object_get(o, "mbox_sha1sum"))) {
		const char *s = json_string_value(x);
		if (!s || strlen(s) != 40)
			return cpd_xv_fail(v, "sha1", "mbox_sha1sum");
		for (int i = 0; i < 40; i++)
			if (!isxdigit((unsigned char)s[i]))
				return cpd_xv_fail(v, "sha1", "mbox_sha1sum");
		n++;
	}
	if ((x = json_object_get(o, "openid"))) {
		if (!json_is_string(x) || !cpd_xapi_is_iri(json_string_value(x)))
			return cpd_xv_fail(v, "iri", "openid");
		n++;
	}
	if ((x = json_object_get(o, "account"))) {
		int rc = cpd_xv_account(v, x);
		if (rc)
			return rc;
		n++;
	}
	*count = n;
	return 0;
}

static int cpd_xv_agent_only(struct xv *v, const json_t *a)
{
	static const char *const keys[] = { "objectType", "name", "mbox", "mbox_sha1sum", "openid", "account", NULL };
	if (!json_is_object(a))
		return cpd_xv_fail(v, "type", NULL);
	int rc = cpd_xv_keys(v, a, keys);
	if (rc)
		return rc;
	const json_t *ot = json_object_get(a, "objectType");
	if (ot && !(json_is_string(ot) && strcmp(json_string_value(ot), "Agent") == 0))
		return cpd_xv_fail(v, "object_type", "objectType");
	if ((rc = cpd_xv_str_at(v, a, "name")))
		return rc;
	int n;
	if ((rc = cpd_xv_ifis(v, a, &n)))
		return rc;
	if (n != 1)
		return cpd_xv_fail(v, "ifi", NULL);
	return 0;
}

/* An Agent or a Group (objectType decides; absent = Agent). group_only: must be a Group.
 * authority: a Group must have exactly two members (an OAuth consumer and user). */
static int cpd_xv_actor(struct xv *v, const json_t *a, int group_only, int authority)
{
	if (!json_is_object(a))
		return cpd_xv_fail(v, "type", NULL);
	const json_t *ot = json_object_get(a, "objectType");
	if (ot && !json_is_string(ot))
		return cpd_xv_fail(v, "object_type", "objectType");
	int is_group = ot && strcmp(json_string_value(ot), "Group") == 0;
	if (ot && !is_group && strcmp(json_string_value(ot), "Agent") != 0)
		return cpd_xv_fail(v, "object_type", "objectType");
	if (group_only && !is_group)
		return cpd_xv_fail(v, "object_type", "objectType");
	if (!is_group)
		return cpd_xv_agent_only(v, a);
	static const char *const keys[] = { "objectType", "name", "member", "mbox", "mbox_sha1sum", "openid",
		                            "account", NULL };
	int rc = cpd_xv_keys(v, a, keys);
	if (rc == 0)
		rc = cpd_xv_str_at(v, a, "name");
	int n = 0;
	if (rc == 0)
		rc = cpd_xv_ifis(v, a, &n);
	if (rc)
		return rc;
	if (n > 1 || (authority && n > 0))
		return cpd_xv_fail(v, authority ? "authority" : "ifi", NULL);
	const json_t *m = json_object_get(a, "member");
	if (n == 0 && !m)
		return cpd_xv_fail(v, "missing", "member");
	if (m) {
		if (!json_is_array(m))
			return cpd_xv_fail(v, "type", "member");
		if (n == 0 && json_array_size(m) == 0)
			return cpd_xv_fail(v, "missing", "member");
		if (authority && json_array_size(m) != 2)
			return cpd_xv_fail(v, "authority", "member");
		size_t sv, sv2;
		cpd_xv_push(v, &sv, "member");
		for (size_t i = 0; i < json_array_size(m); i++) {
			cpd_xv_push_i(v, &sv2, i);
			rc = cpd_xv_agent_only(v, json_array_get(m, i));
			cpd_xv_pop(v, sv2);
			if (rc)
				break;
		}
		cpd_xv_pop(v, sv);
	}
	return rc;
}

static int cpd_xv_actor_at(struct xv *v, const json_t *o, const char *key, int required, int group_only,
                           int authority)
{
	const json_t *a = json_object_get(o, key);
	if (!a)
		return required ? cpd_xv_fail(v, "missing", key) : 0;
	size_t sv;
	cpd_xv_push(v, &sv, key);
	int rc = cpd_xv_actor(v, a, group_only, authority);
	cpd_xv_pop(v, sv);
	return rc;
}

static int cpd_xv_verb(struct xv *v, const json_t *o)
{
	static const char *const keys[] = { "id", "display", NULL };
	const json_t *vb = json_object_get(o, "verb");
	if (!vb)
		return cpd_xv_fail(v, "missing", "verb");
	size_t sv;
	cpd_xv_push(v, &sv, "verb");
	int rc = 0;
	if (!json_is_object(vb))
		rc = cpd_xv_fail(v, "type", NULL);
	if (rc == 0)
		rc = cpd_xv_keys(v, vb, keys);
	if (rc == 0)
		rc = cpd_xv_iri_at(v, vb, "id", 1);
	if (rc == 0 && json_object_get(vb, "display"))
		rc = cpd_xv_lang_map(v, json_object_get(vb, "display"), "display");
	cpd_xv_pop(v, sv);
	return rc;
}

static int cpd_xv_components(struct xv *v, const json_t *arr, const char *key)
{
	static const char *const keys[] = { "id", "description", NULL };
	if (!json_is_array(arr))
		return cpd_xv_fail(v, "type", key);
	size_t sv, sv2;
	int rc = 0;
	cpd_xv_push(v, &sv, key);
	for (size_t i = 0; rc == 0 && i < json_array_size(arr); i++) {
		const json_t *c = json_array_get(arr, i);
		cpd_xv_push_i(v, &sv2, i);
		if (!json_is_object(c))
			rc = cpd_xv_fail(v, "type", NULL);
		if (rc == 0)
			rc = cpd_xv_keys(v, c, keys);
		if (rc == 0 && !json_is_string(json_object_get(c, "id")))
			rc = cpd_xv_fail(v, json_object_get(c, "id") ? "type" : "missing", "id");
		for (size_t j = 0; rc == 0 && j < i; j++)
			if (json_equal(json_object_get(json_array_get(arr, j), "id"), json_object_get(c, "id")))
				rc = cpd_xv_fail(v, "duplicate", "id");
		if (rc == 0 && json_object_get(c, "description"))
			rc = cpd_xv_lang_map(v, json_object_get(c, "description"), "description");
		cpd_xv_pop(v, sv2);
	}
	cpd_xv_pop(v, sv);
	return rc;
}

static int cpd_xv_definition(struct xv *v, const json_t *d)
{
	static const char *const keys[] = { "name", "description", "type", "moreInfo", "interactionType",
		                            "correctResponsesPattern", "choices", "scale", "source", "target",
		                            "steps", "extensions", NULL };
	static const char *const itypes[] = { "true-false", "choice", "fill-in", "long-fill-in", "matching",
		                              "performance", "sequencing", "likert", "numeric", "other", NULL };
	static const char *const comps[] = { "choices", "scale", "source", "target", "steps", NULL };
	size_t sv;
	cpd_xv_push(v, &sv, "definition");
	int rc = 0;
	if (!json_is_object(d))
		rc = cpd_xv_fail(v, "type", NULL);
	if (rc == 0)
		rc = cpd_xv_keys(v, d, keys);
	if (rc == 0 && json_object_get(d, "name"))
		rc = cpd_xv_lang_map(v, json_object_get(d, "name"), "name");
	if (rc == 0 && json_object_get(d, "description"))
		rc = cpd_xv_lang_map(v, json_object_get(d, "description"), "description");
	if (rc == 0)
		rc = cpd_xv_iri_at(v, d, "type", 0);
	if (rc == 0)
		rc = cpd_xv_iri_at(v, d, "moreInfo", 0);
	const json_t *it = json_object_get(d, "interactionType");
	if (rc == 0 && it) {
		size_t i = 0;
		if (json_is_string(it))
			for (; itypes[i]; i++)
				if (strcmp(itypes[i], json_string_value(it)) == 0)
					break;
		if (!json_is_string(it) || !itypes[i])
			rc = cpd_xv_fail(v, "value", "interactionType");
	}
	const json_t *crp = json_object_get(d, "correctResponsesPattern");
	if (rc == 0 && crp && !it)
		rc = cpd_xv_fail(v, "missing", "interactionType");
	if (rc == 0 && crp) {
		if (!json_is_array(crp))
			rc = cpd_xv_fail(v, "type", "correctResponsesPattern");
		for (size_t i = 0; rc == 0 && i < json_array_size(crp); i++)
			if (!json_is_string(json_array_get(crp, i)))
				rc = cpd_xv_fail(v, "type", "correctResponsesPattern");
	}
	for (int i = 0; rc == 0 && comps[i]; i++) {
		const json_t *c = json_object_get(d, comps[i]);
		if (!c)
			continue;
		if (!it) {
			rc = cpd_xv_fail(v, "missing", "interactionType");
			break;
		}
		/* Which component lists an interaction type has (Data 2.4.4.1.1). */
		const char *t = json_string_value(it);
		int fits = (i == 0 && (strcmp(t, "choice") == 0 || strcmp(t, "sequencing") == 0)) ||
		           (i == 1 && strcmp(t, "likert") == 0) ||
		           ((i == 2 || i == 3) && strcmp(t, "matching") == 0) || (i == 4 && strcmp(t, "performance") == 0);
		rc = fits ? cpd_xv_components(v, c, comps[i]) : cpd_xv_fail(v, "value", comps[i]);
	}
	if (rc == 0 && json_object_get(d, "extensions"))
		rc = cpd_xv_extensions(v, json_object_get(d, "extensions"), "extensions");
	cpd_xv_pop(v, sv);
	return rc;
}

static int cpd_xv_activity(struct xv *v, const json_t *a)
{
	static const char *const keys[] = { "objectType", "id", "definition", NULL };
	if (!json_is_object(a))
		return cpd_xv_fail(v, "type", NULL);
	int rc = cpd_xv_keys(v, a, keys);
	if (rc == 0)
		rc = cpd_xv_iri_at(v, a, "id", 1);
	if (rc == 0 && json_object_get(a, "definition"))
		rc = cpd_xv_definition(v, json_object_get(a, "definition"));
	return rc;
}

static int cpd_xv_statement_ref(struct xv *v, const json_t *r)
{
	static const char *const keys[] = { "objectType", "id", NULL };
	if (!json_is_object(r))
		return cpd_xv_fail(v, "type", NULL);
	int rc = cpd_xv_keys(v, r, keys);
	if (rc)
		return rc;
	const json_t *ot = json_object_get(r, "objectType");
	if (!json_is_string(ot) || strcmp(json_string_value(ot), "StatementRef") != 0)
		return cpd_xv_fail(v, "object_type", "objectType");
	const json_t *id = json_object_get(r, "id");
	if (!id)
		return cpd_xv_fail(v, "missing", "id");
	if (!cpd_xapi_is_uuid(json_string_value(id)))
		return cpd_xv_fail(v, "uuid", "id");
	return 0;
}

static int cpd_xv_statement(struct xv *v, const json_t *s, int sub);

static int cpd_xv_object(struct xv *v, const json_t *s, int sub)
{
	const json_t *o = json_object_get(s, "object");
	if (!o)
		return cpd_xv_fail(v, "missing", "object");
	size_t sv;
	cpd_xv_push(v, &sv, "object");
	int rc = 0;
	if (!json_is_object(o)) {
		rc = cpd_xv_fail(v, "type", NULL);
		goto done;
	}
	const json_t *ot = json_object_get(o, "objectType");
	const char *t = ot ? json_string_value(ot) : "Activity";
	if (!t) {
		rc = cpd_xv_fail(v, "object_type", "objectType");
	} else if (strcmp(t, "Activity") == 0) {
		rc = cpd_xv_activity(v, o);
	} else if (strcmp(t, "Agent") == 0 || strcmp(t, "Group") == 0) {
		rc = cpd_xv_actor(v, o, 0, 0);
	} else if (strcmp(t, "StatementRef") == 0) {
		rc = cpd_xv_statement_ref(v, o);
	} else if (strcmp(t, "SubStatement") == 0) {
		rc = sub ? cpd_xv_fail(v, "nested", "objectType") : cpd_xv_statement(v, o, 1);
	} else {
		rc = cpd_xv_fail(v, "object_type", "objectType");
	}
done:
	cpd_xv_pop(v, sv);
	return rc;
}

static int cpd_xv_score(struct xv *v, const json_t *sc)
{
	static const char *const keys[] = { "scaled", "raw", "min", "max", NULL };
	size_t sv;
	cpd_xv_push(v, &sv, "score");
	int rc = 0;
	if (!json_is_object(sc))
		rc = cpd_xv_fail(v, "type", NULL);
	if (rc == 0)
		rc = cpd_xv_keys(v, sc, keys);
	double val[4] = { 0 };
	int has[4] = { 0 };
	for (int i = 0; rc == 0 && i < 4; i++) {
		const json_t *x = json_object_get(sc, keys[i]);
		if (!x)
			continue;
		if (!json_is_number(x))
			rc = cpd_xv_fail(v, "type", keys[i]);
		has[i] = 1;
		val[i] = json_number_value(x);
	}
	if (rc == 0 && has[0] && (val[0] < -1 || val[0] > 1))
		rc = cpd_xv_fail(v, "range", "scaled");
	if (rc == 0 && has[2] && has[3] && val[2] >= val[3])
		rc = cpd_xv_fail(v, "range", "min");
	if (rc == 0 && has[1] && ((has[2] && val[1] < val[2]) || (has[3] && val[1] > val[3])))
		rc = cpd_xv_fail(v, "range", "raw");
	cpd_xv_pop(v, sv);
	return rc;
}

static int cpd_xv_result(struct xv *v, const json_t *r)
{
	static const char *const keys[] = { "score", "success", "completion", "response", "duration", "extensions",
		                            NULL };
	size_t sv;
	cpd_xv_push(v, &sv, "result");
	int rc = 0;
	if (!json_is_object(r))
		rc = cpd_xv_fail(v, "type", NULL);
	if (rc == 0)
		rc = cpd_xv_keys(v, r, keys);
	if (rc == 0 && json_object_get(r, "score"))
		rc = cpd_xv_score(v, json_object_get(r, "score"));
	if (rc == 0 && json_object_get(r, "success") && !json_is_boolean(json_object_get(r, "success")))
		rc = cpd_xv_fail(v, "type", "success");
	if (rc == 0 && json_object_get(r, "completion") && !json_is_boolean(json_object_get(r, "completion")))
		rc = cpd_xv_fail(v, "type", "completion");
	if (rc == 0)
		rc = cpd_xv_str_at(v, r, "response");
	const json_t *du = json_object_get(r, "duration");
	if (rc == 0 && du && !cpd_xv_is_duration(json_string_value(du)))
		rc = cpd_xv_fail(v, "duration", "duration");
	if (rc == 0 && json_object_get(r, "extensions"))
		rc = cpd_xv_extensions(v, json_object_get(r, "extensions"), "extensions");
	cpd_xv_pop(v, sv);
	return rc;
}

static int cpd_xv_context_activities(struct xv *v, const json_t *ca)
{
	static const char *const keys[] = { "parent", "grouping", "category", "other", NULL };
	size_t sv, sv2, sv3;
	cpd_xv_push(v, &sv, "contextActivities");
	int rc = 0;
	if (!json_is_object(ca))
		rc = cpd_xv_fail(v, "type", NULL);
	if (rc == 0)
		rc = cpd_xv_keys(v, ca, keys);
	for (int k = 0; rc == 0 && keys[k]; k++) {
		const json_t *x = json_object_get(ca, keys[k]);
		if (!x)
			continue;
		cpd_xv_push(v, &sv2, keys[k]);
		if (json_is_object(x)) {
			rc = cpd_xv_activity(v, x);
			const json_t *ot = json_object_get(x, "objectType");
			if (rc == 0 && ot && strcmp(json_string_value(ot) ? json_string_value(ot) : "", "Activity") != 0)
				rc = cpd_xv_fail(v, "object_type", "objectType");
		} else if (json_is_array(x)) {
			for (size_t i = 0; rc == 0 && i < json_array_size(x); i++) {
				cpd_xv_push_i(v, &sv3, i);
				const json_t *a = json_array_get(x, i);
				rc = cpd_xv_activity(v, a);
				const json_t *ot = json_is_object(a) ? json_object_get(a, "objectType") : NULL;
				if (rc == 0 && ot && strcmp(json_string_value(ot) ? json_string_value(ot) : "", "Activity") != 0)
					rc = cpd_xv_fail(v, "object_type", "objectType");
				cpd_xv_pop(v, sv3);
			}
		} else {
			rc = cpd_xv_fail(v, "type", NULL);
		}
		cpd_xv_pop(v, sv2);
	}
	cpd_xv_pop(v, sv);
	return rc;
}

static int cpd_xv_context(struct xv *v, const json_t *c, const json_t *object)
{
	static const char *const keys[] = { "registration", "instructor", "team", "contextActivities", "revision",
		                            "platform", "language", "statement", "extensions", NULL };
	size_t sv;
	cpd_xv_push(v, &sv, "context");
	int rc = 0;
	if (!json_is_object(c))
		rc = cpd_xv_fail(v, "type", NULL);
	if (rc == 0)
		rc = cpd_xv_keys(v, c, keys);
	const json_t *reg = json_object_get(c, "registration");
	if (rc == 0 && reg && !cpd_xapi_is_uuid(json_string_value(reg)))
		rc = cpd_xv_fail(v, "uuid", "registration");
	if (rc == 0)
		rc = cpd_xv_actor_at(v, c, "instructor", 0, 0, 0);
	if (rc == 0)
		rc = cpd_xv_actor_at(v, c, "team", 0, 1, 0);
	if (rc == 0 && json_object_get(c, "contextActivities"))
		rc = cpd_xv_context_activities(v, json_object_get(c, "contextActivities"));
	const json_t *ot = json_is_object(object) ? json_object_get(object, "objectType") : NULL;
	int activity = !ot || (json_is_string(ot) && strcmp(json_string_value(ot), "Activity") == 0);
	for (int i = 0; rc == 0 && i < 2; i++) {
		const char *k = i ? "platform" : "revision";
		if (!json_object_get(c, k))
			continue;
		rc = cpd_xv_str_at(v, c, k);
		if (rc == 0 && !activity)
			rc = cpd_xv_fail(v, "not_activity", k);
	}
	const json_t *lang = json_object_get(c, "language");
	if (rc == 0 && lang && !(json_is_string(lang) && cpd_xv_is_lang(json_string_value(lang))))
		rc = cpd_xv_fail(v, "lang", "language");
	if (rc == 0 && json_object_get(c, "statement")) {
		size_t sv2;
		cpd_xv_push(v, &sv2, "statement");
		rc = cpd_xv_statement_ref(v, json_object_get(c, "statement"));
		cpd_xv_pop(v, sv2);
	}
	if (rc == 0 && json_object_get(c, "extensions"))
		rc = cpd_xv_extensions(v, json_object_get(c, "extensions"), "extensions");
	cpd_xv_pop(v, sv);
	return rc;
}

static int cpd_xv_attachments(struct xv *v, const json_t *arr)
{
	static const char *const keys[] = { "usageType", "display", "description", "contentType", "length", "sha2",
		                            "fileUrl", NULL };
	if (!json_is_array(arr))
		return cpd_xv_fail(v, "type", "attachments");
	size_t sv, sv2;
	int rc = 0;
	cpd_xv_push(v, &sv, "attachments");
	for (size_t i = 0; rc == 0 && i < json_array_size(arr); i++) {
		const json_t *a = json_array_get(arr, i);
		cpd_xv_push_i(v, &sv2, i);
		if (!json_is_object(a))
			rc = cpd_xv_fail(v, "type", NULL);
		if (rc == 0)
			rc = cpd_xv_keys(v, a, keys);
		if (rc == 0)
			rc = cpd_xv_iri_at(v, a, "usageType", 1);
		if (rc == 0)
			rc = json_object_get(a, "display") ? cpd_xv_lang_map(v, json_object_get(a, "display"), "display")
			                                   : cpd_xv_fail(v, "missing", "display");
		if (rc == 0 && json_object_get(a, "description"))
			rc = cpd_xv_lang_map(v, json_object_get(a, "description"), "description");
		const json_t *ct = json_object_get(a, "contentType");
		if (rc == 0 && (!json_is_string(ct) || !strchr(json_string_value(ct), '/')))
			rc = cpd_xv_fail(v, ct ? "type" : "missing", "contentType");
		const json_t *len = json_object_get(a, "length");
		if (rc == 0 && (!json_is_integer(len) || json_integer_value(len) < 0))
			rc = cpd_xv_fail(v, len ? "type" : "missing", "length");
		const json_t *sha = json_object_get(a, "sha2");
		if (rc == 0) {
			const char *s = json_string_value(sha);
			size_t n = s ? strlen(s) : 0;
			int ok = n == 56 || n == 64 || n == 96 || n == 128;
			for (size_t j = 0; ok && j < n; j++)
				ok = isxdigit((unsigned char)s[j]) != 0;
			if (!ok)
				rc = cpd_xv_fail(v, sha ? "sha2" : "missing", "sha2");
		}
		if (rc == 0)
			rc = cpd_xv_iri_at(v, a, "fileUrl", 0);
		cpd_xv_pop(v, sv2);
	}
	cpd_xv_pop(v, sv);
	return rc;
}

static int cpd_xv_statement(struct xv *v, const json_t *s, int sub)
{
	static const char *const keys[] = { "id", "actor", "verb", "object", "result", "context", "timestamp",
		                            "stored", "authority", "version", "attachments", NULL };
	static const char *const sub_keys[] = { "objectType", "actor", "verb", "object", "result", "context",
		                                "timestamp", "attachments", NULL };
	if (!json_is_object(s))
		return cpd_xv_fail(v, "type", NULL);
	int rc = cpd_xv_keys(v, s, sub ? sub_keys : keys);
	if (rc)
		return rc;
	const json_t *id = json_object_get(s, "id");
	if (id && !cpd_xapi_is_uuid(json_string_value(id)))
		return cpd_xv_fail(v, "uuid", "id");
	if ((rc = cpd_xv_actor_at(v, s, "actor", 1, 0, 0)) || (rc = cpd_xv_verb(v, s)) || (rc = cpd_xv_object(v, s, sub)))
		return rc;
	if (json_object_get(s, "result") && (rc = cpd_xv_result(v, json_object_get(s, "result"))))
		return rc;
	if (json_object_get(s, "context") &&
	    (rc = cpd_xv_context(v, json_object_get(s, "context"), json_object_get(s, "object"))))
		return rc;
	for (int i = 0; i < 2; i++) {
		const char *k = i ? "stored" : "timestamp";
		const json_t *t = json_object_get(s, k);
		int64_t us;
		if (t && (!json_is_string(t) || cpd_xapi_time_parse(&us, json_string_value(t)) != 0))
			return cpd_xv_fail(v, "time", k);
	}
	if ((rc = cpd_xv_actor_at(v, s, "authority", 0, 0, 1)))
		return rc;
	const json_t *ver = json_object_get(s, "version");
	if (ver) {
		const char *x = json_string_value(ver);
		int ok = x && strncmp(x, "1.0", 3) == 0 && (x[3] == '\0' || x[3] == '.');
		if (ok && x[3] == '.') {
			ok = isdigit((unsigned char)x[4]) != 0;
			for (const char *p = x + 4; ok && *p; p++)
				ok = isdigit((unsigned char)*p) != 0;
		}
		if (!ok)
			return cpd_xv_fail(v, "version", "version");
	}
	if (json_object_get(s, "attachments") && (rc = cpd_xv_attachments(v, json_object_get(s, "attachments"))))
		return rc;
	/* A voiding statement's object is a StatementRef. */
	const json_t *vid = json_object_get(json_object_get(s, "verb"), "id");
	if (!sub && strcmp(json_string_value(vid), "http://adlnet.gov/expapi/verbs/voided") == 0) {
		const json_t *ot = json_object_get(json_object_get(s, "object"), "objectType");
		if (!json_is_string(ot) || strcmp(json_string_value(ot), "StatementRef") != 0)
			return cpd_xv_fail(v, "voiding", "object");
	}
	return 0;
}

int cpd_xapi_validate(const json_t *stmt)
{
	struct xv v = { .path = "", .len = 0 };
	return cpd_xv_statement(&v, stmt, 0);
}
