/* registry: status names, published fields, registration and validity date rules, the
 * public and registrar views of a registrant, and public register search. */
#include "reg_register.h"
#include "rs_util.h"
#include "reg_workflow.h"
#include "store.h"

#include "rs_error.h"
#include "rs_msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const reg_status_names[] = { "active", "suspended", "lapsed", "cancelled", "deregistered" };

const char *reg_status_name(enum reg_status s)
{
	if ((unsigned)s < sizeof reg_status_names / sizeof reg_status_names[0])
		return reg_status_names[s];
	return "unknown";
}

int reg_status_parse(enum reg_status *out, const char *s)
{
	for (size_t i = 0; i < sizeof reg_status_names / sizeof reg_status_names[0]; i++)
		if (s && strcmp(s, reg_status_names[i]) == 0) {
			*out = (enum reg_status)i;
			return 0;
		}
	rs_error_msg("reg.status_unknown", s ? s : "", NULL);
	return RS_EINVAL;
}

int reg_public_reason_ok(enum reg_status to, const char *code)
{
	if (!code || (to != REG_ST_SUSPENDED && to != REG_ST_CANCELLED && to != REG_ST_DEREGISTERED))
		return 0;
	const char *st = reg_status_name(to);
	size_t n = strlen(st), len = strlen(code);
	if (len <= n + 1 || len >= REG_PUBLIC_REASON_MAX || strncmp(code, st, n) != 0 || code[n] != '.')
		return 0;
	for (const char *c = code + n + 1; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || *c == '_'))
			return 0;
	char id[REG_PUBLIC_REASON_MAX + 24];
	snprintf(id, sizeof id, "verify.status_reason.%s", code);
	return rs_msg_find(id) != NULL;
}

int reg_status_change_ok(enum reg_status from, enum reg_status to)
{
	switch (to) {
	case REG_ST_SUSPENDED: return from == REG_ST_ACTIVE;
	case REG_ST_ACTIVE: return from == REG_ST_SUSPENDED;
	case REG_ST_CANCELLED:
	case REG_ST_DEREGISTERED: return from == REG_ST_ACTIVE || from == REG_ST_SUSPENDED || from == REG_ST_LAPSED;
	case REG_ST_LAPSED: return from == REG_ST_ACTIVE || from == REG_ST_SUSPENDED;
	}
	return 0;
}

static const struct {
	unsigned bit;
	const char *name;
} reg_pub_names[] = {
	{ REG_PUB_NAME, "name" },
	{ REG_PUB_NAME_KANA, "name_kana" },
	{ REG_PUB_NAME_LATN, "name_latn" },
	{ REG_PUB_REG_DATE, "reg_date" },
	{ REG_PUB_VALID_UNTIL, "valid_until" },
	{ REG_PUB_RENEWAL_COUNT, "renewal_count" },
	{ REG_PUB_EXAM_PASS_DATE, "exam_pass_date" },
};
#define REG_NPUB (sizeof reg_pub_names / sizeof reg_pub_names[0])

const char *reg_pub_name(unsigned bit)
{
	for (size_t i = 0; i < REG_NPUB; i++)
		if (reg_pub_names[i].bit == bit)
			return reg_pub_names[i].name;
	return NULL;
}

static unsigned reg_pub_bit(const char *name, size_t len)
{
	for (size_t i = 0; i < REG_NPUB; i++)
		if (strlen(reg_pub_names[i].name) == len && memcmp(reg_pub_names[i].name, name, len) == 0)
			return reg_pub_names[i].bit;
	return 0;
}

int reg_pub_parse(unsigned *out, const json_t *arr)
{
	if (!json_is_array(arr) || json_array_size(arr) > REG_NPUB * 2) {
		rs_error_msg("reg.published_fields", NULL);
		return RS_EINVAL;
	}
	unsigned bits = 0;
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);
		unsigned b = s ? reg_pub_bit(s, strlen(s)) : 0;
		if (!b) {
			char k[24];
			snprintf(k, sizeof k, "%zu", i);
			rs_error_msg("reg.published_field_bad", k, NULL);
			return RS_EINVAL;
		}
		bits |= b;
	}
	*out = bits;
	return 0;
}

void reg_pub_pg_array(char *out, size_t cap, unsigned bits)
{
	size_t used = 0;
	used += (size_t)snprintf(out, cap, "{");
	int first = 1;
	for (size_t i = 0; i < REG_NPUB && used < cap; i++)
		if (bits & reg_pub_names[i].bit) {
			used += (size_t)snprintf(out + used, cap - used, "%s%s", first ? "" : ",", reg_pub_names[i].name);
			first = 0;
		}
	if (used < cap)
		snprintf(out + used, cap - used, "}");
}

unsigned reg_pub_from_pg(const char *text)
{
	unsigned bits = 0;
	const char *p = text;
	if (*p == '{')
		p++;
	while (*p && *p != '}') {
		size_t n = strcspn(p, ",}");
		bits |= reg_pub_bit(p, n);
		p += n;
		if (*p == ',')
			p++;
	}
	return bits;
}

int reg_regno_valid(const char *s)
{
	if (!s || strlen(s) != REG_REGNO_LEN)
		return 0;
	for (int i = 0; i < REG_REGNO_LEN; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return strcmp(s, "000000") != 0;
}

static int reg_date_split(const char *s, int *y, int *m, int *d)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return RS_EINVAL;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return RS_EINVAL;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (*y < 1900 || *y > 9998 || *m < 1 || *m > 12 || *d < 1)
		return RS_EINVAL;
	int leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
	int md = mdays[*m - 1] + (*m == 2 && leap);
	return *d <= md ? 0 : RS_EINVAL;
}

int reg_date_valid(const char *s)
{
	int y, m, d;
	return reg_date_split(s, &y, &m, &d) == 0;
}

int reg_is_reg_date(const char *date)
{
	int y, m, d;
	return reg_date_split(date, &y, &m, &d) == 0 && d == 1 && (m == 4 || m == 10);
}

int reg_next_reg_date(char out[11], const char *date)
{
	int y, m, d;
	if (reg_date_split(date, &y, &m, &d) != 0) {
		rs_error_set("\"%.20s\" is not a date YYYY-MM-DD", date ? date : "");
		return RS_EINVAL;
	}
	if (y >= 9998 && !(m < 10 || (m == 10 && d == 1))) {
		rs_error_set("dates run to the year 9998");
		return RS_EINVAL;
	}
	if (m < 4 || (m == 4 && d == 1))
		m = 4;
	else if (m < 10 || (m == 10 && d == 1))
		m = 10;
	else {
		m = 4;
		y++;
	}
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%04d-%02d-01", y, m);
	memcpy(out, tmp, 10);
	out[10] = '\0';
	return 0;
}

static void reg_civil_from_days(char out[11], int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	snprintf(out, 11, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}

int reg_validity_end(char out[11], const char *from)
{
	int y, m, d;
	if (reg_date_split(from, &y, &m, &d) != 0 || d > 28 || y > 9995) {
		rs_error_set("\"%.20s\" is not a start of validity", from ? from : "");
		return RS_EINVAL;
	}
	reg_civil_from_days(out, (int64_t)rs_days_from_civil(y + 3, m, d) - 1);
	return 0;
}

int reg_bar_allowed_from(char out[11], const char *cancelled_on)
{
	int y, m, d;
	if (reg_date_split(cancelled_on, &y, &m, &d) != 0 || y > 9990) {
		rs_error_set("\"%.20s\" is not a date", cancelled_on ? cancelled_on : "");
		return RS_EINVAL;
	}
	char start[11];
	reg_civil_from_days(start, (int64_t)rs_days_from_civil(y, m, d) + 1); /* art. 140: the next day */
	reg_date_split(start, &y, &m, &d);
	y += REG_BAR_YEARS;
	/* The bar ends the day before the corresponding day (art. 143), so the first day
	 * allowed is that day; with no corresponding day (29 February) it ends on the month's
	 * last day and the first day allowed is 1 March. */
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m == 2 && d == 29 && !leap) {
		m = 3;
		d = 1;
	}
	reg_civil_from_days(out, (int64_t)rs_days_from_civil(y, m, d));
	return 0;
}

int reg_validity_exp(int64_t *out, const char *valid_until)
{
	int y, m, d;
	if (reg_date_split(valid_until, &y, &m, &d) != 0) {
		rs_error_set("\"%.20s\" is not a date", valid_until ? valid_until : "");
		return RS_EINVAL;
	}
	/* 00:00 JST of the next day = 15:00 UTC of valid_until. */
	*out = ((int64_t)rs_days_from_civil(y, m, d) + 1) * 86400 - 9 * 3600;
	return 0;
}

const char *reg_card_colour(int renewal_count)
{
	return renewal_count <= 0 ? "green" : renewal_count == 1 ? "blue" : "gold";
}

void reg_today_jst(char out[11], int64_t now)
{
	int64_t t = now + 9 * 3600;
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	reg_civil_from_days(out, days);
}

const char *reg_status_effective(const struct reg_registrant *r, const char *today)
{
	if (r->status == REG_ST_ACTIVE && today && strcmp(r->reg_date, today) > 0)
		return "pending";
	return reg_status_name(r->status);
}

json_t *reg_actions_json(const struct reg_registrant *r, const char *today)
{
	json_t *a = json_array();
	if (r->status == REG_ST_ACTIVE && strcmp(r->valid_until, today) >= 0)
		json_array_append_new(a, json_string("issue"));
	static const struct {
		const char *name;
		enum reg_status to;
	} moves[] = { { "suspend", REG_ST_SUSPENDED }, { "reinstate", REG_ST_ACTIVE },
	              { "cancel", REG_ST_CANCELLED }, { "deregister", REG_ST_DEREGISTERED } };
	for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
		if (reg_status_change_ok(r->status, moves[i].to))
			json_array_append_new(a, json_string(moves[i].name));
	char from[11], until[11];
	if (reg_renewal_period(from, until, r->status, r->valid_until, today) == 0)
		json_array_append_new(a, json_string("renew"));
	rs_error_clear();
	return a;
}

json_t *reg_registrant_public_json(const struct reg_registrant *r, const char *today)
{
	json_t *o = json_object();
	json_object_set_new(o, "regno", json_string(r->regno));
	json_object_set_new(o, "status", json_string(reg_status_effective(r, today)));
	/* The public learns why by a fixed code with catalogue wording (verify.status_reason.<code>),
	 * never the registrar's own text, which stays in the staff views (security review finding 8). */
	if (r->status != REG_ST_ACTIVE)
		json_object_set_new(o, "status_reason", json_string(r->public_reason[0] && r->status != REG_ST_LAPSED
		                                                    ? r->public_reason : reg_status_name(r->status)));
	if (r->published & REG_PUB_NAME)
		json_object_set_new(o, "name", json_string(r->name));
	if (r->published & REG_PUB_NAME_KANA)
		json_object_set_new(o, "name_kana", json_string(r->name_kana));
	if (r->published & REG_PUB_NAME_LATN)
		json_object_set_new(o, "name_latn", json_string(r->name_latn));
	if (r->published & REG_PUB_REG_DATE)
		json_object_set_new(o, "reg_date", json_string(r->reg_date));
	if (r->published & REG_PUB_VALID_UNTIL)
		json_object_set_new(o, "valid_until", json_string(r->valid_until));
	if (r->published & REG_PUB_RENEWAL_COUNT)
		json_object_set_new(o, "renewal_count", json_integer(r->renewal_count));
	if (r->published & REG_PUB_EXAM_PASS_DATE)
		json_object_set_new(o, "exam_pass_date", json_string(r->exam_pass_date));
	return o;
}

json_t *reg_registrant_list_json(const struct reg_registrant *r, const char *today)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s}", "regno", r->regno, "name", r->name,
	                 "name_kana", r->name_kana, "name_latn", r->name_latn, "date_of_birth", r->date_of_birth,
	                 "reg_date", r->reg_date, "valid_until", r->valid_until, "renewal_count", r->renewal_count,
	                 "status", reg_status_name(r->status), "effective_status", reg_status_effective(r, today),
	                 "status_reason", r->status_reason);
}

json_t *reg_registrant_full_json(const struct reg_registrant *r, const char *today)
{
	json_t *pub = json_array();
	for (size_t i = 0; i < REG_NPUB; i++)
		if (r->published & reg_pub_names[i].bit)
			json_array_append_new(pub, json_string(reg_pub_names[i].name));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:o, s:o}",
	                 "regno", r->regno, "name", r->name, "name_kana", r->name_kana, "name_latn", r->name_latn,
	                 "date_of_birth", r->date_of_birth, "exam_result_ref", r->exam_result_ref,
	                 "exam_pass_date", r->exam_pass_date, "reg_date", r->reg_date, "valid_from", r->valid_from,
	                 "valid_until", r->valid_until, "renewal_count", r->renewal_count,
	                 "status", reg_status_name(r->status), "effective_status", reg_status_effective(r, today),
	                 "status_reason", r->status_reason, "public_reason", r->public_reason, "published_fields", pub,
	                 "actions", reg_actions_json(r, today));
}

int reg_registrant_get(rs_db *db, struct reg_registrant *out, const char *regno)
{
	if (!reg_regno_valid(regno)) {
		rs_error_msg("reg.regno_invalid", NULL);
		return RS_EINVAL;
	}
	return reg_store_registrant_get(db, out, regno, 0);
}

int reg_registrants_exist(rs_db *db, unsigned char *out_known, const char *const *regnos, size_t n)
{
	return reg_store_registrants_exist(db, out_known, NULL, regnos, n);
}

int reg_registrants_reg_dates(rs_db *db, char (*out)[11], const char *const *regnos, size_t n)
{
	unsigned char *known = malloc(n ? n : 1);
	if (!known) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	int rc = reg_store_registrants_exist(db, known, out, regnos, n);
	free(known);
	return rc;
}

/* Length of the UTF-8 sequence at p (n bytes left), 0 when it is not well-formed UTF-8
 * (overlongs, surrogates and code points past U+10FFFF included). */
static size_t reg_utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t k;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		k = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4, min = 0x10000;
	else
		return 0;
	if (n < k)
		return 0;
	unsigned cp = c & (0xffu >> (k + 1));
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

int reg_search_parse(struct reg_search_q *out, const char *q, size_t len)
{
	memset(out, 0, sizeof *out);
	if (!q)
		len = 0;
	/* Spaces around the text are not part of it (a pasted number often carries some). */
	while (len > 0 && (q[0] == ' ' || q[0] == '\t'))
		q++, len--;
	while (len > 0 && (q[len - 1] == ' ' || q[len - 1] == '\t'))
		len--;
	if (len == 0 || len > REG_SEARCH_Q_MAX) {
		rs_error_msg("reg.search_length", NULL);
		return RS_EINVAL;
	}
	for (size_t i = 0; i < len;) {
		size_t k = reg_utf8_len((const unsigned char *)q + i, len - i);
		if (k == 0 || (k == 1 && ((unsigned char)q[i] < 0x20 || q[i] == 0x7f))) {
			rs_error_msg("reg.search_text", NULL);
			return RS_EINVAL;
		}
		i += k;
	}
	memcpy(out->text, q, len);
	out->text[len] = '\0';
	return 0;
}

int reg_register_search(json_t **out, rs_db *db, const char *q, int limit, int64_t now)
{
	struct reg_search_q sq;
	int rc = reg_search_parse(&sq, q, q ? strlen(q) : 0);
	if (rc != 0)
		return rc;
	if (limit < 1 || limit > REG_SEARCH_MAX)
		limit = REG_SEARCH_MAX;
	json_t *arr = json_array();
	char today[11];
	reg_today_jst(today, now);
	rc = reg_store_search(db, arr, sq.text, limit, today);
	if (rc != 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}
