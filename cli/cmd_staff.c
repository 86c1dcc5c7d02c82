/* riss staff: create and list agency staff accounts (Argon2id password + TOTP). */
#include "cli.h"

#include "sf.h"
#include "rs_config.h"
#include "rs_db.h"
#include "rs_error.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static int cli_staff_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "username", required_argument, NULL, 'u' }, { "role", required_argument, NULL, 'r' },
		{ "display-name", required_argument, NULL, 'n' }, { "centre", required_argument, NULL, 'c' },
		{ "totp-secret", required_argument, NULL, 't' }, { "if-missing", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *username = NULL, *role = NULL, *display = NULL, *centre = NULL, *totp = NULL;
	int if_missing = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u': username = optarg; break;
		case 'r': role = optarg; break;
		case 'n': display = optarg; break;
		case 'c': centre = optarg; break;
		case 't': totp = optarg; break;
		case 'm': if_missing = 1; break;
		case 'h':
			printf("usage: riss staff add --username NAME --role ROLE --display-name TEXT [--centre CODE]\n"
			       "                      [--totp-secret BASE32] [--if-missing] < password\n\n"
			       "Create a staff account. The password (12 to 256 characters) is read from the first\n"
			       "line of standard input and stored only as an Argon2id hash. ROLE is proctor (needs\n"
			       "--centre), registrar, psychometrician, statistician or auditor. Prints the TOTP\n"
			       "secret and an otpauth:// URI for an authenticator app. --if-missing: succeed\n"
			       "quietly when the user name exists.\n");
			return CLI_OK;
		default:
			return cli_usage_error("staff add: unknown option '%s' (see riss staff add --help)", argv[optind - 1]);
		}
	}
	if (!username || !role || !display)
		return cli_usage_error("staff add needs --username, --role and --display-name");
	char password[300];
	if (!fgets(password, sizeof password, stdin))
		return cli_usage_error("staff add reads the password from standard input; none was given");
	password[strcspn(password, "\r\n")] = '\0';
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	char secret[40];
	int e = sf_create(secret, db, username, display, role, centre, password, totp);
	memset(password, 0, sizeof password);
	if (e == RS_EEXIST && if_missing)
		rc = CLI_OK;
	else if (e == RS_EINVAL)
		rc = cli_usage_error("%s", rs_error_last());
	else if (e != 0)
		rc = cli_fail("%s", rs_error_last());
	else
		printf("created %s (%s)\ntotp_secret %s\notpauth://totp/RISS:%s?secret=%s&issuer=RISS\n", username, role,
		       secret, username, secret);
	rs_db_close(db);
	return rc;
}

static void cli_staff_print(void *arg, const struct sf_account *a)
{
	(void)arg;
	printf("%-20s %-16s %-12s %-8s %s\n", a->username, a->role, a->centre_code[0] ? a->centre_code : "-",
	       a->disabled ? "disabled" : a->backoff ? "backoff" : "active", a->display_name);
}

static int cli_staff_list(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss staff list\n\nList staff accounts (user name, role, centre, state).\n");
		return CLI_OK;
	}
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	if (sf_list(db, cli_staff_print, NULL) != 0)
		rc = cli_fail("%s", rs_error_last());
	rs_db_close(db);
	return rc;
}

static const struct cli_cmd cli_staff_cmds[] = {
	{ .name = "add", .summary = "create a staff account", .run = cli_staff_add },
	{ .name = "list", .summary = "list staff accounts", .run = cli_staff_list },
};

int cli_cmd_staff(int argc, char **argv)
{
	return cli_dispatch("riss staff", cli_staff_cmds, (int)(sizeof cli_staff_cmds / sizeof cli_staff_cmds[0]), argc, argv);
}
