/* SQL of the staff module (staff/store.c); private to staff/. */
#ifndef SF_STORE_H
#define SF_STORE_H

#include "sf.h"

#include "rs_seal.h"

/* What sign-in needs besides the public fields. */
struct sf_store_login {
	struct sf_account a;
	char password_hash[160];
	char totp_secret[RS_SEAL_TEXT_MAX]; /* sealed (rs_seal.h), bound to "staff.accounts:<id>" */
	int64_t totp_last_step;
	int waiting;              /* this client is in backoff for this account */
};

/* The id the next account gets (the identity's sequence), so its secret can be bound to it. */
int sf_store_next_id(rs_db *db, int64_t *out_id);
/* Insert account id with its sealed TOTP secret. */
int sf_store_create(rs_db *db, int64_t id, const char *username, const char *display_name, const char *role,
                    const char *centre_code /* NULL */, const char *password_hash, const char *totp_sealed);
/* TOTP secrets sealed at rest (sec3), inside the caller's transaction: call fn for every
 * account (id, stored secret: sealed or, before migration 0014's conversion, base32), rows
 * locked; fn may call sf_store_totp_set. Stops at fn's first error. */
int sf_store_totp_each(rs_db *db, int (*fn)(void *arg, rs_db *db, int64_t id, const char *stored), void *arg);
int sf_store_totp_set(rs_db *db, int64_t id, const char *sealed);
/* Whether migration 0014's constraint accounts_totp_secret_sealed exists (RS_ENOTFOUND if
 * not) and *out_validated whether it holds for every row; VALIDATE it. */
int sf_store_totp_constraint(rs_db *db, int *out_validated);
int sf_store_totp_validate(rs_db *db);
/* Call fn with each distinct key id (8 hex) the sealed secrets use; stops at fn's error. */
int sf_store_totp_key_ids(rs_db *db, int (*fn)(void *arg, const char *id), void *arg);
/* The account of username and whether client waits (no lock taken). RS_ENOTFOUND. */
int sf_store_login_get(struct sf_store_login *out, rs_db *db, const char *username, const char *client);
/* The same by username, or by account id when username is NULL. */
int sf_store_login_get_by(struct sf_store_login *out, rs_db *db, const char *username, int64_t id, const char *client);
/* A failure of an existing account from client: counts up its backoff row; *out_failures
 * gets the count in a row. */
int sf_store_failure(int *out_failures, rs_db *db, int64_t account_id, const char *client);
/* A success: takes the TOTP step (refused, RS_ECONFLICT, when it is not newer than the last
 * one used: a replayed code) and deletes client's backoff row. */
int sf_store_success(rs_db *db, int64_t account_id, const char *client, int64_t totp_step);
/* A failure for an unknown user name: *out_attempts gets the count of this hour and client. */
int sf_store_unknown(int *out_attempts, rs_db *db, const char *client);
/* Set a new password hash, taking the TOTP step (RS_ECONFLICT when not newer: a replayed
 * code), end every other session (all but keep, a token hash; *out_ended their number) and
 * clear client's backoff. Inside the caller's transaction. */
int sf_store_password_set(int *out_ended, rs_db *db, int64_t account_id, const char *hash, int64_t totp_step,
                          const char *client, const unsigned char keep[32]);
int sf_store_session_new(rs_db *db, const unsigned char hash[32], int64_t account_id, const char *csrf, int ttl_s);
/* The account of a session that is within its lifetime and was used within idle_s seconds
 * (its last use moves to now), out->stepped_up when it confirmed a TOTP code within
 * step_up_s seconds; RS_ENOTFOUND otherwise. */
int sf_store_session_get(struct sf_account *out, char csrf[24], rs_db *db, const unsigned char hash[32], int idle_s,
                         int step_up_s);
/* Step-up: take the TOTP step (RS_ECONFLICT when not newer: a replayed code), mark the
 * session of hash (of account_id; RS_ENOTFOUND otherwise) stepped up now and clear client's
 * backoff. Inside the caller's transaction. */
int sf_store_step_up(rs_db *db, int64_t account_id, const unsigned char hash[32], int64_t totp_step,
                     const char *client);
/* Delete sessions past their lifetime or idle_s seconds unused; *out_n the number. */
int sf_store_session_purge(int *out_n, rs_db *db, int idle_s);
int sf_store_session_delete(rs_db *db, const unsigned char hash[32]);
/* Delete backoff rows quiet since before cutoff and unknown-name counters of hours before
 * cutoff (Unix seconds); *out_n gets the number deleted. Run inside a transaction. */
int sf_store_purge(int *out_n, rs_db *db, int64_t cutoff);
/* Operators' acts (admin.c), inside the caller's transaction: the account of username with
 * its row locked (RS_ENOTFOUND), and the changes. */
int sf_store_account_lock(struct sf_account *out, rs_db *db, const char *username);
int sf_store_disabled_set(rs_db *db, int64_t id, int disabled);
int sf_store_role_set(rs_db *db, int64_t id, const char *role, const char *centre_code /* NULL */);
/* Store a new sealed secret and forget the last code step used (it belonged to the old one). */
int sf_store_totp_reset(rs_db *db, int64_t id, const char *sealed);
/* Delete every session of the account; *out_n gets their number. */
int sf_store_sessions_end(int *out_n, rs_db *db, int64_t id);
int sf_store_list(rs_db *db, void (*fn)(void *arg, const struct sf_account *a), void *arg);

#endif
