/* riss db: apply migrations and report the schema state. */
#include "cli.h"
#include "rs_config.h"
#include "rs_db.h"
#include "rs_error.h"
#include "reg_account.h"
#include "sf.h"

#include <string.h>

/* After the SQL migrations, the step they cannot do (migration 0014, issue 17 sec3): seal the
 * TOTP secrets still in clear with the key file's key, and forbid clear ones from then on. */
static int cli_db_seal_body(rs_db *db, void *arg)
{
	int *n = arg, staff = 0, registrants = 0;
	int rc = sf_totp_migrate(db, "system:migrate", &staff);
	if (rc == 0)
		rc = reg_totp_migrate(db, "system:migrate", &registrants);
	*n = staff + registrants;
	return rc;
}

static int cli_db_migrate(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss db migrate\n\nApply every migration in migrations_dir (%s) that the database\n"
		       "does not have yet, each in its own transaction.\n", rs_config_str("migrations_dir"));
		return CLI_OK;
	}
	if (argc > 1)
		return cli_usage_error("'db migrate' takes no arguments (got '%s')", argv[1]);
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	int applied = 0, sealed = 0;
	if (rs_migrate(db, rs_config_str("migrations_dir"), &applied) != 0 ||
	    rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cli_db_seal_body, &sealed) != 0)
		rc = cli_fail("%s", rs_error_last());
	else if (sealed > 0)
		printf("applied %d migration(s); sealed the TOTP secrets of %d account(s); schema is current\n", applied,
		       sealed);
	else if (applied > 0)
		printf("applied %d migration(s); schema is current\n", applied);
	else
		printf("schema is current\n");
	rs_db_close(db);
	return rc;
}

static int cli_db_status(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss db status\n\nExit 0 when the schema is current; otherwise name the first missing migration.\n");
		return CLI_OK;
	}
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	if (rs_migrate_check(db, rs_config_str("migrations_dir")) != 0)
		rc = cli_fail("%s", rs_error_last());
	else
		printf("schema is current\n");
	rs_db_close(db);
	return rc;
}

static const struct cli_cmd cli_db_cmds[] = {
	{ .name = "migrate", .summary = "apply pending migrations", .run = cli_db_migrate },
	{ .name = "status",  .summary = "check that the schema is current", .run = cli_db_status },
};

int cli_cmd_db(int argc, char **argv)
{
	return cli_dispatch("riss db", cli_db_cmds, (int)(sizeof cli_db_cmds / sizeof cli_db_cmds[0]), argc, argv);
}
