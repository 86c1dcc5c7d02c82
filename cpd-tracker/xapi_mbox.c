/* cpd-tracker: a registrant adds an e-mail address as an xAPI identity — the registry records
 * it as pending with a one-time code, and the confirmation mail goes out through the
 * reminder mail's SMTP sender, in the registrant's language; confirming it credits the
 * statements stored before with that address as actor. */
#include "cpd_renewal.h"
#include "cpd_xapi.h"
#include "reg_mbox.h"

#include "rs_error.h"
#include "rs_log.h"
#include "rs_msg.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#define CPD_MBOX_MAIL_MAX 3000

int cpd_xapi_mbox_add(char out_address[REG_EMAIL_MAX], rs_db *db, const struct cpd_smtp *smtp, const char *regno,
                      const char *address, const struct reg_actor *who)
{
	if (!smtp || !smtp->host || !smtp->host[0]) {
		rs_error_msg("xapi.mbox.mail_failed", NULL);
		return RS_EUNAVAIL;
	}
	char code[REG_ACTIVATION_CODE_LEN + 1], norm[REG_EMAIL_MAX];
	int rc = reg_mbox_add(code, norm, db, regno, address, who);
	if (rc != 0)
		return rc;
	struct reg_contact contact;
	if (reg_contact_get(db, &contact, regno) != 0)
		snprintf(contact.lang, sizeof contact.lang, "ja");
	int en = strcmp(contact.lang, "en") == 0;
	const char *site = smtp->site_url ? smtp->site_url : "";
	size_t sl = strlen(site);
	while (sl && site[sl - 1] == '/')
		sl--;
	char link[600], subject[300], body[CPD_MBOX_MAIL_MAX];
	snprintf(link, sizeof link, "%.*s/me?mbox_code=%s", (int)sl, site, code);
	const char *args[] = { norm, link, code, regno, NULL };
	rs_msg_format(subject, sizeof subject, "xapi.mail.mbox.subject", en, args);
	rs_msg_format(body, sizeof body, "xapi.mail.mbox.body", en, args);
	rc = cpd_smtp_send(smtp, norm, subject, body);
	OPENSSL_cleanse(code, sizeof code);
	OPENSSL_cleanse(body, sizeof body);
	if (rc != 0) {
		rs_debug("xapi: confirmation mail not sent: %s", rs_error_last());
		rs_error_msg("xapi.mbox.mail_failed", NULL);
		return RS_EUNAVAIL;
	}
	memcpy(out_address, norm, strlen(norm) + 1);
	return 0;
}

struct cpd_xapi_confirm {
	const char *base_url;
	const struct reg_actor *who;
	int credited;
};

static int cpd_xapi_mbox_confirmed(rs_db *db, void *ctx, const char *regno, const char *address)
{
	struct cpd_xapi_confirm *c = ctx;
	c->credited = 0;
	return cpd_xapi_rematch_in_tx(&c->credited, db, regno, address, c->base_url, c->who->actor, c->who->role,
	                              c->who->request_id);
}

int cpd_xapi_mbox_confirm(char out_address[REG_EMAIL_MAX], int *out_credited, rs_db *db, const char *regno,
                          const char *code, const char *base_url, const struct reg_actor *who)
{
	struct cpd_xapi_confirm c = { .base_url = base_url ? base_url : "", .who = who };
	int rc = reg_mbox_confirm_then(out_address, db, regno, code, who, cpd_xapi_mbox_confirmed, &c);
	if (rc == 0 && out_credited)
		*out_credited = c.credited;
	return rc;
}
