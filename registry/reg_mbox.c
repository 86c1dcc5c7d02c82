/* registry: a registrant's confirmed e-mail addresses (the xAPI identities of /me): add with
 * a one-time code, confirm, remove, list, and the LRS's lookup of statement actors. */
#include "reg_mbox.h"
#include "store.h"

#include "rs_audit.h"
#include "rs_encode.h"
#include "rs_error.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

int reg_mbox_normalise(char out[REG_EMAIL_MAX], const char *in)
{
	if (in && strncasecmp(in, "mailto:", 7) == 0)
		in += 7;
	size_t n = in ? strlen(in) : 0;
	if (n == 0 || n >= REG_EMAIL_MAX) {
		rs_error_msg("xapi.mbox.bad", NULL);
		return RS_EINVAL;
	}
	char low[REG_EMAIL_MAX];
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)in[i]);
	/* no ':' — a second "mailto:" would make normalising twice differ from once */
	if (!reg_email_valid(low) || strchr(low, ',') || strchr(low, ':')) {
		rs_error_msg("xapi.mbox.bad", NULL);
		return RS_EINVAL;
	}
	memcpy(out, low, n + 1);
	return 0;
}

void reg_mbox_sha1(char out[41], const char *address)
{
	unsigned char md[20];
	unsigned int len = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (!c || EVP_DigestInit_ex(c, EVP_sha1(), NULL) != 1 || EVP_DigestUpdate(c, "mailto:", 7) != 1 ||
	    EVP_DigestUpdate(c, address, strlen(address)) != 1 || EVP_DigestFinal_ex(c, md, &len) != 1)
		memset(md, 0, sizeof md);
	EVP_MD_CTX_free(c);
	rs_hex_encode(out, md, sizeof md);
}

static void reg_mbox_code_sha(char hex[65], const char *code)
{
	unsigned char sha[32];
	unsigned int n = 0;
	EVP_Digest(code, strlen(code), sha, &n, EVP_sha256(), NULL);
	rs_hex_encode(hex, sha, sizeof sha);
}

static int reg_mbox_audit(rs_db *db, const struct reg_actor *who, const char *action, const char *regno,
                          const char *address)
{
	char obj[32];
	snprintf(obj, sizeof obj, "registrant:%s", regno);
	json_t *d = json_pack("{s:s}", "address", address);
	int rc = rs_audit(db, who->actor, who->role, action, obj, d, who->request_id);
	json_decref(d);
	return rc;
}

struct reg_mbox_arg {
	const char *regno, *address, *sha1, *code_hex;
	const struct reg_actor *who;
	char found[REG_EMAIL_MAX];
	int ok;
	int (*then)(rs_db *db, void *ctx, const char *regno, const char *address);
	void *then_ctx;
};

static int reg_mbox_add_tx(rs_db *db, void *arg)
{
	struct reg_mbox_arg *a = arg;
	struct reg_registrant r;
	int rc = reg_store_registrant_get(db, &r, a->regno, 1);
	if (rc == RS_ENOTFOUND)
		rs_error_msg("renewal.err.no_registrant", a->regno, NULL);
	if (rc != 0)
		return rc;
	if (r.status == REG_ST_CANCELLED || r.status == REG_ST_DEREGISTERED) {
		rs_error_msg("renewal.err.no_account", r.regno, NULL);
		return RS_ESTATE;
	}
	int count = 0, confirmed = 0, present = 0;
	if ((rc = reg_store_mbox_state(db, &count, &present, &confirmed, a->regno, a->address)) != 0)
		return rc;
	if (confirmed) {
		rs_error_msg("xapi.mbox.already", a->address, NULL);
		return RS_ESTATE;
	}
	if (!present && count >= REG_MBOX_PER_REGISTRANT) {
		char max[8];
		snprintf(max, sizeof max, "%d", REG_MBOX_PER_REGISTRANT);
		rs_error_msg("xapi.mbox.too_many", max, NULL);
		return RS_ESTATE;
	}
	if ((rc = reg_store_mbox_pending(db, a->regno, a->address, a->sha1, a->code_hex, REG_MBOX_CODE_HOURS)) != 0)
		return rc;
	return reg_mbox_audit(db, a->who, "registry.mbox.add", a->regno, a->address);
}

int reg_mbox_add(char out_code[REG_ACTIVATION_CODE_LEN + 1], char out_address[REG_EMAIL_MAX], rs_db *db,
                 const char *regno, const char *address, const struct reg_actor *who)
{
	char norm[REG_EMAIL_MAX], sha1[41], code[REG_ACTIVATION_CODE_LEN + 1], hex[65];
	if (!reg_regno_valid(regno)) {
		rs_error_msg("renewal.err.regno", NULL);
		return RS_EINVAL;
	}
	int rc = reg_mbox_normalise(norm, address);
	if (rc == 0)
		rc = reg_one_time_code(code);
	if (rc != 0)
		return rc;
	reg_mbox_sha1(sha1, norm);
	reg_mbox_code_sha(hex, code);
	struct reg_mbox_arg a = { .regno = regno, .address = norm, .sha1 = sha1, .code_hex = hex, .who = who };
	rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, reg_mbox_add_tx, &a);
	if (rc != 0)
		return rc;
	memcpy(out_code, code, sizeof code);
	memcpy(out_address, norm, strlen(norm) + 1);
	return 0;
}

static int reg_mbox_confirm_tx(rs_db *db, void *arg)
{
	struct reg_mbox_arg *a = arg;
	a->ok = 0;
	int rc = reg_store_mbox_by_code(db, a->found, a->regno, a->code_hex, REG_MBOX_ATTEMPTS);
	if (rc == RS_ENOTFOUND) {
		/* A wrong code: it counts (and is committed), the caller answers RS_EAUTH. */
		char obj[32];
		snprintf(obj, sizeof obj, "registrant:%s", a->regno);
		rc = reg_store_mbox_failed(db, a->regno, REG_MBOX_ATTEMPTS);
		return rc ? rc : rs_audit(db, a->who->actor, a->who->role, "registry.mbox.confirm_failed", obj, NULL,
		                          a->who->request_id);
	}
	if (rc != 0)
		return rc;
	int taken = 0;
	if ((rc = reg_store_mbox_taken(db, &taken, a->regno, a->found)) != 0)
		return rc;
	if (taken) {
		rs_error_msg("xapi.mbox.taken", a->found, NULL);
		return RS_ESTATE;
	}
	rc = reg_store_mbox_confirm(db, a->regno, a->found);
	if (rc == RS_EEXIST) { /* confirmed for another registration a moment ago */
		rs_error_msg("xapi.mbox.taken", a->found, NULL);
		return RS_ESTATE;
	}
	if (rc == 0)
		rc = reg_mbox_audit(db, a->who, "registry.mbox.confirm", a->regno, a->found);
	if (rc == 0 && a->then)
		rc = a->then(db, a->then_ctx, a->regno, a->found);
	a->ok = rc == 0;
	return rc;
}

int reg_mbox_confirm(char out_address[REG_EMAIL_MAX], rs_db *db, const char *regno, const char *code,
                     const struct reg_actor *who)
{
	return reg_mbox_confirm_then(out_address, db, regno, code, who, NULL, NULL);
}

int reg_mbox_confirm_then(char out_address[REG_EMAIL_MAX], rs_db *db, const char *regno, const char *code,
                          const struct reg_actor *who,
                          int (*then)(rs_db *db, void *ctx, const char *regno, const char *address), void *ctx)
{
	char norm[REG_ACTIVATION_CODE_LEN + 1], hex[65];
	if (!reg_regno_valid(regno) || !code || reg_activation_code_normalise(norm, code) != 0) {
		rs_error_msg("xapi.mbox.code", NULL);
		return RS_EAUTH;
	}
	reg_mbox_code_sha(hex, norm);
	struct reg_mbox_arg a = { .regno = regno, .code_hex = hex, .who = who, .then = then, .then_ctx = ctx };
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, reg_mbox_confirm_tx, &a);
	if (rc != 0)
		return rc;
	if (!a.ok) {
		rs_error_msg("xapi.mbox.code", NULL);
		return RS_EAUTH;
	}
	memcpy(out_address, a.found, strlen(a.found) + 1);
	return 0;
}

static int reg_mbox_remove_tx(rs_db *db, void *arg)
{
	struct reg_mbox_arg *a = arg;
	int n = 0;
	int rc = reg_store_mbox_delete(db, &n, a->regno, a->address);
	if (rc == 0 && n == 0) {
		rs_error_msg("xapi.mbox.unknown", a->address, NULL);
		rc = RS_ENOTFOUND;
	}
	return rc ? rc : reg_mbox_audit(db, a->who, "registry.mbox.remove", a->regno, a->address);
}

int reg_mbox_remove(rs_db *db, const char *regno, const char *address, const struct reg_actor *who)
{
	char norm[REG_EMAIL_MAX];
	int rc = reg_mbox_normalise(norm, address);
	if (rc != 0)
		return rc;
	struct reg_mbox_arg a = { .regno = regno, .address = norm, .who = who };
	return rs_db_tx(db, RS_DB_READ_COMMITTED, 3, reg_mbox_remove_tx, &a);
}

int reg_mbox_list(json_t **out, rs_db *db, const char *regno)
{
	if (!reg_regno_valid(regno)) {
		rs_error_msg("renewal.err.regno", NULL);
		return RS_EINVAL;
	}
	return reg_store_mbox_list(out, db, regno);
}

int reg_mbox_resolve(char (*out_regno)[REG_REGNO_LEN + 1], rs_db *db, const char *const *addr,
                     const char *const *sha1, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out_regno[i][0] = '\0';
	return n ? reg_store_mbox_resolve(out_regno, db, addr, sha1, n) : 0;
}
