/* Staff accounts (schema staff): creation, sign-in with Argon2id + TOTP, sessions. Used by
 * web/ (the sign-in route, the session cookie) and cli/ (riss staff). Prefix sf_. */
#ifndef SF_H
#define SF_H

#include <stdint.h>

#include "rs_db.h"

/* A staff account as shown to its owner and to operators (no hash, no secret). */
struct sf_account {
	int64_t id;
	char username[48];
	char display_name[128];
	char role[24];            /* proctor, registrar, psychometrician, statistician, auditor */
	char centre_code[24];     /* "" unless a proctor */
	int disabled;
	int backoff;              /* some address waits before its next attempt (riss staff list) */
	int stepped_up;           /* sf_session only: a TOTP code confirmed within step_up_window */
};

/* 1 when role is one of the staff roles. */
int sf_role_valid(const char *role);

/* 0 when role is a staff role and a proctor has centre_code; RS_EINVAL with the reason. */
int sf_role_check(const char *role, const char *centre_code);

/* Operators' acts on the account username (riss staff; issue 17, ASVS 2.5.7, 2.8.6). Each
 * runs in one transaction with the account's row locked, ends every session of the account
 * and is audited by actor (staff.disabled, staff.enabled, staff.role.changed with from and
 * to, staff.totp.reset; each with sessions_ended). *out_ended gets the number of sessions
 * ended, or -1 when the account already was as asked (then nothing is written or audited).
 * RS_ENOTFOUND for an unknown user name, RS_EINVAL for a bad role (sf_role_check). */
int sf_set_disabled(rs_db *db, const char *username, int disabled, const char *actor, int *out_ended);
int sf_set_role(rs_db *db, const char *username, const char *role, const char *centre_code, const char *actor,
                int *out_ended);
/* A new random TOTP secret (lost or exposed authenticator), sealed like sf_create's; the old
 * one stops working at once, and the code steps used so far are forgotten with it.
 * out_secret gets the new one in base32 for the holder's authenticator app. */
int sf_totp_reset(char out_secret[40], rs_db *db, const char *username, const char *actor, int *out_ended);

/* Create an account: Argon2id hash of password (12..256 characters), TOTP secret given in
 * base32 (32 characters) or random when NULL; out_secret gets it in base32. RS_EINVAL on a
 * bad role, missing centre of a proctor, bad secret or a value the schema refuses,
 * RS_EEXIST when the user name is taken. */
int sf_create(char out_secret[40], rs_db *db, const char *username, const char *display_name, const char *role,
              const char *centre_code, const char *password, const char *totp_secret_b32);

/* TOTP secrets sealed at rest (issue 17, sec3; common/rs_seal.h, bound to
 * "staff.accounts:<id>"). Inside the caller's transaction: seal every account's secret not
 * sealed under the key that seals now (a clear base32 secret from before migration 0014, or
 * one under the previous key during a rotation), rows locked; audited as staff.totp.sealed
 * by actor when any changed; *out_n gets their number. RS_ECRYPTO when a secret neither
 * opens nor is base32. */
int sf_totp_seal_all(rs_db *db, const char *actor, int *out_n);
/* riss db migrate's step after the SQL (migration 0014 cannot know the key): when 0014's
 * constraint exists, seal every secret as sf_totp_seal_all does, then validate the
 * constraint so that no clear secret can remain (needs the schema owner). Before 0014: 0. */
int sf_totp_migrate(rs_db *db, const char *actor, int *out_n);

/* At rissd's start: RS_ENOTFOUND, with catalogue message sec3.key_unknown, when some
 * account's secret is sealed under a key that is not loaded (a wrong totp_key_file). */
int sf_totp_keys_check(rs_db *db);

/* Call fn for every account, ordered by user name. */
int sf_list(rs_db *db, void (*fn)(void *arg, const struct sf_account *a), void *arg);

/* The absolute lifetime of a new staff session in seconds (setting staff_session_lifetime,
 * default 8 h); a session also ends after session_idle_timeout seconds unused. */
int sf_session_lifetime(void);

struct sf_login {
	char token[48];           /* cookie value: 256 random bits, base64url; never logged */
	char csrf[24];            /* value the client sends back in X-CSRF-Token */
	struct sf_account acct;
	int ttl_s;
};

/* Sign in with password and TOTP code from client (an address text, "" when unknown).
 * The Argon2id verify runs outside any transaction and also for an unknown user name, a
 * disabled account or an address in backoff, so every refusal takes as long as a check and
 * gives the same message. A wrong password or code counts towards the backoff of this
 * account from this address (3rd failure: 15 s, doubling to 15 min) and is audited; failures
 * for unknown user names are counted per hour and address (staff.unknown_sign_in_failures)
 * and audited only at the 1st, 10th, 100th... RS_EAUTH on refusal (*out untouched). */
int sf_sign_in(struct sf_login *out, rs_db *db, const char *username, const char *password, const char *totp,
               const char *client, const char *request_id);

/* Change the password of account account_id (signed in with the session whose token hash is
 * keep_session) from client: needs the current password and a fresh TOTP code, checked as
 * a sign-in is (Argon2id outside any transaction; a wrong one counts towards the backoff of
 * this account from this address, and while the address waits nothing is checked); the new
 * password must pass rs_password_acceptable and differ from the current one. On success
 * every other session of the account ends. Audited (staff.password.changed with the number
 * of sessions ended, staff.password.change_failed). RS_EAUTH (wrong password or code, or
 * waiting), RS_EINVAL (new password refused, with its catalogue message). */
int sf_password_change(rs_db *db, int64_t account_id, const unsigned char keep_session[32], const char *current,
                       const char *totp, const char *new_password, const char *client, const char *request_id);

/* The account of a live session token hash (SHA-256 of the cookie) and its CSRF token; the
 * session counts as used now. RS_ENOTFOUND when past its lifetime, unused for longer than
 * session_idle_timeout (ASVS 3.3.2), unknown or the account disabled. */
int sf_session(struct sf_account *out, char out_csrf[24], rs_db *db, const unsigned char token_sha256[32]);
/* Step-up (issue 17): confirm a fresh TOTP code totp on the live session token_sha256 of
 * account account_id from client, so that for step_up_window seconds its routes marked
 * step_up are allowed (sign-in counts as one). A wrong or replayed code counts towards the
 * backoff of this account from this address, and while the address waits nothing is
 * checked. Audited (staff.step_up, staff.step_up.failed). RS_EAUTH (wrong code or
 * waiting, with its catalogue message), RS_ENOTFOUND (session gone). */
int sf_step_up(rs_db *db, int64_t account_id, const unsigned char token_sha256[32], const char *totp,
               const char *client, const char *request_id);
/* End a session. */
int sf_sign_out(rs_db *db, const unsigned char token_sha256[32]);

/* Sign-in counters retention (issue 17): the renewal job's purge. Deletes, in one
 * transaction, the backoff rows (staff.sign_in_backoff) whose last failure and wait both
 * ended more than SF_PURGE_RETENTION_S before now (Unix seconds, the wall clock; such a row
 * has long started again at 1, so nothing a sign-in sees changes) and the per-hour counters
 * of unknown user names (staff.unknown_sign_in_failures) of hours older than that. The
 * audit trail (audit.events) is not touched. *out_n gets the number of rows deleted. */
#define SF_PURGE_RETENTION_S (7 * 86400)
int sf_purge_expired(rs_db *db, int64_t now, int *out_n);
/* Session retention (issue 17): delete, in one statement, the staff sessions that have
 * ended (past their lifetime or session_idle_timeout unused); *out_n gets the number. */
int sf_sessions_purge_expired(rs_db *db, int *out_n);

#endif
