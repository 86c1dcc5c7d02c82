/* riss totp: the key under which TOTP secrets are sealed at rest (issue 17, sec3). */
#include "cli.h"
#include "rs_audit.h"
#include "rs_config.h"
#include "rs_db.h"
#include "rs_error.h"
#include "rs_seal.h"
#include "reg_account.h"
#include "sf.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

struct cli_totp_tx {
	const char *actor;
	char old_id[9], new_id[9];
	int staff, registrants;
};

static int cli_totp_rotate_body(rs_db *db, void *arg)
{
	struct cli_totp_tx *t = arg;
	int rc = sf_totp_seal_all(db, t->actor, &t->staff);
	if (rc == 0)
		rc = reg_totp_seal_all(db, t->actor, &t->registrants);
	if (rc != 0)
		return rc;
	json_t *d = json_pack("{s:s, s:s, s:i, s:i}", "from", t->old_id, "to", t->new_id, "staff_accounts", t->staff,
	                      "registrant_accounts", t->registrants);
	rc = rs_audit(db, t->actor, "operator", "totp.key.rotated", "", d, NULL);
	json_decref(d);
	return rc;
}

static int cli_totp_late_body(rs_db *db, void *arg)
{
	int *n = arg, staff = 0, registrants = 0;
	int rc = sf_totp_seal_all(db, "system:rotate-key", &staff);
	if (rc == 0)
		rc = reg_totp_seal_all(db, "system:rotate-key", &registrants);
	*n = staff + registrants;
	return rc;
}

static int cli_totp_rotate(int argc, char **argv)
{
	const char *actor = "operator";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--actor") == 0 && i + 1 < argc)
			actor = argv[++i];
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			printf("usage: riss totp rotate-key [--actor NAME]\n\n"
			       "Create a new key next to totp_key_file (%s.next), seal every stored TOTP secret under\n"
			       "it in one audited transaction, then rename it over the key file. rissd instances pick\n"
			       "the new key up by themselves. Interrupted, it can be run again.\n",
			       rs_config_str("totp_key_file"));
			return CLI_OK;
		} else
			return cli_usage_error("unknown option '%s' (see 'riss totp rotate-key --help')", argv[i]);
	}
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	char who[80];
	snprintf(who, sizeof who, "cli:%s", actor);
	struct cli_totp_tx t = { .actor = who };
	const char *path = rs_config_str("totp_key_file");
	/* A second pass after the rename catches a row that a process which had not yet seen the
	 * new key sealed under the old one meanwhile (it is still loaded here). */
	int late = 0;
	if (rs_seal_rotate_begin(path, t.old_id, t.new_id) != 0 ||
	    rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cli_totp_rotate_body, &t) != 0 || rs_seal_rotate_commit(path) != 0 ||
	    rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cli_totp_late_body, &late) != 0)
		rc = cli_fail("%s", rs_error_last());
	else
		printf("TOTP secrets of %d staff and %d registrant account(s) sealed under key %s (was %s; %d more after "
		       "the rename)\n", t.staff, t.registrants, t.new_id, t.old_id, late);
	rs_db_close(db);
	return rc;
}

static const struct cli_cmd cli_totp_cmds[] = {
	{ .name = "rotate-key", .summary = "seal every TOTP secret under a new key", .run = cli_totp_rotate },
};

int cli_cmd_totp(int argc, char **argv)
{
	return cli_dispatch("riss totp", cli_totp_cmds, (int)(sizeof cli_totp_cmds / sizeof cli_totp_cmds[0]), argc,
	                    argv);
}
