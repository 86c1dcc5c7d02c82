/* delivery internals shared by the module's files: the loaded exam, the engine-session
 * cache, SHA-256 helpers and the slug setter. Private to delivery/. */
#ifndef DLV_INT_H
#define DLV_INT_H

#include "dlv.h"

#include "cat.h"

#include <stdbool.h>

struct dlv_content {
	int key;          /* index of the correct option: never leaves the server */
	json_t *view;     /* {"item_id","part","stem","options","scenario"?}: what a candidate sees */
};

struct dlv_exam {
	struct cat_exam *exam;
	struct cat_bank *bank;
	struct cat_engine *eng;
	struct dlv_content *content; /* parallel to bank->items */
	size_t n;
	char exam_version[17], bank_version[17];
	struct ib_package *pkg;      /* the exam package: owns exam, bank, eng */
	int64_t package_id;          /* bank.packages.id */
	char package_sha256[65];     /* hex */
};

/* The exam a sitting or window uses: package package_id, loaded once per process and
 * verified against its stored SHA-256 (and against sha256_hex, the sitting's record, when
 * not NULL): RS_ECRYPTO, never served, when the bytes differ. package_id <= 0 (a sitting
 * without a package) is refused: RS_ESTATE, slug "no-package". */
int dlv_exam_for(const struct dlv_exam **out, rs_db *db, int64_t package_id, const char *sha256_hex);
/* The delivered form of a verified package (ownership of pkg passes, also on failure);
 * *out owned by the caller (dlv_exam_free). Unit tests build an exam from a package file. */
int dlv_exam_from_package(struct dlv_exam **out, struct ib_package *pkg);
void dlv_exam_free(struct dlv_exam *ex);

/* The package a new window of exam gets (delivery/store_sched.c, the one place of the rule):
 * want when > 0 (it must serve the exam: not retired, verified, the same exam; RS_ESTATE
 * or RS_ENOTFOUND otherwise), else the exam's active package; RS_ENOTFOUND when there is
 * none (schedule.window_no_package, slug "no-package"). out: decimal id (24 bytes). */
int dlv_window_default_package(char *out, rs_db *db, const char *exam, long long want);

/* Record the slug for the HTTP layer together with rs_error_set. */
void dlv_slug_set(const char *slug);

/* Append one bad CSV field to errors: {line, field, message_id, args (when arg0), message
 * (English)}; msg_id is a catalogue id (csv.*) with up to two arguments. */
void dlv_row_err(json_t *errors, long long line, const char *field, const char *msg_id, const char *arg0,
                 const char *arg1);

/* SHA-256 of text as "\\x<hex>" (bytea input form) into out (67 bytes). */
void dlv_hash_bytea(char *out, const char *text);

/* What the answer path needs besides the engine state, constant for a session or known
 * exactly from the stored responses: the engine clock of the last stored response and the
 * booking's accommodations and candidate (bookings never change them). */
struct dlv_cmeta {
	const struct dlv_exam *ex; /* the exam the session runs on (process lifetime) */
	int last_engine_s;
	bool large_text, high_contrast;
	int64_t candidate;
	/* The stored clock as last read, for the answer's fast path (dlv_flow.c's rules on an
	 * estimate; the database still refuses an answer past the deadline): */
	bool running;              /* the session was running then */
	int time_limit_s, extra_s; /* its limit and extra time */
	int version;               /* exam.sessions.version: any proctor action changes it */
	int64_t elapsed_ms;        /* time used, by the database's clock */
	int64_t elapsed_at_ns;     /* rs_mono_ns() when it was read */
};

/* Engine sessions kept between requests so an answer costs one engine step, not a replay.
 * take: the cached session for id when it has exactly `answered` responses (ownership to
 * the caller, its meta into *out_meta when not NULL), else NULL. put: keep s and a copy of
 * meta (ownership of s to the cache). drop: forget id. */
struct cat_session *dlv_cache_take(struct dlv_cmeta *out_meta, int64_t id, int answered);
void dlv_cache_put(int64_t id, struct cat_session *s, int answered, const struct dlv_cmeta *meta);
void dlv_cache_drop(int64_t id);

/* Candidate sign-in cache (token and workstation hashes in bytea text form, 67 bytes).
 * get: the session for a matching entry, else 0. */
int64_t dlv_auth_cache_get(const char *th, const char *wh);
void dlv_auth_cache_put(const char *th, const char *wh, int64_t session);
void dlv_auth_cache_drop(const char *th);
/* The sign-in of the current request (this thread) when it came from the cache and is not
 * yet confirmed by the database; session 0 when there is nothing to confirm. */
struct dlv_auth_pending {
	int64_t session;
	char th[67], wh[67];
};
struct dlv_auth_pending *dlv_auth_pending(void);
/* Confirm a pending cached sign-in for session against the database (RS_EAUTH when the
 * token no longer names it: moved, finished long ago). 0 when nothing is pending. */
int dlv_auth_verify(rs_db *db, int64_t session);

/* Band name for results. */
const char *dlv_band_name(enum cat_band b);
const char *dlv_stop_name(enum cat_stop s);

#endif
