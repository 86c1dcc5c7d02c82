/* cpd-tracker: SQL behind renewal applications, cases, the audit sample, the reminder
 * outbox and the job (private to cpd-tracker; store_renewal.c). Each function runs in the
 * caller's transaction. */
#ifndef CPD_STORE_RENEWAL_H
#define CPD_STORE_RENEWAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cpd.h"
#include "cpd_renewal.h"
#include "rs_db.h"
#include "store.h"

/* The job's one-runner lock (session level, on db). *out_got = 0 when another holds it. */
int cpd_rstore_lock(rs_db *db, int *out_got);
int cpd_rstore_unlock(rs_db *db);

/* Rule versions, in effective order (cpd_store_rules, at most CPD_RULES_MAX). *out is
 * malloc'd (caller frees). */
int cpd_rstore_rules(rs_db *db, struct cpd_rules **out, size_t *out_n);

/* What the rules need to know about every course, indexed by course id. */
struct cpd_rcourse {
	int64_t id;
	struct cpd_credit proto;      /* kind, years, designations, provider facts (id and date unset) */
};
struct cpd_rcatalog {
	struct cpd_rcourse *courses;  /* sorted by id */
	size_t n;
};
int cpd_rstore_catalog(rs_db *db, struct cpd_rcatalog *out);
void cpd_rcatalog_free(struct cpd_rcatalog *c);
/* The credit of completion id on course_id completed on d; RS_ENOTFOUND for an unknown course. */
int cpd_rcatalog_credit(struct cpd_credit *out, const struct cpd_rcatalog *c, int64_t completion_id, int64_t course_id,
                        struct cpd_date d);

/* Accepted completions of every registrant, grouped by registration number: column
 * arrays, the rows of regno k (000000..999999) at [first[k], first[k + 1]). */
#define CPD_REGNO_SLOTS 1000000
struct cpd_rcompletions {
	size_t n;
	uint32_t *first;             /* CPD_REGNO_SLOTS + 1 offsets */
	char (*regno)[7];
	int64_t *id, *course;
	struct cpd_date *on;
	unsigned *waived;            /* the holds the CPD desk waived (cpd_credit.waived) */
};
int cpd_rstore_completions_all(rs_db *db, struct cpd_rcompletions *out);
void cpd_rcompletions_free(struct cpd_rcompletions *c);
/* How many completions regno has; *out_first is the index of the first. */
size_t cpd_rcompletions_of(const struct cpd_rcompletions *c, const char *regno, size_t *out_first);
/* One registrant's completions for /me: provider names, course titles, posting time. */
int cpd_rstore_completions_json(rs_db *db, json_t **out, const char *regno);

/* Registrants with a live (submitted or approved) application for their current validity:
 * a sorted array of "regno|valid_until" keys (caller frees each and the array). */
int cpd_rstore_applied(rs_db *db, char ***out, size_t *out_n);
/* The keys of reminders already in the outbox ("regno|kind|deadline|days", deadlines on or
 * after since, YYYY-MM-DD) and of cases already opened ("regno|valid_until"), sorted, so
 * that a run renders and queues only what is new (the unique keys still decide). */
int cpd_rstore_known(rs_db *db, char ***out_reminders, size_t *out_nr, char ***out_cases, size_t *out_nc,
                     const char *since);

/* Bulk writes of the job: rows are pushed as they are decided (cases into column arrays,
 * reminders as COPY text), and a flush writes them all with one INSERT ... SELECT
 * (unnest(...) / from a temporary table filled by COPY) ON CONFLICT DO NOTHING
 * (*out_added, may be NULL, counts new rows) and empties the batch (also on failure). */
struct cpd_rcase_row {
	const char *regno, *valid_until, *duty, *due;
};
struct cpd_rcases {
	struct cpd_arr col[4];
	size_t n;                     /* rows pushed since the last flush */
};
void cpd_rcases_push(struct cpd_rcases *b, const struct cpd_rcase_row *row);
int cpd_rcases_flush(rs_db *db, int *out_added, struct cpd_rcases *b);
void cpd_rcases_free(struct cpd_rcases *b);
struct cpd_rremind_row {
	const char *regno, *kind, *deadline, *lang, *email, *subject, *body;
	int days_before;
	int64_t application_id;       /* the renewal application a decision mail is about; 0: none */
};
struct cpd_rreminders {
	struct cpd_arr buf;           /* the rows in COPY text format (cpd_arr_put) */
	size_t n;
};
void cpd_rreminders_push(struct cpd_rreminders *b, const struct cpd_rremind_row *row);
int cpd_rreminders_flush(rs_db *db, int *out_added, struct cpd_rreminders *b);
void cpd_rreminders_free(struct cpd_rreminders *b);
/* One reminder (a decision mail, an evidence request), kept once by the outbox's keys. */
int cpd_rstore_reminder_add(rs_db *db, const struct cpd_rremind_row *row);
int cpd_rstore_job_record(rs_db *db, const char *runner, const char *as_of, const json_t *summary);

/* The sender: claim the oldest due reminder (FOR UPDATE SKIP LOCKED). RS_ENOTFOUND when none. */
struct cpd_rmail {
	int64_t id;
	int attempts;
	char email[256];
	char *subject, *body;         /* caller frees */
};
int cpd_rstore_mail_claim(rs_db *db, struct cpd_rmail *out);
int cpd_rstore_mail_result(rs_db *db, int64_t id, int ok, int attempts, int give_up, const char *server,
                           const char *detail);

/* Renewal applications. */
int cpd_rstore_app_insert(rs_db *db, int64_t *out_id, const char *regno, const char *valid_until, const char *by,
                          const json_t *standing);
/* Locks the row: regno, state, valid_until. */
int cpd_rstore_app_get(rs_db *db, int64_t id, char regno[7], char state[16], char valid_until[11]);
int cpd_rstore_app_decide(rs_db *db, int64_t id, const char *state, const char *by, const char *note,
                          const char *new_valid_until);
int cpd_rstore_app_list(rs_db *db, json_t **out, const char *state, const char *regno, int limit);

/* Cases. */
int cpd_rstore_case_get(rs_db *db, int64_t id, char regno[7], char state[16]);
int cpd_rstore_case_decide(rs_db *db, int64_t id, const char *state, const char *by, const char *note);
int cpd_rstore_case_list(rs_db *db, json_t **out, const char *state, int limit);

/* Audit. */
int cpd_rstore_sample_add(rs_db *db, int64_t *out_id, const char *by, int size, const char *deadline,
                          const char *const *regnos, size_t n);
int cpd_rstore_sample_list(rs_db *db, json_t **out, int limit);
int cpd_rstore_evidence_decide(rs_db *db, int64_t id, const char *outcome, const char *note, const char *by);

#endif
