/* cpd-tracker: what follows from the training duties — renewal applications and their
 * approval (a new validity and a new credential through the registry), the overdue cases
 * on the registrar desk (closed, or ending in cancellation), the CPD audit sample, the
 * reminder outbox and its SMTP sender, and the scheduled job that runs all of it (one
 * runner at a time across nodes, by a PostgreSQL advisory lock). */
#ifndef CPD_RENEWAL_H
#define CPD_RENEWAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cpd.h"
#include "reg_issue.h"
#include "reg_workflow.h"
#include "rs_db.h"

/* ---- reminders (pure) ---- */

enum cpd_remind_kind {
	CPD_REMIND_DUTY = 0, CPD_REMIND_APPLICATION = 1, CPD_REMIND_OVERDUE = 2, CPD_REMIND_EVIDENCE = 3,
	CPD_REMIND_APPROVED = 4,      /* a renewal application was approved (deadline: the new validity end) */
	CPD_REMIND_REJECTED = 5       /* a renewal application was refused (deadline: the validity end) */
};

struct cpd_reminder {
	enum cpd_remind_kind kind;
	struct cpd_date deadline;
	int days_before;              /* 90, 60 or 30; 0 for an overdue notice */
};
#define CPD_REMIND_MAX (CPD_DUTIES_MAX + 2)

/* The reminders due on today for standing s: for each open duty deadline and for the
 * application deadline (unless applied), the nearest threshold of 90, 60 and 30 days that
 * today has reached (one reminder per deadline and threshold: the outbox keeps each once);
 * one overdue notice when a duty is overdue. Returns the count written to out. */
size_t cpd_reminders_due(struct cpd_reminder out[CPD_REMIND_MAX], const struct cpd_status *s, int applied,
                         struct cpd_date today);
/* "duty", "application", "overdue", "evidence", "renewal_approved", "renewal_rejected". */
const char *cpd_remind_kind_code(enum cpd_remind_kind k);

/* ---- mail ---- */

struct cpd_smtp {
	const char *host;             /* "" or NULL: sending is off */
	int port;
	const char *from;             /* envelope and header From */
	const char *ca_file;          /* CA bundle for STARTTLS ("" = system default) */
	int timeout_s;
	const char *site_url;         /* public base URL, for the link in a reminder */
};
/* Hand one message to the SMTP server (STARTTLS when the server offers it). On failure
 * returns RS_EUNAVAIL (could not talk to the server) or RS_EIO (the server refused), with
 * the reason in rs_error_last(). subject and body are UTF-8. */
int cpd_smtp_send(const struct cpd_smtp *s, const char *to, const char *subject, const char *body);
/* The settings smtp_host, smtp_port, smtp_from, smtp_ca_file, smtp_timeout and
 * public_base_url (strings borrowed from the configuration). */
void cpd_smtp_from_config(struct cpd_smtp *out);

#define CPD_SEND_MAX_ATTEMPTS 8
/* Send queued reminders whose next attempt is due (at most max), each claimed with
 * FOR UPDATE SKIP LOCKED and its attempt recorded; a failure is retried after
 * 1, 2, 4, ... minutes (at most 6 hours), and the reminder is failed after
 * CPD_SEND_MAX_ATTEMPTS attempts. *out_sent and *out_failed count attempts. */
int cpd_mail_send_due(int *out_sent, int *out_failed, rs_db *db, const struct cpd_smtp *smtp, int max);

/* ---- the job ---- */

struct cpd_job_summary {
	int ran;                      /* 0 when another runner held the lock: nothing was done */
	char as_of[11];               /* the day the job judged by (Japan) */
	int lapsed;                   /* registrations lapsed at the end of their validity */
	int registrants;              /* live registrations whose standing was recomputed */
	int on_track, action_needed, overdue, renewable;
	int cases_opened;
	int reminders_queued;
	int sent, send_failed;        /* send attempts */
	int xapi_rematched;           /* unmatched xAPI statements credited by the sweep
	                               * (cpd_xapi_rematch_sweep) */
	double recompute_s;           /* seconds to recompute every standing and queue reminders */
	double load_s;                /* of which: reading the inputs (rules, courses, completions,
	                               * applications, the outbox's and the cases' keys, the register) */
	double compute_s;             /* the standings and what is due, in C */
	double write_s;               /* opening the new cases */
	double reminders_s;           /* rendering the new reminders and queueing them */
	double cpu_s;                 /* CPU seconds of the job's thread in the recompute (the
	                               * database server's are its own) */
};
/* One run: take the advisory lock (or return with ran = 0), lapse what is due, recompute
 * every live registration's standing as of now (Japan date), open a case for each newly
 * overdue one, queue the reminders due, then send queued reminders when smtp has a host.
 * runner names who ran it ("riss jobs run", "rissd:<host>"). */
int cpd_job_run(struct cpd_job_summary *out, rs_db *db, int64_t now, const struct cpd_smtp *smtp,
                const char *runner);
/* The summary as JSON (caller owns it). */
json_t *cpd_job_summary_json(const struct cpd_job_summary *s);

/* ---- renewal applications ---- */

/* The registrant's own view for /me: registration, contact language, standing (each duty
 * with its deadline and the completion that filled it), every completion with provider
 * and posting time, renewal applications, live credentials and whether a renewal
 * application can be made now. Caller owns *out. */
int cpd_me_view(json_t **out, rs_db *db, const char *regno, int64_t now);
/* Apply for renewal: accepted only when every duty of the current cycle is met and the
 * register's renewal window is open. RS_ESTATE (message says which), RS_EEXIST (applied
 * already). *out_id is the application. */
int cpd_renewal_apply(int64_t *out_id, rs_db *db, const char *regno, int64_t now, const struct reg_actor *who);
/* The registrar's direct renewal (POST /api/v1/registry/renew): allowed only when every
 * duty of the cycle is met and the renewal window is open, exactly as an application;
 * then renews (renewal count + 1, the next validity) and issues the new credential through
 * issuer, in one transaction, as an approval does. *out_jws is the caller's. RS_ESTATE
 * (the catalogue message says why), RS_ENOTFOUND, RS_EINVAL, the signer's error. */
int cpd_renewal_direct(char **out_jws, rs_db *db, const char *regno, const struct reg_issuer *issuer, int64_t now,
                       const struct reg_actor *who);
/* Applications in state (NULL: all), newest first, with the registrant's name. */
int cpd_renewal_list(json_t **out, rs_db *db, const char *state, int limit);
/* Decide a submitted application. Approval renews the registration (renewal count + 1,
 * the next validity) and issues its new credential through issuer, all in one transaction;
 * *out_jws (approval only) is the caller's. A rejection needs a note. Either way a mail in
 * the registrant's language tells them (queued in the outbox in the same transaction, once
 * per application; the next job run sends it). */
int cpd_renewal_decide(char **out_jws, rs_db *db, int64_t id, int approve, const char *note,
                       const struct reg_issuer *issuer, int64_t now, const struct reg_actor *who);

/* ---- overdue cases ---- */

int cpd_case_list(json_t **out, rs_db *db, const char *state, int limit);
/* Close an open case (the duty made good, or no action). Needs a note. */
int cpd_case_close(rs_db *db, int64_t id, const char *note, const struct reg_actor *who);
/* End an open case in cancellation (取消し) of the registration: confirm must be the
 * registration number typed again. The person is barred from registering for 2 years (the
 * register records the bar); out_allowed_from gets the first day they may register again
 * (reg_bar_allowed_from). */
int cpd_case_cancel(char out_allowed_from[11], rs_db *db, int64_t id, const char *confirm, const char *reason,
                    int64_t now, const struct reg_actor *who);

/* ---- audit sample ---- */

/* Draw n (1..1000) active registrations at random and request evidence by deadline
 * (YYYY-MM-DD, after today): each request is recorded and, for a registrant with an
 * address, a mail in their language is queued (the next job run sends it). *out_id is the
 * sample. */
int cpd_audit_draw(int64_t *out_id, rs_db *db, int n, const char *deadline, int64_t now,
                   const struct reg_actor *who);
/* Samples with their evidence requests, newest first. */
int cpd_audit_list(json_t **out, rs_db *db, int limit);
/* Record the outcome of a pending evidence request: confirmed, not_confirmed, no_response. */
int cpd_audit_outcome(rs_db *db, int64_t request_id, const char *outcome, const char *note,
                      const struct reg_actor *who);

#endif
