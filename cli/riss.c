/* riss: the command line of the RISS system, git-style subcommands. */
#include "cli.h"
#include "rs_config.h"
#include "rs_seal.h"
#include "rs_db.h"
#include "rs_error.h"
#include "rs_log.h"
#include "rs_msg.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct cli_cmd cli_commands[] = {
	{ .name = "db",         .summary = "database: migrate, status",                       .run = cli_cmd_db },
	{ .name = "bank",       .summary = "item bank: generate, import, export, validate, publish", .run = cli_cmd_bank },
	{ .name = "calibrate",  .summary = "calibrate items by marginal maximum likelihood (EM)", .run = cli_cmd_calibrate },
	{ .name = "analyze",    .summary = "item analysis: classical statistics, DIF, drift",  .run = cli_cmd_analyze },
	{ .name = "score",      .summary = "estimate abilities from responses",               .run = cli_cmd_score },
	{ .name = "simulate",   .summary = "simulate candidates through the adaptive engine", .run = cli_cmd_simulate },
	{ .name = "exposure",   .summary = "compute Sympson-Hetter exposure parameters for a bank", .run = cli_cmd_exposure },
	{ .name = "report",     .summary = "psychometric reports: test information and CSEM curves", .run = cli_cmd_report },
	{ .name = "keys",       .summary = "issuer keys: new, rotate, retire, list",          .run = cli_cmd_keys },
	{ .name = "credential", .summary = "credentials: issue, verify, export-ob3",          .run = cli_cmd_credential },
	{ .name = "log",        .summary = "transparency log: verify",                        .run = cli_cmd_log },
	{ .name = "staff",      .summary = "staff accounts: add, list",                       .run = cli_cmd_staff },
	{ .name = "exam",       .summary = "exam delivery: seed demo bookings, admit",          .run = cli_cmd_exam },
	/* TOTP secrets sealed at rest (issue 17, sec3) */
	{ .name = "totp",       .summary = "TOTP secrets at rest: rotate-key",                .run = cli_cmd_totp },
	{ .name = "jobs",       .summary = "scheduled jobs: run the renewal job once",        .run = cli_cmd_jobs },
	{ .name = "registrant", .summary = "registrants' self-service: activation-code",       .run = cli_cmd_registrant },
	{ .name = "provider",   .summary = "training providers: add, list, rotate-key, suspend, reinstate, period", .run = cli_cmd_provider },
	{ .name = "stats",      .summary = "statistics: export, refresh",                     .run = cli_cmd_stats },
	/* issue 15, demo data (stats-data) */
	{ .name = "demo",       .summary = "load a year of simulated sittings, a register and training (--seed)", .run = cli_cmd_demo },
	{ .name = "skills",     .summary = "skill frameworks and profiles: import, map, profile, claims", .run = cli_cmd_skills },
};

static void cli_print_help(FILE *f)
{
	fprintf(f, "usage: riss <command> [options]\n\n"
	           "The command line of the RISS exam and credential system.\n"
	           "Settings come from var/riss.conf (written by ./deploy/dev), RISS_* environment\n"
	           "variables, or --config FILE before the command.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof cli_commands / sizeof cli_commands[0]; i++)
		fprintf(f, "  %-11s %s\n", cli_commands[i].name, cli_commands[i].summary);
	fprintf(f, "\nRun `riss <command> --help` for a command's options.\n");
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("riss: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return CLI_USAGE;
}

void cli_actor(char *out, size_t cap)
{
	const struct passwd *pw = getpwuid(getuid());
	const char *u = getenv("USER");
	snprintf(out, cap, "cli:%.40s", pw && pw->pw_name ? pw->pw_name : (u && u[0] ? u : "unknown"));
}

void cli_say(const char *lead, const char *id, const char *const *args)
{
	for (int en = 0; en <= 1; en++) {
		char line[1024];
		rs_msg_format(line, sizeof line, id, en, args);
		fprintf(stderr, "%s%s\n", lead, line);
	}
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("riss: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return CLI_FAIL;
}

int cli_db_open(struct rs_db **out)
{
	const char *url = rs_config_str("db_url");
	if (!url[0])
		return cli_usage_error("no database configured: set db_url in var/riss.conf (./deploy/dev db writes it) or RISS_DB_URL");
	/* TOTP secrets sealed at rest (sec3): no database work without the key file. */
	if (rs_seal_startup("riss") != 0)
		return CLI_FAIL;
	if (rs_db_open(out, url) != 0)
		return cli_fail("%s", rs_error_last());
	return CLI_OK;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

int cli_dispatch(const char *prefix, const struct cli_cmd *table, int n, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		FILE *f = argc < 2 ? stderr : stdout;
		fprintf(f, "usage: %s <subcommand> [options]\n\nsubcommands:\n", prefix);
		for (int i = 0; i < n; i++)
			fprintf(f, "  %-10s %s\n", table[i].name, table[i].summary);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	for (int i = 0; i < n; i++)
		if (strcmp(argv[1], table[i].name) == 0)
			return table[i].run(argc - 1, argv + 1);
	return cli_usage_error("unknown subcommand '%s %s' (see '%s --help')", prefix, argv[1], prefix);
}

int main(int argc, char **argv)
{
	const char *config = NULL;
	if (argc >= 3 && strcmp(argv[1], "--config") == 0) {
		config = argv[2];
		argv[2] = argv[0];
		argv += 2;
		argc -= 2;
	}
	if (rs_config_init(config) != 0)
		return cli_usage_error("%s", rs_error_last());
	enum rs_log_level lvl;
	if (rs_log_level_parse(&lvl, rs_config_str("log_level")) == 0)
		rs_log_set_level(lvl);
	if (argc < 2) {
		cli_print_help(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		cli_print_help(stdout);
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof cli_commands / sizeof cli_commands[0]; i++)
		if (strcmp(argv[1], cli_commands[i].name) == 0)
			return cli_commands[i].run(argc - 1, argv + 1);
	return cli_usage_error("unknown command '%s' (see 'riss --help')", argv[1]);
}
