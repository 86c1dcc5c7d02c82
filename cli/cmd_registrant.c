/* riss registrant: the registrar's command line for registrants' self-service accounts. */
#include "cli.h"

#include "reg_account.h"
#include "rs_db.h"
#include "rs_error.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int cli_registrant_code(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss registrant activation-code REGNO [--email ADDRESS] [--lang ja|en] [--json]\n\n"
		       "Make a one-time activation code for registrant REGNO's self-service account (/me),\n"
		       "valid %d days; a new code replaces an unused older one. Print it, or mail it to the\n"
		       "registrant. --email and --lang record where reminders go and in which language.\n",
		       REG_ACTIVATION_DAYS);
		return CLI_OK;
	}
	const char *regno = NULL, *email = NULL, *lang = NULL;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--email") == 0 && i + 1 < argc)
			email = argv[++i];
		else if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
			lang = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (argv[i][0] == '-' || regno)
			return cli_usage_error("registrant activation-code: unexpected '%s' (see --help)", argv[i]);
		else
			regno = argv[i];
	}
	if (!regno || !reg_regno_valid(regno))
		return cli_usage_error("registrant activation-code: give a registration number (6 digits)");
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	struct reg_actor who = { .actor = "cli:riss", .role = "registrar", .request_id = NULL };
	char code[REG_ACTIVATION_CODE_LEN + 1];
	rc = reg_account_issue_code(code, db, regno, email, lang, (int64_t)time(NULL), &who);
	rs_db_close(db);
	if (rc != 0)
		return rc == RS_EINVAL || rc == RS_ENOTFOUND ? cli_usage_error("%s", rs_error_last())
		                                              : cli_fail("%s", rs_error_last());
	if (json)
		printf("{\"regno\": \"%s\", \"code\": \"%s\", \"valid_days\": %d}\n", regno, code, REG_ACTIVATION_DAYS);
	else
		printf("%s\n", code);
	return CLI_OK;
}

int cli_cmd_registrant(int argc, char **argv)
{
	static const struct cli_cmd sub[] = {
		{ .name = "activation-code", .summary = "one-time code that activates a registrant's /me account",
		  .run = cli_registrant_code },
	};
	return cli_dispatch("riss registrant", sub, 1, argc, argv);
}
