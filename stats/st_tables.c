/* The table registry and the builders: figures from the owning modules, disclosure control
 * and its audit on every table released (st.h). */
#include "st.h"
#include "st_lattice.h"
#include "st_memo.h"
#include "st_slices.h"
#include "st_store.h"

#include "cpd_skills.h"
#include "cpd_stats.h"
#include "dlv_stats.h"
#include "ib_stats.h"
#include "reg_stats.h"
#include "rs_audit.h"
#include "rs_error.h"
#include "rs_msg.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum st_src { ST_SRC_EXAM, ST_SRC_SCORES, ST_SRC_REGISTER, ST_SRC_STANDING, ST_SRC_COMPLETIONS, ST_SRC_POOL, ST_SRC_EXPOSURE, ST_SRC_SKILLS };
/* How a row's key becomes words: the key itself, the data's own name, or a catalogue id. */
enum st_label {
	ST_LBL_KEY, ST_LBL_DATA, ST_LBL_PREF, ST_LBL_OCC, ST_LBL_IND, ST_LBL_EMP, ST_LBL_AGE, ST_LBL_ATTEMPT, ST_LBL_STANDING,
	ST_LBL_ITEM,
};

struct st_def {
	const char *name;
	const char *section; /* exam, register, cpd, pool, skills: the dashboard's sections */
	enum st_src src;
	int dim;             /* enum dlv_stats_dim or enum reg_stats_dim */
	enum st_label label;
};

static const struct st_def st_defs[] = {
	{ "exam_by_month", "exam", ST_SRC_EXAM, DLV_STATS_MONTH, ST_LBL_KEY },
	{ "exam_by_window", "exam", ST_SRC_EXAM, DLV_STATS_WINDOW, ST_LBL_DATA },
	{ "exam_by_centre", "exam", ST_SRC_EXAM, DLV_STATS_CENTRE, ST_LBL_DATA },
	{ "exam_by_prefecture", "exam", ST_SRC_EXAM, DLV_STATS_PREFECTURE, ST_LBL_PREF },
	{ "exam_by_age", "exam", ST_SRC_EXAM, DLV_STATS_AGE, ST_LBL_AGE },
	{ "exam_by_occupation", "exam", ST_SRC_EXAM, DLV_STATS_OCCUPATION, ST_LBL_OCC },
	{ "exam_by_industry", "exam", ST_SRC_EXAM, DLV_STATS_INDUSTRY, ST_LBL_IND },
	{ "exam_by_employer", "exam", ST_SRC_EXAM, DLV_STATS_EMPLOYER, ST_LBL_EMP },
	{ "exam_by_attempt", "exam", ST_SRC_EXAM, DLV_STATS_ATTEMPT, ST_LBL_ATTEMPT },
	{ "exam_scores", "exam", ST_SRC_SCORES, DLV_STATS_TOTAL, ST_LBL_KEY },
	{ "register_by_reg_date", "register", ST_SRC_REGISTER, REG_STATS_REG_DATE, ST_LBL_KEY },
	{ "register_by_prefecture", "register", ST_SRC_REGISTER, REG_STATS_PREFECTURE, ST_LBL_PREF },
	{ "register_by_industry", "register", ST_SRC_REGISTER, REG_STATS_INDUSTRY, ST_LBL_IND },
	{ "register_by_age", "register", ST_SRC_REGISTER, REG_STATS_AGE, ST_LBL_AGE },
	{ "register_by_pass_year", "register", ST_SRC_REGISTER, REG_STATS_PASS_YEAR, ST_LBL_KEY },
	{ "cpd_standing", "cpd", ST_SRC_STANDING, 0, ST_LBL_STANDING },
	{ "cpd_completions", "cpd", ST_SRC_COMPLETIONS, 0, ST_LBL_DATA },
	{ "pool_by_status", "pool", ST_SRC_POOL, 0, ST_LBL_ITEM },
	{ "pool_exposure", "pool", ST_SRC_EXPOSURE, 0, ST_LBL_KEY },
	{ "skills_by_claim", "skills", ST_SRC_SKILLS, 0, ST_LBL_DATA }, /* skills: specialists per framework claim */
};
#define ST_NDEFS ((int)(sizeof st_defs / sizeof st_defs[0]))

static const struct st_def *st_def_find(const char *name)
{
	for (int i = 0; name && i < ST_NDEFS; i++)
		if (strcmp(st_defs[i].name, name) == 0)
			return &st_defs[i];
	return NULL;
}

int st_table_exists(const char *name)
{
	return st_def_find(name) != NULL;
}

json_t *st_table_list(void)
{
	json_t *a = json_array();
	for (int i = 0; i < ST_NDEFS; i++) {
		char title[96];
		snprintf(title, sizeof title, "stats.table.%s", st_defs[i].name);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "name", st_defs[i].name, "title", title,
		                                   "section", st_defs[i].section));
	}
	return a;
}

/* ---- Filters ------------------------------------------------------------------------------ */

static int st_digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* "YYYY-MM" or a real calendar day "YYYY-MM-DD" -> "YYYY-MM-01". */
static int st_month_of(char out[11], const char *d)
{
	size_t len = strlen(d);
	if ((len != 7 && len != 10) || !st_digits(d, 4) || d[4] != '-' || !st_digits(d + 5, 2))
		return -1;
	int y = atoi(d), m = (d[5] - '0') * 10 + (d[6] - '0');
	if (y < 1900 || y > 2999 || m < 1 || m > 12)
		return -1;
	if (len == 10) {
		if (d[7] != '-' || !st_digits(d + 8, 2))
			return -1;
		static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
		int day = (d[8] - '0') * 10 + (d[9] - '0');
		int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		if (day < 1 || day > mdays[m - 1] || (m == 2 && day == 29 && !leap))
			return -1;
	}
	snprintf(out, 11, "%04d-%02d-01", y, m);
	return 0;
}

static int st_code_ok(const char *s, size_t max, int dash)
{
	size_t n = strlen(s);
	if (n < 1 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(isdigit(c) || (c >= 'A' && c <= 'Z') || (dash && c == '-' && i > 0)))
			return 0;
	}
	return 1;
}

/* ---- The period lattice ------------------------------------------------------------------- */

/* The date filters a release accepts: all time, or one published period of a fiscal year
 * (April to March): the year, its halves (H1 April-September, H2 October-March) or its
 * quarters (Q1 April-June ... Q4 January-March). Periods nest only inside this lattice, and
 * every dated table is protected jointly over all of it (st_lattice.h), so subtracting one
 * released period from another that contains it never pins a suppressed figure. */

/* "YYYY-MM-01" of fiscal month fm (0 = April) of fiscal year fy. */
static void st_fiscal_month(char out[11], int fy, int fm)
{
	int m = 4 + fm, y = m > 12 ? fy + 1 : fy;
	snprintf(out, 11, "%04u-%02u-01", (unsigned)y % 10000u, (unsigned)(m > 12 ? m - 12 : m) % 100u);
}

/* The lattice period that from..to spans: 1 with *fy and *p set, 0 for all time, -1 when the
 * range is not a published period. */
static int st_period_of(const struct st_filter *f, int *fy, int *p)
{
	if (!f->from_month[0] && !f->to_month[0])
		return 0;
	if (!f->from_month[0] || !f->to_month[0])
		return -1;
	int fy1, fm1, fy2, fm2;
	st_fiscal_of(f->from_month, &fy1, &fm1);
	st_fiscal_of(f->to_month, &fy2, &fm2);
	for (int q = 0; fy1 == fy2 && q < ST_PER_YEAR; q++) {
		int lo, hi;
		st_period_months(q, &lo, &hi);
		if (lo == fm1 && hi == fm2) {
			*fy = fy1;
			*p = q;
			return 1;
		}
	}
	return -1;
}

int st_filter_check(const struct st_filter *f)
{
	int fy, p;
	if (st_period_of(f, &fy, &p) < 0) {
		rs_error_msg("stats3.not_a_period", NULL);
		return RS_EINVAL;
	}
	/* One of exam, centre, prefecture: the filter star protects each slice against the
	 * whole and the other slices (st_lattice.h), not a slice of a slice. */
	if (!!f->exam[0] + !!f->centre[0] + !!f->prefecture[0] > 1) {
		rs_error_msg("stats7.one_filter", NULL);
		return RS_EINVAL;
	}
	/* A filter value's slice is protected over all time and the fiscal years (stats8: the
	 * whole's halves and quarters are not in the star). */
	if ((f->exam[0] || f->centre[0] || f->prefecture[0]) && st_period_of(f, &fy, &p) == 1 && p != 0) {
		rs_error_msg("stats8.filter_by_year", NULL);
		return RS_EINVAL;
	}
	return 0;
}

/* "2025" (fiscal year 2025: April 2025 - March 2026), "2025-H1", "2025-H2", "2025-Q1".."Q4". */
static int st_period_set(struct st_filter *f, const char *v)
{
	size_t n = strlen(v);
	if (!(n == 4 || (n == 7 && v[4] == '-' && ((v[5] == 'H' && v[6] >= '1' && v[6] <= '2') ||
	                                           (v[5] == 'Q' && v[6] >= '1' && v[6] <= '4')))) ||
	    !st_digits(v, 4) || atoi(v) < 1900 || atoi(v) > 2998) {
		rs_error_msg("stats3.bad_period", NULL);
		return RS_EINVAL;
	}
	int p = n == 4 ? 0 : v[5] == 'H' ? v[6] - '0' : 2 + (v[6] - '0'), lo, hi, fy = atoi(v);
	st_period_months(p, &lo, &hi);
	st_fiscal_month(f->from_month, fy, lo);
	st_fiscal_month(f->to_month, fy, hi);
	return 0;
}

int st_filter_set(struct st_filter *f, const char *name, const char *value)
{
	if (!value)
		value = "";
	if (strcmp(name, "period") == 0) {
		if (!value[0])
			return 0;
		return st_period_set(f, value);
	}
	if (strcmp(name, "from") == 0 || strcmp(name, "to") == 0) {
		char *dst = name[0] == 'f' ? f->from_month : f->to_month;
		if (!value[0]) {
			dst[0] = 0;
			return 0;
		}
		if (st_month_of(dst, value) != 0) {
			rs_error_msg("stats.bad_date", NULL);
			return RS_EINVAL;
		}
		return 0;
	}
	if (strcmp(name, "exam") == 0) {
		if (value[0] && !st_code_ok(value, 16, 0)) {
			rs_error_msg("stats.bad_exam", NULL);
			return RS_EINVAL;
		}
		snprintf(f->exam, sizeof f->exam, "%s", value);
		return 0;
	}
	if (strcmp(name, "centre") == 0) {
		if (value[0] && (!st_code_ok(value, 32, 1) || strlen(value) < 2)) {
			rs_error_msg("stats.bad_centre", NULL);
			return RS_EINVAL;
		}
		snprintf(f->centre, sizeof f->centre, "%s", value);
		return 0;
	}
	if (strcmp(name, "prefecture") == 0) {
		int p = strlen(value) == 2 && st_digits(value, 2) ? atoi(value) : -1;
		if (value[0] && (p < 1 || p > 47)) {
			rs_error_msg("stats.bad_prefecture", NULL);
			return RS_EINVAL;
		}
		snprintf(f->prefecture, sizeof f->prefecture, "%s", value);
		return 0;
	}
	rs_error_msg("stats.bad_filter", name, NULL);
	return RS_EINVAL;
}

static const char *st_opt(const char *s)
{
	return s && s[0] ? s : NULL;
}

/* ---- Labels ------------------------------------------------------------------------------- */

static const char *const st_age_order[] = { "u20", "20_29", "30_39", "40_49", "50_59", "60p" };

static int st_age_rank(const char *k)
{
	for (int i = 0; i < 6; i++)
		if (strcmp(k, st_age_order[i]) == 0)
			return i;
	return 6;
}

/* The row's words: {"label": data text} or {"label_id": catalogue id}. */
static void st_label_set(json_t *row, enum st_label how, const char *key, const char *data)
{
	char id[64];
	const char *kind = NULL;
	switch (how) {
	case ST_LBL_KEY:
		json_object_set_new(row, "label", json_string(key));
		return;
	case ST_LBL_DATA:
		json_object_set_new(row, "label", json_string(data && data[0] ? data : key));
		return;
	case ST_LBL_PREF: kind = "attr.prefecture."; break;
	case ST_LBL_OCC: kind = "attr.occupation."; break;
	case ST_LBL_IND: kind = "attr.industry."; break;
	case ST_LBL_EMP: kind = "attr.employer."; break;
	case ST_LBL_AGE: kind = "stats.age."; break;
	case ST_LBL_ATTEMPT: kind = "stats.attempt."; break;
	case ST_LBL_STANDING: kind = "state.cpd."; break;
	case ST_LBL_ITEM: kind = "state.item."; break;
	}
	if (!key[0])
		snprintf(id, sizeof id, "attr.unanswered");
	else {
		snprintf(id, sizeof id, "%s%s", kind, key); /* kind ends in "." */
		for (char *p = id; *p; p++)
			*p = (char)tolower((unsigned char)*p); /* catalogue ids are lower case (JSIC 'G' -> g) */
	}
	json_object_set_new(row, "label_id", json_string(id));
}

/* ---- Release ------------------------------------------------------------------------------ */

struct st_out {
	const rs_sdc_table *t;
	int raw;
	int primary, secondary;
};

static const char *st_state_name(enum rs_sdc_state s)
{
	return s == RS_SDC_PRIMARY ? "primary" : "secondary";
}

/* values[key] = the count v, or null (suppressed[key] = why) unless raw; state is the
 * figure's enum rs_sdc_state (st_out's counters follow it). */
static void st_put_kept(struct st_out *o, json_t *row, const char *key, long long v, int state)
{
	json_t *vals = json_object_get(row, "values"), *sup = json_object_get(row, "suppressed");
	if (state == RS_SDC_PUBLISHED || o->raw)
		json_object_set_new(vals, key, json_integer((json_int_t)v));
	else
		json_object_set_new(vals, key, json_null());
	if (state != RS_SDC_PUBLISHED) {
		json_object_set_new(sup, key, json_string(st_state_name((enum rs_sdc_state)state)));
		if (state == RS_SDC_PRIMARY)
			o->primary++;
		else
			o->secondary++;
	}
}

static void st_put_kept_measure(struct st_out *o, json_t *row, const char *key, int state, double value, int decimals)
{
	json_t *vals = json_object_get(row, "values"), *sup = json_object_get(row, "suppressed");
	double scale = decimals == 4 ? 10000.0 : 10.0;
	double rounded = (double)(long long)(value * scale + 0.5) / scale;
	if (state == RS_SDC_PUBLISHED || o->raw)
		json_object_set_new(vals, key, json_real(rounded));
	else
		json_object_set_new(vals, key, json_null());
	if (state != RS_SDC_PUBLISHED)
		json_object_set_new(sup, key, json_string(st_state_name((enum rs_sdc_state)state)));
}

/* The same for entry idx of the protected table. */
static void st_put_count(struct st_out *o, json_t *row, const char *key, int idx)
{
	st_put_kept(o, row, key, rs_sdc_value(o->t, idx), (int)rs_sdc_state(o->t, idx));
}

static void st_put_measure(struct st_out *o, json_t *row, const char *key, int m, double value, int decimals)
{
	st_put_kept_measure(o, row, key, (int)rs_sdc_measure_state(o->t, m), value, decimals);
}

static json_t *st_row_new(const char *key)
{
	return json_pack("{s:s, s:o, s:o}", "key", key, "values", json_object(), "suppressed", json_object());
}

/* A new row of group key labelled how (data: the data's own name), or the total (key NULL). */
static json_t *st_row_for(const char *key, enum st_label how, const char *data)
{
	json_t *row = st_row_new(key ? key : "total");
	if (key)
		st_label_set(row, how, key, data);
	else
		json_object_set_new(row, "label_id", json_string("stats.total"));
	return row;
}

/* A built row into rows, or the table's total. */
static void st_row_add(json_t *doc, json_t *rows, json_t *row, int total)
{
	if (total)
		json_object_set_new(doc, "total", row);
	else
		json_array_append_new(rows, row);
}

/* The rows into the table, and how many figures were held back. */
static void st_rows_set(json_t *doc, json_t *rows, const struct st_out *o)
{
	json_object_set_new(doc, "rows", rows);
	json_object_set_new(doc, "suppressed_counts", json_pack("{s:i, s:i}", "primary", o->primary, "secondary", o->secondary));
}

static json_t *st_columns(const char *const *keys, const char *const *types)
{
	json_t *a = json_array();
	for (int i = 0; keys[i]; i++) {
		char id[64];
		snprintf(id, sizeof id, "stats.col.%s", keys[i]);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "key", keys[i], "label_id", id, "type", types[i]));
	}
	return a;
}

/* ---- Exam tables: applicants, examinees, passers, pass rate, mean scaled score per group --- */

/* A cell of an exam table's joint table (st_lattice.h): applicants, examinees, passers, and
 * the hidden complements absent = applicants - examinees, did not pass = examinees - passers;
 * the pass rate and the mean scaled score on the examinees. */
enum { ST_EX_A, ST_EX_E, ST_EX_P, ST_EX_ABSENT, ST_EX_FAILED, ST_EX_NC };

static int st_exam_cell(rs_sdc_table *t, const int *x, int *m)
{
	int rc = rs_sdc_relate(t, x[ST_EX_A], (int[]){ x[ST_EX_E], x[ST_EX_ABSENT] }, 2);
	if (rc == 0)
		rc = rs_sdc_relate(t, x[ST_EX_E], (int[]){ x[ST_EX_P], x[ST_EX_FAILED] }, 2);
	m[0] = rs_sdc_measure(t, x[ST_EX_E], (int[]){ x[ST_EX_P], x[ST_EX_FAILED] }, 2);
	m[1] = rs_sdc_measure(t, x[ST_EX_E], NULL, 0);
	return rc != 0 ? rc : (m[0] < 0 || m[1] < 0) ? RS_ENOMEM : 0;
}

static const struct st_lat_spec st_exam_spec = { ST_EX_NC, 3, 2, 1, NULL, st_exam_cell };

static int st_cmp_age(const void *a, const void *b)
{
	const struct dlv_stats_row *x = a, *y = b;
	return st_age_rank(x->key) - st_age_rank(y->key);
}

/* The joint tables of an exam table's filter star from the month figures of every slice
 * (dlv_stats_exam_months; slice[i] = row i's slice; by_month: the group is the month),
 * protected together unless raw: outs[star->ns] new (NULL: only *figures, the atoms' hash). */
static int st_exam_joint(json_t **outs, long long *figures, const struct dlv_stats_row *rows, const int *slice, int n,
                         int by_month, const struct st_lat_star *star, const struct rs_sdc_rules *rules, int raw)
{
	struct st_lat_atom *a = calloc((size_t)(n ? n : 1), sizeof *a);
	if (!a)
		return RS_ENOMEM;
	for (int i = 0; i < n; i++) {
		a[i].group = by_month ? rows[i].label : rows[i].key;
		a[i].month = rows[i].label;
		a[i].v[ST_EX_A] = rows[i].applicants;
		a[i].v[ST_EX_E] = rows[i].examinees;
		a[i].v[ST_EX_P] = rows[i].passers;
		a[i].v[ST_EX_ABSENT] = rows[i].applicants - rows[i].examinees;
		a[i].v[ST_EX_FAILED] = rows[i].examinees - rows[i].passers;
		a[i].sum = rows[i].sum_scaled;
		a[i].slice = slice[i];
	}
	if (figures)
		*figures = st_lat_hash(a, n);
	int rc = outs ? st_lat_star_protected(outs, &st_exam_spec, a, n, star, rules, raw) : 0;
	free(a);
	return rc;
}

/* An exam table for period (fy, p) (fy = -1: all time): rows (the period's groups, for
 * their order and names), joint (st_lattice.h: every period of the lattice, protected
 * together). A period without data is a total of zeros relating to nothing (what the joint
 * table held for it before stats4: its protection is the rules' alone). */
static int st_exam_build(json_t *doc, const struct st_def *d, struct dlv_stats_row *rows, int n, const json_t *joint,
                         int fy, int p, const struct rs_sdc_rules *rules, int raw)
{
	const json_t *groups = json_object_get(joint, "groups"), *cells = st_lat_cells(joint, fy, p);
	size_t ng = json_array_size(groups);
	struct dlv_stats_row *own = NULL;
	if (!rows) {
		/* Groups named by their key or a catalogue id: the period's groups are the joint
		 * table's, in key order (the order of the cube's query), no query needed. */
		own = calloc(ng + 1, sizeof *own);
		if (!own)
			return RS_ENOMEM;
		n = 0;
		for (size_t g = 0; cells && g < ng; g++)
			if (!json_is_null(json_array_get(cells, g)))
				snprintf(own[n++].key, sizeof own->key, "%s", json_string_value(json_array_get(groups, g)));
		rows = own;
	}
	if (d->label == ST_LBL_AGE)
		qsort(rows, (size_t)n, sizeof *rows, st_cmp_age);
	int zero = raw || rules->allow_zero ? RS_SDC_PUBLISHED : RS_SDC_PRIMARY;
	json_t *empty = json_pack("[i, i, i, i, i, i, i, i, f]", 0, 0, 0, zero, zero, zero,
	                          raw ? RS_SDC_PUBLISHED : RS_SDC_PRIMARY, raw ? RS_SDC_PUBLISHED : RS_SDC_PRIMARY, 0.0);
	int shown = 0;
	for (size_t g = 0; cells && g < ng; g++)
		shown += !json_is_null(json_array_get(cells, g));
	int rc = 0;
	if (!empty)
		rc = RS_ENOMEM;
	else if (shown != n) {
		rs_error_set("statistics: the aggregates changed during the release (%d groups, %d in the period)", n, shown);
		rc = RS_EINTERNAL;
	}
	static const char *const keys[] = { "applicants", "examinees", "passers", "pass_rate", "mean_scaled", NULL };
	static const char *const types[] = { "count", "count", "count", "rate", "score" };
	if (rc == 0)
		json_object_set_new(doc, "columns", st_columns(keys, types));
	struct st_out o = { NULL, raw, 0, 0 };
	json_t *out_rows = json_array();
	for (int i = 0; rc == 0 && i <= n; i++) {
		const json_t *c = NULL;
		if (i < n) {
			for (size_t g = 0; cells && g < ng && !c; g++)
				if (strcmp(json_string_value(json_array_get(groups, g)), rows[i].key) == 0)
					c = json_array_get(cells, g);
		} else {
			c = cells ? json_array_get(cells, ng) : empty;
		}
		if (!c || json_is_null(c)) {
			rs_error_set("statistics: group %s is not in the period's figures", i < n ? rows[i].key : "total");
			rc = RS_EINTERNAL;
			break;
		}
		long long A = (long long)json_integer_value(json_array_get(c, 0)), E = (long long)json_integer_value(json_array_get(c, 1)),
		          P = (long long)json_integer_value(json_array_get(c, 2));
		double sum = json_number_value(json_array_get(c, 8));
		json_t *row = st_row_for(i < n ? rows[i].key : NULL, d->label, i < n ? rows[i].label : NULL);
		st_put_kept(&o, row, "applicants", A, (int)json_integer_value(json_array_get(c, 3)));
		st_put_kept(&o, row, "examinees", E, (int)json_integer_value(json_array_get(c, 4)));
		st_put_kept(&o, row, "passers", P, (int)json_integer_value(json_array_get(c, 5)));
		st_put_kept_measure(&o, row, "pass_rate", (int)json_integer_value(json_array_get(c, 6)), E ? (double)P / (double)E : 0, 4);
		st_put_kept_measure(&o, row, "mean_scaled", (int)json_integer_value(json_array_get(c, 7)), E ? sum / (double)E : 0, 1);
		st_row_add(doc, out_rows, row, i == n);
	}
	st_rows_set(doc, out_rows, &o);
	json_decref(empty);
	free(own);
	return rc;
}

/* ---- One count per row and its share of the total (score bands, CPD standings) ----------- */

#define ST_SHARE_MAX 16

/* keys[i] / counts[i], i < n; labels by how (ST_LBL_KEY or a catalogue kind); the count
 * column is named col. *te = the total's entry (for a summary on its base). */
static int st_share_build(json_t *doc, const char *const *keys, const long long *counts, int n, enum st_label how,
                          const char *col, const struct rs_sdc_rules *rules, int raw, rs_sdc_table *t, int *te)
{
	int h[ST_SHARE_MAX], m[ST_SHARE_MAX], rc = 0;
	long long E = 0;
	for (int b = 0; b < n; b++) {
		h[b] = rs_sdc_add(t, counts[b], RS_SDC_CELL);
		E += counts[b];
	}
	*te = rs_sdc_add(t, E, RS_SDC_TOTAL);
	rc = rs_sdc_relate(t, *te, h, n);
	for (int b = 0; rc == 0 && b < n; b++)
		m[b] = rs_sdc_measure(t, *te, &h[b], 1);
	int mtot = rc == 0 ? rs_sdc_measure(t, *te, NULL, 0) : -1;
	if (rc == 0)
		rc = st_protect(t, rules);
	if (rc != 0)
		return rc;
	const char *const keysc[] = { col, "share", NULL };
	static const char *const types[] = { "count", "rate" };
	json_object_set_new(doc, "columns", st_columns(keysc, types));
	struct st_out o = { t, raw, 0, 0 };
	json_t *rows = json_array();
	for (int b = 0; b < n; b++) {
		json_t *row = st_row_new(keys[b]);
		st_label_set(row, how, keys[b], NULL);
		st_put_count(&o, row, col, h[b]);
		st_put_measure(&o, row, "share", m[b], E ? (double)counts[b] / (double)E : 0, 4);
		json_array_append_new(rows, row);
	}
	json_t *total = st_row_new("total");
	json_object_set_new(total, "label_id", json_string("stats.total"));
	st_put_count(&o, total, col, *te);
	st_put_measure(&o, total, "share", mtot, E ? 1.0 : 0, 4);
	json_object_set_new(doc, "rows", rows);
	json_object_set_new(doc, "total", total);
	json_object_set_new(doc, "suppressed_counts", json_pack("{s:i, s:i}", "primary", o.primary, "secondary", o.secondary));
	return 0;
}

/* The scaled score distribution's joint table: examinees per band of 100 over the period
 * lattice (st_lattice.h), from the month figures of DLV_STATS_TOTAL. */
static const struct st_lat_spec st_scores_spec = { 1, 1, 0, 0, NULL, NULL };

static void st_band_keys(char keys[DLV_STATS_BANDS][16])
{
	for (int b = 0; b < DLV_STATS_BANDS; b++)
		snprintf(keys[b], 16, "%d-%d", b * 100, b == DLV_STATS_BANDS - 1 ? 1000 : b * 100 + 99);
}

static int st_scores_joint(json_t **outs, long long *figures, const struct dlv_stats_row *months, const int *slice,
                           int nm, const struct st_lat_star *star, const struct rs_sdc_rules *rules, int raw)
{
	char keys[DLV_STATS_BANDS][16];
	st_band_keys(keys);
	struct st_lat_atom *a = calloc((size_t)nm * DLV_STATS_BANDS + 1, sizeof *a);
	if (!a)
		return RS_ENOMEM;
	for (int i = 0; i < nm; i++)
		for (int b = 0; b < DLV_STATS_BANDS; b++) {
			struct st_lat_atom *x = &a[i * DLV_STATS_BANDS + b];
			x->group = keys[b];
			x->month = months[i].label;
			x->v[0] = months[i].hist[b];
			x->slice = slice[i];
		}
	if (figures)
		*figures = st_lat_hash(a, nm * DLV_STATS_BANDS);
	int rc = outs ? st_lat_star_protected(outs, &st_scores_spec, a, nm * DLV_STATS_BANDS, star, rules, raw) : 0;
	free(a);
	return rc;
}

/* The distribution in period (fy, p), a slice of its joint table: examinees per band, their
 * share, and the mean and SD of the scaled score (tot: the period's own figures) on the
 * total's base. */
static int st_scores_build(json_t *doc, const struct dlv_stats_row *tot, const json_t *joint, int fy, int p,
                           const struct rs_sdc_rules *rules, int raw)
{
	static const struct dlv_stats_row none;
	if (!tot)
		tot = &none;
	char keys[DLV_STATS_BANDS][16];
	st_band_keys(keys);
	const json_t *cells = st_lat_cells(joint, fy, p);
	int zero = raw || rules->allow_zero ? RS_SDC_PUBLISHED : RS_SDC_PRIMARY;
	const json_t *tc = st_lat_cell(joint, cells, NULL);
	long long E = tc ? (long long)json_integer_value(json_array_get(tc, 0)) : 0;
	int es = tc ? (int)json_integer_value(json_array_get(tc, 1)) : zero;
	if (E != tot->examinees) {
		rs_error_set("statistics: the aggregates changed during the release (%lld examinees, %lld in the bands)",
		             tot->examinees, E);
		return RS_EINTERNAL;
	}
	static const char *const cols[] = { "examinees", "share", NULL };
	static const char *const types[] = { "count", "rate" };
	json_object_set_new(doc, "columns", st_columns(cols, types));
	struct st_out o = { NULL, raw, 0, 0 };
	json_t *rows = json_array();
	/* A share reveals its band's count together with the total: published when both are and
	 * the total is at least k (as rs_sdc_measure). */
	int base = raw ? RS_SDC_PUBLISHED : E < rules->k || E == 0 ? RS_SDC_PRIMARY : es != RS_SDC_PUBLISHED ? RS_SDC_SECONDARY
	                                                                                                   : RS_SDC_PUBLISHED;
	for (int b = 0; b <= DLV_STATS_BANDS; b++) {
		const json_t *c = b < DLV_STATS_BANDS ? st_lat_cell(joint, cells, keys[b]) : tc;
		long long v = c ? (long long)json_integer_value(json_array_get(c, 0)) : 0;
		int st = c ? (int)json_integer_value(json_array_get(c, 1)) : zero;
		json_t *row = st_row_for(b < DLV_STATS_BANDS ? keys[b] : NULL, ST_LBL_KEY, NULL);
		st_put_kept(&o, row, "examinees", v, st);
		int ms = base != RS_SDC_PUBLISHED || st == RS_SDC_PUBLISHED || raw ? base : RS_SDC_SECONDARY;
		st_put_kept_measure(&o, row, "share", ms, E ? (double)v / (double)E : 0, 4);
		st_row_add(doc, rows, row, b == DLV_STATS_BANDS);
	}
	st_rows_set(doc, rows, &o);
	/* Mean and standard deviation of the scaled score: on the total's base. */
	if ((E >= rules->k && es == RS_SDC_PUBLISHED) || raw) {
		double mean = E ? tot->sum_scaled / (double)E : 0;
		double var = E > 1 ? (tot->sumsq_scaled - (double)E * mean * mean) / (double)(E - 1) : 0;
		json_object_set_new(doc, "summary", json_pack("{s:f, s:f}", "mean_scaled", (double)(long long)(mean * 10 + 0.5) / 10,
		                                              "sd_scaled", var > 0 ? (double)(long long)(sqrt(var) * 10 + 0.5) / 10 : 0.0));
	}
	return 0;
}

/* CPD standings of the last job run: registrants on track, needing action, overdue, renewable. */
static int st_standing_build(json_t *doc, const struct cpd_stats_standing *s, const struct rs_sdc_rules *rules, int raw)
{
	static const char *const keys[] = { "on_track", "action_needed", "overdue", "renewable" };
	const long long counts[] = { s->on_track, s->action_needed, s->overdue, s->renewable };
	rs_sdc_table *t = rs_sdc_new();
	if (!t)
		return RS_ENOMEM;
	int te;
	int rc = st_share_build(doc, keys, counts, 4, ST_LBL_STANDING, "registrants", rules, raw, t, &te);
	rs_sdc_free(t);
	return rc;
}

static void st_memo_key_begin(struct st_memo_key *k, const struct st_def *d, const struct rs_sdc_rules *rules);

/* ---- CPD completions: providers x course kind, with row, column and grand totals ---------- */

/* A cell of the joint table (st_lattice.h): online, practical, and their sum (a row total). */
enum { ST_CP_ON, ST_CP_PR, ST_CP_ALL, ST_CP_NC };

static int st_cpd_cell(rs_sdc_table *t, const int *x, int *m)
{
	(void)m;
	return rs_sdc_relate(t, x[ST_CP_ALL], (int[]){ x[ST_CP_ON], x[ST_CP_PR] }, 2);
}

static const unsigned char st_cpd_kinds[] = { RS_SDC_CELL, RS_SDC_CELL, RS_SDC_TOTAL };
static const struct st_lat_spec st_cpd_spec = { ST_CP_NC, ST_CP_NC, 0, 0, st_cpd_kinds, st_cpd_cell };

/* The joint table of the month figures (cpd_stats_completions_months: the job's aggregates,
 * which carry no stamp), kept in this process by the figures' hash (the same completions, the
 * same protection). */
static int st_cpd_joint(json_t **out, const struct st_def *d, const struct cpd_stats_provider *rows, int n,
                        const struct rs_sdc_rules *rules, int raw)
{
	struct st_lat_atom *a = calloc((size_t)n + 1, sizeof *a);
	if (!a)
		return RS_ENOMEM;
	for (int i = 0; i < n; i++) {
		a[i].group = rows[i].key;
		a[i].month = rows[i].month;
		a[i].v[ST_CP_ON] = rows[i].online;
		a[i].v[ST_CP_PR] = rows[i].practical;
		a[i].v[ST_CP_ALL] = rows[i].online + rows[i].practical;
	}
	long long figures = st_lat_hash(a, n);
	struct st_memo_key k = { 0 };
	st_memo_key_begin(&k, d, rules);
	st_memo_key_add(&k, "joint", 6);
	st_memo_key_add(&k, &figures, sizeof figures);
	int rc = 0;
	*out = raw ? NULL : st_memo_get(&k);
	if (!*out) {
		rc = st_lat_protected(out, &st_cpd_spec, a, n, rules, raw);
		if (rc == 0 && !raw)
			st_memo_put(&k, *out);
	}
	st_memo_key_free(&k);
	free(a);
	return rc;
}

static int st_cmp_provider(const void *a, const void *b)
{
	long long x = atoll(*(const char *const *)a), y = atoll(*(const char *const *)b);
	return (x > y) - (x < y);
}

/* The completions of period (fy, p), a slice of the joint table: the providers with any in it. */
static int st_completions_build(json_t *doc, const json_t *joint, const struct cpd_stats_provider *names, int nn, int fy,
                                int p, const struct rs_sdc_rules *rules, int raw)
{
	int zero = raw || rules->allow_zero ? RS_SDC_PUBLISHED : RS_SDC_PRIMARY;
	const json_t *groups = json_object_get(joint, "groups"), *cells = st_lat_cells(joint, fy, p);
	size_t ng = json_array_size(groups);
	const char **pick = calloc(ng + 1, sizeof *pick);
	if (!pick)
		return RS_ENOMEM;
	size_t n = 0;
	for (size_t g = 0; cells && g < ng; g++)
		if (!json_is_null(json_array_get(cells, g)))
			pick[n++] = json_string_value(json_array_get(groups, g));
	qsort(pick, n, sizeof *pick, st_cmp_provider);
	static const char *const keys[] = { "online", "practical", "completions", NULL };
	static const char *const types[] = { "count", "count", "count" };
	json_object_set_new(doc, "columns", st_columns(keys, types));
	struct st_out o = { NULL, raw, 0, 0 };
	json_t *out_rows = json_array();
	for (size_t i = 0; i <= n; i++) {
		const json_t *c = st_lat_cell(joint, cells, i < n ? pick[i] : NULL);
		json_t *row = st_row_new(i < n ? pick[i] : "total");
		if (i < n) {
			for (int k = 0; k < nn; k++)
				if (strcmp(names[k].key, pick[i]) == 0) {
					json_object_set_new(row, "label", json_string(names[k].name_ja));
					json_object_set_new(row, "label_en", json_string(names[k].name_en));
					break;
				}
		} else {
			json_object_set_new(row, "label_id", json_string("stats.total"));
		}
		for (int k = 0; k < ST_CP_NC; k++)
			st_put_kept(&o, row, keys[k], c ? (long long)json_integer_value(json_array_get(c, (size_t)k)) : 0,
			            c ? (int)json_integer_value(json_array_get(c, (size_t)(ST_CP_NC + k))) : zero);
		st_row_add(doc, out_rows, row, i == n);
	}
	st_rows_set(doc, out_rows, &o);
	free(pick);
	return 0;
}

/* ---- Pool health: counts of items, not of people (released without suppression) ---------- */

static void st_plain(json_t *row, const char *col, long long v)
{
	json_object_set_new(json_object_get(row, "values"), col, json_integer((json_int_t)v));
}

static int st_pool_build(json_t *doc, const struct ib_stats_status *rows, int n)
{
	static const char *const keys[] = { "items", "used", "share_used", "exposures", "ready", "flagged_dif",
		                                "flagged_drift", NULL };
	static const char *const types[] = { "count", "count", "rate", "count", "count", "count", "count" };
	json_object_set_new(doc, "columns", st_columns(keys, types));
	json_t *out_rows = json_array();
	struct ib_stats_status tot = { "", 0, 0, 0, 0, 0, 0 };
	for (int i = 0; i <= n; i++) {
		const struct ib_stats_status *s = i < n ? &rows[i] : &tot;
		json_t *row = st_row_for(i < n ? s->status : NULL, ST_LBL_ITEM, NULL);
		st_plain(row, "items", s->items);
		st_plain(row, "used", s->used);
		json_object_set_new(json_object_get(row, "values"), "share_used",
		                    json_real(s->items ? (double)(long long)((double)s->used / (double)s->items * 10000 + 0.5) / 10000 : 0));
		st_plain(row, "exposures", s->exposures);
		/* Only pretest items wait for calibration. */
		st_plain(row, "ready", i == n || strcmp(s->status, "pretest") == 0 ? s->ready : 0);
		/* Items flagged by the latest recorded DIF / drift analysis (riss analyze ... --record). */
		st_plain(row, "flagged_dif", s->flagged_dif);
		st_plain(row, "flagged_drift", s->flagged_drift);
		if (i < n) {
			tot.flagged_dif += s->flagged_dif;
			tot.flagged_drift += s->flagged_drift;
			tot.items += s->items;
			tot.used += s->used;
			tot.exposures += s->exposures;
			tot.ready += strcmp(s->status, "pretest") == 0 ? s->ready : 0;
			json_array_append_new(out_rows, row);
		} else {
			json_object_set_new(doc, "total", row);
		}
	}
	json_object_set_new(doc, "rows", out_rows);
	return 0;
}

static int st_exposure_build(json_t *doc, const long long *bands)
{
	static const char *const keys[] = { "0", "1-9", "10-99", "100-999", "1000-9999", "10000+" };
	static const char *const cols[] = { "items", NULL };
	static const char *const types[] = { "count" };
	json_object_set_new(doc, "columns", st_columns(cols, types));
	json_t *out_rows = json_array();
	long long tot = 0;
	for (int b = 0; b < IB_STATS_EXPOSURE_BANDS; b++) {
		json_t *row = st_row_new(keys[b]);
		st_label_set(row, ST_LBL_KEY, keys[b], NULL);
		st_plain(row, "items", bands[b]);
		tot += bands[b];
		json_array_append_new(out_rows, row);
	}
	json_t *total = st_row_new("total");
	json_object_set_new(total, "label_id", json_string("stats.total"));
	st_plain(total, "items", tot);
	json_object_set_new(doc, "rows", out_rows);
	json_object_set_new(doc, "total", total);
	return 0;
}

/* ---- Register tables: on the register now, registrations, renewals, lapses, cancellations -- */

/* The register's joint tables (one per slice of its filter star): the dated events
 * (registrations, renewals, lapses, cancellations) over the period lattice (st_lattice.h),
 * and "live", who is on the register now: a snapshot, the same whatever the period,
 * protected once over every group and slice of the star (a flat star of its own) — in each
 * slice's kept form [[count, state] per group of its events, then the total]. */
enum { ST_RG_NEW, ST_RG_RENEWAL, ST_RG_LAPSE, ST_RG_CANCEL, ST_RG_NC };
static const struct st_lat_spec st_reg_spec = { ST_RG_NC, ST_RG_NC, 0, 0, NULL, NULL, 0 };
static const struct st_lat_spec st_live_spec = { 1, 1, 0, 0, NULL, NULL, 1 };

/* Slice s's live column over the groups of its events' joint table. */
static int st_register_live(json_t *joint, const json_t *live, const struct rs_sdc_rules *rules, int raw)
{
	const json_t *groups = json_object_get(joint, "groups"), *cells = st_lat_cells(live, -1, 0);
	int zero = raw || rules->allow_zero ? RS_SDC_PUBLISHED : RS_SDC_PRIMARY;
	json_t *col = json_array();
	int fail = !col;
	for (size_t g = 0; !fail && g <= json_array_size(groups); g++) {
		const json_t *c = st_lat_cell(live, cells, g < json_array_size(groups)
		                                               ? json_string_value(json_array_get(groups, g)) : NULL);
		fail |= json_array_append_new(col, c ? json_pack("[I, I]", json_integer_value(json_array_get(c, 0)),
		                                                  json_integer_value(json_array_get(c, 1)))
		                                     : json_pack("[i, i]", 0, zero));
	}
	if (fail) {
		json_decref(col);
		return RS_ENOMEM;
	}
	json_object_set_new(joint, "live", col);
	return 0;
}

static int st_register_joint(json_t **outs, long long *figures, const struct reg_stats_row *months, const int *mslice,
                             int nm, const struct reg_stats_row *live, const int *lslice, int nl,
                             const struct st_lat_star *star, const char *const *keys, const json_t *byp,
                             int link_slices, int link_totals, const struct rs_sdc_rules *rules, int raw)
{
	struct st_lat_atom *a = calloc((size_t)(nm + nl) + 1, sizeof *a);
	if (!a)
		return RS_ENOMEM;
	for (int i = 0; i < nm; i++) {
		a[i].group = months[i].key;
		a[i].month = months[i].month;
		a[i].v[ST_RG_NEW] = months[i].registered;
		a[i].v[ST_RG_RENEWAL] = months[i].renewals;
		a[i].v[ST_RG_LAPSE] = months[i].lapses;
		a[i].v[ST_RG_CANCEL] = months[i].cancellations;
		a[i].slice = mslice[i];
	}
	for (int i = 0; i < nl; i++) { /* hashed with the events; a flat star of their own */
		a[nm + i].group = live[i].key;
		a[nm + i].month = "live";
		a[nm + i].v[0] = live[i].live;
		a[nm + i].slice = lslice[i];
	}
	if (figures)
		*figures = st_lat_hash(a, nm + nl);
	json_t **louts = outs ? calloc((size_t)star->ns, sizeof *louts) : NULL;
	int rc = outs && !louts ? RS_ENOMEM : 0;
	/* Linked tables (stats9): a prefecture's slice totals what register_by_prefecture's row
	 * for it says (link_slices), its events and who is on the register now, and the whole's
	 * totals are register_by_prefecture's; they take those states (byp: its whole's kept
	 * form; its live column as a joint table of its own). */
	struct st_lat_star events = *star, now = *star;
	const json_t **link = NULL, **llink = NULL;
	const char **lkey = NULL;
	json_t *blive = NULL;
	if (rc == 0 && outs && byp) {
		link = calloc((size_t)star->ns, sizeof *link);
		llink = calloc((size_t)star->ns, sizeof *llink);
		lkey = calloc((size_t)star->ns, sizeof *lkey);
		blive = json_pack("{s:O, s:[[i, i]], s:[O]}", "groups", json_object_get(byp, "groups"), "periods", -1, 0,
		                  "cells", json_object_get(byp, "live"));
		if (!link || !llink || !lkey || !blive)
			rc = RS_ENOMEM;
		for (int s = 1; rc == 0 && link_slices && s < star->ns; s++) {
			link[s] = byp;
			llink[s] = blive;
			lkey[s] = keys[s];
		}
		events.link = link;
		now.link = llink;
		events.link_key = now.link_key = lkey;
		if (link_totals) {
			events.totals = byp;
			now.totals = blive;
		}
	}
	if (rc == 0 && outs)
		rc = st_lat_star_protected(outs, &st_reg_spec, a, nm, &events, rules, raw);
	if (rc == 0 && outs)
		rc = st_lat_star_protected(louts, &st_live_spec, a + nm, nl, &now, rules, raw);
	free(link);
	free(llink);
	free(lkey);
	json_decref(blive);
	for (int s = 0; rc == 0 && outs && s < star->ns; s++) {
		if (outs[s] && !st_lat_is_refused(outs[s]) && st_lat_is_refused(louts[s])) {
			/* its live column is not released: nor is the slice */
			json_decref(outs[s]);
			outs[s] = json_incref(louts[s]);
		}
		if (outs[s] && !st_lat_is_refused(outs[s]))
			rc = st_register_live(outs[s], louts[s], rules, raw);
	}
	for (int s = 0; outs && s < star->ns; s++) {
		if (louts)
			json_decref(louts[s]);
		if (rc != 0) {
			json_decref(outs[s]);
			outs[s] = NULL;
		}
	}
	free(louts);
	free(a);
	return rc;
}

struct st_reg_pick {
	const char *key;
	size_t g;
};

static int st_cmp_reg_pick(const void *a, const void *b)
{
	const struct st_reg_pick *x = a, *y = b;
	return st_age_rank(x->key) - st_age_rank(y->key);
}

/* A register table for period (fy, p), a slice of its joint table: the groups with anyone
 * live or any event in the period. */
static int st_register_build(json_t *doc, const struct st_def *d, const json_t *joint, int fy, int p,
                             const struct rs_sdc_rules *rules, int raw)
{
	const json_t *groups = json_object_get(joint, "groups"), *cells = st_lat_cells(joint, fy, p);
	const json_t *live = json_object_get(joint, "live");
	size_t ng = json_array_size(groups);
	if (json_array_size(live) != ng + 1) {
		rs_error_set("statistics: a register joint table without its live column");
		return RS_EINTERNAL;
	}
	struct st_reg_pick *pick = calloc(ng + 1, sizeof *pick);
	if (!pick)
		return RS_ENOMEM;
	size_t n = 0;
	for (size_t g = 0; g < ng; g++) {
		const json_t *c = cells ? json_array_get(cells, g) : NULL;
		if ((c && !json_is_null(c)) || json_integer_value(json_array_get(json_array_get(live, g), 0)) > 0)
			pick[n++] = (struct st_reg_pick){ json_string_value(json_array_get(groups, g)), g };
	}
	if (d->label == ST_LBL_AGE)
		qsort(pick, n, sizeof *pick, st_cmp_reg_pick);
	/* No event of a group in the period: zeros, published or not as the rules say. */
	int zero = raw || rules->allow_zero ? RS_SDC_PUBLISHED : RS_SDC_PRIMARY;
	static const char *const keys[] = { "live", "registered", "renewals", "lapses", "cancellations", NULL };
	static const char *const types[] = { "count", "count", "count", "count", "count" };
	json_object_set_new(doc, "columns", st_columns(keys, types));
	struct st_out o = { NULL, raw, 0, 0 };
	json_t *out_rows = json_array();
	for (size_t i = 0; i <= n; i++) {
		size_t g = i < n ? pick[i].g : ng;
		const json_t *c = cells ? json_array_get(cells, g) : NULL, *lv = json_array_get(live, g);
		if (json_is_null(c))
			c = NULL;
		json_t *row = st_row_for(i < n ? pick[i].key : NULL, d->label, NULL);
		st_put_kept(&o, row, "live", (long long)json_integer_value(json_array_get(lv, 0)),
		            (int)json_integer_value(json_array_get(lv, 1)));
		for (int k = 0; k < ST_RG_NC; k++)
			st_put_kept(&o, row, keys[1 + k], c ? (long long)json_integer_value(json_array_get(c, (size_t)k)) : 0,
			            c ? (int)json_integer_value(json_array_get(c, (size_t)(ST_RG_NC + k))) : zero);
		st_row_add(doc, out_rows, row, i == n);
	}
	st_rows_set(doc, out_rows, &o);
	free(pick);
	return 0;
}

/* ---- Skills: specialists per framework claim (cpd_skills_claim_counts, kept by the job) --- */

/* "framework:version:ident[:level]" of a claim. */
static void st_claim_key(char *out, size_t n, const json_t *c)
{
	const char *lv = json_string_value(json_object_get(c, "level_ident"));
	snprintf(out, n, "%s:%s:%s%s%s", json_string_value(json_object_get(c, "framework")),
	         json_string_value(json_object_get(c, "version")), json_string_value(json_object_get(c, "ident")),
	         lv && lv[0] ? ":" : "", lv && lv[0] ? lv : "");
}

static int st_cmp_claim(const void *a, const void *b)
{
	char x[256], y[256];
	st_claim_key(x, sizeof x, *(json_t *const *)a);
	st_claim_key(y, sizeof y, *(json_t *const *)b);
	return strcmp(x, y);
}

/* A claim's words in one language: the element's title, and its level when it has one. */
static json_t *st_claim_label(const json_t *c, const char *lang)
{
	char field[16];
	snprintf(field, sizeof field, "title_%s", lang);
	const char *title = json_string_value(json_object_get(c, field));
	char named[400];
	const char *en = json_string_value(json_object_get(c, "title_en"));
	if ((!title || !title[0]) && en && en[0]) {
		/* No official Japanese name: the English proper name, labelled as such (skills2). */
		const char *args[] = { en, NULL };
		rs_msg_format(named, sizeof named, "skills.name_en_only", strcmp(lang, "en") == 0, args);
		title = named;
	}
	if (!title || !title[0])
		title = json_string_value(json_object_get(c, "ident"));
	const char *lv = json_string_value(json_object_get(c, "level_ident"));
	char buf[512];
	if (lv && lv[0])
		snprintf(buf, sizeof buf, "%s (%s)", title ? title : "", lv);
	else
		snprintf(buf, sizeof buf, "%s", title ? title : "");
	return json_string(buf);
}

/* Rows = the claims, one count each: the specialists (live registrations) who hold it. A
 * specialist holds several claims, so the rows do not add up to the total (the
 * specialists whose profile was computed); each claim splits the total into its holders
 * and the rest (a hidden complement), which is what secondary suppression protects. */
static int st_skills_build(json_t *doc, const json_t *counts, const struct rs_sdc_rules *rules, int raw)
{
	const json_t *claims = json_object_get(counts, "claims");
	size_t n = json_array_size(claims);
	json_t **cl = calloc(n + 1, sizeof *cl);
	int *idx = calloc(n + 1, sizeof *idx);
	rs_sdc_table *t = rs_sdc_new();
	int rc = t && idx && cl ? 0 : RS_ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++)
		cl[i] = json_array_get(claims, i);
	if (rc == 0)
		qsort(cl, n, sizeof *cl, st_cmp_claim);
	long long total = (long long)json_integer_value(json_object_get(counts, "registrations"));
	if (rc == 0 && (idx[n] = rs_sdc_add(t, total, RS_SDC_TOTAL)) < 0)
		rc = RS_ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		long long v = (long long)json_integer_value(json_object_get(cl[i], "count"));
		idx[i] = rs_sdc_add(t, v, RS_SDC_CELL);
		int rest = rs_sdc_add(t, total - v, RS_SDC_HIDDEN); /* live registrations without the claim */
		rc = idx[i] < 0 || rest < 0 ? RS_ENOMEM : rs_sdc_relate(t, idx[n], (int[]){ idx[i], rest }, 2);
	}
	if (rc == 0)
		rc = st_protect(t, rules);
	if (rc != 0)
		goto done;
	static const char *const keys[] = { "specialists", NULL };
	static const char *const types[] = { "count" };
	json_object_set_new(doc, "columns", st_columns(keys, types));
	struct st_out o = { t, raw, 0, 0 };
	json_t *out_rows = json_array();
	for (size_t i = 0; i <= n; i++) {
		char key[256] = "total";
		if (i < n)
			st_claim_key(key, sizeof key, cl[i]);
		json_t *row = st_row_new(key);
		if (i < n) {
			json_object_set_new(row, "label", st_claim_label(cl[i], "ja"));
			json_object_set_new(row, "label_en", st_claim_label(cl[i], "en"));
		} else {
			json_object_set_new(row, "label_id", json_string("stats.skills_total"));
		}
		st_put_count(&o, row, "specialists", idx[i]);
		st_row_add(doc, out_rows, row, i == n);
	}
	st_rows_set(doc, out_rows, &o);
done:
	rs_sdc_free(t);
	free(idx);
	free(cl);
	return rc;
}

/* ---- One table ---------------------------------------------------------------------------- */

static json_t *st_filters_json(const struct st_filter *f)
{
	json_t *o = json_object();
	const char *v[] = { f->from_month, f->to_month, f->exam, f->centre, f->prefecture };
	const char *k[] = { "from", "to", "exam", "centre", "prefecture" };
	for (int i = 0; i < 5; i++) {
		char month[8];
		const char *s = v[i];
		if (i < 2 && s[0]) {
			snprintf(month, sizeof month, "%.7s", s); /* months are what the table covers */
			s = month;
		}
		json_object_set_new(o, k[i], s[0] ? json_string(s) : json_null());
	}
	return o;
}

/* The inputs of a protected release (table, rules, the module's figures): st_memo.h. */
static void st_memo_key_begin(struct st_memo_key *k, const struct st_def *d, const struct rs_sdc_rules *rules)
{
	const long long r[2] = { rules->k, rules->allow_zero };
	st_memo_key_add(k, d->name, strlen(d->name) + 1);
	st_memo_key_add(k, r, sizeof r);
}

/* The inputs of an exam table's protected joint table (st_exam_joint): the table, the
 * rules, the filters other than the period, the cube's stamp. */
static void st_joint_key(struct st_memo_key *k, const struct st_def *d, const struct rs_sdc_rules *rules,
                         const struct st_filter *f, long long stamp)
{
	st_memo_key_begin(k, d, rules);
	st_memo_key_add(k, "joint", 6);
	st_memo_key_add(k, f->exam, strlen(f->exam) + 1);
	st_memo_key_add(k, f->centre, strlen(f->centre) + 1);
	st_memo_key_add(k, f->prefecture, strlen(f->prefecture) + 1);
	st_memo_key_add(k, &stamp, sizeof stamp);
}

/* Compute the joint tables of d over the slices of its filter star (st_slices.h), protected
 * together unless raw: outs[sl->n] new; outs NULL: only the hash of the figures they would
 * be computed from. */
typedef int (*st_joint_fn)(json_t **outs, long long *figures, rs_db *db, const struct st_def *d,
                           const struct st_slices *sl, const struct rs_sdc_rules *rules, int raw);

/* The owning module's filter of slice s (a prefecture not answered is "", not "any"). */
static struct dlv_stats_filter st_slice_dlv(const struct st_slice *s)
{
	struct dlv_stats_filter df = { 0 };
	if (s->kind == ST_SL_EXAM)
		df.exam = s->key;
	else if (s->kind == ST_SL_CENTRE)
		df.centre = s->key;
	else if (s->kind == ST_SL_PREFECTURE)
		df.prefecture = s->key;
	return df;
}

static int st_joint_get(json_t **joint, rs_db *db, const struct st_def *d, const struct st_filter *f,
                        const struct rs_sdc_rules *rules, int raw, long long stamp, st_joint_fn fn);

static int st_exam_joint_of(json_t **outs, long long *figures, rs_db *db, const struct st_def *d,
                            const struct st_slices *sl, const struct rs_sdc_rules *rules, int raw);

/* *crossed new: {prefecture: exam_by_centre's released joint table under it} for the
 * prefecture slices of sl (one not released is not a member). */
static int st_cross_of(json_t **crossed, rs_db *db, const struct st_slices *sl, const struct rs_sdc_rules *rules,
                       long long stamp)
{
	int rc = (*crossed = json_object()) ? 0 : RS_ENOMEM;
	for (int s = 1; rc == 0 && s < sl->n; s++) {
		if (sl->s[s].kind != ST_SL_PREFECTURE || sl->hidden[s])
			continue;
		struct st_filter f = { 0 };
		json_t *joint = NULL;
		st_slice_filter(&f, &sl->s[s]);
		rc = st_joint_get(&joint, db, st_def_find("exam_by_centre"), &f, rules, 0, stamp, st_exam_joint_of);
		if (rc == 0 && json_object_set_new(*crossed, sl->s[s].key, joint) != 0)
			rc = RS_ENOMEM;
		if (rc == RS_ESTATE) /* not released: nothing to agree with */
			rc = 0;
	}
	return rc;
}

static int st_exam_joint_of(json_t **outs, long long *figures, rs_db *db, const struct st_def *d,
                            const struct st_slices *sl, const struct rs_sdc_rules *rules, int raw)
{
	/* The month figures of every slice, every period of the lattice. */
	struct dlv_stats_row *all = NULL;
	int *slice = NULL, na = 0, cap = 0, rc = 0, scores = d->src == ST_SRC_SCORES;
	for (int s = 0; rc == 0 && s < sl->n; s++) {
		struct dlv_stats_filter df = st_slice_dlv(&sl->s[s]);
		struct dlv_stats_row *months = NULL;
		int nm = 0;
		rc = dlv_stats_exam_months(&months, &nm, db, scores ? DLV_STATS_TOTAL : (enum dlv_stats_dim)d->dim, &df);
		if (rc == 0 && na + nm > cap) {
			int nc = (na + nm) * 2 + 16;
			struct dlv_stats_row *r2 = realloc(all, (size_t)nc * sizeof *r2);
			int *s2 = r2 ? realloc(slice, (size_t)nc * sizeof *s2) : NULL;
			if (r2)
				all = r2;
			if (s2)
				slice = s2;
			if (!r2 || !s2)
				rc = RS_ENOMEM;
			else
				cap = nc;
		}
		for (int i = 0; rc == 0 && i < nm; i++) {
			all[na] = months[i];
			slice[na++] = s;
		}
		free(months);
	}
	struct st_lat_star star = st_slices_star(sl);
	/* Linked tables (stats8): a centre's slice totals what exam_by_centre's row for it says,
	 * a prefecture's what exam_by_prefecture's says; the slice's totals take those rows'
	 * states, so a filtered table never publishes what the by-centre or by-prefecture table
	 * holds back, nor the other way round. */
	json_t *by[2] = { NULL, NULL }, *crossed = NULL, *totals = NULL;
	const json_t **link = NULL, **cross = NULL;
	const char **lkey = NULL;
	long long stamp = 0;
	struct st_filter none = { 0 };
	if (rc == 0 && outs && !raw) {
		char as_of[40];
		rc = dlv_stats_exam_stamp(&stamp, as_of, db);
		/* Every exam table's period totals are exam_by_month's (the same sittings; stats9);
		 * the score distribution's are its examinees. */
		if (rc == 0 && strcmp(d->name, "exam_by_month") != 0)
			rc = st_joint_get(&totals, db, st_def_find("exam_by_month"), &none, rules, 0, stamp, st_exam_joint_of);
		if (rc == RS_ESTATE) /* not released itself: nothing to agree with */
			rc = 0;
		star.totals = totals;
		if (scores) {
			star.link_col = ST_EX_E;
			star.link_npub = st_exam_spec.npub;
		}
	}
	if (rc == 0 && outs && !raw && sl->n > 1) {
		const char *names[2] = { "exam_by_centre", "exam_by_prefecture" };
		for (int k = 0; rc == 0 && k < 2; k++) {
			rc = st_joint_get(&by[k], db, st_def_find(names[k]), &none, rules, 0, stamp, st_exam_joint_of);
			if (rc == RS_ESTATE) /* not released itself: nothing to agree with */
				rc = 0;
		}
		link = calloc((size_t)sl->n, sizeof *link);
		lkey = calloc((size_t)sl->n, sizeof *lkey);
		if (rc == 0 && (!link || !lkey))
			rc = RS_ENOMEM;
		for (int s = 1; rc == 0 && s < sl->n; s++) {
			link[s] = sl->s[s].kind == ST_SL_CENTRE ? by[0] : sl->s[s].kind == ST_SL_PREFECTURE ? by[1] : NULL;
			lkey[s] = sl->s[s].key;
		}
		star.link = link;
		star.link_key = lkey;
		/* The centre x prefecture cross (stats9): exam_by_prefecture under centre C, row P, is
		 * exam_by_centre under prefecture P, row C — the same figures in two stars. The
		 * by-centre star decides them (its prefecture slices are protected against
		 * exam_by_prefecture's rows); the by-prefecture star takes their states, fixed, and its
		 * audit proves them against its own slices too (else the centres are not released). */
		if (rc == 0 && !scores && d->dim == DLV_STATS_PREFECTURE) {
			rc = st_cross_of(&crossed, db, sl, rules, stamp);
			if (rc == 0 && !(cross = calloc((size_t)sl->n, sizeof *cross)))
				rc = RS_ENOMEM;
			for (int s = 1; rc == 0 && s < sl->n; s++)
				cross[s] = sl->s[s].kind == ST_SL_CENTRE ? crossed : NULL;
			star.cross = cross;
		}
	}
	if (rc == 0)
		rc = scores ? st_scores_joint(outs, figures, all, slice, na, &star, rules, raw)
		            : st_exam_joint(outs, figures, all, slice, na, d->dim == DLV_STATS_MONTH, &star, rules, raw);
	json_decref(by[0]);
	json_decref(by[1]);
	json_decref(crossed);
	json_decref(totals);
	free(cross);
	free(link);
	free(lkey);
	free(all);
	free(slice);
	return rc;
}

static int st_register_joint_of(json_t **outs, long long *figures, rs_db *db, const struct st_def *d,
                                const struct st_slices *sl, const struct rs_sdc_rules *rules, int raw)
{
	struct reg_stats_row *months = NULL, *live = NULL;
	int *ms = NULL, *ls = NULL, nm = 0, nl = 0, rc = 0;
	char as_of[40];
	for (int s = 0; rc == 0 && s < sl->n; s++) {
		const char *pref = sl->s[s].kind == ST_SL_PREFECTURE ? sl->s[s].key : NULL;
		struct reg_stats_row *m = NULL, *l = NULL;
		int km = 0, kl = 0;
		rc = reg_stats_register_months(&m, &km, db, (enum reg_stats_dim)d->dim, pref);
		if (rc == 0)
			rc = reg_stats_register(&l, &kl, as_of, db, (enum reg_stats_dim)d->dim, NULL, NULL, pref);
		struct reg_stats_row *m2 = rc == 0 ? realloc(months, (size_t)(nm + km + 1) * sizeof *m2) : NULL;
		if (m2)
			months = m2;
		struct reg_stats_row *l2 = m2 ? realloc(live, (size_t)(nl + kl + 1) * sizeof *l2) : NULL;
		if (l2)
			live = l2;
		int *ms2 = l2 ? realloc(ms, (size_t)(nm + km + 1) * sizeof *ms2) : NULL;
		if (ms2)
			ms = ms2;
		int *ls2 = ms2 ? realloc(ls, (size_t)(nl + kl + 1) * sizeof *ls2) : NULL;
		if (ls2)
			ls = ls2;
		if (rc == 0 && !ls2)
			rc = RS_ENOMEM;
		for (int i = 0; rc == 0 && i < km; i++) {
			months[nm] = m[i];
			ms[nm++] = s;
		}
		for (int i = 0; rc == 0 && i < kl; i++) {
			live[nl] = l[i];
			ls[nl++] = s;
		}
		free(m);
		free(l);
	}
	struct st_lat_star star = st_slices_star(sl);
	json_t *byp = NULL;
	const char **keys = calloc((size_t)sl->n, sizeof *keys);
	if (rc == 0 && !keys)
		rc = RS_ENOMEM;
	for (int s = 0; rc == 0 && s < sl->n; s++)
		keys[s] = sl->s[s].key;
	int self = strcmp(d->name, "register_by_prefecture") == 0;
	if (rc == 0 && outs && !raw && (sl->n > 1 || !self)) { /* the linked register_by_prefecture (stats9) */
		long long stamp = 0;
		struct st_filter none = { 0 };
		rc = reg_stats_stamp(&stamp, as_of, db);
		if (rc == 0)
			rc = st_joint_get(&byp, db, st_def_find("register_by_prefecture"), &none, rules, 0, stamp,
			                  st_register_joint_of);
		if (rc == RS_ESTATE) /* not released itself: nothing to agree with */
			rc = 0;
	}
	if (rc == 0)
		rc = st_register_joint(outs, figures, months, ms, nm, live, ls, nl, &star, keys, byp, sl->n > 1, !self, rules, raw);
	json_decref(byp);
	free(keys);
	free(months);
	free(live);
	free(ms);
	free(ls);
	return rc;
}

/* The slices of d's star, read now (st_slices.h). */
static int st_slices_of(struct st_slices *sl, rs_db *db, const struct st_def *d)
{
	return d->src == ST_SRC_REGISTER ? st_slices_register(sl, db) : st_slices_exam(sl, db);
}

/* Keep outs (the star of sl) in this process under stamp, each slice under its filter. */
static void st_star_memo(const struct st_def *d, const struct st_slices *sl, json_t **outs,
                         const struct rs_sdc_rules *rules, long long stamp)
{
	for (int s = 0; s < sl->n + sl->nalias; s++) {
		if (s < sl->n && !outs[s])
			continue; /* hidden */
		struct st_filter f;
		st_slice_filter(&f, s < sl->n ? &sl->s[s] : &sl->alias[s - sl->n]);
		struct st_memo_key k = { 0 };
		st_joint_key(&k, d, rules, &f, stamp);
		st_memo_put(&k, s < sl->n ? outs[s] : outs[0]);
		st_memo_key_free(&k);
	}
}

/* The joint table of d under f for a release: kept in this process, or kept by the job right
 * after the refresh of stamp (st_store.h), else computed over d's whole filter star (and the
 * star kept in this process); a filter value without figures has an empty joint table. Raw
 * tables are never kept and need no star. *joint new. */
static int st_joint_get(json_t **joint, rs_db *db, const struct st_def *d, const struct st_filter *f,
                        const struct rs_sdc_rules *rules, int raw, long long stamp, st_joint_fn fn)
{
	struct st_memo_key jk = { 0 };
	int keep = !raw && stamp != 0, rc = 0;
	*joint = NULL;
	if (keep) {
		st_joint_key(&jk, d, rules, f, stamp);
		*joint = st_memo_get(&jk);
		if (!*joint && (*joint = st_store_joint_get(db, d->name, f->exam, f->centre, f->prefecture, rules, stamp)))
			st_memo_put(&jk, *joint);
	}
	st_memo_key_free(&jk);
	if (*joint && st_lat_is_refused(*joint)) {
		/* A slice the job (or an earlier request) could not protect against the whole. */
		json_decref(*joint);
		*joint = NULL;
		rs_error_msg("stats5.not_releasable", NULL);
		return RS_ESTATE;
	}
	if (*joint)
		return 0;
	struct st_slices sl = { 0 };
	int at = 0;
	if (raw || (!f->exam[0] && !f->centre[0] && !f->prefecture[0])) {
		/* Raw figures need no star; nor does the whole: the star protects its slices against
		 * the whole as the whole alone is protected (st_lat_star_protected). */
		rc = st_slices_one(&sl, f);
	} else {
		rc = st_slices_of(&sl, db, d);
		at = rc == 0 ? st_slices_find(&sl, f, d->src == ST_SRC_REGISTER) : 0;
		if (rc == 0 && at == -1) { /* no figures under f: its own (empty) table */
			st_slices_free(&sl);
			rc = st_slices_one(&sl, f);
			at = 0;
		}
	}
	json_t **outs = rc == 0 ? calloc((size_t)sl.n, sizeof *outs) : NULL;
	if (rc == 0 && !outs)
		rc = RS_ENOMEM;
	if (rc == 0)
		rc = fn(outs, NULL, db, d, &sl, rules, raw);
	if (rc == 0 && keep)
		st_star_memo(d, &sl, outs, rules, stamp);
	if (rc == 0 && st_lat_is_refused(outs[at == ST_SL_ALIAS ? 0 : at])) {
		/* The slices cannot be protected without changing the whole's release. */
		rs_error_msg("stats5.not_releasable", NULL);
		rc = RS_ESTATE;
	}
	if (rc == 0)
		*joint = json_incref(outs[at == ST_SL_ALIAS ? 0 : at]);
	for (int s = 0; outs && s < sl.n; s++)
		json_decref(outs[s]);
	free(outs);
	st_slices_free(&sl);
	return rc;
}

/* The job: protect d's filter star (sl) ahead of the requests and keep every released slice
 * under stamp; when its figures are those it was kept from, only restamp them. A table not
 * releasable is skipped (nothing kept: a request answers so, stats5). */
static int st_joint_keep(rs_db *db, const struct st_def *d, const struct st_slices *sl,
                         const struct rs_sdc_rules *rules, long long stamp, st_joint_fn fn)
{
	long long figures = 0;
	int all_kept = 1, rc = fn(NULL, &figures, db, d, sl, rules, 0);
	for (int s = 0; rc == 0 && s < sl->n + sl->nalias; s++) {
		if (s < sl->n && sl->hidden[s])
			continue;
		struct st_filter f;
		int kept = 0;
		st_slice_filter(&f, s < sl->n ? &sl->s[s] : &sl->alias[s - sl->n]);
		rc = st_store_joint_restamp(&kept, db, d->name, f.exam, f.centre, f.prefecture, rules, stamp, figures);
		all_kept &= kept;
	}
	if (rc != 0 || all_kept)
		return rc;
	json_t **outs = calloc((size_t)sl->n, sizeof *outs);
	if (!outs)
		return RS_ENOMEM;
	rc = fn(outs, NULL, db, d, sl, rules, 0);
	if (rc == RS_ESTATE)
		rc = 0; /* nothing kept */
	else
		for (int s = 0; rc == 0 && s < sl->n + sl->nalias; s++) {
			if (s < sl->n && !outs[s])
				continue;
			struct st_filter f;
			st_slice_filter(&f, s < sl->n ? &sl->s[s] : &sl->alias[s - sl->n]);
			rc = st_store_joint_put(db, d->name, f.exam, f.centre, f.prefecture, rules, stamp, figures,
			                        s < sl->n ? outs[s] : outs[0]);
		}
	for (int s = 0; s < sl->n; s++)
		json_decref(outs[s]);
	free(outs);
	return rc;
}

/* *doc's content from the memo when the same inputs were released before (1), else 0. */
static int st_memo_take(json_t **doc, const struct st_memo_key *k)
{
	json_t *hit = st_memo_get(k);
	if (!hit)
		return 0;
	json_decref(*doc);
	*doc = hit;
	return 1;
}

int st_table(json_t **out, rs_db *db, const char *name, const struct st_filter *f, const struct rs_sdc_rules *rules,
             int raw, const char *actor, const char *role, const char *request_id)
{
	const struct st_def *d = st_def_find(name);
	if (!d) {
		rs_error_msg("stats.no_table", name ? name : "", NULL);
		return RS_ENOTFOUND;
	}
	char as_of[40] = "", title[96];
	json_t *doc = json_object();
	int rc, persons = 1;
	struct st_memo_key mk = { 0 };
	st_memo_key_begin(&mk, d, rules);
	int fy = -1, per = 0;
	if (st_period_of(f, &fy, &per) < 0) {
		rs_error_msg("stats3.not_a_period", NULL);
		json_decref(doc);
		st_memo_key_free(&mk);
		return RS_EINVAL;
	}
	st_memo_key_add(&mk, f, sizeof *f); /* the slice of the joint table */
	if (d->src == ST_SRC_REGISTER) {
		/* As the exam tables: a release is a function of the aggregates, the filters and the
		 * rules, and the aggregates change only in a refresh, which commits a new stamp — a
		 * repeat under the same stamp is the release kept, without reading the figures; and
		 * every period's release is a slice of one joint table (st_lattice.h). */
		long long stamp = 0;
		int hit = 0;
		rc = reg_stats_stamp(&stamp, as_of, db);
		if (rc == 0 && !raw && stamp != 0) {
			st_memo_key_add(&mk, &stamp, sizeof stamp);
			hit = st_memo_take(&doc, &mk);
		}
		struct st_filter rf = { 0 }; /* the register's only filter besides the period */
		memcpy(rf.prefecture, f->prefecture, sizeof rf.prefecture);
		json_t *joint = NULL;
		if (rc == 0 && !hit)
			rc = st_joint_get(&joint, db, d, &rf, rules, raw, stamp, st_register_joint_of);
		if (rc == 0 && !hit) {
			rc = st_register_build(doc, d, joint, fy, per, rules, raw);
			if (rc == 0 && !raw && stamp != 0)
				st_memo_put(&mk, doc);
		}
		json_decref(joint);
	} else if (d->src == ST_SRC_STANDING) {
		struct cpd_stats_standing s;
		rc = cpd_stats_standing(&s, db);
		if (rc == 0) {
			snprintf(as_of, sizeof as_of, "%s", s.as_of);
			rc = st_standing_build(doc, &s, rules, raw);
		}
	} else if (d->src == ST_SRC_COMPLETIONS) {
		struct cpd_stats_provider *rows = NULL;
		int n = 0;
		json_t *joint = NULL;
		rc = cpd_stats_completions_months(&rows, &n, as_of, db); /* as of the job's last refresh */
		if (rc == 0)
			rc = st_cpd_joint(&joint, d, rows, n, rules, raw);
		if (rc == 0)
			rc = st_completions_build(doc, joint, rows, n, fy, per, rules, raw);
		json_decref(joint);
		free(rows);
	} else if (d->src == ST_SRC_POOL || d->src == ST_SRC_EXPOSURE) {
		persons = 0;
		struct ib_stats_status *rows = NULL;
		long long bands[IB_STATS_EXPOSURE_BANDS];
		int n = 0;
		rc = d->src == ST_SRC_POOL ? ib_stats_pool(&rows, &n, as_of, db, st_opt(f->exam))
		                           : ib_stats_exposure(bands, db, st_opt(f->exam));
		if (rc == 0)
			rc = d->src == ST_SRC_POOL ? st_pool_build(doc, rows, n) : st_exposure_build(doc, bands);
		free(rows);
	} else if (d->src == ST_SRC_SKILLS) {
		json_t *counts = NULL;
		rc = cpd_skills_claim_counts(&counts, db, (int64_t)time(NULL));
		if (rc == 0) {
			const char *at = json_string_value(json_object_get(counts, "computed_at"));
			snprintf(as_of, sizeof as_of, "%s", at ? at : "");
			rc = st_skills_build(doc, counts, rules, raw);
		}
		json_decref(counts);
	} else {
		struct dlv_stats_filter df = { st_opt(f->from_month), st_opt(f->to_month), st_opt(f->exam), st_opt(f->centre),
		                               st_opt(f->prefecture) };
		struct dlv_stats_row *rows = NULL;
		int n = 0;
		/* A release is a pure function of the cube, the filters and the rules, and the cube
		 * changes only in a refresh, which commits a new stamp: the same request under the
		 * same stamp is the release kept (stats3; one query, not the cube's figures). */
		long long stamp = 0;
		int hit = 0;
		rc = dlv_stats_exam_stamp(&stamp, as_of, db); /* as_of; raw reads are never kept */
		if (rc == 0 && !raw && stamp != 0) {
			st_memo_key_add(&mk, &stamp, sizeof stamp);
			hit = st_memo_take(&doc, &mk);
		}
		/* The period's own rows: the score bands, and the names of windows and centres (other
		 * exam tables take their groups from the joint table). */
		int named = d->src == ST_SRC_SCORES || d->label == ST_LBL_DATA;
		if (rc == 0 && !hit && named)
			rc = dlv_stats_exam(&rows, &n, as_of, db, (enum dlv_stats_dim)d->dim, &df);
		/* Every period's release is a slice of one protected joint table (st_lattice.h), which
		 * depends only on the other filters, the rules and the cube: protected once per
		 * stamp and kept (stats4), not once per period asked. */
		json_t *joint = NULL;
		if (rc == 0 && !hit)
			rc = st_joint_get(&joint, db, d, f, rules, raw, stamp, st_exam_joint_of);
		if (hit)
			;
		else if (rc == 0 && d->src == ST_SRC_SCORES)
			rc = st_scores_build(doc, n ? &rows[0] : NULL, joint, fy, per, rules, raw);
		else if (rc == 0)
			rc = st_exam_build(doc, d, named ? rows : NULL, n, joint, fy, per, rules, raw);
		if (rc == 0 && !raw && !hit && stamp != 0)
			st_memo_put(&mk, doc);
		json_decref(joint);
		free(rows);
	}
	if (rc == 0 && raw) {
		json_t *detail = st_filters_json(f);
		char object[96];
		snprintf(object, sizeof object, "stats:%s", d->name);
		rc = rs_audit(db, actor, role, "stats.raw.read", object, detail, request_id);
		json_decref(detail);
	}
	st_memo_key_free(&mk);
	if (rc != 0) {
		json_decref(doc);
		return rc;
	}
	snprintf(title, sizeof title, "stats.table.%s", d->name);
	json_object_set_new(doc, "table", json_string(d->name));
	json_object_set_new(doc, "title", json_string(title));
	json_object_set_new(doc, "section", json_string(d->section));
	json_object_set_new(doc, "filters", st_filters_json(f));
	json_object_set_new(doc, "raw", json_boolean(raw));
	if (!as_of[0] && d->src != ST_SRC_EXAM && d->src != ST_SRC_SCORES && d->src != ST_SRC_REGISTER &&
	    d->src != ST_SRC_STANDING && d->src != ST_SRC_COMPLETIONS) {
		/* A live query over no rows: the figures are as of now. */
		time_t now = time(NULL);
		struct tm tm;
		strftime(as_of, sizeof as_of, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	}
	json_object_set_new(doc, "as_of", as_of[0] ? json_string(as_of) : json_null());
	/* Counts of people pass disclosure control; the pool's counts of items need none. */
	json_t *dc = json_pack("{s:I, s:b, s:s, s:b}", "k", (json_int_t)rules->k, "allow_zero", rules->allow_zero,
	                       "audit", persons ? "passed" : "not_applicable", "applies", persons);
	json_t *held = json_object_get(doc, "suppressed_counts");
	if (held)
		json_object_update(dc, held);
	else
		json_object_update_new(dc, json_pack("{s:i, s:i}", "primary", 0, "secondary", 0));
	json_object_del(doc, "suppressed_counts");
	json_object_set_new(doc, "disclosure", dc);
	*out = doc;
	return 0;
}

static void st_step(const struct st_progress *pg, const char *step, int done, int total);

/* The job's step after an aggregates' refresh (stats4, stats7): every dated table of src
 * (exam: the exam tables and the score distribution; register) protected over its whole
 * filter star — the whole and each filter value's slice, over the whole period lattice — and
 * kept under the aggregates' stamp, so a release of any of them, whatever the period and
 * the one filter, is one read. */
static int st_precompute(rs_db *db, const struct rs_sdc_rules *rules, const struct st_progress *pg, int reg)
{
	long long stamp = 0;
	char as_of[40];
	int rc = reg ? reg_stats_stamp(&stamp, as_of, db) : dlv_stats_exam_stamp(&stamp, as_of, db);
	if (rc != 0 || stamp == 0)
		return rc;
	struct st_slices sl = { 0 };
	rc = reg ? st_slices_register(&sl, db) : st_slices_exam(&sl, db);
	int total = 0, done = 0;
	for (int t = 0; t < ST_NDEFS; t++)
		total += reg ? st_defs[t].src == ST_SRC_REGISTER : st_defs[t].src == ST_SRC_EXAM || st_defs[t].src == ST_SRC_SCORES;
	for (int t = 0; rc == 0 && t < ST_NDEFS; t++) {
		if (reg ? st_defs[t].src != ST_SRC_REGISTER : st_defs[t].src != ST_SRC_EXAM && st_defs[t].src != ST_SRC_SCORES)
			continue;
		st_step(pg, reg ? "register tables" : "exam tables", ++done, total);
		rc = st_joint_keep(db, &st_defs[t], &sl, rules, stamp, reg ? st_register_joint_of : st_exam_joint_of);
	}
	st_slices_free(&sl);
	if (rc == 0)
		rc = st_store_joint_prune(db, reg ? "register_" : "exam_", stamp);
	return rc;
}

/* A step of the refresh to the caller's progress function, if any. */
static void st_step(const struct st_progress *pg, const char *step, int done, int total)
{
	if (pg && pg->fn)
		pg->fn(pg->ctx, step, done, total);
}

int st_refresh_with(rs_db *db, const struct st_progress *pg)
{
	st_step(pg, "exam aggregates", 0, 1);
	int rc = dlv_stats_refresh(db);
	if (rc == 0) {
		st_step(pg, "register aggregates", 0, 1);
		rc = reg_stats_refresh(db);
	}
	if (rc == 0) {
		st_step(pg, "training aggregates", 0, 1);
		rc = cpd_stats_refresh(db);
	}
	if (rc == 0) {
		struct rs_sdc_rules rules = rs_sdc_rules_default();
		rc = st_precompute(db, &rules, pg, 0);
		if (rc == 0)
			rc = st_precompute(db, &rules, pg, 1);
	}
	/* The skills section: every profile counted in bulk and kept (0067), not per request. */
	if (rc == 0) {
		st_step(pg, "skill counts", 0, 1);
		rc = cpd_skills_claim_counts_refresh(NULL, db, (int64_t)time(NULL));
	}
	return rc;
}

int st_refresh(rs_db *db)
{
	return st_refresh_with(db, NULL);
}
