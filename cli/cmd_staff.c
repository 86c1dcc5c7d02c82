/* riss staff: create and list agency staff accounts (Argon2id password + TOTP). */
#include "rs_password.h"
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
			       "Create a staff account. The password (12 to 128 characters) is read from the first\n"
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
	char password[RS_PASSWORD_BYTES_MAX + 2];
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

/* ---- operators' acts: disable, enable, role, reset-totp (issue 17, ASVS 2.5.7, 2.8.6) ---- */

enum cli_staff_act { CLI_STAFF_DISABLE, CLI_STAFF_ENABLE, CLI_STAFF_ROLE, CLI_STAFF_TOTP };

static const char *const cli_staff_usage[] = {
	"usage: riss staff disable USERNAME --yes\n\n"
	"Disable a staff account: it can no longer sign in, and every session it has ends at once.\n"
	"Audited (staff.disabled). riss staff enable undoes it.\n",
	"usage: riss staff enable USERNAME\n\n"
	"Enable a disabled staff account again (from its next sign-in). Audited (staff.enabled).\n",
	"usage: riss staff role USERNAME ROLE [--centre CODE]\n\n"
	"Give a staff account another role (proctor needs --centre). Its sessions end, so the new\n"
	"role applies from the next sign-in. Audited (staff.role.changed, with the old and new role).\n",
	"usage: riss staff reset-totp USERNAME --yes\n\n"
	"A new authenticator key for a holder whose device is lost or whose key may be known to\n"
	"someone else: the old key stops working at once and every session ends. Prints the new\n"
	"secret and an otpauth:// URI; hand them over only after checking who the holder is, as at\n"
	"enrolment (docs/operations.md). Audited (staff.totp.reset).\n",
};

static int cli_staff_act(enum cli_staff_act act, const char *name, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "yes", no_argument, NULL, 'y' }, { "centre", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *centre = NULL;
	int yes = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'y': yes = 1; break;
		case 'c': centre = optarg; break;
		case 'h': fputs(cli_staff_usage[act], stdout); return CLI_OK;
		default: return cli_usage_error("staff %s: unknown option '%s' (see riss staff %s --help)", name,
			                        argv[optind - 1], name);
		}
	}
	int want = act == CLI_STAFF_ROLE ? 2 : 1;
	if (argc - optind != want)
		return cli_usage_error("staff %s needs %s (see riss staff %s --help)", name,
		                       want == 2 ? "USERNAME and ROLE" : "USERNAME", name);
	const char *user = argv[optind], *role = want == 2 ? argv[optind + 1] : NULL;
	char lead[64];
	snprintf(lead, sizeof lead, "riss staff %s", name);
	if ((act == CLI_STAFF_DISABLE || act == CLI_STAFF_TOTP) && !yes) {
		cli_say("riss: ", "staffcli.confirm", (const char *[]){ lead, NULL });
		return CLI_USAGE;
	}
	if (act == CLI_STAFF_ROLE && sf_role_check(role, centre) != 0)
		return cli_usage_error("%s", rs_error_last());
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	char actor[64], secret[40] = "", ended_s[16];
	cli_actor(actor, sizeof actor);
	int ended = 0, e;
	switch (act) {
	case CLI_STAFF_DISABLE:
	case CLI_STAFF_ENABLE: e = sf_set_disabled(db, user, act == CLI_STAFF_DISABLE, actor, &ended); break;
	case CLI_STAFF_ROLE: e = sf_set_role(db, user, role, centre, actor, &ended); break;
	default: e = sf_totp_reset(secret, db, user, actor, &ended); break;
	}
	rs_db_close(db);
	snprintf(ended_s, sizeof ended_s, "%d", ended);
	if (e == RS_ENOTFOUND) {
		cli_say("riss: ", "staffcli.unknown", (const char *[]){ user, NULL });
		return CLI_USAGE;
	}
	if (e != 0)
		return cli_fail("%s", rs_error_last());
	if (ended < 0) {
		cli_say("", "staffcli.unchanged", (const char *[]){ user, NULL });
		return CLI_OK;
	}
	switch (act) {
	case CLI_STAFF_DISABLE: cli_say("", "staffcli.disabled", (const char *[]){ user, ended_s, NULL }); break;
	case CLI_STAFF_ENABLE: cli_say("", "staffcli.enabled", (const char *[]){ user, NULL }); break;
	case CLI_STAFF_ROLE: cli_say("", "staffcli.role", (const char *[]){ user, role, ended_s, NULL }); break;
	default:
		cli_say("", "staffcli.totp", (const char *[]){ user, ended_s, NULL });
		printf("totp_secret %s\notpauth://totp/RISS:%s?secret=%s&issuer=RISS\n", secret, user, secret);
		break;
	}
	memset(secret, 0, sizeof secret);
	return CLI_OK;
}

static int cli_staff_disable(int argc, char **argv) { return cli_staff_act(CLI_STAFF_DISABLE, "disable", argc, argv); }
static int cli_staff_enable(int argc, char **argv) { return cli_staff_act(CLI_STAFF_ENABLE, "enable", argc, argv); }
static int cli_staff_role(int argc, char **argv) { return cli_staff_act(CLI_STAFF_ROLE, "role", argc, argv); }
static int cli_staff_reset_totp(int argc, char **argv) { return cli_staff_act(CLI_STAFF_TOTP, "reset-totp", argc, argv); }

static const struct cli_cmd cli_staff_cmds[] = {
	{ .name = "add", .summary = "create a staff account", .run = cli_staff_add },
	{ .name = "list", .summary = "list staff accounts", .run = cli_staff_list },
	{ .name = "disable", .summary = "disable an account and end its sessions", .run = cli_staff_disable },
	{ .name = "enable", .summary = "enable a disabled account again", .run = cli_staff_enable },
	{ .name = "role", .summary = "give an account another role", .run = cli_staff_role },
	{ .name = "reset-totp", .summary = "a new authenticator key (lost device)", .run = cli_staff_reset_totp },
};

int cli_cmd_staff(int argc, char **argv)
{
	return cli_dispatch("riss staff", cli_staff_cmds, (int)(sizeof cli_staff_cmds / sizeof cli_staff_cmds[0]), argc, argv);
}
