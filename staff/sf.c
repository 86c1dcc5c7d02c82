/* Staff accounts: creation and sign-in rules (Argon2id + TOTP, backoff per account and
 * address, the same cost and answer for every refusal). SQL in store.c. */
#include "sf.h"
#include "sf_store.h"

#include "rs_audit.h"
#include "rs_config.h"
#include "rs_encode.h"
#include "rs_error.h"
#include "rs_log.h"
#include "rs_password.h"
#include "rs_seal.h"
#include "rs_util.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sf_roles[] = { "proctor", "registrar", "psychometrician", "statistician", "auditor" };

int sf_role_valid(const char *role)
{
	for (size_t i = 0; role && i < sizeof sf_roles / sizeof sf_roles[0]; i++)
		if (strcmp(role, sf_roles[i]) == 0)
			return 1;
	return 0;
}

int sf_role_check(const char *role, const char *centre_code)
{
	if (!sf_role_valid(role)) {
		rs_error_set("unknown staff role '%s' (proctor, registrar, psychometrician, statistician, auditor)", role);
		return RS_EINVAL;
	}
	if (strcmp(role, "proctor") == 0 && (!centre_code || !centre_code[0])) {
		rs_error_set("a proctor needs a test centre code (--centre)");
		return RS_EINVAL;
	}
	return 0;
}

int sf_create(char out_secret[40], rs_db *db, const char *username, const char *display_name, const char *role,
              const char *centre_code, const char *password, const char *totp_secret_b32)
{
	int rc = sf_role_check(role, centre_code);
	if (rc != 0)
		return rc;
	unsigned char raw[RS_TOTP_SECRET_LEN];
	size_t n = sizeof raw;
	if (totp_secret_b32) {
		if (strlen(totp_secret_b32) != 32 || rs_base32_decode(raw, sizeof raw, &n, totp_secret_b32) != 0 || n != 20) {
			rs_error_set("a TOTP secret is 32 base32 characters (160 bits)");
			return RS_EINVAL;
		}
	} else if ((rc = rs_random_bytes(raw, sizeof raw)) != 0) {
		return rc;
	}
	char secret[40], hash[RS_PASSWORD_HASH_MAX];
	rs_base32_encode(secret, raw, n);
	const char *personal[] = { username, display_name, NULL };
	if ((rc = rs_password_acceptable(password, personal)) != 0 || (rc = rs_password_hash(hash, password)) != 0) {
		OPENSSL_cleanse(raw, sizeof raw);
		OPENSSL_cleanse(secret, sizeof secret);
		return rc;
	}
	/* The secret is sealed bound to the account's id, taken from the identity first. */
	int64_t id = 0;
	char sealed[RS_SEAL_TEXT_MAX], binding[48];
	if ((rc = sf_store_next_id(db, &id)) == 0) {
		snprintf(binding, sizeof binding, "staff.accounts:%lld", (long long)id);
		rc = rs_seal(sealed, raw, n, binding);
	}
	OPENSSL_cleanse(raw, sizeof raw);
	if (rc == 0)
		rc = sf_store_create(db, id, username, display_name, role, centre_code && centre_code[0] ? centre_code : NULL,
		                     hash, sealed);
	if (rc == 0)
		snprintf(out_secret, 40, "%s", secret);
	OPENSSL_cleanse(secret, sizeof secret);
	return rc;
}

/* ---- TOTP secrets sealed at rest (issue 17, sec3) ---- */

static void sf_totp_binding(char out[48], int64_t id)
{
	snprintf(out, 48, "staff.accounts:%lld", (long long)id);
}

/* The TOTP secret of acct, opened; a secret that does not open (moved from another account,
 * changed, or under a key not loaded) is logged (never its value) and fails the check. */
static int sf_totp_open(unsigned char secret[RS_TOTP_SECRET_LEN], size_t *slen, const struct sf_store_login *acct)
{
	char binding[48];
	sf_totp_binding(binding, acct->a.id);
	int rc = rs_unseal(secret, RS_TOTP_SECRET_LEN, slen, acct->totp_secret, binding);
	if (rc != 0)
		rs_warn("staff account %s: its TOTP secret does not open: %s", acct->a.username, rs_error_last());
	return rc;
}

struct sf_seal_all {
	int n;
};

static int sf_seal_one(void *arg, rs_db *db, int64_t id, const char *stored)
{
	struct sf_seal_all *t = arg;
	if (rs_seal_current(stored))
		return 0;
	char binding[48], sealed[RS_SEAL_TEXT_MAX];
	sf_totp_binding(binding, id);
	int rc = rs_seal_again(sealed, stored, RS_TOTP_SECRET_LEN, binding);
	if (rc == RS_EPARSE) {
		rs_error_set("staff account %lld: its TOTP secret neither opens nor is base32 of 20 bytes", (long long)id);
		return RS_ECRYPTO;
	}
	if (rc == 0 && (rc = sf_store_totp_set(db, id, sealed)) == 0)
		t->n++;
	return rc;
}

int sf_totp_seal_all(rs_db *db, const char *actor, int *out_n)
{
	struct sf_seal_all t = { 0 };
	int rc = sf_store_totp_each(db, sf_seal_one, &t);
	if (rc == 0 && t.n > 0) {
		char kid[9];
		rs_seal_key_id(kid);
		json_t *d = json_pack("{s:i, s:s}", "accounts", t.n, "key", kid);
		rc = rs_audit(db, actor, "operator", "staff.totp.sealed", "", d, NULL);
		json_decref(d);
	}
	if (rc == 0 && out_n)
		*out_n = t.n;
	return rc;
}

int sf_totp_keys_check(rs_db *db)
{
	return sf_store_totp_key_ids(db, rs_seal_key_loaded, NULL);
}

int sf_totp_migrate(rs_db *db, const char *actor, int *out_n)
{
	int validated = 0;
	int rc = sf_store_totp_constraint(db, &validated);
	if (rc == RS_ENOTFOUND) {
		*out_n = 0;
		return 0;
	}
	if (rc != 0 || (rc = sf_totp_seal_all(db, actor, out_n)) != 0)
		return rc;
	return validated ? 0 : sf_store_totp_validate(db);
}

int sf_list(rs_db *db, void (*fn)(void *arg, const struct sf_account *a), void *arg)
{
	return sf_store_list(db, fn, arg);
}

/* ---- sign-in ---- */

static char sf_dummy_hash[RS_PASSWORD_HASH_MAX];
static pthread_once_t sf_dummy_once = PTHREAD_ONCE_INIT;

static void sf_dummy_init(void)
{
	if (rs_password_hash(sf_dummy_hash, "not-a-real-password-0000") != 0)
		snprintf(sf_dummy_hash, sizeof sf_dummy_hash, "$argon2id$");
}

/* An Argon2id verify that cannot succeed, with the real parameters: the time of a check. */
static void sf_dummy_verify(const char *password)
{
	pthread_once(&sf_dummy_once, sf_dummy_init);
	int ignored = rs_password_verify(sf_dummy_hash, password);
	(void)ignored;
}

static void sf_token_hash(unsigned char out[32], const char *token)
{
	unsigned int n = 0;
	EVP_Digest(token, strlen(token), out, &n, EVP_sha256(), NULL);
}

enum sf_outcome { SF_UNKNOWN, SF_REFUSED, SF_WAITING, SF_FAILED, SF_OK };

struct sf_login_tx {
	const struct sf_store_login *acct;
	enum sf_outcome outcome;
	const char *client, *request_id;
	int64_t step;
	int ok;                             /* set inside the transaction */
	struct sf_login *out;
};

/* 1 at the 1st, 10th, 100th, ... attempt: when an aggregate row is worth an audit row. */
static int sf_power_of_ten(int n)
{
	while (n >= 10 && n % 10 == 0)
		n /= 10;
	return n == 1;
}

/* A failed check of a known account (password or TOTP code): counted towards its backoff and
 * audited under action with the running count. */
static int sf_failure_audited(rs_db *db, const char *actor, const struct sf_store_login *acct, const char *client,
                              const char *action, const char *request_id)
{
	int n = 0;
	int rc = sf_store_failure(&n, db, acct->a.id, client);
	if (rc != 0)
		return rc;
	json_t *d = json_pack("{s:s, s:i}", "client", client, "failures", n);
	rc = rs_audit(db, actor, acct->a.role, action, "", d, request_id);
	json_decref(d);
	return rc;
}

static int sf_login_body(rs_db *db, void *arg)
{
	struct sf_login_tx *t = arg;
	t->ok = 0;
	int rc = 0, n = 0;
	json_t *d = NULL;
	char actor[64];
	const char *role = t->acct ? t->acct->a.role : "public";
	snprintf(actor, sizeof actor, "staff:%s", t->acct ? t->acct->a.username : "");
	switch (t->outcome) {
	case SF_UNKNOWN:
		/* Counted per hour and address; audited at 1, 10, 100, ... so spraying made-up
		 * names leaves a trace without filling the audit trail. */
		if ((rc = sf_store_unknown(&n, db, t->client)) != 0 || !sf_power_of_ten(n))
			return rc;
		if (n >= 100)
			rs_warn("ALERT staff sign-in: %d attempts for unknown user names from \"%s\" this hour", n, t->client);
		d = json_pack("{s:s, s:i}", "client", t->client, "attempts_this_hour", n);
		rc = rs_audit(db, "public", "public", "staff.login.unknown", "", d, t->request_id);
		break;
	case SF_WAITING:
		return 0; /* counted in /metrics; its failures were audited as they happened */
	case SF_REFUSED:
		d = json_pack("{s:s}", "client", t->client);
		rc = rs_audit(db, actor, role, "staff.login.refused", "", d, t->request_id);
		break;
	case SF_FAILED:
		return sf_failure_audited(db, actor, t->acct, t->client, "staff.login.failed", t->request_id);
	case SF_OK: {
		rc = sf_store_success(db, t->acct->a.id, t->client, t->step);
		if (rc == RS_ECONFLICT) { /* a replayed TOTP code: a failure like any other */
			t->outcome = SF_FAILED;
			return sf_login_body(db, arg);
		}
		if (rc != 0)
			return rc;
		unsigned char raw[32], rnd[16], h[32];
		if ((rc = rs_random_bytes(raw, sizeof raw)) != 0 || (rc = rs_random_bytes(rnd, sizeof rnd)) != 0)
			return rc;
		rs_b64url_encode(t->out->token, raw, sizeof raw);
		rs_b64url_encode(t->out->csrf, rnd, sizeof rnd);
		OPENSSL_cleanse(raw, sizeof raw);
		sf_token_hash(h, t->out->token);
		if ((rc = sf_store_session_new(db, h, t->acct->a.id, t->out->csrf, sf_session_lifetime(), t->client)) != 0)
			return rc;
		d = json_pack("{s:s}", "client", t->client);
		rc = rs_audit(db, actor, role, "staff.login", "", d, t->request_id);
		t->ok = rc == 0;
		break;
	}
	}
	json_decref(d);
	return rc;
}

int sf_sign_in(struct sf_login *out, rs_db *db, const char *username, const char *password, const char *totp,
               const char *client, const char *request_id)
{
	if (!client)
		client = "";
	struct sf_store_login *acct = calloc(1, sizeof *acct);
	if (!acct)
		return RS_ENOMEM;
	struct sf_login res;
	memset(&res, 0, sizeof res);
	struct sf_login_tx t = { .client = client, .request_id = request_id, .out = &res };
	int rc = (!username || !password || strlen(password) > RS_PASSWORD_BYTES_MAX || !totp) ? RS_ENOTFOUND
	         : sf_store_login_get(acct, db, username, client);
	if (rc != 0 && rc != RS_ENOTFOUND)
		goto done;
	/* Argon2 outside any transaction; the same verify (real or dummy) on every path. */
	if (rc == RS_ENOTFOUND) {
		t.outcome = SF_UNKNOWN;
		sf_dummy_verify(password ? password : "");
	} else if (acct->a.disabled || acct->waiting) {
		t.acct = acct;
		t.outcome = acct->a.disabled ? SF_REFUSED : SF_WAITING;
		sf_dummy_verify(password);
	} else {
		t.acct = acct;
		unsigned char secret[RS_TOTP_SECRET_LEN];
		size_t slen = 0;
		t.step = acct->totp_last_step;
		int ok = rs_password_verify(acct->password_hash, password) == 0 &&
		         sf_totp_open(secret, &slen, acct) == 0 &&
		         rs_totp_verify(secret, slen, totp, rs_now_ms() / 1000, &t.step) == 0;
		OPENSSL_cleanse(secret, sizeof secret);
		t.outcome = ok ? SF_OK : SF_FAILED;
	}
	rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, sf_login_body, &t);
	if (rc != 0)
		goto done;
	if (!t.ok) {
		static const char *const why[] = { "unknown user name", "account disabled", "address in backoff",
		                                   "wrong password or code", "" };
		rs_error_set("wrong user name, password or code (%s)", why[t.outcome]);
		rc = RS_EAUTH;
		goto done;
	}
	res.acct = acct->a;
	res.ttl_s = sf_session_lifetime();
	*out = res;
done:
	OPENSSL_cleanse(&res, sizeof res);
	OPENSSL_cleanse(acct, sizeof *acct);
	free(acct);
	return rc;
}

int sf_session_lifetime(void)
{
	return (int)rs_config_int("staff_session_lifetime");
}

int sf_session(struct sf_account *out, char out_csrf[24], rs_db *db, const unsigned char token_sha256[32])
{
	return sf_store_session_get(out, out_csrf, db, token_sha256, (int)rs_config_int("session_idle_timeout"),
	                            (int)rs_config_int("step_up_window"));
}

/* ---- step-up for dangerous acts (issue 17) ---- */

struct sf_step_up_tx {
	const struct sf_store_login *acct;
	const unsigned char *session;
	const char *client, *request_id;
	int64_t step;
	int matched, ok;                    /* ok set inside the transaction */
};

static int sf_step_up_body(rs_db *db, void *arg)
{
	struct sf_step_up_tx *t = arg;
	char actor[64];
	snprintf(actor, sizeof actor, "staff:%s", t->acct->a.username);
	json_t *d = NULL;
	int rc = 0;
	t->ok = 0;
	if (t->matched) {
		rc = sf_store_step_up(db, t->acct->a.id, t->session, t->step, t->client);
		if (rc == 0) {
			d = json_pack("{s:s}", "client", t->client);
			rc = rs_audit(db, actor, t->acct->a.role, "staff.step_up", "", d, t->request_id);
			t->ok = rc == 0;
			json_decref(d);
			return rc;
		}
		if (rc != RS_ECONFLICT) /* a replayed TOTP code: a failure like any other */
			return rc;
	}
	return sf_failure_audited(db, actor, t->acct, t->client, "staff.step_up.failed", t->request_id);
}

int sf_step_up(rs_db *db, int64_t account_id, const unsigned char token_sha256[32], const char *totp,
               const char *client, const char *request_id)
{
	if (!client)
		client = "";
	struct sf_store_login *acct = calloc(1, sizeof *acct);
	if (!acct)
		return RS_ENOMEM;
	struct sf_step_up_tx t = { .acct = acct, .session = token_sha256, .client = client, .request_id = request_id };
	int rc = sf_store_login_get_by(acct, db, NULL, account_id, client);
	if (rc != 0)
		goto done;
	if (acct->waiting) {
		rs_error_msg("sec2.step_up_failed", NULL);
		rc = RS_EAUTH;
		goto done;
	}
	unsigned char secret[RS_TOTP_SECRET_LEN];
	size_t slen = 0;
	t.step = acct->totp_last_step;
	t.matched = totp && sf_totp_open(secret, &slen, acct) == 0 &&
	            rs_totp_verify(secret, slen, totp, rs_now_ms() / 1000, &t.step) == 0;
	OPENSSL_cleanse(secret, sizeof secret);
	if ((rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, sf_step_up_body, &t)) != 0)
		goto done;
	if (!t.ok) {
		rs_error_msg("sec2.step_up_failed", NULL);
		rc = RS_EAUTH;
	}
done:
	OPENSSL_cleanse(acct, sizeof *acct);
	free(acct);
	return rc;
}

int sf_sessions_purge_expired(rs_db *db, int *out_n)
{
	return sf_store_session_purge(out_n, db, (int)rs_config_int("session_idle_timeout"));
}

int sf_sign_out(rs_db *db, const unsigned char token_sha256[32])
{
	return sf_store_session_delete(db, token_sha256);
}

struct sf_purge_tx {
	int64_t cutoff;
	int n;
};

static int sf_purge_body(rs_db *db, void *arg)
{
	struct sf_purge_tx *t = arg;
	return sf_store_purge(&t->n, db, t->cutoff);
}

int sf_purge_expired(rs_db *db, int64_t now, int *out_n)
{
	struct sf_purge_tx t = { .cutoff = now - SF_PURGE_RETENTION_S, .n = 0 };
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, sf_purge_body, &t);
	if (rc == 0)
		*out_n = t.n;
	return rc;
}

/* ---- password change (ASVS 2.1.5, 2.1.6, 3.3.3) ---- */

struct sf_pwchange_tx {
	const struct sf_store_login *acct;
	const char *client, *request_id, *hash;
	const unsigned char *keep;
	int64_t step;
	int ok, ended;                      /* set inside the transaction */
};

static int sf_pwchange_body(rs_db *db, void *arg)
{
	struct sf_pwchange_tx *t = arg;
	char actor[64];
	snprintf(actor, sizeof actor, "staff:%s", t->acct->a.username);
	json_t *d = NULL;
	int rc = 0;
	t->ok = 0;
	if (t->hash) {
		rc = sf_store_password_set(&t->ended, db, t->acct->a.id, t->hash, t->step, t->client, t->keep);
		if (rc == 0) {
			d = json_pack("{s:s, s:i}", "client", t->client, "sessions_ended", t->ended);
			rc = rs_audit(db, actor, t->acct->a.role, "staff.password.changed", "", d, t->request_id);
			t->ok = rc == 0;
			json_decref(d);
			return rc;
		}
		if (rc != RS_ECONFLICT) /* a replayed TOTP code: a failure like any other */
			return rc;
	}
	return sf_failure_audited(db, actor, t->acct, t->client, "staff.password.change_failed", t->request_id);
}

int sf_password_change(rs_db *db, int64_t account_id, const unsigned char keep_session[32], const char *current,
                       const char *totp, const char *new_password, const char *client, const char *request_id)
{
	if (!client)
		client = "";
	if (!current || !totp || !new_password || strlen(current) > RS_PASSWORD_BYTES_MAX) {
		rs_error_msg("security.password_change_refused", NULL);
		return RS_EAUTH;
	}
	struct sf_store_login *acct = calloc(1, sizeof *acct);
	if (!acct)
		return RS_ENOMEM;
	char hash[RS_PASSWORD_HASH_MAX] = "";
	struct sf_pwchange_tx t = { .acct = acct, .client = client, .request_id = request_id, .keep = keep_session };
	int rc = sf_store_login_get_by(acct, db, NULL, account_id, client);
	if (rc != 0)
		goto done;
	/* The rule first: it is public, so refusing early tells nothing about the current password. */
	const char *personal[] = { acct->a.username, acct->a.display_name, NULL };
	if ((rc = rs_password_acceptable(new_password, personal)) != 0)
		goto done;
	/* The current password and a fresh TOTP code, checked as a sign-in is: outside any
	 * transaction, a dummy verify while the address waits, failures counted the same way. */
	int ok = 0;
	if (acct->waiting) {
		sf_dummy_verify(current);
		rs_error_msg("security.password_change_refused", NULL);
		rc = RS_EAUTH;
		goto done;
	}
	unsigned char secret[RS_TOTP_SECRET_LEN];
	size_t slen = 0;
	t.step = acct->totp_last_step;
	ok = rs_password_verify(acct->password_hash, current) == 0 &&
	     sf_totp_open(secret, &slen, acct) == 0 &&
	     rs_totp_verify(secret, slen, totp, rs_now_ms() / 1000, &t.step) == 0;
	OPENSSL_cleanse(secret, sizeof secret);
	if (ok && strcmp(current, new_password) == 0) {
		rs_error_msg("security.password_same", NULL);
		rc = RS_EINVAL;
		goto done;
	}
	if (ok && (rc = rs_password_hash(hash, new_password)) != 0)
		goto done;
	t.hash = ok ? hash : NULL;
	if ((rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, sf_pwchange_body, &t)) != 0)
		goto done;
	if (!t.ok) {
		rs_error_msg("security.password_change_refused", NULL);
		rc = RS_EAUTH;
	}
done:
	OPENSSL_cleanse(hash, sizeof hash);
	OPENSSL_cleanse(acct, sizeof *acct);
	free(acct);
	return rc;
}
