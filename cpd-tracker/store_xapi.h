/* cpd-tracker: the SQL of schema xapi (private to cpd-tracker/). Each function runs one
 * statement inside the caller's transaction. */
#ifndef CPD_STORE_XAPI_H
#define CPD_STORE_XAPI_H

#include <stddef.h>
#include <stdint.h>

#include "rs_db.h"

/* Statements of provider_id with ids in ids_arr (uuid[] literal): fn(ctx, id, body, is_voiding). */
int cpd_xs_existing(rs_db *db, int64_t provider_id, const char *ids_arr,
                    void (*fn)(void *ctx, const char *id, const char *body, int is_voiding), void *ctx);
/* Insert rows from a JSON array of {id, stored, verb_id, activity_id, registration, target_id,
 * is_voiding, agents, rel_agents, rel_activities, body}; a row whose id exists is skipped.
 * *out_n the rows inserted. */
int cpd_xs_insert(rs_db *db, size_t *out_n, int64_t provider_id, const char *rows_json);
/* Set voided on the statements with ids in ids_arr (not voiding ones). */
int cpd_xs_void(rs_db *db, int64_t provider_id, const char *ids_arr);
/* Keep one attachment (content as lower-case hex); an existing hash is left alone. */
int cpd_xs_attachment_put(rs_db *db, int64_t provider_id, const char *sha2, const char *ctype, const char *hex);
/* Attachments with hashes in sha_arr: fn(ctx, sha2, ctype, data, len) (data valid during fn). */
int cpd_xs_attachments_get(rs_db *db, int64_t provider_id, const char *sha_arr,
                           void (*fn)(void *ctx, const char *sha2, const char *ctype, const unsigned char *data,
                                      size_t len), void *ctx);
/* The provider's courses with codes in codes_arr: fn(ctx, code, hours x 10). */
int cpd_xs_course_hours(rs_db *db, int64_t provider_id, const char *codes_arr,
                        void (*fn)(void *ctx, const char *code, int hours10), void *ctx);
/* Record outcomes from a JSON array of {statement_id, outcome, reason, completion_id}; an
 * unmatched outcome already there takes the new one (a statement credited later). */
int cpd_xs_outcomes_put(rs_db *db, int64_t provider_id, const char *rows_json);
/* Statements of any provider whose outcome is unmatched for xapi.unmatched.mbox (nobody had
 * confirmed the actor's address), not voided, whose actor is mbox mailto:<address> (any case)
 * or mbox_sha1sum sha1, after position (after_pid, after_seq) in (provider_id, seq) order, at
 * most limit: fn(ctx, provider_id, seq, id, body). */
int cpd_xs_unmatched_mbox(rs_db *db, const char *address, const char *sha1, int64_t after_pid, int64_t after_seq,
                          int limit, void (*fn)(void *ctx, int64_t pid, int64_t seq, const char *id, const char *body),
                          void *ctx);
/* The actors (distinct JSON objects, at most limit) of provider_id's own statements that
 * became live completions of the registrant(s) that provider_id's statements with actor key
 * (as in xapi.statements.agents) credited, as a JSON array text into *out (caller frees). */
int cpd_xs_own_actors(rs_db *db, char **out, int64_t provider_id, const char *key, int limit);
/* Mark the credited outcomes of statements in ids_arr voided: fn(ctx, completion_id) each. */
int cpd_xs_outcomes_void(rs_db *db, int64_t provider_id, const char *ids_arr, void (*fn)(void *ctx, int64_t cid),
                         void *ctx);

/* A query's filters (NULL: none). */
struct cpd_xs_filter {
	const char *agent, *verb, *activity, *registration, *since, *until, *after, *upto;
	int related_agents, related_activities, ascending, limit;
	const char *statement_id;     /* one statement by id ... */
	int voided;                   /* ... that is voided (1) or not (0) */
};
/* Rows in order: fn(ctx, seq, body, stored as ISO 8601). */
int cpd_xs_query(rs_db *db, int64_t provider_id, const struct cpd_xs_filter *f,
                 void (*fn)(void *ctx, int64_t seq, const char *body), void *ctx);
/* The newest seq of the provider (0 when none). */
int cpd_xs_max_seq(rs_db *db, int64_t *out, int64_t provider_id);
/* Unmatched outcomes, newest first, as a JSON array text into *out (caller frees). */
int cpd_xs_unmatched(rs_db *db, char **out, int64_t provider_id, int limit);

#endif
