/* registry: contacts, the 2-year bar after a cancellation, registrants' self-service
 * accounts (activation code, Argon2id + TOTP sign-in, sessions), the live scan. */
#include "reg_account.h"
#include "store.h"

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
#include <string.h>

static void reg_acct_sha256(unsigned char out[32], const char *s)
{
	unsigned int n = 0;
	EVP_Digest(s, strlen(s), out, &n, EVP_sha256(), NULL);
}

/* ---- contact ---- */

int reg_contact_get(rs_db *db, struct reg_contact *out, const char *regno)
{
	if (!reg_regno_valid(regno)) {
		rs_error_msg("renewal.err.regno", NULL);
		return RS_EINVAL;
	}
	return reg_store_contact_get(db, out, regno);
}

int reg_email_valid(const char *e)
{
	size_t n = strlen(e);
	const char *at = strchr(e, '@');
	if (n < 3 || n >= REG_EMAIL_MAX || !at || at == e || !at[1] || strchr(at + 1, '@'))
		return 0;
	for (const char *c = e; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == '<' || *c == '>' || *c == 0x7f)
			return 0;
	return 1;
}

struct reg_contact_arg {
	const char *regno, *email, *lang;
	const struct reg_actor *who;
};

static int reg_contact_tx(rs_db *db, void *arg)
{
	struct reg_contact_arg *a = arg;
	struct reg_registrant r;
	int rc = reg_store_registrant_get(db, &r, a->regno, 0);
	if (rc == RS_ENOTFOUND)
		rs_error_msg("renewal.err.no_registrant", a->regno, NULL);
	if (rc == 0)
		rc = reg_store_contact_put(db, a->regno, a->email, a->email == NULL, a->lang);
	if (rc != 0)
		return rc;
	char obj[32];
	snprintf(obj, sizeof obj, "registrant:%s", a->regno);
	json_t *d = json_pack("{s:b, s:s?}", "email_changed", a->email != NULL, "lang", a->lang);
	rc = rs_audit(db, a->who->actor, a->who->role, "registry.contact.set", obj, d, a->who->request_id);
	json_decref(d);
	return rc;
}

static int reg_contact_check(const char *regno, const char *email, const char *lang)
{
	if (!reg_regno_valid(regno)) {
		rs_error_msg("renewal.err.regno", NULL);
		return RS_EINVAL;
	}
	if (email && email[0] && !reg_email_valid(email)) {
		rs_error_msg("renewal.err.email", NULL);
		return RS_EINVAL;
	}
	if (lang && strcmp(lang, "ja") != 0 && strcmp(lang, "en") != 0) {
		rs_error_msg("renewal.err.lang", NULL);
		return RS_EINVAL;
	}
	return 0;
}

int reg_contact_set(rs_db *db, const char *regno, const char *email, const char *lang, const struct reg_actor *who)
{
	int rc = reg_contact_check(regno, email, lang);
	if (rc != 0)
		return rc;
	struct reg_contact_arg a = { .regno = regno, .email = email, .lang = lang, .who = who };
	return rs_db_tx(db, RS_DB_READ_COMMITTED, 3, reg_contact_tx, &a);
}

/* ---- bar ---- */

int reg_bar_check(int *out_barred, char out_until[11], rs_db *db, const char *name, const char *date_of_birth,
                  const char *today)
{
	char until[11];
	int rc = reg_store_bar_until(db, until, name, date_of_birth, today);
	if (rc != 0)
		return rc;
	*out_barred = until[0] != '\0';
	snprintf(out_until, 11, "%s", until);
	return 0;
}

/* ---- activation ---- */

struct reg_code_arg {
	const char *regno, *email, *lang;
	const unsigned char *sha;
	const struct reg_actor *who;
};

static int reg_code_tx(rs_db *db, void *arg)
{
	struct reg_code_arg *a = arg;
	struct reg_registrant r;
	int rc = reg_store_registrant_get(db, &r, a->regno, 0);
	if (rc == RS_ENOTFOUND)
		rs_error_msg("renewal.err.no_registrant", a->regno, NULL);
	if (rc != 0)
		return rc;
	if ((a->email || a->lang) && (rc = reg_store_contact_put(db, a->regno, a->email, a->email == NULL, a->lang)) != 0)
		return rc;
	if (r.status == REG_ST_CANCELLED || r.status == REG_ST_DEREGISTERED) {
		rs_error_msg("renewal.err.no_account", r.regno, NULL);
		return RS_ESTATE;
	}
	if ((rc = reg_store_activation_put(db, a->regno, a->sha, a->who->actor, REG_ACTIVATION_DAYS)) != 0)
		return rc;
	char obj[32];
	snprintf(obj, sizeof obj, "registrant:%s", a->regno);
	return rs_audit(db, a->who->actor, a->who->role, "registry.account.activation_code", obj, NULL,
	                a->who->request_id);
}

int reg_one_time_code(char out[REG_ACTIVATION_CODE_LEN + 1])
{
	/* 12 characters of an alphabet without look-alikes (0/O, 1/I/L): 60 bits. */
	static const char alpha[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
	unsigned char raw[12];
	int rc = rs_random_bytes(raw, sizeof raw);
	if (rc != 0)
		return rc;
	size_t k = 0;
	for (size_t i = 0; i < sizeof raw; i++) {
		if (i > 0 && i % 4 == 0)
			out[k++] = '-';
		out[k++] = alpha[raw[i] % (sizeof alpha - 1)];
	}
	out[k] = '\0';
	return 0;
}

int reg_account_issue_code(char out[REG_ACTIVATION_CODE_LEN + 1], rs_db *db, const char *regno, const char *email,
                           const char *lang, int64_t now, const struct reg_actor *who)
{
	(void)now;
	int rc = reg_contact_check(regno, email, lang);
	if (rc != 0)
		return rc;
	char code[REG_ACTIVATION_CODE_LEN + 1];
	if ((rc = reg_one_time_code(code)) != 0)
		return rc;
	unsigned char sha[32];
	reg_acct_sha256(sha, code);
	struct reg_code_arg a = { .regno = regno, .email = email, .lang = lang, .sha = sha, .who = who };
	rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, reg_code_tx, &a);
	if (rc == 0)
		memcpy(out, code, sizeof code);
	return rc;
}

int reg_account_activation_code(char out[REG_ACTIVATION_CODE_LEN + 1], rs_db *db, const char *regno, int64_t now,
                                const struct reg_actor *who)
{
	return reg_account_issue_code(out, db, regno, NULL, NULL, now, who);
}

int reg_activation_code_normalise(char out[REG_ACTIVATION_CODE_LEN + 1], const char *in)
{
	char flat[16];
	size_t k = 0;
	for (const char *c = in; *c; c++) {
		if (*c == '-' || *c == ' ')
			continue;
		char u = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
		if (k >= 12 || !((u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9')))
			return -1;
		flat[k++] = u;
	}
	if (k != 12)
		return -1;
	snprintf(out, REG_ACTIVATION_CODE_LEN + 1, "%.4s-%.4s-%.4s", flat, flat + 4, flat + 8);
	return 0;
}

/* ---- TOTP secrets sealed at rest (issue 17, sec3) ---- */

static void reg_totp_binding(char out[40], const char *regno)
{
	snprintf(out, 40, "registry.accounts:%s", regno);
}

/* The TOTP secret of regno's account, opened; one that does not open (moved from another
 * account, changed, or under a key not loaded) is logged (never its value) and fails. */
static int reg_totp_open(unsigned char secret[RS_TOTP_SECRET_LEN], size_t *slen, const char *regno,
                         const char *stored)
{
	char binding[40];
	reg_totp_binding(binding, regno);
	int rc = rs_unseal(secret, RS_TOTP_SECRET_LEN, slen, stored, binding);
	if (rc != 0)
		rs_warn("registrant %s: the TOTP secret does not open: %s", regno, rs_error_last());
	return rc;
}

struct reg_seal_all {
	int n;
};

static int reg_seal_one(void *arg, rs_db *db, const char *regno, const char *stored)
{
	struct reg_seal_all *t = arg;
	if (rs_seal_current(stored))
		return 0;
	char binding[40], sealed[RS_SEAL_TEXT_MAX];
	reg_totp_binding(binding, regno);
	int rc = rs_seal_again(sealed, stored, RS_TOTP_SECRET_LEN, binding);
	if (rc == RS_EPARSE) {
		rs_error_set("registrant %s: the TOTP secret neither opens nor is base32 of 20 bytes", regno);
		return RS_ECRYPTO;
	}
	if (rc == 0 && (rc = reg_store_totp_set(db, regno, sealed)) == 0)
		t->n++;
	return rc;
}

int reg_totp_seal_all(rs_db *db, const char *actor, int *out_n)
{
	struct reg_seal_all t = { 0 };
	int rc = reg_store_totp_each(db, reg_seal_one, &t);
	if (rc == 0 && t.n > 0) {
		char kid[9];
		rs_seal_key_id(kid);
		json_t *d = json_pack("{s:i, s:s}", "accounts", t.n, "key", kid);
		rc = rs_audit(db, actor, "operator", "registry.totp.sealed", "", d, NULL);
		json_decref(d);
	}
	if (rc == 0 && out_n)
		*out_n = t.n;
	return rc;
}

int reg_totp_migrate(rs_db *db, const char *actor, int *out_n)
{
	int validated = 0;
	int rc = reg_store_totp_constraint(db, &validated);
	if (rc == RS_ENOTFOUND) {
		*out_n = 0;
		return 0;
	}
	if (rc != 0 || (rc = reg_totp_seal_all(db, actor, out_n)) != 0)
		return rc;
	return validated ? 0 : reg_store_totp_validate(db);
}

int reg_totp_keys_check(rs_db *db)
{
	return reg_store_totp_key_ids(db, rs_seal_key_loaded, NULL);
}

struct reg_activate_arg {
	const char *regno, *request_id;
	const unsigned char *sha;
	const char *hash, *secret;
	int ok;
};

static int reg_activate_tx(rs_db *db, void *arg)
{
	struct reg_activate_arg *a = arg;
	char obj[32];
	snprintf(obj, sizeof obj, "registrant:%s", a->regno);
	int rc = reg_store_activation_use(db, &a->ok, a->regno, a->sha);
	if (rc != 0)
		return rc;
	if (!a->ok)
		return rs_audit(db, obj, "public", "registry.account.activate_failed", obj, NULL, a->request_id);
	if ((rc = reg_store_account_put(db, a->regno, a->hash, a->secret)) != 0)
		return rc;
	return rs_audit(db, obj, "registrant", "registry.account.activate", obj, NULL, a->request_id);
}

int reg_account_activate(char out_secret[40], rs_db *db, const char *regno, const char *code, const char *password,
                         int64_t now, const char *request_id)
{
	(void)now;
	char norm[REG_ACTIVATION_CODE_LEN + 1];
	if (!reg_regno_valid(regno) || !code || reg_activation_code_normalise(norm, code) != 0) {
		rs_error_msg("renewal.err.activation", NULL);
		return RS_EAUTH;
	}
	char hash[RS_PASSWORD_HASH_MAX];
	const char *personal[] = { regno, NULL };
	int rc = rs_password_acceptable(password, personal); /* records its own catalogue message */
	if (rc != 0)
		return rc;
	if ((rc = rs_password_hash(hash, password)) != 0) {
		rs_error_msg("renewal.err.password", NULL);
		return RS_EINVAL;
	}
	unsigned char raw[RS_TOTP_SECRET_LEN], sha[32];
	char secret[40];
	if ((rc = rs_random_bytes(raw, sizeof raw)) != 0)
		return rc;
	rs_base32_encode(secret, raw, sizeof raw);
	/* Stored sealed, bound to the registration number (issue 17, sec3; common/rs_seal.h). */
	char sealed[RS_SEAL_TEXT_MAX], binding[40];
	reg_totp_binding(binding, regno);
	rc = rs_seal(sealed, raw, sizeof raw, binding);
	OPENSSL_cleanse(raw, sizeof raw);
	if (rc != 0)
		return rc;
	reg_acct_sha256(sha, norm);
	struct reg_activate_arg a = { .regno = regno, .request_id = request_id, .sha = sha, .hash = hash, .secret = sealed };
	rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, reg_activate_tx, &a);
	if (rc != 0) {
		OPENSSL_cleanse(secret, sizeof secret);
		return rc;
	}
	if (!a.ok) {
		rs_error_msg("renewal.err.activation", NULL);
		return RS_EAUTH;
	}
	snprintf(out_secret, 40, "%s", secret);
	OPENSSL_cleanse(secret, sizeof secret);
	return 0;
}

/* ---- sign-in ---- */

static char reg_dummy_hash[RS_PASSWORD_HASH_MAX];
static pthread_once_t reg_dummy_once = PTHREAD_ONCE_INIT;

static void reg_dummy_init(void)
{
	if (rs_password_hash(reg_dummy_hash, "not-a-real-password-0000") != 0)
		snprintf(reg_dummy_hash, sizeof reg_dummy_hash, "$argon2id$");
}

/* An Argon2id verify that cannot succeed, with the real parameters: the time of a check. */
static void reg_dummy_verify(const char *password)
{
	pthread_once(&reg_dummy_once, reg_dummy_init);
	int ignored = rs_password_verify(reg_dummy_hash, password);
	(void)ignored;
}

enum reg_login_outcome { REG_LOGIN_UNKNOWN, REG_LOGIN_WAITING, REG_LOGIN_FAILED, REG_LOGIN_OK };

struct reg_login_arg {
	const char *regno, *client, *request_id;
	enum reg_login_outcome outcome;
	int64_t step;
	int ok;
	struct reg_me_login *out;
};

/* Records what the check outside found, in one transaction. */
static int reg_login_tx(rs_db *db, void *arg)
{
	struct reg_login_arg *a = arg;
	char obj[32];
	snprintf(obj, sizeof obj, "registrant:%s", a->regno);
	a->ok = 0;
	int rc;
	json_t *d = json_pack("{s:s}", "client", a->client);
	switch (a->outcome) {
	case REG_LOGIN_UNKNOWN:
		rc = rs_audit(db, obj, "public", "registry.account.login_failed", obj, d, a->request_id);
		json_decref(d);
		return rc;
	case REG_LOGIN_WAITING:
		rc = rs_audit(db, obj, "registrant", "registry.account.login_refused", obj, d, a->request_id);
		json_decref(d);
		return rc;
	case REG_LOGIN_FAILED:
		rc = reg_store_account_result(db, a->regno, a->client, 0, 0);
		if (rc == 0)
			rc = rs_audit(db, obj, "registrant", "registry.account.login_failed", obj, d, a->request_id);
		json_decref(d);
		return rc;
	case REG_LOGIN_OK:
		break;
	}
	json_decref(d);
	rc = reg_store_account_result(db, a->regno, a->client, 1, a->step);
	if (rc == RS_ECONFLICT) { /* a replayed TOTP code */
		a->outcome = REG_LOGIN_FAILED;
		return reg_login_tx(db, arg);
	}
	if (rc != 0)
		return rc;
	unsigned char raw[32], rnd[16], h[32];
	if ((rc = rs_random_bytes(raw, sizeof raw)) != 0 || (rc = rs_random_bytes(rnd, sizeof rnd)) != 0)
		return rc;
	rs_b64url_encode(a->out->token, raw, sizeof raw);
	rs_b64url_encode(a->out->csrf, rnd, sizeof rnd);
	reg_acct_sha256(h, a->out->token);
	if ((rc = reg_store_session_new(db, h, a->regno, a->out->csrf, reg_account_session_lifetime())) != 0)
		return rc;
	a->ok = 1;
	return rs_audit(db, obj, "registrant", "registry.account.login", obj, NULL, a->request_id);
}

int reg_account_login(struct reg_me_login *out, rs_db *db, const char *regno, const char *password, const char *totp,
                      const char *client, int64_t now, const char *request_id)
{
	if (!client)
		client = "";
	if (!reg_regno_valid(regno) || !password || strlen(password) > RS_PASSWORD_BYTES_MAX || !totp) {
		rs_error_msg("renewal.err.login", NULL);
		return RS_EAUTH;
	}
	struct reg_me_login tmp;
	memset(&tmp, 0, sizeof tmp);
	struct reg_login_arg a = { .regno = regno, .client = client, .request_id = request_id, .out = &tmp };
	struct reg_store_account acct;
	int rc = reg_store_account_get(db, &acct, regno, client);
	if (rc != 0 && rc != RS_ENOTFOUND)
		return rc;
	/* Argon2 outside any transaction, and on every path: an unknown number or an account in
	 * backoff takes as long as a check (security review findings 6 and 7). */
	if (rc == RS_ENOTFOUND || acct.waiting) {
		a.outcome = rc == RS_ENOTFOUND ? REG_LOGIN_UNKNOWN : REG_LOGIN_WAITING;
		reg_dummy_verify(password);
	} else {
		unsigned char secret[RS_TOTP_SECRET_LEN];
		size_t slen = 0;
		a.step = acct.totp_last_step;
		int ok = rs_password_verify(acct.password_hash, password) == 0 &&
		         reg_totp_open(secret, &slen, regno, acct.totp_secret) == 0 &&
		         rs_totp_verify(secret, slen, totp, now, &a.step) == 0;
		OPENSSL_cleanse(secret, sizeof secret);
		a.outcome = ok ? REG_LOGIN_OK : REG_LOGIN_FAILED;
	}
	OPENSSL_cleanse(&acct, sizeof acct);
	rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, reg_login_tx, &a);
	if (rc == 0 && !a.ok) {
		rs_error_msg("renewal.err.login", NULL);
		rc = RS_EAUTH;
	}
	if (rc == 0) {
		snprintf(tmp.regno, sizeof tmp.regno, "%s", regno);
		tmp.ttl_s = reg_account_session_lifetime();
		*out = tmp;
	}
	OPENSSL_cleanse(&tmp, sizeof tmp);
	return rc;
}

int reg_account_session(char out_regno[REG_REGNO_LEN + 1], char out_csrf[24], rs_db *db,
                        const unsigned char token_sha256[32])
{
	return reg_store_session_get(db, out_regno, out_csrf, token_sha256, (int)rs_config_int("session_idle_timeout"));
}

int reg_account_sessions_purge_expired(rs_db *db, int *out_n)
{
	return reg_store_session_purge(db, (int)rs_config_int("session_idle_timeout"), out_n);
}

int reg_account_session_lifetime(void)
{
	return (int)rs_config_int("me_session_lifetime");
}

int reg_account_logout(rs_db *db, const unsigned char token_sha256[32])
{
	return reg_store_session_delete(db, token_sha256);
}

int reg_live_scan(rs_db *db, int (*fn)(void *ctx, const struct reg_live_row *row), void *ctx)
{
	return reg_store_live_scan(db, fn, ctx);
}

struct reg_purge_tx {
	int64_t cutoff;
	int n;
};

static int reg_purge_body(rs_db *db, void *arg)
{
	struct reg_purge_tx *t = arg;
	return reg_store_account_purge(db, t->cutoff, &t->n);
}

int reg_account_purge_expired(rs_db *db, int64_t now, int *out_n)
{
	struct reg_purge_tx t = { .cutoff = now - REG_PURGE_RETENTION_S, .n = 0 };
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, reg_purge_body, &t);
	if (rc == 0)
		*out_n = t.n;
	return rc;
}

/* ---- password change (ASVS 2.1.5, 2.1.6, 3.3.3) ---- */

struct reg_pwchange_arg {
	const char *regno, *client, *request_id, *hash;
	const unsigned char *keep;
	int64_t step;
	int ok, ended;
};

static int reg_pwchange_tx(rs_db *db, void *arg)
{
	struct reg_pwchange_arg *a = arg;
	char obj[32];
	snprintf(obj, sizeof obj, "registrant:%s", a->regno);
	a->ok = 0;
	int rc = 0;
	if (a->hash) {
		rc = reg_store_password_set(db, &a->ended, a->regno, a->hash, a->step, a->client, a->keep);
		if (rc == 0) {
			json_t *d = json_pack("{s:s, s:i}", "client", a->client, "sessions_ended", a->ended);
			rc = rs_audit(db, obj, "registrant", "registry.account.password_changed", obj, d, a->request_id);
			json_decref(d);
			a->ok = rc == 0;
			return rc;
		}
		if (rc != RS_ECONFLICT) /* a replayed TOTP code: a failure like any other */
			return rc;
	}
	if ((rc = reg_store_account_result(db, a->regno, a->client, 0, 0)) != 0)
		return rc;
	json_t *d = json_pack("{s:s}", "client", a->client);
	rc = rs_audit(db, obj, "registrant", "registry.account.password_change_failed", obj, d, a->request_id);
	json_decref(d);
	return rc;
}

int reg_account_password_change(rs_db *db, const char *regno, const unsigned char keep_session[32],
                                const char *current, const char *totp, const char *new_password, const char *client,
                                int64_t now, const char *request_id)
{
	if (!client)
		client = "";
	if (!reg_regno_valid(regno) || !current || !totp || !new_password || strlen(current) > RS_PASSWORD_BYTES_MAX) {
		rs_error_msg("security.password_change_refused", NULL);
		return RS_EAUTH;
	}
	const char *personal[] = { regno, NULL };
	int rc = rs_password_acceptable(new_password, personal);
	if (rc != 0)
		return rc;
	struct reg_store_account acct;
	char hash[RS_PASSWORD_HASH_MAX] = "";
	struct reg_pwchange_arg a = { .regno = regno, .client = client, .request_id = request_id, .keep = keep_session };
	if ((rc = reg_store_account_get(db, &acct, regno, client)) != 0)
		return rc;
	int ok = 0;
	if (acct.waiting) {
		reg_dummy_verify(current);
		rs_error_msg("security.password_change_refused", NULL);
		rc = RS_EAUTH;
		goto done;
	}
	unsigned char secret[RS_TOTP_SECRET_LEN];
	size_t slen = 0;
	a.step = acct.totp_last_step;
	ok = rs_password_verify(acct.password_hash, current) == 0 &&
	     reg_totp_open(secret, &slen, regno, acct.totp_secret) == 0 &&
	     rs_totp_verify(secret, slen, totp, now, &a.step) == 0;
	OPENSSL_cleanse(secret, sizeof secret);
	if (ok && strcmp(current, new_password) == 0) {
		rs_error_msg("security.password_same", NULL);
		rc = RS_EINVAL;
		goto done;
	}
	if (ok && (rc = rs_password_hash(hash, new_password)) != 0)
		goto done;
	a.hash = ok ? hash : NULL;
	if ((rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, reg_pwchange_tx, &a)) != 0)
		goto done;
	if (!a.ok) {
		rs_error_msg("security.password_change_refused", NULL);
		rc = RS_EAUTH;
	}
done:
	OPENSSL_cleanse(hash, sizeof hash);
	OPENSSL_cleanse(&acct, sizeof acct);
	return rc;
}
