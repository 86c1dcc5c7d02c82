/* registry: what the register knows about reaching and serving a registrant — contact
 * (e-mail, language), the self-service account (/me: activation code, Argon2id password +
 * TOTP, sessions), the 2-year bar after a cancellation, and a compact scan of live
 * registrations for the renewal job. */
#ifndef REG_ACCOUNT_H
#define REG_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "reg_register.h"
#include "reg_workflow.h"
#include "rs_db.h"

#define REG_EMAIL_MAX 255
#define REG_ACTIVATION_CODE_LEN 14      /* "ABCD-EFGH-JKLM" */
#define REG_ACTIVATION_DAYS 30          /* a code is valid this long */

/* ---- contact ---- */

struct reg_contact {
	char email[REG_EMAIL_MAX];   /* "" when none is known */
	char lang[3];                /* "ja" or "en" */
};
/* The contact of regno; a registrant without a row gets email "" and lang "ja". */
int reg_contact_get(rs_db *db, struct reg_contact *out, const char *regno);
/* True when e is an address mail can go to: name@domain, at most 254 bytes, no spaces,
 * controls, angle brackets or second @ (it goes into a header and an SMTP command). */
int reg_email_valid(const char *e);
/* A new one-time code "XXXX-XXXX-XXXX" (12 characters without look-alikes, 60 random bits)
 * into out. 0 or the error of rs_random_bytes. */
int reg_one_time_code(char out[REG_ACTIVATION_CODE_LEN + 1]);
/* A typed activation code (NUL-terminated, any case, spaces and dashes anywhere) in its
 * stored form "XXXX-XXXX-XXXX": 0, or -1 when it is not 12 such characters. */
int reg_activation_code_normalise(char out[REG_ACTIVATION_CODE_LEN + 1], const char *in);
/* Set the e-mail (NULL keeps it, "" removes it) and/or the language (NULL keeps it).
 * RS_EINVAL (bad address or language), RS_ENOTFOUND. Audited. */
int reg_contact_set(rs_db *db, const char *regno, const char *email, const char *lang,
                    const struct reg_actor *who);

/* ---- the bar after cancellation (取消し) ---- */

/* When the person (kanji name, date of birth) is barred on today: 0 and *out_barred = 1
 * with the first day allowed again in out_until (and 0 otherwise). Runs inside the
 * caller's transaction. */
int reg_bar_check(int *out_barred, char out_until[11], rs_db *db, const char *name, const char *date_of_birth,
                  const char *today);

/* ---- self-service account ---- */

/* A new one-time activation code for regno (replacing any earlier one), valid
 * REG_ACTIVATION_DAYS days; only its hash is stored. out gets "XXXX-XXXX-XXXX". Refused
 * (RS_ESTATE) for a cancelled or deregistered registration. Audited. */
int reg_account_activation_code(char out[REG_ACTIVATION_CODE_LEN + 1], rs_db *db, const char *regno, int64_t now,
                                const struct reg_actor *who);
/* The same, first recording the contact (email and lang as in reg_contact_set; both NULL
 * leave it) in the same transaction. */
int reg_account_issue_code(char out[REG_ACTIVATION_CODE_LEN + 1], rs_db *db, const char *regno, const char *email,
                           const char *lang, int64_t now, const struct reg_actor *who);
/* Activate (or re-activate) the account of regno with a code and a new password: a fresh
 * TOTP secret is made and returned in out_secret (base32, 32 characters). The code is used
 * up. RS_EAUTH (wrong, used or expired code: one message for all), RS_EINVAL (password
 * too short or long). */
/* TOTP secrets sealed at rest (issue 17, sec3; common/rs_seal.h, bound to
 * "registry.accounts:<regno>"), as sf_totp_seal_all, sf_totp_migrate and sf_totp_keys_check
 * of staff/ do for schema staff: inside the caller's transaction, seal every account's secret
 * not under the key that seals now (audited registry.totp.sealed); riss db migrate's step
 * (seal, then validate the migration's constraint; 0 before that migration); at rissd's
 * start, RS_ENOTFOUND (sec3.key_unknown) when a secret is under a key not loaded. */
int reg_totp_seal_all(rs_db *db, const char *actor, int *out_n);
int reg_totp_migrate(rs_db *db, const char *actor, int *out_n);
int reg_totp_keys_check(rs_db *db);

int reg_account_activate(char out_secret[40], rs_db *db, const char *regno, const char *code, const char *password,
                         int64_t now, const char *request_id);

struct reg_me_login {
	char token[48];   /* cookie value (256 random bits, base64url); never logged */
	char csrf[24];
	char regno[REG_REGNO_LEN + 1];
	int ttl_s;
};
/* Sign in with registration number, password and TOTP code from client (an address text,
 * "" or NULL when unknown). The Argon2id verify runs outside any transaction and on every
 * path (unknown number, address in backoff); failures are audited with the address and,
 * from the 3rd in a row, make that address wait 15 s, doubling up to 15 min, for this
 * account only (registry.sign_in_backoff: the owner elsewhere is not held up); every
 * refusal gives the same RS_EAUTH. */
int reg_account_login(struct reg_me_login *out, rs_db *db, const char *regno, const char *password,
                      const char *totp, const char *client, int64_t now, const char *request_id);
/* The absolute lifetime of a new registrant session in seconds (setting
 * me_session_lifetime, default 2 h); a session also ends after session_idle_timeout unused. */
int reg_account_session_lifetime(void);
/* The registrant of a live session (by the SHA-256 of its cookie token): regno and CSRF
 * token; the session counts as used now. RS_ENOTFOUND when unknown, past its lifetime or
 * unused for longer than session_idle_timeout (ASVS 3.3.2). */
int reg_account_session(char out_regno[REG_REGNO_LEN + 1], char out_csrf[24], rs_db *db,
                        const unsigned char token_sha256[32]);
/* End a session. */
int reg_account_logout(rs_db *db, const unsigned char token_sha256[32]);
/* Change the password of regno's account (signed in with the session whose token hash is
 * keep_session) from client at Unix time now: the current password and a fresh TOTP code,
 * checked as a sign-in is (a wrong one counts towards the backoff of the account from the
 * address; while the address waits nothing is checked); the new password must pass
 * rs_password_acceptable and differ from the current one. On success every other session
 * of the account ends. Audited (registry.account.password_changed with the number of
 * sessions ended, registry.account.password_change_failed). RS_EAUTH, RS_EINVAL. */
int reg_account_password_change(rs_db *db, const char *regno, const unsigned char keep_session[32],
                                const char *current, const char *totp, const char *new_password, const char *client,
                                int64_t now, const char *request_id);

/* Sign-in backoff retention (issue 17): the renewal job's purge. In one transaction this
 * deletes the backoff rows (registry.sign_in_backoff) whose last failure and wait ended more
 * than REG_PURGE_RETENTION_S before now (Unix seconds, the wall clock; such a count has long
 * started again at 1, so nothing a sign-in sees changes). Accounts and the audit trail stay.
 * *out_n gets the number of rows deleted. */
#define REG_PURGE_RETENTION_S (7 * 86400)
int reg_account_purge_expired(rs_db *db, int64_t now, int *out_n);
/* Session retention: delete the registrant sessions that have ended (past their lifetime or
 * session_idle_timeout unused); *out_n gets the number. */
int reg_account_sessions_purge_expired(rs_db *db, int *out_n);

/* ---- the renewal job's view of the register ---- */

/* One live (active or suspended) registration, with how to reach its holder. */
struct reg_live_row {
	char regno[REG_REGNO_LEN + 1];
	char valid_from[11], valid_until[11];
	enum reg_status status;
	char email[REG_EMAIL_MAX];      /* "" when none */
	char lang[3];
	char reg_date[11];              /* what a skill profile's evidence names (cpd_skills) */
	char exam_result_ref[REG_REF_MAX];
	char exam_pass_date[11];        /* "" when none */
};
/* Every live registration in regno order, in one statement; fn may stop the scan by
 * returning non-zero (that value is returned). */
int reg_live_scan(rs_db *db, int (*fn)(void *ctx, const struct reg_live_row *row), void *ctx);

#endif
