/* cpd-tracker: renewal applications (accepted only when the duties are met; approval renews
 * and issues a credential in one transaction), overdue cases on the registrar desk (closed
 * or ending in 取消し), the CPD audit sample, and the registrant's own view for /me. */
#include "cpd_renewal.h"
#include "cpd_mailtext.h"
#include "store_renewal.h"

#include "reg_account.h"
#include "rs_audit.h"
#include "rs_config.h"
#include "rs_error.h"
#include "rs_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cpd_rn_limit(int limit)
{
	return limit < 1 || limit > 500 ? 100 : limit;
}

/* Whether r may apply now: its duties met (standing state renewable) and the register's
 * renewal window open. 0, or RS_ESTATE with the catalogue message. */
static int cpd_rn_may_apply(const struct reg_registrant *r, int renewable, struct cpd_date today)
{
	char t[11], from[11], until[11];
	cpd_date_format(t, today);
	if (r->status != REG_ST_ACTIVE) {
		rs_error_msg("renewal.err.not_live", r->regno, NULL);
		return RS_ESTATE;
	}
	if (!renewable) {
		rs_error_msg("renewal.err.not_renewable", NULL);
		return RS_ESTATE;
	}
	if (reg_renewal_period(from, until, r->status, r->valid_until, t) != 0) {
		rs_error_msg("renewal.err.window", NULL);
		return RS_ESTATE;
	}
	return 0;
}

int cpd_me_view(json_t **out, rs_db *db, const char *regno, int64_t now)
{
	struct reg_registrant r;
	struct reg_contact contact;
	struct cpd_date today = cpd_today_jst(now);
	json_t *show = NULL, *completions = NULL, *apps = NULL, *standing = NULL;
	int rc = reg_registrant_get(db, &r, regno);
	if (rc == 0)
		rc = reg_contact_get(db, &contact, regno);
	if (rc == 0)
		rc = reg_wf_show(&show, db, regno, now);
	if (rc == 0)
		rc = cpd_rstore_completions_json(db, &completions, regno);
	if (rc == 0)
		rc = cpd_rstore_app_list(db, &apps, NULL, regno, 20);
	if (rc == 0)
		rc = cpd_standing_json(&standing, db, regno, today);
	if (rc != 0) {
		json_decref(show);
		json_decref(completions);
		json_decref(apps);
		return rc;
	}
	const char *state = json_string_value(json_object_get(standing, "state"));
	int renewable = state && strcmp(state, cpd_state_code(CPD_RENEWABLE)) == 0;
	int applied = 0;
	size_t i;
	json_t *a;
	json_array_foreach(apps, i, a) {
		const char *st = json_string_value(json_object_get(a, "state"));
		const char *vu = json_string_value(json_object_get(a, "valid_until"));
		if (st && vu && strcmp(st, "rejected") != 0 && strcmp(vu, r.valid_until) == 0)
			applied = 1;
	}
	int may = !applied && cpd_rn_may_apply(&r, renewable, today) == 0;
	/* Live credentials only, newest first; the date of birth stays on the card. */
	json_t *creds = json_array();
	json_array_foreach(json_object_get(show, "credentials"), i, a)
		if (json_integer_value(json_object_get(a, "exp")) > now)
			json_array_append(creds, a);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s}", "regno", r.regno, "name",
	                      r.name, "name_kana", r.name_kana, "name_latn", r.name_latn, "date_of_birth", r.date_of_birth,
	                      "reg_date", r.reg_date, "valid_from", r.valid_from, "valid_until", r.valid_until,
	                      "renewal_count", r.renewal_count, "status", reg_status_name(r.status), "exam_pass_date",
	                      r.exam_pass_date, "card_colour", reg_card_colour(r.renewal_count));
	json_object_set_new(o, "lang", json_string(contact.lang));
	json_object_set_new(o, "email", contact.email[0] ? json_string(contact.email) : json_null());
	json_object_set_new(o, "standing", standing);
	json_object_set_new(o, "completions", completions);
	json_object_set_new(o, "renewal_applications", apps);
	json_object_set_new(o, "applied", json_boolean(applied));
	json_object_set_new(o, "may_apply", json_boolean(may));
	json_object_set_new(o, "credentials", creds);
	json_decref(show);
	*out = o;
	return 0;
}

/* ---- renewing: one path for an approved application and the desk's direct renewal ---- */

/* Renew regno (renewal count + 1, the next validity, its end in out_until) and issue the
 * new credential through issuer (*out_jws, the caller's), inside the caller's transaction:
 * the new validity and its credential commit together, or not at all. */
static int cpd_rn_renew_issue(char **out_jws, char out_until[11], rs_db *db, const char *regno,
                              const struct reg_issuer *issuer, int64_t now, const struct reg_actor *who)
{
	int rc = reg_wf_renew_in_tx(out_until, db, regno, now, who);
	if (rc == 0)
		rc = reg_issue_in_tx(out_jws, db, regno, issuer, now, who);
	return rc;
}

/* A renewal decision: an application (id, approve, note) or the desk's direct renewal
 * (regno); the new credential lands in jws. */
struct cpd_decide_arg {
	int64_t id;
	int approve;
	const char *note;
	const char *regno;
	const struct reg_issuer *issuer;
	int64_t now;
	const struct reg_actor *who;
	char *jws;
};

/* The registrar's Renew on the register desk: the same duty and window check as an
 * application, then the renewal and its new credential, in one transaction. */
static int cpd_direct_tx(rs_db *db, void *arg)
{
	struct cpd_decide_arg *a = arg;
	struct reg_registrant r;
	struct cpd_status s;
	struct cpd_date today = cpd_today_jst(a->now);
	char until[11];
	free(a->jws);
	a->jws = NULL;
	int rc = reg_registrant_get(db, &r, a->regno);
	if (rc == RS_ENOTFOUND)
		rs_error_msg("renewal.err.no_registrant", a->regno, NULL);
	if (rc != 0 || (rc = cpd_standing(&s, db, a->regno, today)) != 0 ||
	    (rc = cpd_rn_may_apply(&r, s.state == CPD_RENEWABLE, today)) != 0)
		return rc;
	return cpd_rn_renew_issue(&a->jws, until, db, a->regno, a->issuer, a->now, a->who);
}

int cpd_renewal_direct(char **out_jws, rs_db *db, const char *regno, const struct reg_issuer *issuer, int64_t now,
                       const struct reg_actor *who)
{
	if (!reg_regno_valid(regno)) {
		rs_error_msg("renewal.err.regno", NULL);
		return RS_EINVAL;
	}
	struct cpd_decide_arg a = { .regno = regno, .issuer = issuer, .now = now, .who = who };
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_direct_tx, &a);
	if (rc != 0 || !out_jws)
		free(a.jws);
	else
		*out_jws = a.jws;
	return rc;
}

/* ---- apply ---- */

struct cpd_apply_arg {
	const char *regno;
	int64_t now;
	const struct reg_actor *who;
	int64_t id;
};

static int cpd_apply_tx(rs_db *db, void *arg)
{
	struct cpd_apply_arg *a = arg;
	struct reg_registrant r;
	struct cpd_status s;
	struct cpd_date today = cpd_today_jst(a->now);
	json_t *standing = NULL;
	int rc = reg_registrant_get(db, &r, a->regno);
	if (rc == RS_ENOTFOUND)
		rs_error_msg("renewal.err.no_registrant", a->regno, NULL);
	if (rc != 0 || (rc = cpd_standing(&s, db, a->regno, today)) != 0 ||
	    (rc = cpd_rn_may_apply(&r, s.state == CPD_RENEWABLE, today)) != 0)
		return rc;
	/* The standing as the registrant saw it, kept with the application. */
	if ((rc = cpd_standing_json(&standing, db, a->regno, today)) != 0)
		return rc;
	rc = cpd_rstore_app_insert(db, &a->id, a->regno, r.valid_until, a->who->actor, standing);
	json_decref(standing);
	if (rc == RS_EEXIST)
		rs_error_msg("renewal.err.applied", NULL);
	if (rc != 0)
		return rc;
	char obj[48];
	snprintf(obj, sizeof obj, "renewal_application:%lld", (long long)a->id);
	json_t *d = json_pack("{s:s, s:s}", "regno", a->regno, "valid_until", r.valid_until);
	rc = rs_audit(db, a->who->actor, a->who->role, "cpd.renewal.apply", obj, d, a->who->request_id);
	json_decref(d);
	return rc;
}

int cpd_renewal_apply(int64_t *out_id, rs_db *db, const char *regno, int64_t now, const struct reg_actor *who)
{
	if (!reg_regno_valid(regno)) {
		rs_error_msg("renewal.err.regno", NULL);
		return RS_EINVAL;
	}
	struct cpd_apply_arg a = { .regno = regno, .now = now, .who = who };
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_apply_tx, &a);
	if (rc == 0)
		*out_id = a.id;
	return rc;
}

/* Add each row's registrant name (the registrar's lists). */
static void cpd_rn_names(rs_db *db, json_t *arr)
{
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		struct reg_registrant r;
		const char *regno = json_string_value(json_object_get(o, "regno"));
		if (regno && reg_registrant_get(db, &r, regno) == 0) {
			json_object_set_new(o, "name", json_string(r.name));
			json_object_set_new(o, "registrant_status", json_string(reg_status_name(r.status)));
		}
	}
}

int cpd_renewal_list(json_t **out, rs_db *db, const char *state, int limit)
{
	int rc = cpd_rstore_app_list(db, out, state && state[0] ? state : NULL, NULL, cpd_rn_limit(limit));
	if (rc == 0)
		cpd_rn_names(db, *out);
	return rc;
}

/* ---- decide ---- */

/* Queue the decision mail of application id for regno (who has an address), in their
 * language: approved (new_until: the new end of validity) or refused (with the note). The
 * outbox keeps one per application; the next job run sends it. */
static int cpd_decision_mail(rs_db *db, int64_t id, const char *regno, const char *valid_until,
                             const char *new_until, const char *note, int64_t now)
{
	struct reg_contact c;
	int rc = reg_contact_get(db, &c, regno);
	if (rc != 0 || !c.email[0])
		return rc;
	struct cpd_reminder m = { .kind = new_until ? CPD_REMIND_APPROVED : CPD_REMIND_REJECTED };
	if (cpd_date_parse(&m.deadline, new_until ? new_until : valid_until) != 0)
		return RS_EINVAL;
	char subject[CPD_MAIL_SUBJECT_MAX], body[CPD_MAIL_BODY_MAX];
	cpd_mail_text(subject, body, strcmp(c.lang, "en") == 0, &m, regno, note, cpd_today_jst(now),
	              rs_config_str("public_base_url"));
	struct cpd_rremind_row row = { .regno = regno, .kind = cpd_remind_kind_code(m.kind), .deadline = valid_until,
	                               .lang = c.lang, .email = c.email, .subject = subject, .body = body,
	                               .application_id = id };
	return cpd_rstore_reminder_add(db, &row);
}

static int cpd_decide_tx(rs_db *db, void *arg)
{
	struct cpd_decide_arg *a = arg;
	char regno[7], state[16], vu[11], until[11] = "";
	free(a->jws);
	a->jws = NULL;
	int rc = cpd_rstore_app_get(db, a->id, regno, state, vu);
	if (rc != 0)
		return rc;
	if (strcmp(state, "submitted") != 0) {
		rs_error_msg("renewal.err.not_submitted", NULL);
		return RS_ESTATE;
	}
	if (a->approve && (rc = cpd_rn_renew_issue(&a->jws, until, db, regno, a->issuer, a->now, a->who)) != 0)
		return rc;
	if ((rc = cpd_rstore_app_decide(db, a->id, a->approve ? "approved" : "rejected", a->who->actor, a->note,
	                                a->approve ? until : NULL)) != 0 ||
	    (rc = cpd_decision_mail(db, a->id, regno, vu, a->approve ? until : NULL, a->note, a->now)) != 0)
		return rc;
	char obj[48];
	snprintf(obj, sizeof obj, "renewal_application:%lld", (long long)a->id);
	json_t *d = json_pack("{s:s, s:s, s:s}", "regno", regno, "note", a->note ? a->note : "", "new_valid_until", until);
	rc = rs_audit(db, a->who->actor, a->who->role, a->approve ? "cpd.renewal.approve" : "cpd.renewal.reject", obj, d,
	              a->who->request_id);
	json_decref(d);
	return rc;
}

int cpd_renewal_decide(char **out_jws, rs_db *db, int64_t id, int approve, const char *note,
                       const struct reg_issuer *issuer, int64_t now, const struct reg_actor *who)
{
	if (!approve && (!note || !note[0])) {
		rs_error_msg("renewal.err.reject_note", NULL);
		return RS_EINVAL;
	}
	struct cpd_decide_arg a = { .id = id, .approve = approve, .note = note, .issuer = issuer, .now = now, .who = who };
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_decide_tx, &a);
	if (rc != 0) {
		free(a.jws);
		return rc;
	}
	if (out_jws)
		*out_jws = a.jws;
	else
		free(a.jws);
	return 0;
}

/* ---- cases ---- */

int cpd_case_list(json_t **out, rs_db *db, const char *state, int limit)
{
	int rc = cpd_rstore_case_list(db, out, state && state[0] ? state : NULL, cpd_rn_limit(limit));
	if (rc == 0)
		cpd_rn_names(db, *out);
	return rc;
}

struct cpd_case_arg {
	int64_t id;
	int cancel;
	const char *note, *confirm;
	int64_t now;
	const struct reg_actor *who;
};

static int cpd_case_tx(rs_db *db, void *arg)
{
	struct cpd_case_arg *a = arg;
	char regno[7], state[16];
	int rc = cpd_rstore_case_get(db, a->id, regno, state);
	if (rc != 0)
		return rc;
	if (strcmp(state, "open") != 0) {
		rs_error_msg("renewal.err.case_not_open", NULL);
		return RS_ESTATE;
	}
	if (a->cancel) {
		if (!a->confirm || strcmp(a->confirm, regno) != 0) {
			rs_error_msg("renewal.err.confirm", regno, NULL);
			return RS_EINVAL;
		}
		if ((rc = reg_wf_set_status_in_tx(db, regno, REG_ST_CANCELLED, "cancelled.training_not_completed", a->note,
		                                  a->now, a->who)) != 0)
			return rc;
	}
	if ((rc = cpd_rstore_case_decide(db, a->id, a->cancel ? "cancelled" : "closed", a->who->actor, a->note)) != 0)
		return rc;
	char obj[32];
	snprintf(obj, sizeof obj, "cpd_case:%lld", (long long)a->id);
	json_t *d = json_pack("{s:s, s:s}", "regno", regno, "note", a->note);
	rc = rs_audit(db, a->who->actor, a->who->role, a->cancel ? "cpd.case.cancel" : "cpd.case.close", obj, d,
	              a->who->request_id);
	json_decref(d);
	return rc;
}

int cpd_case_close(rs_db *db, int64_t id, const char *note, const struct reg_actor *who)
{
	if (!note || !note[0] || strlen(note) > 500) {
		rs_error_msg("renewal.err.case_note", NULL);
		return RS_EINVAL;
	}
	struct cpd_case_arg a = { .id = id, .note = note, .who = who, .now = rs_now_ms() / 1000 };
	return rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_case_tx, &a);
}

int cpd_case_cancel(char out_allowed_from[11], rs_db *db, int64_t id, const char *confirm, const char *reason,
                    int64_t now, const struct reg_actor *who)
{
	if (!reason || !reason[0] || strlen(reason) > 500) {
		rs_error_msg("renewal.err.reason", NULL);
		return RS_EINVAL;
	}
	struct cpd_case_arg a = { .id = id, .cancel = 1, .note = reason, .confirm = confirm, .now = now, .who = who };
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_case_tx, &a);
	if (rc != 0)
		return rc;
	/* The bar the register recorded for a cancellation on this day (the register owns its
	 * length and arithmetic). */
	char today[11];
	reg_today_jst(today, now);
	return reg_bar_allowed_from(out_allowed_from, today);
}

/* ---- audit sample ---- */

struct cpd_draw_ctx {
	char (*regnos)[7];
	size_t n, cap;
};

static int cpd_draw_row(void *ctx, const struct reg_live_row *row)
{
	struct cpd_draw_ctx *c = ctx;
	if (row->status != REG_ST_ACTIVE)
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 256;
		void *p = realloc(c->regnos, cap * sizeof *c->regnos);
		if (!p)
			return RS_ENOMEM;
		c->regnos = p;
		c->cap = cap;
	}
	memcpy(c->regnos[c->n++], row->regno, 7);
	return 0;
}

/* Queue the evidence request mail of each sampled registrant who has an address. */
static int cpd_draw_mail(rs_db *db, const char *const *regnos, size_t n, const char *deadline, int64_t now)
{
	struct cpd_reminder m = { .kind = CPD_REMIND_EVIDENCE, .days_before = 0 };
	if (cpd_date_parse(&m.deadline, deadline) != 0)
		return RS_EINVAL;
	struct cpd_date today = cpd_today_jst(now);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct reg_contact c;
		if ((rc = reg_contact_get(db, &c, regnos[i])) != 0 || !c.email[0])
			continue;
		char subject[CPD_MAIL_SUBJECT_MAX], body[CPD_MAIL_BODY_MAX];
		cpd_mail_text(subject, body, strcmp(c.lang, "en") == 0, &m, regnos[i], NULL, today,
		              rs_config_str("public_base_url"));
		struct cpd_rremind_row row = { .regno = regnos[i], .kind = "evidence", .deadline = deadline,
		                               .lang = c.lang, .email = c.email, .subject = subject, .body = body };
		rc = cpd_rstore_reminder_add(db, &row);
	}
	return rc;
}

struct cpd_draw_arg {
	int n;
	int64_t now;
	const char *deadline;
	const struct reg_actor *who;
	int64_t id;
};

static int cpd_draw_tx(rs_db *db, void *arg)
{
	struct cpd_draw_arg *a = arg;
	struct cpd_draw_ctx c = { 0 };
	const char **pick = NULL;
	int rc = reg_live_scan(db, cpd_draw_row, &c);
	if (rc != 0)
		goto done;
	size_t k = (size_t)a->n < c.n ? (size_t)a->n : c.n;
	/* A partial Fisher-Yates shuffle with the kernel's random numbers: the first k. */
	for (size_t i = 0; i < k; i++) {
		uint64_t r;
		if ((rc = rs_random_bytes(&r, sizeof r)) != 0)
			goto done;
		size_t j = i + (size_t)(r % (c.n - i));
		char t[7];
		memcpy(t, c.regnos[i], 7);
		memcpy(c.regnos[i], c.regnos[j], 7);
		memcpy(c.regnos[j], t, 7);
	}
	pick = calloc(k ? k : 1, sizeof *pick);
	if (!pick) {
		rc = RS_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < k; i++)
		pick[i] = c.regnos[i];
	if ((rc = cpd_rstore_sample_add(db, &a->id, a->who->actor, (int)k > 0 ? (int)k : 1, a->deadline, pick, k)) != 0 ||
	    (rc = cpd_draw_mail(db, pick, k, a->deadline, a->now)) != 0)
		goto done;
	char obj[32];
	snprintf(obj, sizeof obj, "cpd_audit_sample:%lld", (long long)a->id);
	json_t *d = json_pack("{s:i, s:s}", "size", (int)k, "deadline", a->deadline);
	rc = rs_audit(db, a->who->actor, a->who->role, "cpd.audit.draw", obj, d, a->who->request_id);
	json_decref(d);
done:
	free(pick);
	free(c.regnos);
	return rc;
}

int cpd_audit_draw(int64_t *out_id, rs_db *db, int n, const char *deadline, int64_t now, const struct reg_actor *who)
{
	if (n < 1 || n > 1000) {
		rs_error_msg("renewal.err.sample_size", NULL);
		return RS_EINVAL;
	}
	struct cpd_date d;
	char today[11];
	cpd_date_format(today, cpd_today_jst(now));
	if (!deadline || cpd_date_parse(&d, deadline) != 0 || strcmp(deadline, today) <= 0) {
		rs_error_msg("renewal.err.deadline", NULL);
		return RS_EINVAL;
	}
	struct cpd_draw_arg a = { .n = n, .now = now, .deadline = deadline, .who = who };
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_draw_tx, &a);
	if (rc == 0)
		*out_id = a.id;
	return rc;
}

int cpd_audit_list(json_t **out, rs_db *db, int limit)
{
	return cpd_rstore_sample_list(db, out, cpd_rn_limit(limit));
}

struct cpd_outcome_arg {
	int64_t id;
	const char *outcome, *note;
	const struct reg_actor *who;
};

static int cpd_outcome_tx(rs_db *db, void *arg)
{
	struct cpd_outcome_arg *a = arg;
	int rc = cpd_rstore_evidence_decide(db, a->id, a->outcome, a->note, a->who->actor);
	if (rc == RS_ESTATE)
		rs_error_msg("renewal.err.no_evidence_request", NULL);
	if (rc != 0)
		return rc;
	char obj[40];
	snprintf(obj, sizeof obj, "cpd_evidence:%lld", (long long)a->id);
	json_t *d = json_pack("{s:s, s:s}", "outcome", a->outcome, "note", a->note ? a->note : "");
	rc = rs_audit(db, a->who->actor, a->who->role, "cpd.audit.outcome", obj, d, a->who->request_id);
	json_decref(d);
	return rc;
}

int cpd_audit_outcome(rs_db *db, int64_t request_id, const char *outcome, const char *note,
                      const struct reg_actor *who)
{
	if (!outcome || (strcmp(outcome, "confirmed") != 0 && strcmp(outcome, "not_confirmed") != 0 &&
	                 strcmp(outcome, "no_response") != 0)) {
		rs_error_msg("renewal.err.outcome", NULL);
		return RS_EINVAL;
	}
	if (note && strlen(note) > 500) {
		rs_error_msg("renewal.err.case_note", NULL);
		return RS_EINVAL;
	}
	struct cpd_outcome_arg a = { .id = request_id, .outcome = outcome, .note = note, .who = who };
	return rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_outcome_tx, &a);
}
