/* cpd-tracker: the SQL of schema cpd (private to cpd-tracker/). Each function runs one
 * statement on db inside the caller's transaction; list functions answer JSON built by
 * PostgreSQL (json_build_object), parsed into *out (caller owns). */
#ifndef CPD_STORE_H
#define CPD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cpd.h"
#include "rs_db.h"

/* A timestamp as every CPD and renewal answer gives it, and as the rest of the API does:
 * RFC 3339 in UTC with its offset, "2026-12-02T05:30:00Z" (pages show it in the reader's
 * zone and language). col is an SQL expression of type timestamptz; NULL stays NULL. */
#define CPD_SQL_TS(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* One accepted or held completion as a registrant's views give it (the duties' "completion"
 * and the completions lists of GET /api/v1/cpd/status/{regno} and GET /api/v1/me): x is
 * cpd.completions, c its course, p its provider. */
#define CPD_SQL_REG_COMPLETION \
	"json_build_object('completion_id', x.id, 'provider_record_id', x.provider_record_id, " \
	"'provider_id', p.id, 'provider_name_ja', p.name_ja, 'provider_name_en', p.name_en, " \
	"'course_code', c.code, 'kind', c.kind, 'title_ja', c.title_ja, 'title_en', c.title_en, " \
	"'completed_on', x.completed_on, 'hours', x.hours, 'holds', x.holds, 'state', x.state, " \
	"'posted_at', " CPD_SQL_TS("x.posted_at") ")"

/* A growing PostgreSQL array literal ("{...}") of text elements, quoted. */
struct cpd_arr {
	char *s;
	size_t len, cap;
	size_t n;
	int oom;
};
void cpd_arr_add(struct cpd_arr *a, const char *elem);
/* Append n raw bytes (the literal's own syntax, or any text built in the same buffer). */
void cpd_arr_put(struct cpd_arr *a, const char *s, size_t n);
void cpd_arr_addf_int(struct cpd_arr *a, long long v);
/* Close the literal (call once, after the last add): the text ("{}" when empty), or NULL
 * when out of memory. */
const char *cpd_arr_text(struct cpd_arr *a);
void cpd_arr_free(struct cpd_arr *a);

/* Record catalogue message msg ("cpd.course.not_found") with the id as {0}; returns code. */
int cpd_error_id(int code, const char *msg, int64_t id);

/* Run a statement whose first row's first column is JSON text; parse it into *out.
 * RS_ENOTFOUND when there is no row or it is NULL. */
int cpd_store_json1(rs_db *db, json_t **out, const char *name, const char *sql, int nparams, const char *const *params);

/* ---- providers (store_provider.c) ---- */
int cpd_store_provider_insert(rs_db *db, int64_t *out_id, const struct cpd_provider_new *p, const char *approved_from,
                              const char *key_hash_hex, const char *key_hint, const char *created_by);
int cpd_store_provider_set_key(rs_db *db, int64_t id, const char *key_hash_hex, const char *key_hint);
int cpd_store_provider_set_state(rs_db *db, int64_t id, const char *state, const char *reason);
int cpd_store_provider_set_period(rs_db *db, int64_t id, const char *from, const char *until);
/* provider_id 0: every provider, as an array; otherwise that provider's object
 * (RS_ENOTFOUND when none). */
int cpd_store_provider_json(rs_db *db, json_t **out, int64_t provider_id);
/* The provider whose key hash is key_hash_hex: id, agency flag, active. RS_ENOTFOUND. */
int cpd_store_provider_by_key(rs_db *db, int64_t *out_id, int *out_agency, int *out_active, const char *key_hash_hex);

/* ---- courses ---- */
int cpd_store_course_insert(rs_db *db, int64_t *out_id, int64_t provider_id, const char *code, const char *kind,
                            const char *title_ja, const char *title_en, const char *hours, const char *years_arr,
                            const char *created_by);
/* provider_id 0: all courses; course_id > 0: that course only (an object, RS_ENOTFOUND). */
int cpd_store_course_json(rs_db *db, json_t **out, int64_t provider_id, int64_t course_id);
/* Kind and whether its provider is the agency. RS_ENOTFOUND. */
int cpd_store_course_facts(rs_db *db, int *out_practical, int *out_agency, int64_t course_id);
int cpd_store_designation_insert(rs_db *db, int64_t course_id, int fiscal_year, const char *number, const char *by);
/* Ids of provider_id's courses named in codes_arr: calls fn(ctx, code, id) per found one. */
/* A text[] of hold codes ("{not_designated,hours_short}") as cpd_hold bits (unknown codes
 * ignored). */
unsigned cpd_store_holds(const char *text);
/* A course of the provider as the hold rule sees it: facts has kind, designations,
 * by_agency and the provider's approval period (completed_on, years, id unset). */
struct cpd_store_course {
	const char *code;
	int64_t id;
	int hours10;                 /* the course's nominal hours x 10 */
	struct cpd_credit facts;
};
/* The provider's courses among codes_arr (text[] literal): fn per course found. */
int cpd_store_courses_for_holds(rs_db *db, int64_t provider_id, const char *codes_arr,
                           void (*fn)(void *ctx, const struct cpd_store_course *row), void *ctx);

/* ---- completions (store_completion.c) ---- */
struct cpd_store_live {
	const char *provider_record_id, *regno, *completed_on, *state;
	int64_t id, course_id;
	int hours10;
};
/* The live (not voided) records of provider_id with the ids in ids_arr, locked: fn per row. */
int cpd_store_live_records(rs_db *db, int64_t provider_id, const char *ids_arr,
                           void (*fn)(void *ctx, const struct cpd_store_live *row), void *ctx);
/* Void the records with ids in ids_arr (bigint literal) of provider_id. */
int cpd_store_void(rs_db *db, int64_t provider_id, const char *ids_arr, const char *by, const char *reason);
/* Parallel text[] / bigint[] literals of the records to insert; state "accepted" or
 * "pending", holds a comma-joined list of hold codes per record ("" none). */
struct cpd_store_rows {
	const char *rec, *regno, *course, *date, *hours, *corrects, *state, *holds;
};
/* Insert the records of rows; fn(ctx, provider_record_id, id) per row inserted (a row whose
 * id went live concurrently is skipped: *out_inserted < n). */
int cpd_store_insert_many(rs_db *db, size_t *out_inserted, int64_t provider_id, const char *via,
                          const struct cpd_store_rows *rows, void (*fn)(void *ctx, const char *rec_id, int64_t id),
                          void *ctx);
int cpd_store_completions_json(rs_db *db, json_t **out, int64_t provider_id, const char *regno, const char *state,
                               int limit);
/* One record as JSON; RS_ENOTFOUND. */
int cpd_store_completion_json(rs_db *db, json_t **out, int64_t completion_id);
/* Set state (accepted / rejected) with who and why; RS_ENOTFOUND unless the record is live. */
int cpd_store_completion_decide(rs_db *db, int64_t id, const char *state, const char *by, const char *reason);

/* ---- rules and standings ---- */
/* Every rule version (at most max) into out; *out_n the count. */
#define CPD_RULES_MAX 32 /* rule versions read at most */
int cpd_store_rules(rs_db *db, struct cpd_rules *out, size_t max, size_t *out_n);
/* Accepted completions of regno completed in [from, until], with the facts the rules need
 * (out, at most max) and a JSON array describing each (id, provider_record_id, course,
 * provider, completed_on, hours) in the same order. */
int cpd_store_credits(rs_db *db, struct cpd_credit *out, size_t max, size_t *out_n, json_t **out_desc,
                      const char *regno, const char *from, const char *until);

#endif
