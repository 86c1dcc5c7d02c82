/* cpd-tracker: the renewal job — lapse what is due, recompute every live registration's
 * standing, open overdue cases, queue reminders in the registrant's language, send them.
 * One runner at a time across nodes: a PostgreSQL advisory lock held for the run. */
#include "cpd_renewal.h"
#include "cpd_xapi.h"
#include "cpd_mailtext.h"
#include "store_renewal.h"

#include "reg_account.h"
#include "rs_config.h"
#include "rs_error.h"
#include "rs_log.h"
#include "rs_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CPD_JOB_CHUNK 50000 /* rows per bulk insert (bounds the memory of the column arrays) */

struct cpd_job_ctx {
	struct cpd_job_summary *sum;
	rs_db *db;
	struct cpd_date today;
	const char *site_url;
	struct cpd_rules *rules;
	size_t nrules;
	struct cpd_rcatalog cat;
	struct cpd_rcompletions comp;     /* grouped by registration number */
	char **applied;
	size_t napplied;
	char **known_rem, **known_cases;  /* already in the outbox / already opened */
	size_t nknown_rem, nknown_cases;
	struct cpd_credit *credits;
	size_t credits_cap;
	struct cpd_rreminders rem;        /* reminders to queue, as column arrays */
	struct cpd_rcases cases;          /* cases to open */
	int64_t in_rows_ns, remind_ns;    /* time spent in cpd_job_row, of which rendering reminders */
};

static double cpd_job_s(int64_t ns)
{
	return (double)ns / 1e9;
}

/* CPU time of the calling thread (the job runs on one), in nanoseconds. */
static int64_t cpd_job_cpu_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cpd_job_flush_rem(struct cpd_job_ctx *c)
{
	int added = 0;
	int64_t t0 = rs_mono_ns();
	int rc = cpd_rreminders_flush(c->db, &added, &c->rem);
	c->sum->reminders_s += cpd_job_s(rs_mono_ns() - t0);
	if (rc == 0)
		c->sum->reminders_queued += added;
	return rc;
}

static int cpd_job_flush_cases(struct cpd_job_ctx *c)
{
	int added = 0;
	int64_t t0 = rs_mono_ns();
	int rc = cpd_rcases_flush(c->db, &added, &c->cases);
	c->sum->write_s += cpd_job_s(rs_mono_ns() - t0);
	if (rc == 0)
		c->sum->cases_opened += added;
	return rc;
}

/* True when key is in the sorted array keys[0..n). */
static int cpd_job_has(char *const *keys, size_t n, const char *key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int k = strcmp(keys[mid], key);
		if (k == 0)
			return 1;
		if (k < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int cpd_job_applied(const struct cpd_job_ctx *c, const char *regno, const char *valid_until)
{
	char key[24];
	snprintf(key, sizeof key, "%s|%s", regno, valid_until);
	return cpd_job_has(c->applied, c->napplied, key);
}

/* The credits of regno (its completions, grouped by the store, in any order). */
static int cpd_job_credits(struct cpd_job_ctx *c, const char *regno, size_t *out_n)
{
	size_t first = 0;
	size_t m = cpd_rcompletions_of(&c->comp, regno, &first);
	if (m > c->credits_cap) {
		size_t cap = m > 16 ? m : 16;
		struct cpd_credit *p = realloc(c->credits, cap * sizeof *p);
		if (!p)
			return RS_ENOMEM;
		c->credits = p;
		c->credits_cap = cap;
	}
	size_t n = 0;
	for (size_t i = first; i < first + m; i++)
		if (cpd_rcatalog_credit(&c->credits[n], &c->cat, c->comp.id[i], c->comp.course[i], c->comp.on[i]) == 0)
			c->credits[n++].waived = c->comp.waived[i];
	*out_n = n;
	return 0;
}

static int cpd_job_row_judge(struct cpd_job_ctx *c, const struct reg_live_row *row)
{
	struct cpd_date from;
	if (cpd_date_parse(&from, row->valid_from) != 0)
		return 0;
	const struct cpd_rules *r = cpd_rules_pick(c->rules, c->nrules, from);
	size_t n = 0;
	int rc = cpd_job_credits(c, row->regno, &n);
	if (rc != 0)
		return rc;
	if (!r)
		return 0;
	struct cpd_status s;
	if (cpd_status_compute(&s, r, from, c->credits, n, c->today) != 0)
		return 0; /* a registration the rules cannot judge (logged by the rules' message) */
	c->sum->registrants++;
	switch (s.state) {
	case CPD_ON_TRACK: c->sum->on_track++; break;
	case CPD_ACTION_NEEDED: c->sum->action_needed++; break;
	case CPD_STATE_OVERDUE: c->sum->overdue++; break;
	case CPD_RENEWABLE: c->sum->renewable++; break;
	}
	char key[64];
	snprintf(key, sizeof key, "%s|%s", row->regno, row->valid_until);
	if (s.state == CPD_STATE_OVERDUE && !cpd_job_has(c->known_cases, c->nknown_cases, key)) {
		for (size_t i = 0; i < s.nduties; i++) {
			const struct cpd_duty *d = &s.duties[i];
			if (d->state != CPD_OVERDUE)
				continue;
			char duty[24], due[11];
			if (d->course == CPD_ONLINE)
				snprintf(duty, sizeof duty, "online:%d", d->cycle_year);
			else
				snprintf(duty, sizeof duty, "practical");
			cpd_date_format(due, d->deadline);
			cpd_rcases_push(&c->cases, &(struct cpd_rcase_row){ .regno = row->regno,
			                                                    .valid_until = row->valid_until, .duty = duty,
			                                                    .due = due });
			break;
		}
		if (c->cases.n == CPD_JOB_CHUNK && (rc = cpd_job_flush_cases(c)) != 0)
			return rc;
	}
	if (!row->email[0])
		return 0; /* nobody to write to */
	struct cpd_reminder due[CPD_REMIND_MAX];
	size_t nd = cpd_reminders_due(due, &s, cpd_job_applied(c, row->regno, row->valid_until), c->today);
	for (size_t i = 0; i < nd; i++) {
		char dl[11];
		cpd_date_format(dl, due[i].deadline);
		const char *kind = cpd_remind_kind_code(due[i].kind);
		snprintf(key, sizeof key, "%s|%s|%s|%d", row->regno, kind, dl, due[i].days_before);
		if (cpd_job_has(c->known_rem, c->nknown_rem, key))
			continue;
		int64_t t0 = rs_mono_ns();
		int en = strcmp(row->lang, "en") == 0;
		char subject[CPD_MAIL_SUBJECT_MAX], body[CPD_MAIL_BODY_MAX];
		cpd_mail_text(subject, body, en, &due[i], row->regno, NULL, c->today, c->site_url);
		cpd_rreminders_push(&c->rem, &(struct cpd_rremind_row){ .regno = row->regno, .kind = kind, .deadline = dl,
		                                                        .lang = en ? "en" : "ja", .email = row->email,
		                                                        .subject = subject, .body = body,
		                                                        .days_before = due[i].days_before });
		c->remind_ns += rs_mono_ns() - t0;
		if (c->rem.n == CPD_JOB_CHUNK && (rc = cpd_job_flush_rem(c)) != 0)
			return rc;
	}
	return 0;
}

/* One live registration: its standing, a case when newly overdue, the reminders due. */
static int cpd_job_row(void *ctx, const struct reg_live_row *row)
{
	struct cpd_job_ctx *c = ctx;
	int64_t t0 = rs_mono_ns();
	int rc = cpd_job_row_judge(c, row);
	c->in_rows_ns += rs_mono_ns() - t0;
	return rc;
}

static void cpd_job_keys_free(char **k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(k[i]);
	free(k);
}

static void cpd_job_ctx_free(struct cpd_job_ctx *c)
{
	cpd_rcatalog_free(&c->cat);
	cpd_rcompletions_free(&c->comp);
	cpd_job_keys_free(c->applied, c->napplied);
	cpd_job_keys_free(c->known_rem, c->nknown_rem);
	cpd_job_keys_free(c->known_cases, c->nknown_cases);
	c->applied = c->known_rem = c->known_cases = NULL;
	c->napplied = c->nknown_rem = c->nknown_cases = 0;
	cpd_rreminders_free(&c->rem);
	cpd_rcases_free(&c->cases);
	free(c->credits);
	free(c->rules);
	c->credits = NULL;
	c->credits_cap = 0;
	c->rules = NULL;
}

static int cpd_job_recompute_tx(rs_db *db, void *arg)
{
	struct cpd_job_ctx *c = arg;
	/* A retried transaction starts again from nothing. */
	cpd_job_ctx_free(c);
	struct cpd_job_summary *sum = c->sum;
	sum->registrants = sum->on_track = sum->action_needed = sum->overdue = sum->renewable = 0;
	sum->cases_opened = sum->reminders_queued = 0;
	sum->load_s = sum->compute_s = sum->write_s = sum->reminders_s = 0;
	c->in_rows_ns = c->remind_ns = 0;
	int64_t t0 = rs_mono_ns();
	int rc;
	if ((rc = cpd_rstore_rules(db, &c->rules, &c->nrules)) != 0)
		return rc;
	/* Every deadline of a live registration lies in its cycle, which started at most the
	 * longest cycle (plus a month of slack) ago: older outbox rows cannot come due again. */
	int years = 0;
	for (size_t i = 0; i < c->nrules; i++)
		if (c->rules[i].cycle_years > years)
			years = c->rules[i].cycle_years;
	char since[11];
	cpd_date_format(since, cpd_date_add_days(c->today, -(366L * years + 31)));
	if ((rc = cpd_rstore_catalog(db, &c->cat)) != 0 || (rc = cpd_rstore_completions_all(db, &c->comp)) != 0 ||
	    (rc = cpd_rstore_applied(db, &c->applied, &c->napplied)) != 0 ||
	    (rc = cpd_rstore_known(db, &c->known_rem, &c->nknown_rem, &c->known_cases, &c->nknown_cases, since)) != 0)
		return rc;
	/* The register's live registrations: one statement, then cpd_job_row for each row. */
	int64_t t1 = rs_mono_ns();
	if ((rc = reg_live_scan(db, cpd_job_row, c)) != 0)
		return rc;
	int64_t t2 = rs_mono_ns();
	/* Flushes inside the scan (more than CPD_JOB_CHUNK rows) are counted as writing. */
	double flushed = sum->write_s + sum->reminders_s;
	sum->load_s = cpd_job_s(t1 - t0) + cpd_job_s((t2 - t1) - c->in_rows_ns);
	sum->compute_s = cpd_job_s(c->in_rows_ns - c->remind_ns) - flushed;
	sum->reminders_s += cpd_job_s(c->remind_ns);
	if ((rc = cpd_job_flush_cases(c)) != 0)
		return rc;
	return cpd_job_flush_rem(c);
}

json_t *cpd_job_summary_json(const struct cpd_job_summary *s)
{
	return json_pack("{s:b, s:s, s:i, s:i, s:{s:i, s:i, s:i, s:i}, s:i, s:i, s:i, s:i, s:i, s:f, s:f, "
	                 "s:{s:f, s:f, s:f, s:f}}",
	                 "ran", s->ran, "as_of", s->as_of, "lapsed", s->lapsed, "registrants", s->registrants, "states",
	                 "on_track", s->on_track, "action_needed", s->action_needed, "overdue", s->overdue, "renewable",
	                 s->renewable, "cases_opened", s->cases_opened, "reminders_queued", s->reminders_queued, "sent",
	                 s->sent, "send_failed", s->send_failed, "xapi_rematched", s->xapi_rematched, "recompute_s", s->recompute_s, "cpu_s", s->cpu_s,
	                 "phases_s", "load", s->load_s, "compute", s->compute_s, "write", s->write_s, "reminders",
	                 s->reminders_s);
}

int cpd_job_run(struct cpd_job_summary *out, rs_db *db, int64_t now, const struct cpd_smtp *smtp, const char *runner)
{
	struct cpd_job_summary sum;
	memset(&sum, 0, sizeof sum);
	struct cpd_date today = cpd_today_jst(now);
	cpd_date_format(sum.as_of, today);
	int got = 0;
	int rc = cpd_rstore_lock(db, &got);
	if (rc != 0)
		return rc;
	if (!got) {
		*out = sum;
		return 0;
	}
	sum.ran = 1;
	struct reg_actor who = { .actor = "system:jobs", .role = "system", .request_id = NULL };
	struct cpd_job_ctx c = { .sum = &sum, .db = db, .today = today, .site_url = smtp ? smtp->site_url : "" };
	if ((rc = reg_wf_lapse_due(&sum.lapsed, db, now, &who)) != 0)
		goto done;
	/* Before the standings: what the sweep credits counts today. */
	if ((rc = cpd_xapi_rematch_sweep(&sum.xapi_rematched, db, rs_config_str("public_base_url"), who.actor, who.role)) != 0)
		goto done;
	int64_t t0 = rs_mono_ns(), cpu0 = cpd_job_cpu_ns();
	if ((rc = rs_db_tx(db, RS_DB_REPEATABLE_READ, 3, cpd_job_recompute_tx, &c)) != 0)
		goto done;
	sum.recompute_s = cpd_job_s(rs_mono_ns() - t0);
	sum.cpu_s = cpd_job_s(cpd_job_cpu_ns() - cpu0);
	if (smtp && smtp->host && smtp->host[0] &&
	    (rc = cpd_mail_send_due(&sum.sent, &sum.send_failed, db, smtp, 1000)) != 0)
		goto done;
	json_t *j = cpd_job_summary_json(&sum);
	rc = j ? cpd_rstore_job_record(db, runner && runner[0] ? runner : "unknown", sum.as_of, j) : RS_ENOMEM;
	json_decref(j);
done:
	cpd_job_ctx_free(&c);
	int urc = cpd_rstore_unlock(db);
	if (rc == 0)
		rc = urc;
	if (rc == 0)
		*out = sum;
	return rc;
}

/* ---- the sender ---- */

struct cpd_send_arg {
	const struct cpd_smtp *smtp;
	int found, ok;
};

static int cpd_send_one_tx(rs_db *db, void *arg)
{
	struct cpd_send_arg *a = arg;
	struct cpd_rmail m;
	a->found = a->ok = 0;
	int rc = cpd_rstore_mail_claim(db, &m);
	if (rc == RS_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	a->found = 1;
	int src = cpd_smtp_send(a->smtp, m.email, m.subject, m.body);
	char server[300], detail[1001];
	snprintf(server, sizeof server, "%s:%d", a->smtp->host, a->smtp->port);
	snprintf(detail, sizeof detail, "%s", rs_error_last());
	a->ok = src == 0;
	int attempts = m.attempts + 1;
	rc = cpd_rstore_mail_result(db, m.id, a->ok, attempts, !a->ok && attempts >= CPD_SEND_MAX_ATTEMPTS, server,
	                            detail);
	if (!a->ok)
		rs_warn("reminder %lld to the SMTP server %s: %s", (long long)m.id, server, detail);
	free(m.subject);
	free(m.body);
	return rc;
}

int cpd_mail_send_due(int *out_sent, int *out_failed, rs_db *db, const struct cpd_smtp *smtp, int max)
{
	int sent = 0, failed = 0, rc = 0, in_a_row = 0;
	for (int i = 0; i < max && in_a_row < 3; i++) {
		struct cpd_send_arg a = { .smtp = smtp };
		/* No retry of the transaction: a message handed over must not go twice. */
		if ((rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 0, cpd_send_one_tx, &a)) != 0 || !a.found)
			break;
		if (a.ok) {
			sent++;
			in_a_row = 0;
		} else {
			failed++;
			in_a_row++; /* the server is away: leave the rest for the next run */
		}
	}
	*out_sent = sent;
	*out_failed = failed;
	return rc;
}
