/* registry: the registrars' workflow — application from a passed exam result, review,
 * registration with a gapless number, suspension, reinstatement, cancellation,
 * deregistration, renewal and automatic lapse. Every step is audited in its own
 * transaction; status changes reach the status list and the transparency log at once. */
#ifndef REG_WORKFLOW_H
#define REG_WORKFLOW_H

#include <stdint.h>

#include <jansson.h>

#include "reg_register.h"
#include "rs_attr.h"
#include "rs_db.h"

/* Who acts (for rs_audit and the status history). */
struct reg_actor {
	const char *actor;      /* "staff:tanaka", "system", ... */
	const char *role;       /* "registrar", "system" */
	const char *request_id; /* may be NULL */
};

/* An application as entered by a registrar. */
struct reg_application {
	const char *exam_result_ref;  /* the passed exam result it rests on */
	const char *exam_pass_date;   /* YYYY-MM-DD */
	const char *name, *name_kana, *name_latn;
	const char *date_of_birth;
	unsigned published;           /* reg_pub bits */
	struct rs_attrs attrs;        /* statistical attributes, each optional (NULL); checked by reg_wf_apply */
};

/* Record an application (state submitted). Refused (RS_ESTATE, the message names the
 * date) while the person (kanji name and date of birth) is barred after a cancellation;
 * reg_wf_register checks the same. Returns 0 and its id, RS_EINVAL (a field, named),
 * RS_EEXIST (a live application for that exam result exists) or a database error. The
 * exam result is referenced loosely (exam_result_ref), not by a foreign key. */
int reg_wf_apply(int64_t *out_id, rs_db *db, const struct reg_application *app,
                 const struct reg_actor *who);
/* Review a submitted application: approve or reject with a note. RS_ENOTFOUND, RS_ESTATE. */
int reg_wf_review(rs_db *db, int64_t app_id, int approve, const char *note,
                  const struct reg_actor *who);
/* Register an approved application: allocate the next registration number (no gaps, no
 * races), registration date reg_date (NULL: the next 1 April / 1 October on or after
 * today in Japan), validity 3 years. Returns 0 and the number in out_regno. */
int reg_wf_register(char out_regno[REG_REGNO_LEN + 1], rs_db *db, int64_t app_id,
                    const char *reg_date, int64_t now, const struct reg_actor *who);

/* Change a registration's status: suspend (active -> suspended), reinstate (suspended ->
 * active), cancel and deregister (from active or suspended, final). The live credentials'
 * status entries become 2 (suspended), 0 (reinstated) or 1 (revoked), each change a log
 * leaf. reason (the registrar's words, staff views only) is required except for
 * reinstatement. public_reason (NULL or "": the status alone) is what the public sees: a
 * code of the fixed list for the new status (reg_public_reason_ok); the log leaves carry it.
 * RS_ENOTFOUND, RS_ESTATE, RS_EINVAL. */
int reg_wf_set_status(rs_db *db, const char *regno, enum reg_status to, const char *public_reason,
                      const char *reason, int64_t now, const struct reg_actor *who);
/* reg_wf_set_status inside the caller's transaction (for a module that changes its own
 * records in the same transaction, e.g. a CPD case ending in cancellation). A
 * cancellation also bars the person from registering again for 2 years. */
int reg_wf_set_status_in_tx(rs_db *db, const char *regno, enum reg_status to, const char *public_reason,
                            const char *reason, int64_t now, const struct reg_actor *who);
/* Renew: the next 3-year validity starts the day after valid_until; renewal_count + 1.
 * Allowed for active registrations within a year of the end of validity, or a lapsed one
 * within a year after it. RS_ESTATE otherwise. */
int reg_wf_renew(rs_db *db, const char *regno, int64_t now, const struct reg_actor *who);
/* reg_wf_renew inside the caller's transaction; out_until gets the new end of validity. */
int reg_wf_renew_in_tx(char out_until[11], rs_db *db, const char *regno, int64_t now, const struct reg_actor *who);
/* The renewal rule on its own: for a registration in status st valid until valid_until,
 * renewed on today (all YYYY-MM-DD): allowed for an active one in the last year of its
 * validity and for a lapsed one up to a year after the end; the new validity starts the
 * day after valid_until (or, once lapsed, the next 1 April / 1 October on or after today)
 * and runs 3 years. 0 and the period, RS_ESTATE (outside the window or wrong status) or
 * RS_EINVAL. */
int reg_renewal_period(char out_from[11], char out_until[11], enum reg_status st, const char *valid_until,
                       const char *today);
/* True when a registration in status st, valid until valid_until, lapses on today: active
 * or suspended, and the validity ended before today. */
int reg_lapse_is_due(enum reg_status st, const char *valid_until, const char *today);
/* Lapse every active or suspended registration whose validity ended before today (JST).
 * *out_n counts them. Each is audited. */
int reg_wf_lapse_due(int *out_n, rs_db *db, int64_t now, const struct reg_actor *who);

/* Applications in a state (NULL: all), newest first, at most limit; each submitted or
 * approved one carries "similar": registrants already on the register with the same date of
 * birth and a name equal in search form (the duplicate-person warning). Caller owns *out. */
int reg_wf_list_applications(json_t **out, rs_db *db, const char *state, int limit, int64_t now);
/* Passed exam results waiting for an application ("exam:<session id>" references with the
 * candidate's names and date of birth), for the registrar's desk. *out is a JSON array. */
int reg_wf_passed_results(json_t **out, rs_db *db);
/* The registrar's search: q (NULL or "": everyone) a number or the start of any name part
 * (kanji, kana, romaji; normalised as in public search, every name field), status (NULL: any),
 * newest number first; one page of limit (1..200, default 50) from offset.
 * *out = {registrants:[list views], total, offset, limit}. RS_EINVAL for bad q or status. */
int reg_wf_find(json_t **out, rs_db *db, const char *q, const char *status, int limit, int offset, int64_t now);
/* One registrant on the day of now with its status history, credentials, the actions valid
 * in its state and "similar" (other registrants who may be the same person). */
int reg_wf_show(json_t **out, rs_db *db, const char *regno, int64_t now);

#endif
