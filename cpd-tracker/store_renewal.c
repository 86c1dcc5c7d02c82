/* cpd-tracker: SQL of renewal applications, cases, the audit sample, the reminder outbox,
 * the job's lock and its bulk reads of rules, courses and completions. */
#include "store_renewal.h"
#include "store.h"

#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CPD_JOB_LOCK_KEY "7305210" /* pg_advisory_lock key of the renewal job */

static int cpd_rs_json(json_t **out, PGresult *r)
{
	json_error_t e;
	json_t *v = json_loads(PQgetvalue(r, 0, 0), 0, &e);
	PQclear(r);
	if (!v) {
		rs_error_set("database returned bad JSON: %s", e.text);
		return RS_EINTERNAL;
	}
	*out = v;
	return 0;
}

int cpd_rstore_lock(rs_db *db, int *out_got)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_job_lock", "SELECT pg_try_advisory_lock(" CPD_JOB_LOCK_KEY ")", 0, NULL);
	if (rc != 0)
		return rc;
	*out_got = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return 0;
}

int cpd_rstore_unlock(rs_db *db)
{
	return rs_db_exec(NULL, db, "cpd_job_unlock", "SELECT pg_advisory_unlock(" CPD_JOB_LOCK_KEY ")", 0, NULL);
}

/* "YYYY-MM-DD" as the database writes it. */
static struct cpd_date cpd_rs_date(const char *s)
{
	struct cpd_date d = { 0, 0, 0 };
	if (s && strlen(s) == 10) {
		d.y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
		d.m = (s[5] - '0') * 10 + (s[6] - '0');
		d.d = (s[8] - '0') * 10 + (s[9] - '0');
	}
	return d;
}

int cpd_rstore_rules(rs_db *db, struct cpd_rules **out, size_t *out_n)
{
	struct cpd_rules *t = calloc(CPD_RULES_MAX, sizeof *t);
	size_t n = 0;
	if (!t)
		return RS_ENOMEM;
	int rc = cpd_store_rules(db, t, CPD_RULES_MAX, &n);
	if (rc != 0) {
		free(t);
		return rc;
	}
	*out = t;
	*out_n = n;
	return 0;
}

/* "{2024,2025}" into ints. */
static int cpd_rs_int_array(int *out, int cap, const char *s)
{
	int n = 0;
	while (s && *s && n < cap) {
		while (*s && (*s < '0' || *s > '9'))
			s++;
		if (!*s)
			break;
		char *end = NULL;
		out[n++] = (int)strtol(s, &end, 10);
		s = end;
	}
	return n;
}

int cpd_rstore_catalog(rs_db *db, struct cpd_rcatalog *out)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_r_catalog",
	                    "SELECT c.id, c.kind, c.cycle_years::text, "
	                    "coalesce((SELECT array_agg(d.fiscal_year) FROM cpd.designations d WHERE d.course_id = c.id), "
	                    "'{}')::text, p.is_agency, p.approved_from::text, coalesce(p.approved_until::text, '') "
	                    "FROM cpd.courses c JOIN cpd.providers p ON p.id = c.provider_id ORDER BY c.id", 0, NULL);
	if (rc != 0)
		return rc;
	int n = PQntuples(r);
	memset(out, 0, sizeof *out);
	out->courses = calloc(n > 0 ? (size_t)n : 1, sizeof *out->courses);
	if (!out->courses) {
		PQclear(r);
		return RS_ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		struct cpd_rcourse *c = &out->courses[i];
		c->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		c->proto.kind = strcmp(PQgetvalue(r, i, 1), "practical") == 0 ? CPD_PRACTICAL : CPD_ONLINE;
		c->proto.nyears = cpd_rs_int_array(c->proto.years, CPD_YEARS_MAX, PQgetvalue(r, i, 2));
		c->proto.ndesignated = cpd_rs_int_array(c->proto.designated, CPD_YEARS_MAX, PQgetvalue(r, i, 3));
		c->proto.by_agency = PQgetvalue(r, i, 4)[0] == 't';
		c->proto.provider_from = cpd_rs_date(PQgetvalue(r, i, 5));
		c->proto.provider_until = cpd_rs_date(PQgetvalue(r, i, 6));
	}
	out->n = (size_t)n;
	PQclear(r);
	return 0;
}

void cpd_rcatalog_free(struct cpd_rcatalog *c)
{
	if (c) {
		free(c->courses);
		c->courses = NULL;
		c->n = 0;
	}
}

int cpd_rcatalog_credit(struct cpd_credit *out, const struct cpd_rcatalog *c, int64_t completion_id, int64_t course_id,
                        struct cpd_date d)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->courses[mid].id < course_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= c->n || c->courses[lo].id != course_id)
		return RS_ENOTFOUND;
	*out = c->courses[lo].proto;
	out->id = completion_id;
	out->completed_on = d;
	return 0;
}

/* The slot of a registration number "000000".."999999"; -1 for anything else. */
static long cpd_rs_regno_slot(const char *s)
{
	long k = 0;
	for (int i = 0; i < 6; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		k = k * 10 + (s[i] - '0');
	}
	return s[6] == '\0' || s[6] == ' ' ? k : -1;
}

/* Group the rows of r by registration number with a counting sort (the rules take a
 * registrant's completions in any order, so the database need not sort 400,000 rows). */
static int cpd_rs_completions(struct cpd_rcompletions *out, PGresult *r)
{
	size_t n = (size_t)PQntuples(r);
	memset(out, 0, sizeof *out);
	out->first = calloc(CPD_REGNO_SLOTS + 1, sizeof *out->first);
	out->regno = malloc((n ? n : 1) * sizeof *out->regno);
	out->id = malloc((n ? n : 1) * sizeof *out->id);
	out->course = malloc((n ? n : 1) * sizeof *out->course);
	out->on = malloc((n ? n : 1) * sizeof *out->on);
	out->waived = malloc((n ? n : 1) * sizeof *out->waived);
	long *slot = malloc((n ? n : 1) * sizeof *slot);
	if (!out->first || !out->regno || !out->id || !out->course || !out->on || !out->waived || !slot) {
		free(slot);
		cpd_rcompletions_free(out);
		PQclear(r);
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	/* first[k + 1] counts slot k, then the prefix sums make first[k] its start. */
	for (size_t i = 0; i < n; i++)
		if ((slot[i] = cpd_rs_regno_slot(PQgetvalue(r, (int)i, 0))) >= 0)
			out->first[slot[i] + 1]++;
	for (size_t k = 0; k < CPD_REGNO_SLOTS; k++)
		out->first[k + 1] += out->first[k];
	uint32_t *next = malloc(CPD_REGNO_SLOTS * sizeof *next);
	if (!next) {
		free(slot);
		cpd_rcompletions_free(out);
		PQclear(r);
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	memcpy(next, out->first, CPD_REGNO_SLOTS * sizeof *next);
	for (size_t i = 0; i < n; i++) {
		if (slot[i] < 0)
			continue; /* the schema allows only six digits */
		size_t j = next[slot[i]]++;
		memcpy(out->regno[j], PQgetvalue(r, (int)i, 0), 6);
		out->regno[j][6] = '\0';
		out->id[j] = strtoll(PQgetvalue(r, (int)i, 1), NULL, 10);
		out->course[j] = strtoll(PQgetvalue(r, (int)i, 2), NULL, 10);
		out->on[j] = cpd_rs_date(PQgetvalue(r, (int)i, 3));
		out->waived[j] = cpd_store_holds(PQgetvalue(r, (int)i, 4));
	}
	out->n = out->first[CPD_REGNO_SLOTS];
	free(next);
	free(slot);
	PQclear(r);
	return 0;
}

int cpd_rstore_completions_all(rs_db *db, struct cpd_rcompletions *out)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_r_completions_all",
	                    "SELECT regno, id, course_id, completed_on::text, holds::text FROM cpd.completions "
	                    "WHERE state = 'accepted'", 0, NULL);
	return rc != 0 ? rc : cpd_rs_completions(out, r);
}

size_t cpd_rcompletions_of(const struct cpd_rcompletions *c, const char *regno, size_t *out_first)
{
	long k = c->first ? cpd_rs_regno_slot(regno) : -1;
	if (k < 0) {
		*out_first = 0;
		return 0;
	}
	*out_first = c->first[k];
	return c->first[k + 1] - c->first[k];
}

void cpd_rcompletions_free(struct cpd_rcompletions *c)
{
	if (!c)
		return;
	free(c->first);
	free(c->regno);
	free(c->id);
	free(c->course);
	free(c->on);
	free(c->waived);
	memset(c, 0, sizeof *c);
}

int cpd_rstore_completions_json(rs_db *db, json_t **out, const char *regno)
{
	PGresult *r = NULL;
	const char *p[] = { regno };
	int rc = rs_db_exec(&r, db, "cpd_r_completions_json",
	                    "SELECT coalesce(json_agg(" CPD_SQL_REG_COMPLETION " ORDER BY x.completed_on DESC, x.id DESC), "
	                    "'[]')::text FROM cpd.completions x JOIN cpd.courses c ON c.id = x.course_id "
	                    "JOIN cpd.providers p ON p.id = x.provider_id WHERE x.regno = $1 AND x.state <> 'voided'",
	                    1, p);
	return rc != 0 ? rc : cpd_rs_json(out, r);
}

static int cpd_rs_keycmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first column of a one-column query as a sorted array of strings. */
static int cpd_rs_keys(rs_db *db, char ***out, size_t *out_n, const char *name, const char *sql, int nparams,
                       const char *const *params)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, name, sql, nparams, params);
	if (rc != 0)
		return rc;
	size_t n = (size_t)PQntuples(r);
	char **k = calloc(n ? n : 1, sizeof *k);
	if (!k) {
		PQclear(r);
		return RS_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		if (!(k[i] = strdup(PQgetvalue(r, (int)i, 0))))
			rc = RS_ENOMEM;
	PQclear(r);
	if (rc != 0) {
		for (size_t i = 0; i < n; i++)
			free(k[i]);
		free(k);
		return rc;
	}
	qsort(k, n, sizeof *k, cpd_rs_keycmp);
	*out = k;
	*out_n = n;
	return 0;
}

int cpd_rstore_applied(rs_db *db, char ***out, size_t *out_n)
{
	return cpd_rs_keys(db, out, out_n, "cpd_r_applied",
	                   "SELECT regno || '|' || valid_until::text FROM cpd.renewal_applications "
	                   "WHERE state <> 'rejected'", 0, NULL);
}

int cpd_rstore_known(rs_db *db, char ***out_reminders, size_t *out_nr, char ***out_cases, size_t *out_nc,
                     const char *since)
{
	const char *p[] = { since };
	int rc = cpd_rs_keys(db, out_reminders, out_nr, "cpd_r_known_reminders",
	                     "SELECT regno || '|' || kind || '|' || deadline::text || '|' || days_before "
	                     "FROM cpd.reminders WHERE deadline >= $1::date AND application_id IS NULL", 1, p);
	if (rc == 0)
		rc = cpd_rs_keys(db, out_cases, out_nc, "cpd_r_known_cases",
		                 "SELECT regno || '|' || valid_until::text FROM cpd.cases", 0, NULL);
	return rc;
}

static int cpd_rs_count(PGresult *r, int *out)
{
	if (out)
		*out = atoi(PQcmdTuples(r));
	PQclear(r);
	return 0;
}

void cpd_rcases_push(struct cpd_rcases *b, const struct cpd_rcase_row *row)
{
	cpd_arr_add(&b->col[0], row->regno);
	cpd_arr_add(&b->col[1], row->valid_until);
	cpd_arr_add(&b->col[2], row->duty);
	cpd_arr_add(&b->col[3], row->due);
	b->n++;
}

/* Close the n column literals of a batch into p; RS_ENOMEM when one could not be built. */
static int cpd_rs_cols(const char **p, struct cpd_arr *col, size_t n)
{
	int rc = 0;
	for (size_t k = 0; k < n; k++)
		if (!(p[k] = cpd_arr_text(&col[k])))
			rc = RS_ENOMEM;
	return rc;
}

static void cpd_rs_cols_free(struct cpd_arr *col, size_t n, size_t *count)
{
	for (size_t k = 0; k < n; k++)
		cpd_arr_free(&col[k]);
	*count = 0;
}

int cpd_rcases_flush(rs_db *db, int *out_added, struct cpd_rcases *b)
{
	int added = 0, rc = 0;
	if (b->n > 0) {
		const char *p[4];
		PGresult *r = NULL;
		if ((rc = cpd_rs_cols(p, b->col, 4)) == 0)
			rc = rs_db_exec(&r, db, "cpd_r_cases_add",
			                "INSERT INTO cpd.cases (regno, valid_until, duty, due) SELECT * FROM "
			                "unnest($1::text[], $2::date[], $3::text[], $4::date[]) ON CONFLICT DO NOTHING", 4, p);
		if (rc == 0)
			rc = cpd_rs_count(r, &added);
	}
	cpd_rs_cols_free(b->col, 4, &b->n);
	if (rc == 0 && out_added)
		*out_added = added;
	return rc;
}

void cpd_rcases_free(struct cpd_rcases *b)
{
	cpd_rs_cols_free(b->col, 4, &b->n);
}

/* One column in COPY text format, then its separator (a tab, or the row's newline). */
static void cpd_rs_copy_field(struct cpd_rreminders *b, const char *s, int last)
{
	for (const char *p = s; *p;) {
		size_t run = strcspn(p, "\\\t\n\r");
		cpd_arr_put(&b->buf, p, run);
		p += run;
		if (*p) {
			const char *esc = *p == '\\' ? "\\\\" : *p == '\t' ? "\\t" : *p == '\n' ? "\\n" : "\\r";
			cpd_arr_put(&b->buf, esc, 2);
			p++;
		}
	}
	cpd_arr_put(&b->buf, last ? "\n" : "\t", 1);
}

void cpd_rreminders_push(struct cpd_rreminders *b, const struct cpd_rremind_row *row)
{
	char days[16];
	snprintf(days, sizeof days, "%d", row->days_before);
	cpd_rs_copy_field(b, row->regno, 0);
	cpd_rs_copy_field(b, row->kind, 0);
	cpd_rs_copy_field(b, row->deadline, 0);
	cpd_rs_copy_field(b, days, 0);
	cpd_rs_copy_field(b, row->lang, 0);
	cpd_rs_copy_field(b, row->email, 0);
	cpd_rs_copy_field(b, row->subject, 0);
	cpd_rs_copy_field(b, row->body, 1);
	b->n++;
}

/* COPY into a temporary table, then one INSERT ... SELECT: the server parses COPY text
 * more cheaply than eight array literals of the same megabytes of mail. */
static int cpd_rs_reminders_copy(rs_db *db, int *out_added, struct cpd_rreminders *b)
{
	if (b->buf.oom) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	int rc = rs_db_exec_plain(db, "CREATE TEMPORARY TABLE cpd_job_reminders (regno text, kind text, deadline date, "
	                              "days_before integer, lang text, email text, subject text, body text) "
	                              "ON COMMIT DROP");
	if (rc == 0)
		rc = rs_db_copy_in(db, "COPY cpd_job_reminders FROM STDIN", b->buf.s, b->buf.len);
	PGresult *r = NULL;
	if (rc == 0)
		rc = rs_db_exec(&r, db, "cpd_r_reminders_add",
		                "INSERT INTO cpd.reminders (regno, kind, deadline, days_before, lang, email, subject, body) "
		                "SELECT regno, kind, deadline, days_before, lang, email, subject, body FROM cpd_job_reminders "
		                "ON CONFLICT DO NOTHING", 0, NULL);
	if (rc == 0)
		rc = cpd_rs_count(r, out_added);
	if (rc == 0)
		rc = rs_db_exec_plain(db, "DROP TABLE cpd_job_reminders");
	return rc;
}

int cpd_rreminders_flush(rs_db *db, int *out_added, struct cpd_rreminders *b)
{
	int added = 0;
	int rc = b->n > 0 ? cpd_rs_reminders_copy(db, &added, b) : 0;
	cpd_rreminders_free(b);
	if (rc == 0 && out_added)
		*out_added = added;
	return rc;
}

void cpd_rreminders_free(struct cpd_rreminders *b)
{
	cpd_arr_free(&b->buf);
	b->n = 0;
}

int cpd_rstore_reminder_add(rs_db *db, const struct cpd_rremind_row *row)
{
	char days[16], app[24];
	snprintf(days, sizeof days, "%d", row->days_before);
	snprintf(app, sizeof app, "%lld", (long long)row->application_id);
	const char *p[] = { row->regno, row->kind, row->deadline, days, row->lang, row->email, row->subject, row->body,
		            app };
	return rs_db_exec(NULL, db, "cpd_r_reminder_add",
	                  "INSERT INTO cpd.reminders (regno, kind, deadline, days_before, lang, email, subject, body, "
	                  "application_id) VALUES ($1, $2, $3::date, $4::int, $5, $6, $7, $8, nullif($9::bigint, 0)) "
	                  "ON CONFLICT DO NOTHING", 9, p);
}

int cpd_rstore_job_record(rs_db *db, const char *runner, const char *as_of, const json_t *summary)
{
	char *s = json_dumps(summary, JSON_COMPACT);
	if (!s)
		return RS_ENOMEM;
	const char *p[] = { runner, as_of, s };
	int rc = rs_db_exec(NULL, db, "cpd_r_job_record",
	                    "INSERT INTO cpd.job_runs (started_at, runner, as_of, summary) VALUES "
	                    "(now(), $1, $2::date, $3::jsonb)", 3, p);
	free(s);
	return rc;
}

int cpd_rstore_mail_claim(rs_db *db, struct cpd_rmail *out)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_r_mail_claim",
	                    "SELECT id, attempts, email, subject, body FROM cpd.reminders WHERE state = 'queued' "
	                    "AND next_attempt_at <= now() ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
	                    0, NULL);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		rs_error_set("no reminder due");
		return RS_ENOTFOUND;
	}
	memset(out, 0, sizeof *out);
	out->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	out->attempts = atoi(PQgetvalue(r, 0, 1));
	snprintf(out->email, sizeof out->email, "%s", PQgetvalue(r, 0, 2));
	out->subject = strdup(PQgetvalue(r, 0, 3));
	out->body = strdup(PQgetvalue(r, 0, 4));
	PQclear(r);
	if (!out->subject || !out->body) {
		free(out->subject);
		free(out->body);
		return RS_ENOMEM;
	}
	return 0;
}

int cpd_rstore_mail_result(rs_db *db, int64_t id, int ok, int attempts, int give_up, const char *server,
                           const char *detail)
{
	char ids[32], att[16];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	snprintf(att, sizeof att, "%d", attempts);
	char d[1001];
	snprintf(d, sizeof d, "%.1000s", detail ? detail : "");
	const char *p[] = { ids, ok ? "t" : "f", server, d };
	int rc = rs_db_exec(NULL, db, "cpd_r_mail_attempt",
	                    "INSERT INTO cpd.send_attempts (reminder_id, ok, server, detail) VALUES ($1, $2::boolean, "
	                    "left($3, 300), $4)", 4, p);
	/* Backoff: 1, 2, 4, ... minutes after each failure, at most 6 hours. */
	const char *q[] = { ids, ok ? "t" : "f", att, give_up ? "t" : "f" };
	if (rc == 0)
		rc = rs_db_exec(NULL, db, "cpd_r_mail_update",
		                "UPDATE cpd.reminders SET attempts = $3::int, "
		                "state = CASE WHEN $2::boolean THEN 'sent' WHEN $4::boolean THEN 'failed' ELSE 'queued' END, "
		                "sent_at = CASE WHEN $2::boolean THEN now() END, "
		                "next_attempt_at = now() + least(interval '1 minute' * power(2, $3::int - 1), interval '6 hours') "
		                "WHERE id = $1", 4, q);
	return rc;
}

int cpd_rstore_app_insert(rs_db *db, int64_t *out_id, const char *regno, const char *valid_until, const char *by,
                          const json_t *standing)
{
	char *s = json_dumps(standing, JSON_COMPACT);
	if (!s)
		return RS_ENOMEM;
	const char *p[] = { regno, valid_until, by, s };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_r_app_insert",
	                    "INSERT INTO cpd.renewal_applications (regno, valid_until, submitted_by, standing) "
	                    "VALUES ($1, $2::date, $3, $4::jsonb) RETURNING id", 4, p);
	free(s);
	if (rc == RS_EEXIST)
		rs_error_set("a renewal application for this validity has already been made");
	if (rc != 0)
		return rc;
	*out_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return 0;
}

int cpd_rstore_app_get(rs_db *db, int64_t id, char regno[7], char state[16], char valid_until[11])
{
	char ids[32];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *p[] = { ids };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_r_app_get",
	                    "SELECT regno, state, valid_until::text FROM cpd.renewal_applications WHERE id = $1 FOR UPDATE",
	                    1, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		rs_error_set("no renewal application %lld", (long long)id);
		return RS_ENOTFOUND;
	}
	snprintf(regno, 7, "%s", PQgetvalue(r, 0, 0));
	snprintf(state, 16, "%s", PQgetvalue(r, 0, 1));
	snprintf(valid_until, 11, "%s", PQgetvalue(r, 0, 2));
	PQclear(r);
	return 0;
}

int cpd_rstore_app_decide(rs_db *db, int64_t id, const char *state, const char *by, const char *note,
                          const char *new_valid_until)
{
	char ids[32];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *p[] = { ids, state, by, note ? note : "", new_valid_until };
	return rs_db_exec(NULL, db, "cpd_r_app_decide",
	                  "UPDATE cpd.renewal_applications SET state = $2, decided_by = $3, note = $4, "
	                  "decided_at = now(), new_valid_until = $5::date WHERE id = $1", 5, p);
}

int cpd_rstore_app_list(rs_db *db, json_t **out, const char *state, const char *regno, int limit)
{
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	const char *p[] = { state, regno, lim };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_r_app_list",
	                    "SELECT coalesce(json_agg(t ORDER BY t.id DESC), '[]')::text FROM (SELECT id, regno, "
	                    "valid_until::text AS valid_until, state, " CPD_SQL_TS("submitted_at") " AS submitted_at, submitted_by, "
	                    "standing, " CPD_SQL_TS("decided_at") " AS decided_at, "
	                    "decided_by, note, new_valid_until::text AS new_valid_until FROM cpd.renewal_applications "
	                    "WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR regno = $2) "
	                    "ORDER BY id DESC LIMIT $3::int) t", 3, p);
	return rc != 0 ? rc : cpd_rs_json(out, r);
}

int cpd_rstore_case_get(rs_db *db, int64_t id, char regno[7], char state[16])
{
	char ids[32];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *p[] = { ids };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_r_case_get", "SELECT regno, state FROM cpd.cases WHERE id = $1 FOR UPDATE", 1, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		rs_error_set("no case %lld", (long long)id);
		return RS_ENOTFOUND;
	}
	snprintf(regno, 7, "%s", PQgetvalue(r, 0, 0));
	snprintf(state, 16, "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	return 0;
}

int cpd_rstore_case_decide(rs_db *db, int64_t id, const char *state, const char *by, const char *note)
{
	char ids[32];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *p[] = { ids, state, by, note ? note : "" };
	return rs_db_exec(NULL, db, "cpd_r_case_decide",
	                  "UPDATE cpd.cases SET state = $2, decided_by = $3, note = $4, decided_at = now() WHERE id = $1",
	                  4, p);
}

int cpd_rstore_case_list(rs_db *db, json_t **out, const char *state, int limit)
{
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	const char *p[] = { state, lim };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_r_case_list",
	                    "SELECT coalesce(json_agg(t ORDER BY t.id), '[]')::text FROM (SELECT id, regno, "
	                    "valid_until::text AS valid_until, duty, due::text AS due, state, " CPD_SQL_TS("opened_at") " AS opened_at, "
	                    CPD_SQL_TS("decided_at") " AS decided_at, "
	                    "decided_by, note FROM cpd.cases WHERE ($1::text IS NULL OR state = $1) ORDER BY id "
	                    "LIMIT $2::int) t", 2, p);
	return rc != 0 ? rc : cpd_rs_json(out, r);
}

int cpd_rstore_sample_add(rs_db *db, int64_t *out_id, const char *by, int size, const char *deadline,
                          const char *const *regnos, size_t n)
{
	char sz[16];
	snprintf(sz, sizeof sz, "%d", size);
	const char *p[] = { by, sz, deadline };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_r_sample_add",
	                    "INSERT INTO cpd.audit_samples (drawn_by, size, deadline) VALUES ($1, $2::int, $3::date) "
	                    "RETURNING id", 3, p);
	if (rc != 0)
		return rc;
	char ids[32];
	snprintf(ids, sizeof ids, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	struct cpd_arr a = { 0 };
	for (size_t i = 0; i < n; i++)
		cpd_arr_add(&a, regnos[i]);
	const char *arr = cpd_arr_text(&a);
	if (!arr) {
		cpd_arr_free(&a);
		return RS_ENOMEM;
	}
	const char *q[] = { ids, arr, deadline };
	rc = rs_db_exec(NULL, db, "cpd_r_evidence_add",
	                "INSERT INTO cpd.evidence_requests (sample_id, regno, deadline) SELECT $1::bigint, x, $3::date "
	                "FROM unnest($2::text[]) x", 3, q);
	cpd_arr_free(&a);
	if (rc == 0)
		*out_id = strtoll(ids, NULL, 10);
	return rc;
}

int cpd_rstore_sample_list(rs_db *db, json_t **out, int limit)
{
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	const char *p[] = { lim };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_r_sample_list",
	                    "SELECT coalesce(json_agg(t ORDER BY t.id DESC), '[]')::text FROM (SELECT s.id, " CPD_SQL_TS("s.drawn_at") " AS drawn_at, "
	                    "s.drawn_by, s.size, s.deadline::text AS deadline, (SELECT json_agg(e ORDER BY e.regno) FROM "
	                    "(SELECT id, regno, deadline::text AS deadline, outcome, note, " CPD_SQL_TS("decided_at") " AS decided_at, decided_by FROM "
	                    "cpd.evidence_requests WHERE sample_id = s.id) e) AS requests FROM cpd.audit_samples s "
	                    "ORDER BY s.id DESC LIMIT $1::int) t", 1, p);
	return rc != 0 ? rc : cpd_rs_json(out, r);
}

int cpd_rstore_evidence_decide(rs_db *db, int64_t id, const char *outcome, const char *note, const char *by)
{
	char ids[32];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *p[] = { ids, outcome, note ? note : "", by };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_r_evidence_decide",
	                    "UPDATE cpd.evidence_requests SET outcome = $2, note = $3, decided_by = $4, decided_at = now() "
	                    "WHERE id = $1 AND outcome = 'pending' RETURNING id", 4, p);
	if (rc != 0)
		return rc;
	int n = PQntuples(r);
	PQclear(r);
	if (n != 1) {
		rs_error_set("no pending evidence request %lld", (long long)id);
		return RS_ESTATE;
	}
	return 0;
}
