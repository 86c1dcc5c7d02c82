/* cpd-tracker: logging completion records (JSON batches and CSV uploads), idempotent on
 * (provider, provider_record_id), with corrections that void and replace; the records
 * a provider sent; the agency's decisions on a record. */
#include "cpd.h"
#include "store.h"

#include "reg_register.h"
#include "rs_audit.h"
#include "rs_error.h"
#include "rs_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum cpd_res { CPD_R_NEW = 0, CPD_R_CREATED, CPD_R_UNCHANGED, CPD_R_CORRECTED, CPD_R_CONFLICT };

struct cpd_ingest {
	const struct cpd_actor *who;
	int64_t provider_id;
	const char *via;
	int all_or_nothing;
	struct cpd_date today;
	struct cpd_batch *b;
	size_t base_nprob;           /* the reader's problems (kept across retries) */
	unsigned char *base_bad;
	enum cpd_res *res;
	int64_t *ids;                /* completion id (created, unchanged, corrected: the new one) */
	int64_t *course_ids;
	int64_t *void_ids;           /* live record a correction replaces */
	unsigned *holds;             /* cpd_hold bits of a new record (0: credited at once) */
	const struct cpd_store_course *courses; /* during the course lookup only */
	char (*reg_dates)[11];       /* each record's registration date ("" unknown) */
	char (*live_state)[12];      /* state of the live record (unchanged ones) */
	struct cpd_date *reg_on;     /* parsed registration dates */
	unsigned char *dup;          /* an identical earlier record of the batch stands for this one */
	size_t created, unchanged, corrected, conflicts;
	size_t pending;              /* created or corrected records held for the CPD desk */
};

static int cpd_ing_problem(struct cpd_ingest *g, size_t i, const char *field, const char *msg, const char *arg,
                           const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int cpd_ing_problem(struct cpd_ingest *g, size_t i, const char *field, const char *msg, const char *arg,
                           const char *fmt, ...)
{
	char text[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	return cpd_batch_problem(g->b, i, field, msg, arg, text);
}

static void cpd_ing_course(void *ctx, const struct cpd_store_course *row)
{
	struct cpd_ingest *g = ctx;
	for (size_t i = 0; i < g->b->n; i++) {
		const struct cpd_record *r = &g->b->rec[i];
		if (g->b->bad[i] || strcmp(r->course_code, row->code) != 0)
			continue;
		g->course_ids[i] = row->id;
		/* The hold rule is the rules' (cpd_rules.c): the record's facts, the course's. */
		struct cpd_credit c = row->facts;
		c.completed_on = r->completed_on;
		g->holds[i] = cpd_completion_holds(&c, r->hours10, row->hours10, g->reg_on[i]);
	}
}

static int cpd_ing_same(const struct cpd_record *r, int64_t course_id, const struct cpd_store_live *row)
{
	char d[11];
	cpd_date_format(d, r->completed_on);
	return strcmp(r->regno, row->regno) == 0 && course_id == row->course_id &&
	       strcmp(d, row->completed_on) == 0 && r->hours10 == row->hours10;
}

static void cpd_ing_live(void *ctx, const struct cpd_store_live *row)
{
	struct cpd_ingest *g = ctx;
	for (size_t i = 0; i < g->b->n; i++) {
		const struct cpd_record *r = &g->b->rec[i];
		if (g->b->bad[i] || strcmp(r->provider_record_id, row->provider_record_id) != 0)
			continue;
		if (cpd_ing_same(r, g->course_ids[i], row)) {
			g->res[i] = CPD_R_UNCHANGED;
			g->ids[i] = row->id;
			snprintf(g->live_state[i], sizeof g->live_state[i], "%s", row->state);
		} else if (r->correction) {
			g->res[i] = CPD_R_CORRECTED;
			g->void_ids[i] = row->id;
		} else {
			g->res[i] = CPD_R_CONFLICT;
			g->ids[i] = row->id;
		}
	}
}

static void cpd_ing_inserted(void *ctx, const char *rec_id, int64_t id)
{
	struct cpd_ingest *g = ctx;
	for (size_t i = 0; i < g->b->n; i++)
		if (!g->b->bad[i] && !g->dup[i] && (g->res[i] == CPD_R_NEW || g->res[i] == CPD_R_CORRECTED) &&
		    strcmp(g->b->rec[i].provider_record_id, rec_id) == 0)
			g->ids[i] = id;
}

/* "a,b" of the hold codes in bits (out of cap bytes; "" none). */
static void cpd_hold_join(char *out, size_t cap, unsigned bits)
{
	size_t len = 0;
	out[0] = '\0';
	for (unsigned bit = 1; bit <= CPD_HOLD_ALL; bit <<= 1) {
		const char *c = (bits & bit) ? cpd_hold_code(bit) : NULL;
		if (c)
			len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s%s", len ? "," : "", c);
	}
}

static json_t *cpd_holds_json(unsigned bits)
{
	json_t *a = json_array();
	for (unsigned bit = 1; a && bit <= CPD_HOLD_ALL; bit <<= 1)
		if ((bits & bit) && cpd_hold_code(bit))
			json_array_append_new(a, json_string(cpd_hold_code(bit)));
	return a;
}

/* The checks that need the database, then the writes. */
static int cpd_ingest_body(rs_db *db, void *arg)
{
	struct cpd_ingest *g = arg;
	struct cpd_batch *b = g->b;
	size_t n = b->n;
	b->nprob = g->base_nprob;
	memcpy(b->bad, g->base_bad, n);
	memset(g->res, 0, n * sizeof *g->res);
	memset(g->ids, 0, n * sizeof *g->ids);
	memset(g->course_ids, 0, n * sizeof *g->course_ids);
	memset(g->void_ids, 0, n * sizeof *g->void_ids);
	memset(g->holds, 0, n * sizeof *g->holds);
	memset(g->live_state, 0, n * sizeof *g->live_state);
	memset(g->reg_on, 0, n * sizeof *g->reg_on);
	memset(g->dup, 0, n);
	g->created = g->unchanged = g->corrected = g->conflicts = g->pending = 0;
	int rc = 0;
	long today = cpd_date_days(g->today);
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (b->bad[i] || cpd_date_days(b->rec[i].completed_on) <= today)
			continue;
		char d[11];
		cpd_date_format(d, b->rec[i].completed_on);
		rc = cpd_ing_problem(g, i, "completed_on", "cpd.record.date_future", d,
		                     "completed_on %s is after today (in Japan)", d);
	}
	/* Registration numbers: one question to the register (with the registration dates the
	 * hold rule needs). */
	const char **regnos = malloc((n ? n : 1) * sizeof *regnos);
	if (!regnos)
		rc = RS_ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++)
		regnos[i] = b->bad[i] ? "" : b->rec[i].regno;
	if (rc == 0)
		rc = reg_registrants_reg_dates(db, g->reg_dates, regnos, n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (b->bad[i])
			continue;
		if (!g->reg_dates[i][0] || cpd_date_parse(&g->reg_on[i], g->reg_dates[i]) != 0)
			rc = cpd_ing_problem(g, i, "regno", "cpd.record.regno_unknown", b->rec[i].regno,
			                     "regno %s is not on the register", b->rec[i].regno);
	}
	free(regnos);
	/* Course codes: only the provider's own. */
	struct cpd_arr codes = { 0 }, recids = { 0 };
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (b->bad[i])
			continue;
		size_t j;
		for (j = 0; j < i; j++)
			if (!b->bad[j] && strcmp(b->rec[j].course_code, b->rec[i].course_code) == 0)
				break;
		if (j == i)
			cpd_arr_add(&codes, b->rec[i].course_code);
	}
	const char *ct = rc == 0 ? cpd_arr_text(&codes) : NULL;
	if (rc == 0 && !ct)
		rc = RS_ENOMEM;
	if (rc == 0)
		rc = cpd_store_courses_for_holds(db, g->provider_id, ct, cpd_ing_course, g);
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (!b->bad[i] && !g->course_ids[i])
			rc = cpd_ing_problem(g, i, "course_code", "cpd.record.course_unknown", b->rec[i].course_code,
			                     "course_code '%s' is not one of your courses", b->rec[i].course_code);
	/* What was sent before under these record ids (locked). */
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (!b->bad[i])
			cpd_arr_add(&recids, b->rec[i].provider_record_id);
	const char *rt = rc == 0 ? cpd_arr_text(&recids) : NULL;
	if (rc == 0 && !rt)
		rc = RS_ENOMEM;
	if (rc == 0)
		rc = cpd_store_live_records(db, g->provider_id, rt, cpd_ing_live, g);
	cpd_arr_free(&codes);
	cpd_arr_free(&recids);
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (!b->bad[i] && g->res[i] == CPD_R_CONFLICT)
			rc = cpd_ing_problem(g, i, "provider_record_id", "cpd.record.conflict", b->rec[i].provider_record_id,
			                     "record '%s' was sent before with other content; send it as a correction to replace it",
			                     b->rec[i].provider_record_id);
	if (rc != 0)
		return rc;
	if (g->all_or_nothing && b->nprob > 0)
		return RS_EINVAL;
	/* Writes: void what corrections replace, insert the new records in one statement. */
	struct cpd_arr voids = { 0 }, a_rec = { 0 }, a_reg = { 0 }, a_course = { 0 }, a_date = { 0 }, a_hours = { 0 },
	               a_corr = { 0 }, a_state = { 0 }, a_holds = { 0 };
	size_t want = 0;
	for (size_t i = 0; i < n; i++) {
		if (b->bad[i] || (g->res[i] != CPD_R_NEW && g->res[i] != CPD_R_CORRECTED))
			continue;
		for (size_t j = 0; j < i; j++)
			if (!b->bad[j] && !g->dup[j] && (g->res[j] == CPD_R_NEW || g->res[j] == CPD_R_CORRECTED) &&
			    strcmp(b->rec[j].provider_record_id, b->rec[i].provider_record_id) == 0) {
				g->dup[i] = 1; /* the same record twice in one batch (the reader refused differing copies) */
				break;
			}
		if (g->dup[i])
			continue;
		if (g->res[i] == CPD_R_CORRECTED)
			cpd_arr_addf_int(&voids, g->void_ids[i]);
		char d[11];
		cpd_date_format(d, b->rec[i].completed_on);
		cpd_arr_add(&a_rec, b->rec[i].provider_record_id);
		cpd_arr_add(&a_reg, b->rec[i].regno);
		cpd_arr_addf_int(&a_course, g->course_ids[i]);
		cpd_arr_add(&a_date, d);
		cpd_arr_addf_int(&a_hours, b->rec[i].hours10);
		cpd_arr_addf_int(&a_corr, g->void_ids[i]);
		char hs[120];
		cpd_hold_join(hs, sizeof hs, g->holds[i]);
		cpd_arr_add(&a_state, g->holds[i] ? "pending" : "accepted");
		cpd_arr_add(&a_holds, hs);
		want++;
	}
	if (voids.n > 0) {
		const char *vt = cpd_arr_text(&voids);
		rc = vt ? cpd_store_void(db, g->provider_id, vt, g->who->actor, "corrected by the provider") : RS_ENOMEM;
	}
	if (rc == 0 && want > 0) {
		struct cpd_store_rows rows = {
			.rec = cpd_arr_text(&a_rec), .regno = cpd_arr_text(&a_reg), .course = cpd_arr_text(&a_course),
			.date = cpd_arr_text(&a_date), .hours = cpd_arr_text(&a_hours), .corrects = cpd_arr_text(&a_corr),
			.state = cpd_arr_text(&a_state), .holds = cpd_arr_text(&a_holds),
		};
		size_t got = 0;
		rc = rows.rec && rows.regno && rows.course && rows.date && rows.hours && rows.corrects && rows.state &&
		             rows.holds
			? cpd_store_insert_many(db, &got, g->provider_id, g->via, &rows, cpd_ing_inserted, g)
			: RS_ENOMEM;
		if (rc == 0 && got != want) {
			/* Another request made one of these ids live meanwhile: run again to see it. */
			rs_error_set("a record id went live concurrently");
			rc = RS_ECONFLICT;
		}
	}
	cpd_arr_free(&voids);
	cpd_arr_free(&a_rec);
	cpd_arr_free(&a_reg);
	cpd_arr_free(&a_course);
	cpd_arr_free(&a_date);
	cpd_arr_free(&a_hours);
	cpd_arr_free(&a_corr);
	cpd_arr_free(&a_state);
	cpd_arr_free(&a_holds);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (b->bad[i])
			continue;
		if (g->dup[i]) {
			for (size_t j = 0; j < i; j++)
				if (!g->dup[j] && !b->bad[j] && strcmp(b->rec[j].provider_record_id, b->rec[i].provider_record_id) == 0) {
					g->ids[i] = g->ids[j];
					break;
				}
			g->res[i] = CPD_R_UNCHANGED;
		} else if (g->res[i] == CPD_R_NEW) {
			g->res[i] = CPD_R_CREATED;
		}
		g->created += g->res[i] == CPD_R_CREATED;
		g->unchanged += g->res[i] == CPD_R_UNCHANGED;
		g->corrected += g->res[i] == CPD_R_CORRECTED;
		g->pending += (g->res[i] == CPD_R_CREATED || g->res[i] == CPD_R_CORRECTED) && g->holds[i];
	}
	for (size_t i = 0; i < n; i++)
		g->conflicts += g->res[i] == CPD_R_CONFLICT;
	char obj[40];
	snprintf(obj, sizeof obj, "provider:%lld", (long long)g->provider_id);
	json_t *d = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "via", g->via, "records", (json_int_t)n, "created",
	                      (json_int_t)g->created, "unchanged", (json_int_t)g->unchanged, "corrected",
	                      (json_int_t)g->corrected, "refused", (json_int_t)(n - g->created - g->unchanged - g->corrected),
	                      "pending", (json_int_t)g->pending);
	rc = rs_audit(db, g->who->actor, g->who->role, "cpd.completions.submit", obj, d, g->who->request_id);
	json_decref(d);
	return rc;
}

static void cpd_ingest_free(struct cpd_ingest *g)
{
	free(g->base_bad);
	free(g->res);
	free(g->ids);
	free(g->course_ids);
	free(g->void_ids);
	free(g->holds);
	free(g->reg_dates);
	free(g->live_state);
	free(g->reg_on);
	free(g->dup);
}

static int cpd_ingest_run(struct cpd_ingest *g)
{
	size_t n = g->b->n ? g->b->n : 1;
	g->base_nprob = g->b->nprob;
	g->base_bad = malloc(n);
	g->res = calloc(n, sizeof *g->res);
	g->ids = calloc(n, sizeof *g->ids);
	g->course_ids = calloc(n, sizeof *g->course_ids);
	g->void_ids = calloc(n, sizeof *g->void_ids);
	g->dup = calloc(n, 1);
	g->holds = calloc(n, sizeof *g->holds);
	g->reg_dates = calloc(n, sizeof *g->reg_dates);
	g->live_state = calloc(n, sizeof *g->live_state);
	g->reg_on = calloc(n, sizeof *g->reg_on);
	if (!g->base_bad || !g->res || !g->ids || !g->course_ids || !g->void_ids || !g->dup || !g->holds ||
	    !g->reg_dates || !g->live_state || !g->reg_on) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	memcpy(g->base_bad, g->b->bad, g->b->n);
	g->today = cpd_today_jst(rs_now_ms() / 1000);
	return 0;
}

static json_t *cpd_problem_json(const struct cpd_problem *p, int csv)
{
	return csv ? json_pack("{s:I, s:s, s:s, s:s, s:s}", "line", (json_int_t)p->line, "column", p->field, "problem",
	                       p->msg, "arg", p->arg, "detail", p->text)
	           : json_pack("{s:s, s:s, s:s, s:s}", "field", p->field, "problem", p->msg, "arg", p->arg, "detail", p->text);
}

/* Per-record results in input order, with the counts. */
static json_t *cpd_ingest_results(const struct cpd_ingest *g)
{
	static const char *const names[] = { "refused", "created", "unchanged", "corrected", "conflict" };
	const struct cpd_batch *b = g->b;
	json_t *arr = json_array();
	size_t refused = 0;
	for (size_t i = 0; arr && i < b->n; i++) {
		enum cpd_res r = g->res[i];
		const char *name = b->bad[i] && r != CPD_R_CONFLICT ? names[0] : names[r];
		refused += b->bad[i] && r != CPD_R_CONFLICT;
		json_t *o = json_pack("{s:s, s:s}", "provider_record_id", b->rec[i].provider_record_id, "result", name);
		if (o && g->ids[i] && !b->bad[i]) {
			json_object_set_new(o, "completion_id", json_integer(g->ids[i]));
			/* What became of it: credited at once, or held for the CPD desk and why. */
			const char *st = r == CPD_R_UNCHANGED && g->live_state[i][0] ? g->live_state[i]
			               : g->holds[i] ? "pending" : "accepted";
			json_object_set_new(o, "state", json_string(st));
			if (r != CPD_R_UNCHANGED && g->holds[i])
				json_object_set_new(o, "holds", cpd_holds_json(g->holds[i]));
		}
		if (o && b->bad[i]) {
			/* The reader's problems come first, the store's after them: scan them all. */
			json_t *probs = json_array();
			for (size_t p = 0; p < b->nprob; p++)
				if (b->prob[p].index == i)
					json_array_append_new(probs, cpd_problem_json(&b->prob[p], 0));
			json_object_set_new(o, "problems", probs);
		}
		json_array_append_new(arr, o);
	}
	return json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:I}", "results", arr, "created", (json_int_t)g->created,
	                 "unchanged", (json_int_t)g->unchanged, "corrected", (json_int_t)g->corrected, "refused",
	                 (json_int_t)refused, "conflicts", (json_int_t)g->conflicts, "pending", (json_int_t)g->pending);
}

/* Every way in: check the batch, store it (in a transaction of its own, or in the caller's
 * when in_tx) and answer with the per-record results in *out (caller frees). */
static int cpd_ingest_go(json_t **out, rs_db *db, struct cpd_ingest *g, int in_tx)
{
	int rc = cpd_ingest_run(g);
	if (rc == 0)
		rc = in_tx ? cpd_ingest_body(db, g) : rs_db_tx(db, RS_DB_READ_COMMITTED, 5, cpd_ingest_body, g);
	if (rc == 0 && !(*out = cpd_ingest_results(g)))
		rc = RS_ENOMEM;
	return rc;
}

int cpd_completions_submit(json_t **out, unsigned *out_status, rs_db *db, const struct cpd_actor *who,
                           int64_t provider_id, const json_t *body)
{
	struct cpd_batch b;
	int rc = cpd_batch_from_json(&b, body);
	if (rc != 0)
		return rc;
	struct cpd_ingest g = { .who = who, .provider_id = provider_id, .via = "api", .b = &b };
	rc = cpd_ingest_go(out, db, &g, 0);
	if (rc == 0)
		*out_status = g.conflicts ? 409 : b.nprob ? 422 : 200;
	cpd_ingest_free(&g);
	cpd_batch_free(&b);
	return rc;
}

int cpd_completions_log_in_tx(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t provider_id,
                              const char *via, struct cpd_batch *b)
{
	struct cpd_ingest g = { .who = who, .provider_id = provider_id, .via = via, .b = b };
	int rc = cpd_ingest_go(out, db, &g, 1);
	cpd_ingest_free(&g);
	return rc;
}

int cpd_completions_import_csv(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t provider_id,
                               const char *csv, size_t len)
{
	struct cpd_batch b;
	int rc = cpd_batch_from_csv(&b, csv, len);
	if (rc != 0)
		return rc;
	struct cpd_ingest g = { .who = who, .provider_id = provider_id, .via = "csv", .all_or_nothing = 1, .b = &b };
	rc = cpd_ingest_go(out, db, &g, 0);
	if (rc == RS_EINVAL && b.nprob > 0) {
		cpd_batch_sort(&b);
		json_t *errs = json_array();
		size_t bad = 0;
		for (size_t i = 0; i < b.n; i++)
			bad += b.bad[i];
		for (size_t p = 0; errs && p < b.nprob; p++)
			json_array_append_new(errs, cpd_problem_json(&b.prob[p], 1));
		*out = json_pack("{s:o, s:I, s:I}", "errors", errs, "rows", (json_int_t)b.n, "bad_rows", (json_int_t)bad);
		char a0[24], a1[24];
		snprintf(a0, sizeof a0, "%zu", bad);
		snprintf(a1, sizeof a1, "%zu", b.n);
		rs_error_msg("cpd.csv.refused", a0, a1, NULL);
	}
	cpd_ingest_free(&g);
	cpd_batch_free(&b);
	return rc;
}

int cpd_completions_list(json_t **out, rs_db *db, int64_t provider_id, const char *regno, const char *state,
                         int limit)
{
	static const char *const states[] = { "pending", "accepted", "rejected", "voided" };
	int known = !state;
	for (size_t i = 0; !known && i < sizeof states / sizeof states[0]; i++)
		known = strcmp(state, states[i]) == 0;
	if (!known) {
		rs_error_msg("cpd.completion.state_filter", NULL);
		return RS_EINVAL;
	}
	if (regno && !reg_regno_valid(regno)) {
		rs_error_msg("cpd.regno_invalid", NULL);
		return RS_EINVAL;
	}
	if (limit < 1 || limit > 1000)
		limit = 200;
	json_t *arr = NULL;
	int rc = cpd_store_completions_json(db, &arr, provider_id, regno, state, limit);
	if (rc == 0 && !(*out = json_pack("{s:o}", "completions", arr)))
		rc = RS_ENOMEM;
	return rc;
}

int cpd_completion_get(json_t **out, rs_db *db, int64_t provider_id, int64_t completion_id)
{
	json_t *o = NULL;
	int rc = cpd_store_completion_json(db, &o, completion_id);
	if (rc == 0 && provider_id > 0 && json_integer_value(json_object_get(o, "provider_id")) != provider_id) {
		json_decref(o);
		rc = RS_ENOTFOUND;
	}
	if (rc == RS_ENOTFOUND)
		cpd_error_id(rc, "cpd.completion.not_found", completion_id);
	if (rc == 0)
		*out = o;
	return rc;
}

struct cpd_decide_tx {
	const struct cpd_actor *who;
	int64_t id;
	const char *state, *reason;
};

static int cpd_decide_body(rs_db *db, void *arg)
{
	struct cpd_decide_tx *t = arg;
	int rc = cpd_store_completion_decide(db, t->id, t->state, t->who->actor, t->reason);
	if (rc != 0)
		return rc;
	char obj[40];
	snprintf(obj, sizeof obj, "completion:%lld", (long long)t->id);
	json_t *d = json_pack("{s:s, s:s}", "state", t->state, "reason", t->reason);
	rc = rs_audit(db, t->who->actor, t->who->role, "cpd.completion.decide", obj, d, t->who->request_id);
	json_decref(d);
	return rc;
}

int cpd_completion_decide(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t completion_id,
                          const char *state, const char *reason)
{
	if (!state || (strcmp(state, "accepted") != 0 && strcmp(state, "rejected") != 0)) {
		rs_error_msg("cpd.completion.state", NULL);
		return RS_EINVAL;
	}
	if (!reason || !reason[0] || strlen(reason) > 1500) {
		rs_error_msg("cpd.completion.reason", NULL);
		return RS_EINVAL;
	}
	struct cpd_decide_tx t = { .who = who, .id = completion_id, .state = state, .reason = reason };
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_decide_body, &t);
	if (rc == RS_ENOTFOUND)
		cpd_error_id(rc, "cpd.completion.not_found", completion_id);
	if (rc == 0)
		rc = cpd_store_completion_json(db, out, completion_id);
	return rc;
}
