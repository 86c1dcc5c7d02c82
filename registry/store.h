/* registry: the SQL of the registry schema (private to registry/). Every function runs
 * one or two statements on db inside the caller's transaction. */
#ifndef REG_STORE_H
#define REG_STORE_H

#include "rs_seal.h"
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "reg_account.h"
#include "reg_register.h"
#include "reg_tlog.h"
#include "reg_workflow.h"
#include "rs_db.h"

/* ---- registrants and applications (store_register.c) ---- */
int reg_store_registrant_get(rs_db *db, struct reg_registrant *out, const char *regno, int for_update);
/* out_known[i] = 1 when regnos[i] is a registrant (one statement); out_reg_date (may be
 * NULL) gets its registration date, "" when unknown. */
int reg_store_registrants_exist(rs_db *db, unsigned char *out_known, char (*out_reg_date)[11],
                                const char *const *regnos, size_t n);
int reg_store_regno_next(rs_db *db, char out[REG_REGNO_LEN + 1]);
int reg_store_registrant_insert(rs_db *db, const struct reg_registrant *r, int64_t app_id);
/* Set status, the public reason code ("" for none) and the registrar's own words. */
int reg_store_registrant_set_status(rs_db *db, const char *regno, enum reg_status st, const char *public_reason,
                                    const char *reason);
int reg_store_registrant_renew(rs_db *db, const char *regno, const char *valid_from,
                               const char *valid_until);
int reg_store_history_add(rs_db *db, const char *regno, const char *old_status, const char *new_status,
                          const char *public_reason, const char *reason, const char *actor);
int reg_store_app_insert(rs_db *db, int64_t *out_id, const struct reg_application *app);
/* The application's state and fields (locked FOR UPDATE); *out_app is a JSON object. */
int reg_store_app_get(rs_db *db, json_t **out_app, int64_t id);
int reg_store_app_set_state(rs_db *db, int64_t id, const char *state, const char *note,
                            const char *by, const char *regno);
/* Public search (published name fields; views on today) appended to out_arr. */
int reg_store_search(rs_db *db, json_t *out_arr, const char *q, int limit, const char *today);
/* The registrar's list: registrants matching q (NULL: all; every name field) and status
 * (NULL: any), newest number first, one page; *out_total counts all matches. */
int reg_store_admin_find(rs_db *db, json_t **out, int64_t *out_total, const char *q, const char *status, int limit,
                         int offset, const char *today);
/* Registrants born on dob with a name field equal in search form to one of the names given
 * (except_regno, may be NULL, left out): list views. */
int reg_store_similar(rs_db *db, json_t **out, const char *dob, const char *name, const char *name_kana,
                      const char *name_latn, const char *except_regno, const char *today);

/* ---- the link from exam results (store_exam_link.c) ---- */
/* For a reference "exam:<session id>": the result exists, is a complete pass, has not led
 * to a registration, and belongs to the person named (kanji name and date of birth; and
 * the pass date when given). Other references are accepted as given (0). Locks the result. */
int reg_store_exam_result_check(rs_db *db, const char *ref, const char *name, const char *date_of_birth,
                                const char *exam_pass_date);
/* Mark the exam result of an "exam:<id>" reference as registered (no-op for others). */
int reg_store_exam_result_mark(rs_db *db, const char *ref);
/* Passed, complete results without a registration or a live application: a JSON array of
 * {exam_result_ref, exam_pass_date, scaled, name, name_kana, name_latn, date_of_birth}. */
int reg_store_exam_results_passed(rs_db *db, json_t **out);
/* Registration numbers of live registrations whose validity ended before today. */
int reg_store_lapse_due(rs_db *db, json_t **out_regnos, const char *today);
int reg_store_list_apps(rs_db *db, json_t **out, const char *state, int limit);
int reg_store_history(rs_db *db, json_t **out, const char *regno);
int reg_store_credentials_of(rs_db *db, json_t **out, const char *regno);

/* ---- status lists, credentials, log (store_cred.c) ---- */
int reg_store_status_set(rs_db *db, int list_id, int64_t idx, int status);
int reg_store_list_size(rs_db *db, int *out_size, int list_id);
/* Non-zero entries of a list: calls fn(ctx, idx, status) for each. */
int reg_store_list_nonzero(rs_db *db, int list_id, int (*fn)(void *ctx, int64_t idx, int status), void *ctx);
/* Append a leaf: index from the gapless counter, hash = leaf hash of data. */
int reg_store_leaf_append(rs_db *db, uint64_t *out_idx, const char *kind, const char *data);
/* Live credentials (exp > now) of regno: a JSON array of {list_id, idx, status}. */
int reg_store_live_creds(rs_db *db, json_t **out, const char *regno, int64_t now);
/* Up to limit active registrants, valid on today, holding no live credential (exp > now,
 * status 0): ["regno", ...] in number order. */
int reg_store_without_live_cred(rs_db *db, json_t **out_regnos, int64_t now, const char *today, int limit);
int reg_store_tlog_size(rs_db *db, uint64_t *out);
/* Leaf hashes [from, to) appended to *hashes (grown with realloc; *cap in entries). */
int reg_store_tlog_hashes(rs_db *db, reg_hash **hashes, uint64_t *cap, uint64_t from, uint64_t to);
/* Data of leaf idx (caller frees *out_data). */
int reg_store_leaf_get(rs_db *db, char **out_data, size_t *out_len, reg_hash out_hash, uint64_t idx);
/* Newest checkpoint: size and note (caller frees); RS_ENOTFOUND when none. */
int reg_store_checkpoint_latest(rs_db *db, uint64_t *out_size, char **out_note);
int reg_store_checkpoint_insert(rs_db *db, uint64_t size, const reg_hash root, const char *note);
/* 1 when the connection cannot write (a streaming replica or a read-only session). */
int reg_store_read_only(rs_db *db);

/* A status entry with its credential's registrant (verification). */
struct reg_store_entry_info {
	int status;
	int have_registrant;
	struct reg_registrant registrant;
};
/* One statement: status of (list_id, idx), and the registrant of the credential holding
 * it. RS_ENOTFOUND when the entry was never allocated. */
int reg_store_entry_info(rs_db *db, struct reg_store_entry_info *out, int list_id, int64_t idx);

/* ---- batched issuance ---- */
/* Lock and read n registrants (in regno order); out[i] is regnos[i]'s row. RS_ENOTFOUND
 * naming the first unknown number. */
int reg_store_registrants_lock(rs_db *db, struct reg_registrant *out, const char *const *regnos, size_t n);
/* Reserve up to want entries of the open list (a new list when none has room): *out_granted
 * of them, which may be fewer than want when the open list fills up. */
int reg_store_list_take_n(rs_db *db, int *out_list_id, int *out_size, int *out_granted, int want, int fill_max,
                          int new_size);
/* Insert entries (list_id, idx[i]) as valid in one statement; out_taken[i] = 1 when idx[i]
 * was free (and is now this transaction's), 0 when it was already allocated. */
int reg_store_status_alloc_many(rs_db *db, unsigned char *out_taken, int list_id, const int64_t *idx, size_t n);
/* Append n leaves of one kind: indices *out_first .. *out_first + n - 1, in one statement. */
int reg_store_leaves_append_many(rs_db *db, uint64_t *out_first, const char *kind, const char *const *data,
                                 size_t n);
struct reg_store_cred_row;
/* Insert n credential rows (regno, jws, sha, kid, list_id, idx, iat, exp, leaf_idx) in one statement. */
int reg_store_creds_insert_many(rs_db *db, const struct reg_store_cred_row *rows, size_t n);

/* Audit scans: fn is called once per row. */
struct reg_store_leaf_row {
	uint64_t idx;
	const char *kind;
	const char *data;
	size_t data_len;
	reg_hash hash;
};
int reg_store_scan_leaves(rs_db *db, int (*fn)(void *ctx, const struct reg_store_leaf_row *row), void *ctx);
struct reg_store_cred_row {
	const char *regno, *jws, *kid;
	unsigned char sha[32];
	int list_id;
	int64_t idx, iat, exp;
	uint64_t leaf_idx;
};
int reg_store_scan_creds(rs_db *db, int (*fn)(void *ctx, const struct reg_store_cred_row *row), void *ctx);
int reg_store_scan_status(rs_db *db, int (*fn)(void *ctx, int list_id, int64_t idx, int status), void *ctx);
int reg_store_scan_checkpoints(rs_db *db, int (*fn)(void *ctx, uint64_t size, const reg_hash root,
                                                   const char *note), void *ctx);

/* ---- contacts, bars, accounts, sessions, the live scan (store_account.c) ---- */
int reg_store_contact_get(rs_db *db, struct reg_contact *out, const char *regno);
/* Upsert: email NULL or "" stores none unless keep_email; lang NULL keeps it. */
int reg_store_contact_put(rs_db *db, const char *regno, const char *email, int keep_email, const char *lang);
/* barred_until: the first day allowed again (reg_bar_allowed_from). */
int reg_store_bar_add(rs_db *db, const struct reg_registrant *r, const char *cancelled_on, const char *barred_until,
                      const char *reason);
/* The latest barred_until after today for the person, or "" when not barred. */
int reg_store_bar_until(rs_db *db, char out_until[11], const char *name, const char *date_of_birth, const char *today);
int reg_store_activation_put(rs_db *db, const char *regno, const unsigned char sha[32], const char *by, int days);
/* Use the code if it matches, is unused and not expired: *out_ok. */
int reg_store_activation_use(rs_db *db, int *out_ok, const char *regno, const unsigned char sha[32]);
/* Create or replace the account (ends its sessions). */
int reg_store_account_put(rs_db *db, const char *regno, const char *hash, const char *secret);
struct reg_store_account {
	char password_hash[160];
	char totp_secret[RS_SEAL_TEXT_MAX]; /* sealed (rs_seal.h), bound to "registry.accounts:<regno>" */
	int64_t totp_last_step;
	int waiting;   /* the client address waits after failures on this account (backoff) */
};
/* TOTP secrets sealed at rest (sec3), inside the caller's transaction: fn for every account
 * (rows locked), which may call reg_store_totp_set; the sealed constraint's state and its
 * validation; the distinct key ids in use. */
int reg_store_totp_each(rs_db *db, int (*fn)(void *arg, rs_db *db, const char *regno, const char *stored), void *arg);
int reg_store_totp_set(rs_db *db, const char *regno, const char *sealed);
int reg_store_totp_constraint(rs_db *db, int *out_validated);
int reg_store_totp_validate(rs_db *db);
int reg_store_totp_key_ids(rs_db *db, int (*fn)(void *arg, const char *id), void *arg);
/* Read (no lock: sign-in verifies the password outside any transaction). RS_ENOTFOUND when
 * the registrant has no account. */
int reg_store_account_get(rs_db *db, struct reg_store_account *out, const char *regno, const char *client);
/* Record a sign-in from client: success takes the TOTP step (RS_ECONFLICT when it is not
 * newer than the last one: a replayed code) and clears that address's failures; a failure
 * counts up for the account and address and, from the 3rd, makes that address wait 15 s,
 * doubling up to 15 min (registry.sign_in_backoff; the count starts again once the last
 * failure is 15 minutes past). */
int reg_store_account_result(rs_db *db, const char *regno, const char *client, int ok, int64_t step);
/* Delete backoff rows whose last failure and wait ended before cutoff (Unix seconds);
 * *out_n gets the number deleted. Run inside a transaction. */
int reg_store_account_purge(rs_db *db, int64_t cutoff, int *out_n);
/* Set a new password hash, taking the TOTP step (RS_ECONFLICT when not newer), end every
 * other session (all but keep, a token hash; *out_ended their number) and clear client's
 * backoff. Inside the caller's transaction. */
int reg_store_password_set(rs_db *db, int *out_ended, const char *regno, const char *hash, int64_t step,
                           const char *client, const unsigned char keep[32]);
int reg_store_session_new(rs_db *db, const unsigned char h[32], const char *regno, const char *csrf, int ttl_s);
/* A session within its lifetime and used within idle_s seconds (its last use moves to now). */
int reg_store_session_get(rs_db *db, char out_regno[REG_REGNO_LEN + 1], char out_csrf[24], const unsigned char h[32],
                          int idle_s);
/* Delete sessions past their lifetime or idle_s seconds unused; *out_n the number. */
int reg_store_session_purge(rs_db *db, int idle_s, int *out_n);
int reg_store_session_delete(rs_db *db, const unsigned char h[32]);
int reg_store_live_scan(rs_db *db, int (*fn)(void *ctx, const struct reg_live_row *row), void *ctx);

/* The confirmed e-mail addresses (xAPI identities, 0043; registry/store_mbox.c). */
int reg_store_mbox_state(rs_db *db, int *out_count, int *out_present, int *out_confirmed, const char *regno,
                         const char *address);
/* Insert the address as pending with the code, or give a pending one the new code. */
int reg_store_mbox_pending(rs_db *db, const char *regno, const char *address, const char *sha1, const char *code_hex,
                           int hours);
/* The pending address of regno with this live code (locked), or RS_ENOTFOUND. */
int reg_store_mbox_by_code(rs_db *db, char out_address[REG_EMAIL_MAX], const char *regno, const char *code_hex,
                           int attempts);
/* Count a wrong code against every pending address of regno (at most attempts). */
int reg_store_mbox_failed(rs_db *db, const char *regno, int attempts);
/* *out_taken: the address is confirmed for a registration other than regno. */
int reg_store_mbox_taken(rs_db *db, int *out_taken, const char *regno, const char *address);
/* Mark it confirmed (RS_EEXIST when another registration confirmed it meanwhile). */
int reg_store_mbox_confirm(rs_db *db, const char *regno, const char *address);
int reg_store_mbox_delete(rs_db *db, int *out_n, const char *regno, const char *address);
int reg_store_mbox_list(json_t **out, rs_db *db, const char *regno);
int reg_store_mbox_resolve(char (*out_regno)[REG_REGNO_LEN + 1], rs_db *db, const char *const *addr,
                           const char *const *sha1, size_t n);

#endif
