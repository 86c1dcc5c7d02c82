/* cpd-tracker: continuing training (CPD) of registered specialists — the renewal rules
 * (pure: dates, duties, states; no I/O), the readers of completion records (pure) and
 * the module over schema cpd: providers and their keys, courses, completions, standings.
 * This is the module's whole public face; store.h (SQL) is private.
 *
 * The rules: a registration's validity is a cycle of `cycle_years` years from valid_from
 * (1 April or 1 October). In each cycle year `online_per_year` online courses must be
 * completed, and `practical_per_cycle` practical courses (the agency's 実践講習, or a
 * private provider's course designated 特定講習 for the fiscal year of completion) once in
 * the cycle. The renewal application is due `application_days` before the validity ends,
 * and every duty's deadline is at the latest that day. Missing a duty blocks renewal and
 * lets the agency cancel the registration (取消し), after which the person may not register
 * again for 2 years (the register's bar: reg_bar_allowed_from in registry/reg_register.h);
 * not applying lets the registration lapse (失効) the day after
 * the validity ends. The numbers are data (struct cpd_rules, from schema table
 * cpd.rule_versions), never constants in the code. */
#ifndef CPD_H
#define CPD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "rs_db.h"

struct cpd_date {
	int y, m, d;
};

enum cpd_course { CPD_ONLINE = 0, CPD_PRACTICAL = 1 };

/* One version of the renewal rules (a row of cpd.rule_versions). */
struct cpd_rules {
	int version;                 /* rule version number (1, 2, ...) */
	struct cpd_date effective_from; /* applies to cycles starting on or after this day */
	int cycle_years;             /* length of a validity cycle in years (3) */
	int online_per_year;         /* online courses required in each cycle year (1) */
	int practical_per_cycle;     /* practical courses required per cycle (1) */
	int application_days;        /* renewal application due this many days before the end (60) */
	int action_days;             /* "action needed" when an open duty is due within this many days (90) */
};

/* The rules of version 1 (what migration 0050 inserts), for tests and tools without a
 * database. The server always uses the table. */
extern const struct cpd_rules cpd_rules_v1;

/* The version in table[0..n) that applies to a cycle starting on cycle_start: the one with
 * the latest effective_from on or before it. NULL when none applies. */
const struct cpd_rules *cpd_rules_pick(const struct cpd_rules *table, size_t n, struct cpd_date cycle_start);
/* 0 when every number of r is within its bounds, else RS_EINVAL naming the field. */
int cpd_rules_check(const struct cpd_rules *r);

#define CPD_YEARS_MAX 8          /* fiscal years a course may list */

/* An accepted completion as the rules see it: the facts of the record, its course and
 * its provider. The store fills these; the rules decide what it counts for. */
struct cpd_credit {
	int64_t id;                  /* completion id, reported as the record filling a duty */
	enum cpd_course kind;        /* kind of the course */
	struct cpd_date completed_on;
	int years[CPD_YEARS_MAX];    /* fiscal years (年度, April-March) the course counts for */
	int nyears;
	int designated[CPD_YEARS_MAX]; /* fiscal years the course is a designated 特定講習 */
	int ndesignated;
	int by_agency;               /* the provider is the agency itself (its 実践講習 counts) */
	struct cpd_date provider_from, provider_until; /* the provider's approval period (until
	                              * y == 0: open-ended) */
	unsigned waived;             /* cpd_hold bits the CPD desk waived when it accepted the
	                              * record (0 for a record credited automatically) */
};

/* Why a completion cannot be credited automatically though it is not plainly wrong: it is
 * received and held (state pending) for the agency's CPD desk (bits; a record may have
 * several). Plain errors (unknown regno or course, a future date, bad form) are refusals,
 * not holds. */
enum cpd_hold {
	CPD_HOLD_NOT_DESIGNATED = 1 << 0,  /* a private provider's practical course not designated
	                                    * 特定講習 for the fiscal year of completed_on */
	CPD_HOLD_OUTSIDE_APPROVAL = 1 << 1, /* completed_on outside the provider's approval period */
	CPD_HOLD_HOURS_SHORT = 1 << 2,      /* fewer hours reported than the course has */
	CPD_HOLD_BEFORE_REGISTRATION = 1 << 3, /* completed before the registration date */
};
#define CPD_HOLD_ALL 0xfu

/* The holds of a new record: c as the rules see it (kind, completed_on, designations,
 * provider's period, by_agency; waived ignored), the hours reported and the course's hours
 * (x 10), and the registrant's registration date. 0: credit it at once. When the desk
 * accepts a held record its holds become c->waived: the designation and approval checks of
 * cpd_credit_counts are then skipped, and a record dated before the registration (within a
 * year) counts as completed on the first day of the first cycle. */
unsigned cpd_completion_holds(const struct cpd_credit *c, int hours10, int course_hours10,
                              struct cpd_date registered_on);
/* The code of one hold bit ("not_designated", "outside_approval", "hours_short",
 * "before_registration"; the catalogue has "cpd.hold.<code>"), NULL for another value. */
const char *cpd_hold_code(unsigned bit);
/* The bit of a code, 0 when unknown. */
unsigned cpd_hold_parse(const char *code);

enum cpd_duty_state {
	CPD_DONE = 0,                /* filled by a completion */
	CPD_OPEN = 1,                /* window open, not yet filled */
	CPD_OVERDUE = 2,             /* deadline passed, not filled */
	CPD_UPCOMING = 3,            /* window not open yet */
};

struct cpd_duty {
	enum cpd_course course;
	int cycle_year;              /* 1..cycle_years for an online duty, 0 for a practical one */
	struct cpd_date from, until; /* the window: completions on these days may count */
	struct cpd_date deadline;    /* the last day it can be filled: min(until, application deadline) */
	enum cpd_duty_state state;
	int64_t filled_by;           /* completion id that filled it, 0 when none */
};

enum cpd_state {
	CPD_ON_TRACK = 0,            /* nothing overdue, nothing due within action_days */
	CPD_ACTION_NEEDED = 1,       /* an open duty is due within action_days */
	CPD_STATE_OVERDUE = 2,       /* a duty's deadline passed unfilled: renewal blocked, 取消し possible */
	CPD_RENEWABLE = 3,           /* every duty of the cycle is filled */
};

#define CPD_DUTIES_MAX 24        /* online x years + practical, at the rules' bounds */

struct cpd_status {
	int rules_version;
	struct cpd_date cycle_start, validity_end; /* the cycle [cycle_start, validity_end] */
	struct cpd_date application_deadline;      /* validity_end - application_days */
	struct cpd_date lapse_on;    /* the day the registration lapses when not renewed */
	size_t nduties;
	struct cpd_duty duties[CPD_DUTIES_MAX];
	int done, open, overdue, upcoming;
	enum cpd_state state;
};

/* What a missed deadline means (bits). */
enum cpd_consequence {
	CPD_BLOCKS_RENEWAL = 1 << 0, /* the registration cannot be renewed */
	CPD_MAY_CANCEL = 1 << 1,     /* the agency may cancel it (取消し; then the re-registration bar) */
	CPD_LAPSES = 1 << 2,         /* it lapses (失効) the day after the validity ends */
};

/* Parse "YYYY-MM-DD" (a real calendar day). Returns 0 or RS_EINVAL. */
int cpd_date_parse(struct cpd_date *out, const char *text);
/* Format as "YYYY-MM-DD" into out (11 bytes). */
void cpd_date_format(char out[11], struct cpd_date d);
/* True when d is a calendar day between 1900 and 9999. */
int cpd_date_valid(struct cpd_date d);
/* Days since 1970-01-01 (proleptic Gregorian). */
long cpd_date_days(struct cpd_date d);
/* The date `days` days after d (negative: before). */
struct cpd_date cpd_date_add_days(struct cpd_date d, long days);
/* The Japanese fiscal year (年度) of d: April to March, named by the year it starts in. */
int cpd_fiscal_year(struct cpd_date d);
/* Today's date in Japan (UTC+9) at Unix time now. */
struct cpd_date cpd_today_jst(int64_t now);

/* The standing of a registration in the cycle starting at cycle_start (1 April or
 * 1 October) under rules r, given its accepted completions (any order) as of today.
 * Each duty is filled by the earliest completion that counts for it and has not filled
 * another: right kind, completed inside the duty's window and on or before its deadline
 * and today, in a fiscal year the course lists, by a provider approved that day, and — for
 * a practical course of a private provider — designated 特定講習 for that fiscal year.
 * Returns 0, or RS_EINVAL (message says why) for a bad cycle start, rule or date. */
int cpd_status_compute(struct cpd_status *out, const struct cpd_rules *r, struct cpd_date cycle_start,
                       const struct cpd_credit *credits, size_t n, struct cpd_date today);

/* True when credit c may count for duty d (kind, window, deadline, course year, provider
 * approval, designation); today bounds it too. */
int cpd_credit_counts(const struct cpd_credit *c, const struct cpd_duty *d, struct cpd_date today);

/* What it means when the standing s is left as it is: CPD_BLOCKS_RENEWAL | CPD_MAY_CANCEL
 * when a duty is overdue; CPD_LAPSES when today is past the application deadline and the
 * cycle is not renewable (no application can be accepted any more); 0 otherwise. */
unsigned cpd_consequences(const struct cpd_status *s, struct cpd_date today);

/* Catalogue ids ("state.cpd.on_track", "state.cpd_duty.done", "cpd.kind.online") and
 * the plain codes used in JSON ("on_track", "done", "online"). Never NULL. */
const char *cpd_state_code(enum cpd_state s);
const char *cpd_duty_state_code(enum cpd_duty_state s);
const char *cpd_course_code(enum cpd_course k);
/* Parse "online" / "practical". 0 or RS_EINVAL. */
int cpd_course_parse(enum cpd_course *out, const char *s);

/* ==== Input readers (pure; cpd_input.c) ==== */

#define CPD_BATCH_MAX 1000       /* records per JSON call */
#define CPD_CSV_ROWS_MAX 10000   /* data rows per CSV upload */
#define CPD_RECORD_ID_MAX 64

/* One completion record as a provider sends it, checked for form only (whether the regno
 * and course exist and the date is not in the future is the store's check). */
struct cpd_record {
	char provider_record_id[CPD_RECORD_ID_MAX + 1]; /* printable ASCII */
	char regno[7];
	char course_code[41];
	struct cpd_date completed_on;
	int hours10;                 /* hours x 10: 0.1-hour steps, 1..1000 */
	int correction;              /* sent as a correction: replaces the live record of this id */
	size_t line;                 /* CSV line (1 = header), 0 for JSON */
};

/* A problem with one record: which record, which field, what (a catalogue id with one
 * argument, and the English text for logs and the CLI). */
struct cpd_problem {
	size_t index;                /* 0-based record index */
	size_t line;                 /* CSV line, 0 for JSON */
	const char *field;           /* "regno", "course_code", ... (static) */
	const char *msg;             /* catalogue id, e.g. "cpd.record.regno_unknown" */
	char arg[72];                /* {0} of the message */
	char text[200];              /* English */
};

struct cpd_batch {
	struct cpd_record *rec;      /* n records, in input order */
	size_t n;
	unsigned char *bad;          /* bad[i]: record i has a problem */
	struct cpd_problem *prob;    /* nprob problems, in input order */
	size_t nprob, capprob;
};
/* Free what a reader allocated (the struct itself is the caller's). NULL is fine. */
void cpd_batch_free(struct cpd_batch *b);
/* Add a problem for record i (the store adds its own: unknown regno, conflict, ...).
 * 0 or RS_ENOMEM. */
int cpd_batch_problem(struct cpd_batch *b, size_t i, const char *field, const char *msg, const char *arg,
                      const char *text);
/* Order b's problems by record (after problems were added out of order). */
void cpd_batch_sort(struct cpd_batch *b);
/* Read a JSON body {"records": [{"provider_record_id", "regno", "course_code", "completed_on",
 * "hours", "correction"?}, ...]} of 1..CPD_BATCH_MAX records. RS_EINVAL (message says why)
 * when the envelope itself is wrong; otherwise 0 with each bad record's problems in *out
 * (caller frees with cpd_batch_free). */
int cpd_batch_from_json(struct cpd_batch *out, const json_t *body);
/* Read a CSV upload: UTF-8 (a BOM is skipped), RFC 4180 quoting, LF or CRLF, a header line
 * naming the columns provider_record_id, regno, course_code, completed_on, hours (any
 * order) and optionally correction (true/false, 1/0); up to CPD_CSV_ROWS_MAX rows; blank
 * lines skipped. RS_EINVAL when the file as a whole is unusable (no header, a column
 * missing, too many rows, not UTF-8 text); otherwise 0 with every bad row's problems
 * (line, column) in *out. */
int cpd_batch_from_csv(struct cpd_batch *out, const char *text, size_t len);

/* ==== The module over PostgreSQL (schema cpd; cpd_provider.c, cpd_course.c,
 * cpd_completion.c, cpd_standing.c; SQL in store_*.c). Every change runs in one
 * transaction with its audit row. Errors: RS_EINVAL naming the field, RS_ENOTFOUND,
 * RS_EEXIST, RS_ESTATE, RS_EAUTH, RS_EUNAVAIL/RS_EDB from the database. ==== */

/* Who acts, for audit rows and decided_by. */
struct cpd_actor {
	const char *actor;           /* "staff:suzuki", "provider:3", "cli" */
	const char *role;            /* "registrar", "provider", "system" */
	const char *request_id;      /* may be NULL */
};

struct cpd_provider_new {
	const char *name_ja, *name_en;   /* required */
	const char *approved_from;       /* YYYY-MM-DD; NULL = today (Japan) */
	const char *approved_until;      /* YYYY-MM-DD or NULL (open-ended) */
	const char *contact_name, *contact_email, *contact_phone; /* NULL = none */
	int is_agency;                   /* the agency's own training arm (at most one) */
};

/* Approve a provider and create its API key. *out (caller owns): {"provider_id": N,
 * "api_key": "rpk_...", "key_hint": "rpk_abcd"} — the only time the key is seen; only its
 * SHA-256 is stored, and "xapi": {"username", "password"}, the provider's credential for the
 * Learning Record Store (cpd_lrs.h; callers add "endpoint"). More members may be added
 * later (it stays an object). */
int cpd_provider_add(json_t **out, rs_db *db, const struct cpd_actor *who, const struct cpd_provider_new *p);
/* A new key for the provider, and a new xAPI credential; the old ones stop working at once
 * (other nodes' credential caches: within 10 s). *out as for add. */
int cpd_provider_rotate_key(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t provider_id);
/* Suspend (reason required: the key is refused from now on) or reinstate. *out: the
 * provider's record (as in cpd_provider_list). */
int cpd_provider_suspend(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t provider_id, const char *reason);
int cpd_provider_reinstate(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t provider_id);
/* Set the approval period (until NULL = open-ended). *out: the provider's record. */
int cpd_provider_set_period(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t provider_id,
                            const char *from, const char *until);
/* Every provider: a JSON array of {provider_id, name_ja, name_en, is_agency, approved_from,
 * approved_until|null, contact_name, contact_email, contact_phone, state, state_reason,
 * key_hint, key_created_at, courses, completions}. Never a key. */
int cpd_provider_list(json_t **out, rs_db *db);

/* The provider behind an API key. */
struct cpd_principal {
	int64_t provider_id;
	int is_agency;
};
/* Resolve "rpk_..." to an active provider. RS_EAUTH when the key is malformed, unknown or
 * its provider is suspended. One indexed lookup by the key's SHA-256. */
int cpd_provider_auth(struct cpd_principal *out, rs_db *db, const char *api_key);

/* Add a course of provider_id from {"code", "kind", "title_ja", "title_en", "hours",
 * "cycle_years": [fiscal years]}. *out: the course ({course_id, code, kind, title_ja,
 * title_en, hours, cycle_years, provider_id, designations: [{fiscal_year, designation_no}]}).
 * RS_EEXIST when the provider already has the code. */
int cpd_course_add(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t provider_id, const json_t *body);
/* Courses of provider_id (0: every provider's, for the agency), as a JSON array. */
int cpd_course_list(json_t **out, rs_db *db, int64_t provider_id);
/* The agency designates a private provider's practical course as 特定講習 for a fiscal
 * year with a designation number. RS_ESTATE for an online course or the agency's own;
 * RS_EEXIST when the year or the number is taken. *out: the course. */
int cpd_course_designate(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t course_id, int fiscal_year,
                         const char *designation_no);

/* Log completions for provider_id from a JSON body (cpd_batch_from_json), idempotent on
 * (provider, provider_record_id): per record "created", "unchanged", "corrected" (a
 * correction voided the live record and replaced it) or a problem naming the field
 * (unknown regno, not the provider's course, date in the future, ...) or "conflict" (the
 * id was sent before with different content and not as a correction). Good records are
 * stored even when others are refused, and accepted (credited) at once — unless the hold
 * rule (cpd_completion_holds) holds them for the CPD desk: then "state" is "pending" and
 * "holds" says why. *out (caller owns): {"results": [{"provider_record_id", "result",
 * "completion_id"?, "state"?, "holds"?, "problems"?}], "created", "unchanged", "corrected",
 * "refused", "conflicts", "pending"};
 * *out_status: 200, 409 (some conflict) or 422 (some other problem). RS_EINVAL only for a
 * wrong envelope. */
int cpd_completions_submit(json_t **out, unsigned *out_status, rs_db *db, const struct cpd_actor *who,
                           int64_t provider_id, const json_t *body);
/* The completion path inside the caller's transaction, for records read by another reader
 * (the xAPI statements, via "xapi"): b's records (bad[] and problems as the reader left
 * them; b is changed) are checked and the good ones stored and accepted, as for submit.
 * *out as for submit. Call it with a freshly read b on each attempt of a retried
 * transaction. */
int cpd_completions_log_in_tx(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t provider_id,
                              const char *via, struct cpd_batch *b);
/* The same from a CSV upload, all or nothing: when any row is bad nothing is stored and
 * RS_EINVAL is returned with *out = {"errors": [{"line", "column", "problem", "arg",
 * "detail"}], ...}; otherwise 0 and *out as for submit (status 200). */
int cpd_completions_import_csv(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t provider_id,
                               const char *csv, size_t len);
/* The records provider_id sent (0: all providers, for the agency), newest first, voided
 * and rejected ones included (the history): {"completions": [...]}, each with "holds" (the
 * codes of cpd_hold_code, why it was held). regno may be NULL; state (NULL: any) keeps one
 * state — "pending" is the CPD desk's queue, oldest first. RS_EINVAL for another state. */
int cpd_completions_list(json_t **out, rs_db *db, int64_t provider_id, const char *regno, const char *state,
                         int limit);
/* One record by completion id, as in the list; provider_id > 0 limits it to that
 * provider's records (another provider's is RS_ENOTFOUND, as if it did not exist). */
int cpd_completion_get(json_t **out, rs_db *db, int64_t provider_id, int64_t completion_id);
/* The provider's own record (as in cpd_provider_list). */
int cpd_provider_get(json_t **out, rs_db *db, int64_t provider_id);
/* The agency rejects an accepted or pending record (reason required) or accepts a pending
 * or rejected one. state: "accepted" or "rejected". Accepting a held record credits it at
 * once (posted_at now; the standing, computed on read, counts it with its holds waived).
 * *out: the record. */
int cpd_completion_decide(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t completion_id,
                          const char *state, const char *reason);

/* The rule version (from table cpd.rule_versions) that applies to a cycle starting on
 * cycle_start (application_days, action_days, ... for the renewal and lapse work).
 * RS_ENOTFOUND when none does. */
int cpd_rules_for(struct cpd_rules *out, rs_db *db, struct cpd_date cycle_start);
/* The standing of registrant regno in the current validity cycle (valid_from ..
 * valid_until from the register) as of today, with the rule version for that cycle.
 * RS_ENOTFOUND for an unknown number. */
int cpd_standing(struct cpd_status *out, rs_db *db, const char *regno, struct cpd_date today);
/* The same as JSON for GET /api/v1/cpd/status/{regno} and /me: {"regno",
 * "registration_status", "rules_version", "cycle": {"from", "until"}, "application_deadline",
 * "lapse_on", "state", "consequences": [...], "duties": [{"kind", "cycle_year", "window":
 * {"from", "until"}, "deadline", "state", "completion": {...}|null}], "completions": [...]}. */
int cpd_standing_json(json_t **out, rs_db *db, const char *regno, struct cpd_date today);

#endif
