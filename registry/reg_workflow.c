/* registry: the registrars' workflow (application, review, registration, status changes,
 * renewal, lapse), each step one audited transaction. */
#include "reg_workflow.h"
#include "reg_account.h"
#include "reg_issue.h"
#include "store.h"
#include "reg_jws.h"

#include "rs_audit.h"
#include "rs_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int reg_wf_str(const char *v, size_t lo, size_t hi, const char *name)
{
	size_t n = v ? strlen(v) : 0;
	if (n < lo || n > hi) {
		char a[24], b[24];
		snprintf(a, sizeof a, "%zu", lo);
		snprintf(b, sizeof b, "%zu", hi);
		rs_error_msg("reg.field_length", name, a, b, NULL);
		return RS_EINVAL;
	}
	return 0;
}

/* ---- apply ---- */

struct reg_wf_apply_arg {
	const struct reg_application *app;
	const struct reg_actor *who;
	int64_t id;
};

/* RS_ESTATE with a clear message when the person's earlier registration was cancelled
 * less than 2 years before today. */
static int reg_wf_bar(rs_db *db, const char *name, const char *date_of_birth, int64_t now)
{
	char today[11], until[11];
	int barred = 0;
	reg_today_jst(today, now);
	int rc = reg_bar_check(&barred, until, db, name, date_of_birth, today);
	if (rc == 0 && barred) {
		rs_error_msg("renewal.err.barred", until, NULL);
		rc = RS_ESTATE;
	}
	return rc;
}

static int reg_wf_apply_tx(rs_db *db, void *arg)
{
	struct reg_wf_apply_arg *a = arg;
	int rc = reg_wf_bar(db, a->app->name, a->app->date_of_birth, (int64_t)time(NULL));
	if (rc != 0)
		return rc;
	/* An application from a computer-based result must match that passed result. */
	rc = reg_store_exam_result_check(db, a->app->exam_result_ref, a->app->name, a->app->date_of_birth,
	                                 a->app->exam_pass_date);
	if (rc == 0)
		rc = reg_store_app_insert(db, &a->id, a->app);
	if (rc != 0)
		return rc;
	char obj[48];
	snprintf(obj, sizeof obj, "application:%lld", (long long)a->id);
	json_t *d = json_pack("{s:s}", "exam_result_ref", a->app->exam_result_ref);
	rc = rs_audit(db, a->who->actor, a->who->role, "registry.application.submit", obj, d, a->who->request_id);
	json_decref(d);
	return rc;
}

int reg_wf_apply(int64_t *out_id, rs_db *db, const struct reg_application *app, const struct reg_actor *who)
{
	int rc;
	if ((rc = reg_wf_str(app->exam_result_ref, 1, 100, "exam_result_ref")) != 0 ||
	    (rc = reg_wf_str(app->name, 1, REG_STR_MAX - 1, "name")) != 0 ||
	    (rc = reg_wf_str(app->name_kana, 1, REG_STR_MAX - 1, "name_kana")) != 0 ||
	    (rc = reg_wf_str(app->name_latn, 1, 100, "name_latn")) != 0)
		return rc;
	if (!reg_date_valid(app->exam_pass_date)) {
		rs_error_msg("reg.field_date", "exam_pass_date", NULL);
		return RS_EINVAL;
	}
	if (!reg_date_valid(app->date_of_birth)) {
		rs_error_msg("reg.field_date", "date_of_birth", NULL);
		return RS_EINVAL;
	}
	for (int k = 0; k < RS_ATTR_N; k++)
		if ((rc = rs_attr_check((enum rs_attr_kind)k, app->attrs.v[k])) != 0)
			return rc;
	struct reg_wf_apply_arg a = { .app = app, .who = who };
	rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, reg_wf_apply_tx, &a);
	if (rc == 0)
		*out_id = a.id;
	return rc;
}

/* ---- review ---- */

struct reg_wf_review_arg {
	int64_t id;
	int approve;
	const char *note;
	const struct reg_actor *who;
};

static int reg_wf_review_tx(rs_db *db, void *arg)
{
	struct reg_wf_review_arg *a = arg;
	json_t *app = NULL;
	int rc = reg_store_app_get(db, &app, a->id);
	if (rc != 0)
		return rc;
	if (strcmp(json_string_value(json_object_get(app, "state")), "submitted") != 0) {
		char ids[24];
		snprintf(ids, sizeof ids, "%lld", (long long)a->id);
		rs_error_msg("reg.app_not_submitted", ids, NULL);
		json_decref(app);
		return RS_ESTATE;
	}
	json_decref(app);
	rc = reg_store_app_set_state(db, a->id, a->approve ? "approved" : "rejected", a->note ? a->note : "",
	                             a->who->actor, NULL);
	if (rc != 0)
		return rc;
	char obj[48];
	snprintf(obj, sizeof obj, "application:%lld", (long long)a->id);
	json_t *d = json_pack("{s:s}", "note", a->note ? a->note : "");
	rc = rs_audit(db, a->who->actor, a->who->role,
	              a->approve ? "registry.application.approve" : "registry.application.reject", obj, d,
	              a->who->request_id);
	json_decref(d);
	return rc;
}

int reg_wf_review(rs_db *db, int64_t app_id, int approve, const char *note, const struct reg_actor *who)
{
	if (note && strlen(note) > 500) {
		rs_error_msg("reg.field_length", "note", "0", "500", NULL);
		return RS_EINVAL;
	}
	if (!approve && (!note || !note[0])) {
		rs_error_msg("reg.reject_needs_note", NULL);
		return RS_EINVAL;
	}
	struct reg_wf_review_arg a = { .id = app_id, .approve = approve, .note = note, .who = who };
	return rs_db_tx(db, RS_DB_READ_COMMITTED, 3, reg_wf_review_tx, &a);
}

/* ---- register ---- */

struct reg_wf_register_arg {
	int64_t id;
	int64_t now;
	const char *reg_date;
	const struct reg_actor *who;
	char regno[REG_REGNO_LEN + 1];
};

static void reg_wf_copy(char *dst, size_t cap, json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	snprintf(dst, cap, "%s", v ? v : "");
}

static int reg_wf_register_tx(rs_db *db, void *arg)
{
	struct reg_wf_register_arg *a = arg;
	json_t *app = NULL;
	int rc = reg_store_app_get(db, &app, a->id);
	if (rc != 0)
		return rc;
	struct reg_registrant r;
	memset(&r, 0, sizeof r);
	if (strcmp(json_string_value(json_object_get(app, "state")), "approved") != 0) {
		char ids[24];
		snprintf(ids, sizeof ids, "%lld", (long long)a->id);
		rs_error_msg("reg.app_not_approved", ids, NULL);
		rc = RS_ESTATE;
		goto done;
	}
	reg_wf_copy(r.name, sizeof r.name, app, "name");
	reg_wf_copy(r.name_kana, sizeof r.name_kana, app, "name_kana");
	reg_wf_copy(r.name_latn, sizeof r.name_latn, app, "name_latn");
	reg_wf_copy(r.date_of_birth, sizeof r.date_of_birth, app, "date_of_birth");
	reg_wf_copy(r.exam_result_ref, sizeof r.exam_result_ref, app, "exam_result_ref");
	reg_wf_copy(r.exam_pass_date, sizeof r.exam_pass_date, app, "exam_pass_date");
	r.published = reg_pub_from_pg(json_string_value(json_object_get(app, "published_fields")));
	snprintf(r.reg_date, sizeof r.reg_date, "%s", a->reg_date);
	snprintf(r.valid_from, sizeof r.valid_from, "%s", a->reg_date);
	if ((rc = reg_validity_end(r.valid_until, r.valid_from)) != 0)
		goto done;
	if (strcmp(r.exam_pass_date, r.reg_date) > 0) {
		rs_error_msg("reg.reg_date_before_pass", r.reg_date, r.exam_pass_date, NULL);
		rc = RS_EINVAL;
		goto done;
	}
	if ((rc = reg_wf_bar(db, r.name, r.date_of_birth, a->now)) != 0 ||
	    (rc = reg_store_exam_result_check(db, r.exam_result_ref, r.name, r.date_of_birth, NULL)) != 0 ||
	    (rc = reg_store_regno_next(db, r.regno)) != 0 ||
	    (rc = reg_store_registrant_insert(db, &r, a->id)) != 0 ||
	    (rc = reg_store_exam_result_mark(db, r.exam_result_ref)) != 0 ||
	    (rc = reg_store_history_add(db, r.regno, NULL, "active", "", "registered", a->who->actor)) != 0 ||
	    (rc = reg_store_app_set_state(db, a->id, "registered", NULL, NULL, r.regno)) != 0)
		goto done;
	char obj[32];
	snprintf(obj, sizeof obj, "registrant:%s", r.regno);
	json_t *d = json_pack("{s:I, s:s, s:s}", "application", (json_int_t)a->id, "reg_date", r.reg_date,
	                      "valid_until", r.valid_until);
	rc = rs_audit(db, a->who->actor, a->who->role, "registry.registrant.register", obj, d, a->who->request_id);
	json_decref(d);
	if (rc == 0)
		memcpy(a->regno, r.regno, sizeof a->regno);
done:
	json_decref(app);
	return rc;
}

int reg_wf_register(char out_regno[REG_REGNO_LEN + 1], rs_db *db, int64_t app_id, const char *reg_date,
                    int64_t now, const struct reg_actor *who)
{
	char date[11];
	if (reg_date && reg_date[0]) {
		if (!reg_is_reg_date(reg_date)) {
			rs_error_msg("reg.reg_date_invalid", NULL);
			return RS_EINVAL;
		}
		snprintf(date, sizeof date, "%s", reg_date);
	} else {
		char today[11];
		reg_today_jst(today, now);
		int rc = reg_next_reg_date(date, today);
		if (rc != 0)
			return rc;
	}
	struct reg_wf_register_arg a = { .id = app_id, .now = now, .reg_date = date, .who = who };
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, reg_wf_register_tx, &a);
	if (rc == 0)
		memcpy(out_regno, a.regno, REG_REGNO_LEN + 1);
	return rc;
}

/* ---- status changes ---- */

struct reg_wf_status_arg {
	const char *regno;
	enum reg_status to;
	const char *public_reason;   /* "" or a code of reg_public_reason_ok */
	const char *reason;
	int64_t now;
	const struct reg_actor *who;
};

/* Move every live credential of regno to list status st (0, 1, 2), one log leaf each. The
 * log is public: its leaves carry the public reason (a code), never the registrar's words. */
static int reg_wf_creds_status(rs_db *db, const char *regno, int st, int64_t now, const char *public_reason)
{
	json_t *creds = NULL;
	int rc = reg_store_live_creds(db, &creds, regno, now);
	if (rc != 0)
		return rc;
	size_t i;
	json_t *c;
	json_array_foreach(creds, i, c) {
		int list = (int)json_integer_value(json_object_get(c, "list_id"));
		int64_t idx = json_integer_value(json_object_get(c, "idx"));
		if (json_integer_value(json_object_get(c, "status")) == st)
			continue;
		if ((rc = reg_store_status_set(db, list, idx, st)) != 0)
			break;
		char *leaf = reg_leaf_status(regno, list, (uint64_t)idx, st, now, public_reason);
		uint64_t li;
		rc = leaf ? reg_store_leaf_append(db, &li, "status", leaf) : RS_ENOMEM;
		free(leaf);
		if (rc != 0)
			break;
	}
	json_decref(creds);
	return rc;
}

static int reg_wf_status_tx(rs_db *db, void *arg)
{
	struct reg_wf_status_arg *a = arg;
	struct reg_registrant r;
	int rc = reg_store_registrant_get(db, &r, a->regno, 1);
	if (rc != 0)
		return rc;
	enum reg_status from = r.status;
	int list_status = 0;
	const char *action = "";
	switch (a->to) {
	case REG_ST_SUSPENDED:
		list_status = 2;
		action = "registry.registrant.suspend";
		break;
	case REG_ST_ACTIVE:
		list_status = 0;
		action = "registry.registrant.reinstate";
		break;
	case REG_ST_CANCELLED:
	case REG_ST_DEREGISTERED:
		list_status = 1;
		action = a->to == REG_ST_CANCELLED ? "registry.registrant.cancel" : "registry.registrant.deregister";
		break;
	case REG_ST_LAPSED:
		list_status = -1; /* credentials end with the validity: their exp says so */
		action = "registry.registrant.lapse";
		break;
	}
	if (!reg_status_change_ok(from, a->to)) {
		rs_error_msg("reg.status_change_refused", a->regno, NULL);
		return RS_ESTATE;
	}
	/* The public code: the registrar's choice, else the status's own (verify.status_reason.<status>). */
	const char *pub = a->public_reason && a->public_reason[0] ? a->public_reason
	                  : a->to == REG_ST_ACTIVE ? "" : reg_status_name(a->to);
	if ((rc = reg_store_registrant_set_status(db, a->regno, a->to, a->public_reason, a->reason)) != 0 ||
	    (rc = reg_store_history_add(db, a->regno, reg_status_name(from), reg_status_name(a->to), a->public_reason,
	                                a->reason, a->who->actor)) != 0)
		return rc;
	if (list_status >= 0 && (rc = reg_wf_creds_status(db, a->regno, list_status, a->now, pub)) != 0)
		return rc;
	if (a->to == REG_ST_CANCELLED) {
		/* A cancellation bars the person from registering again for 2 years. */
		char today[11], allowed[11];
		reg_today_jst(today, a->now);
		if ((rc = reg_bar_allowed_from(allowed, today)) != 0 ||
		    (rc = reg_store_bar_add(db, &r, today, allowed, a->reason)) != 0)
			return rc;
	}
	char obj[32];
	snprintf(obj, sizeof obj, "registrant:%s", a->regno);
	json_t *d = json_pack("{s:s, s:s, s:s, s:s}", "from", reg_status_name(from), "to", reg_status_name(a->to),
	                      "reason", a->reason ? a->reason : "", "public_reason", a->public_reason);
	rc = rs_audit(db, a->who->actor, a->who->role, action, obj, d, a->who->request_id);
	json_decref(d);
	return rc;
}

static int reg_wf_status_check(const char *regno, enum reg_status to, const char *public_reason, const char *reason)
{
	if (!reg_regno_valid(regno)) {
		rs_error_msg("reg.regno_invalid", NULL);
		return RS_EINVAL;
	}
	if (public_reason && public_reason[0] && !reg_public_reason_ok(to, public_reason)) {
		rs_error_msg("security.public_reason_invalid", NULL);
		return RS_EINVAL;
	}
	if (reason && strlen(reason) > 500) {
		rs_error_msg("reg.field_length", "reason", "0", "500", NULL);
		return RS_EINVAL;
	}
	if (to != REG_ST_ACTIVE && to != REG_ST_LAPSED && (!reason || !reason[0])) {
		rs_error_msg("reg.reason_required", NULL);
		return RS_EINVAL;
	}
	return 0;
}

int reg_wf_set_status_in_tx(rs_db *db, const char *regno, enum reg_status to, const char *public_reason,
                            const char *reason, int64_t now, const struct reg_actor *who)
{
	int rc = reg_wf_status_check(regno, to, public_reason, reason);
	if (rc != 0)
		return rc;
	struct reg_wf_status_arg a = { .regno = regno, .to = to, .public_reason = public_reason ? public_reason : "",
	                               .reason = reason ? reason : "", .now = now, .who = who };
	return reg_wf_status_tx(db, &a);
}

int reg_wf_set_status(rs_db *db, const char *regno, enum reg_status to, const char *public_reason, const char *reason,
                      int64_t now, const struct reg_actor *who)
{
	int rc = reg_wf_status_check(regno, to, public_reason, reason);
	if (rc != 0)
		return rc;
	struct reg_wf_status_arg a = { .regno = regno, .to = to, .public_reason = public_reason ? public_reason : "",
	                               .reason = reason ? reason : "", .now = now, .who = who };
	return rs_db_tx(db, RS_DB_READ_COMMITTED, 3, reg_wf_status_tx, &a);
}

/* ---- renewal ---- */

struct reg_wf_renew_arg {
	const char *regno;
	int64_t now;
	const struct reg_actor *who;
	char until[11];
};

static int reg_wf_renew_tx(rs_db *db, void *arg)
{
	struct reg_wf_renew_arg *a = arg;
	struct reg_registrant r;
	int rc = reg_store_registrant_get(db, &r, a->regno, 1);
	if (rc != 0)
		return rc;
	char today[11], from[11], until[11];
	reg_today_jst(today, a->now);
	if ((rc = reg_renewal_period(from, until, r.status, r.valid_until, today)) != 0) {
		rs_error_msg("reg.renew_refused", r.regno, r.valid_until, today, NULL);
		return rc;
	}
	if ((rc = reg_store_registrant_renew(db, a->regno, from, until)) != 0)
		return rc;
	if (r.status != REG_ST_ACTIVE &&
	    (rc = reg_store_history_add(db, a->regno, reg_status_name(r.status), "active", "", "renewed", a->who->actor)) != 0)
		return rc;
	char obj[32];
	snprintf(obj, sizeof obj, "registrant:%s", a->regno);
	json_t *d = json_pack("{s:s, s:s, s:i}", "valid_from", from, "valid_until", until, "renewal_count",
	                      r.renewal_count + 1);
	rc = rs_audit(db, a->who->actor, a->who->role, "registry.registrant.renew", obj, d, a->who->request_id);
	json_decref(d);
	if (rc == 0)
		memcpy(a->until, until, sizeof a->until);
	return rc;
}

int reg_wf_renew_in_tx(char out_until[11], rs_db *db, const char *regno, int64_t now, const struct reg_actor *who)
{
	if (!reg_regno_valid(regno)) {
		rs_error_set("a registration number is 6 digits");
		return RS_EINVAL;
	}
	struct reg_wf_renew_arg a = { .regno = regno, .now = now, .who = who };
	int rc = reg_wf_renew_tx(db, &a);
	if (rc == 0)
		memcpy(out_until, a.until, 11);
	return rc;
}

int reg_wf_renew(rs_db *db, const char *regno, int64_t now, const struct reg_actor *who)
{
	if (!reg_regno_valid(regno)) {
		rs_error_msg("reg.regno_invalid", NULL);
		return RS_EINVAL;
	}
	struct reg_wf_renew_arg a = { .regno = regno, .now = now, .who = who };
	return rs_db_tx(db, RS_DB_READ_COMMITTED, 3, reg_wf_renew_tx, &a);
}

/* ---- the date rules, without the database ---- */

int reg_renewal_period(char out_from[11], char out_until[11], enum reg_status st, const char *valid_until,
                       const char *today)
{
	int vy, vm, vd;
	if (!reg_date_valid(valid_until) || !reg_date_valid(today)) {
		rs_error_set("renewal needs dates YYYY-MM-DD");
		return RS_EINVAL;
	}
	vy = atoi(valid_until);
	vm = atoi(valid_until + 5);
	vd = atoi(valid_until + 8);
	/* The window: the last year of validity, and a year of grace after lapse. */
	char open[16], close[16];
	snprintf(open, sizeof open, "%04d-%02d-%02d", (vy - 1) % 10000, vm % 100, vd % 100);
	snprintf(close, sizeof close, "%04d-%02d-%02d", (vy + 1) % 10000, vm % 100, vd % 100);
	if (!(st == REG_ST_ACTIVE || st == REG_ST_LAPSED) || strcmp(today, open) < 0 || strcmp(today, close) > 0) {
		rs_error_set("a %s registration valid until %s cannot be renewed on %s", reg_status_name(st), valid_until,
		             today);
		return RS_ESTATE;
	}
	if (strcmp(valid_until, today) >= 0) {
		/* Still valid: the next validity follows without a gap (1 April or 1 October). */
		snprintf(out_from, 11, vm <= 3 ? "%04d-04-01" : "%04d-10-01", vy % 10000);
	} else {
		/* Lapsed: the next registration date on or after today. */
		int rc = reg_next_reg_date(out_from, today);
		if (rc != 0)
			return rc;
	}
	return reg_validity_end(out_until, out_from);
}

int reg_lapse_is_due(enum reg_status st, const char *valid_until, const char *today)
{
	return (st == REG_ST_ACTIVE || st == REG_ST_SUSPENDED) && strcmp(valid_until, today) < 0;
}

/* ---- lapse ---- */

struct reg_wf_lapse_arg {
	int64_t now;
	const struct reg_actor *who;
	int n;
};

static int reg_wf_lapse_tx(rs_db *db, void *arg)
{
	struct reg_wf_lapse_arg *a = arg;
	char today[11];
	reg_today_jst(today, a->now);
	json_t *due = NULL;
	a->n = 0;
	int rc = reg_store_lapse_due(db, &due, today);
	if (rc != 0)
		return rc;
	size_t i;
	json_t *row;
	json_array_foreach(due, i, row) {
		struct reg_registrant cur;
		const char *regno = json_string_value(json_object_get(row, "regno"));
		/* The query's choice, checked against the rule on the locked row. */
		if ((rc = reg_store_registrant_get(db, &cur, regno ? regno : "", 1)) != 0)
			break;
		if (!reg_lapse_is_due(cur.status, cur.valid_until, today))
			continue;
		struct reg_wf_status_arg s = { .regno = json_string_value(json_object_get(row, "regno")),
		                               .to = REG_ST_LAPSED, .public_reason = "", .reason = "validity ended", .now = a->now,
		                               .who = a->who };
		if ((rc = reg_wf_status_tx(db, &s)) != 0)
			break;
		a->n++;
	}
	json_decref(due);
	return rc;
}

int reg_wf_lapse_due(int *out_n, rs_db *db, int64_t now, const struct reg_actor *who)
{
	struct reg_wf_lapse_arg a = { .now = now, .who = who };
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, reg_wf_lapse_tx, &a);
	if (rc == 0)
		*out_n = a.n;
	return rc;
}

/* ---- registrar views ---- */

static int reg_wf_limit(int limit)
{
	return limit < 1 || limit > 500 ? 100 : limit;
}

int reg_wf_list_applications(json_t **out, rs_db *db, const char *state, int limit, int64_t now)
{
	int rc = reg_store_list_apps(db, out, state && state[0] ? state : NULL, reg_wf_limit(limit));
	if (rc != 0)
		return rc;
	char today[11];
	reg_today_jst(today, now);
	size_t i;
	json_t *a;
	json_array_foreach(*out, i, a) {
		const char *st = json_string_value(json_object_get(a, "state"));
		if (!st || (strcmp(st, "submitted") != 0 && strcmp(st, "approved") != 0))
			continue;
		/* The duplicate-person warning: someone with this date of birth and name is already
		 * on the register. */
		json_t *sim = NULL;
		if ((rc = reg_store_similar(db, &sim, json_string_value(json_object_get(a, "date_of_birth")),
		                            json_string_value(json_object_get(a, "name")),
		                            json_string_value(json_object_get(a, "name_kana")),
		                            json_string_value(json_object_get(a, "name_latn")), NULL, today)) != 0) {
			json_decref(*out);
			*out = NULL;
			return rc;
		}
		json_object_set_new(a, "similar", sim);
	}
	return 0;
}

int reg_wf_find(json_t **out, rs_db *db, const char *q, const char *status, int limit, int offset, int64_t now)
{
	struct reg_search_q sq;
	enum reg_status st;
	int rc;
	if (q && q[0] && (rc = reg_search_parse(&sq, q, strlen(q))) != 0)
		return rc;
	if (status && status[0] && (rc = reg_status_parse(&st, status)) != 0)
		return rc;
	if (limit < 1 || limit > 200)
		limit = 50;
	if (offset < 0 || offset > 10000000)
		offset = 0;
	char today[11];
	reg_today_jst(today, now);
	json_t *arr = NULL;
	int64_t total = 0;
	rc = reg_store_admin_find(db, &arr, &total, q && q[0] ? sq.text : NULL, status && status[0] ? status : NULL,
	                          limit, offset, today);
	if (rc != 0)
		return rc;
	*out = json_pack("{s:o, s:I, s:i, s:i}", "registrants", arr, "total", (json_int_t)total, "offset", offset,
	                 "limit", limit);
	return 0;
}

int reg_wf_show(json_t **out, rs_db *db, const char *regno, int64_t now)
{
	struct reg_registrant r;
	int rc = reg_registrant_get(db, &r, regno);
	if (rc != 0)
		return rc;
	char today[11];
	reg_today_jst(today, now);
	json_t *hist = NULL, *creds = NULL, *similar = NULL;
	if ((rc = reg_store_history(db, &hist, regno)) != 0)
		return rc;
	if ((rc = reg_store_credentials_of(db, &creds, regno)) != 0 ||
	    (rc = reg_store_similar(db, &similar, r.date_of_birth, r.name, r.name_kana, r.name_latn, r.regno, today)) != 0) {
		json_decref(hist);
		json_decref(creds);
		return rc;
	}
	json_t *o = reg_registrant_full_json(&r, today);
	json_object_set_new(o, "history", hist);
	json_object_set_new(o, "credentials", creds);
	json_object_set_new(o, "similar", similar);
	*out = o;
	return 0;
}

int reg_wf_passed_results(json_t **out, rs_db *db)
{
	return reg_store_exam_results_passed(db, out);
}
