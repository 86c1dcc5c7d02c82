/* Operators' acts on a staff account (riss staff disable, enable, role, reset-totp; issue 17,
 * ASVS 2.5.7 and 2.8.6): one transaction each, the account's row locked, every session of
 * the account ended, audited with what changed. SQL in store.c. */
#include "sf.h"
#include "sf_store.h"

#include "rs_audit.h"
#include "rs_password.h"
#include "rs_error.h"
#include "rs_seal.h"
#include "rs_util.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

enum sf_act { SF_ACT_DISABLE, SF_ACT_ENABLE, SF_ACT_ROLE, SF_ACT_TOTP };

struct sf_admin {
	enum sf_act act;
	const char *username, *actor, *role, *centre;
	char secret[40]; /* SF_ACT_TOTP: the new secret in base32 */
	int ended;
	int changed;     /* 0 when the account already was as asked (nothing written, nothing audited) */
};

static int sf_admin_body(rs_db *db, void *arg)
{
	struct sf_admin *t = arg;
	struct sf_account a;
	t->ended = 0;
	t->changed = 0;
	int rc = sf_store_account_lock(&a, db, t->username);
	if (rc != 0)
		return rc;
	json_t *d = json_pack("{s:s}", "username", a.username);
	const char *action = "";
	switch (t->act) {
	case SF_ACT_DISABLE:
	case SF_ACT_ENABLE: {
		int want = t->act == SF_ACT_DISABLE;
		if (a.disabled == want)
			goto done;
		action = want ? "staff.disabled" : "staff.enabled";
		rc = sf_store_disabled_set(db, a.id, want);
		break;
	}
	case SF_ACT_ROLE:
		if (strcmp(a.role, t->role) == 0 && strcmp(a.centre_code, t->centre ? t->centre : "") == 0)
			goto done;
		action = "staff.role.changed";
		json_object_set_new(d, "from", json_string(a.role));
		json_object_set_new(d, "to", json_string(t->role));
		if (t->centre && t->centre[0])
			json_object_set_new(d, "centre", json_string(t->centre));
		rc = sf_store_role_set(db, a.id, t->role, t->centre && t->centre[0] ? t->centre : NULL);
		break;
	case SF_ACT_TOTP: {
		unsigned char raw[RS_TOTP_SECRET_LEN];
		char sealed[RS_SEAL_TEXT_MAX], binding[48];
		action = "staff.totp.reset";
		snprintf(binding, sizeof binding, "staff.accounts:%lld", (long long)a.id);
		if ((rc = rs_random_bytes(raw, sizeof raw)) == 0 && (rc = rs_seal(sealed, raw, sizeof raw, binding)) == 0)
			rc = sf_store_totp_reset(db, a.id, sealed);
		if (rc == 0)
			rs_base32_encode(t->secret, raw, sizeof raw);
		OPENSSL_cleanse(raw, sizeof raw);
		break;
	}
	}
	if (rc == 0)
		rc = sf_store_sessions_end(&t->ended, db, a.id);
	if (rc == 0) {
		json_object_set_new(d, "sessions_ended", json_integer(t->ended));
		rc = rs_audit(db, t->actor, "operator", action, "", d, NULL);
	}
	if (rc == 0)
		t->changed = 1;
done:
	json_decref(d);
	return rc;
}

static int sf_admin_run(struct sf_admin *t, rs_db *db, int *out_ended)
{
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, sf_admin_body, t);
	if (rc != 0)
		OPENSSL_cleanse(t->secret, sizeof t->secret);
	else if (out_ended)
		*out_ended = t->changed ? t->ended : -1;
	return rc;
}

int sf_set_disabled(rs_db *db, const char *username, int disabled, const char *actor, int *out_ended)
{
	struct sf_admin t = { .act = disabled ? SF_ACT_DISABLE : SF_ACT_ENABLE, .username = username, .actor = actor };
	return sf_admin_run(&t, db, out_ended);
}

int sf_set_role(rs_db *db, const char *username, const char *role, const char *centre_code, const char *actor,
                int *out_ended)
{
	int rc = sf_role_check(role, centre_code);
	if (rc != 0)
		return rc;
	struct sf_admin t = { .act = SF_ACT_ROLE, .username = username, .actor = actor, .role = role,
	                      .centre = strcmp(role, "proctor") == 0 ? centre_code : NULL };
	return sf_admin_run(&t, db, out_ended);
}

int sf_totp_reset(char out_secret[40], rs_db *db, const char *username, const char *actor, int *out_ended)
{
	struct sf_admin t = { .act = SF_ACT_TOTP, .username = username, .actor = actor };
	int rc = sf_admin_run(&t, db, out_ended);
	if (rc == 0)
		snprintf(out_secret, 40, "%s", t.secret);
	OPENSSL_cleanse(t.secret, sizeof t.secret);
	return rc;
}
