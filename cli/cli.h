/* riss command line: the table of subcommands and the helpers they share. */
#ifndef RISS_CLI_H
#define RISS_CLI_H

#include <stdio.h>

/* Exit codes every subcommand keeps to. */
enum {
	CLI_OK = 0,        /* success */
	CLI_FAIL = 1,      /* the work failed (database down, verification failed, ...) */
	CLI_USAGE = 2,     /* bad or unknown input: one clear line on stderr */
};

/* A subcommand: argv[0] is the subcommand's own name; returns an exit code. */
typedef int (*cli_fn)(int argc, char **argv);

struct cli_cmd {
	const char *name;   /* as typed after `riss` */
	const char *summary; /* one line for `riss --help` */
	cli_fn run;
};

/* Print "riss: <msg>" on stderr and return CLI_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "riss: <msg>" on stderr and return CLI_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print catalogue message id with args (NULL-terminated) on stderr, in Japanese, then in
 * English, each line led by lead ("riss: ", "  "). */
void cli_say(const char *lead, const char *id, const char *const *args);
/* True when argv holds -h or --help (before any "--"). */
int cli_wants_help(int argc, char **argv);
/* Dispatch argv[1] among a table of n sub-subcommands (for `riss bank import` etc.);
 * prefix names the parent in messages ("riss bank"). */
int cli_dispatch(const char *prefix, const struct cli_cmd *table, int n, int argc, char **argv);

/* The audit actor of the operator running riss: "cli:<login name>". */
void cli_actor(char *out, size_t cap);

struct rs_db;
/* Open the configured database (db_url). CLI_OK, or CLI_USAGE when none is configured and
 * CLI_FAIL when it cannot be reached, each after one line on stderr. */
int cli_db_open(struct rs_db **out);

/* Subcommands, one file each (cli/cmd_<name>.c). */
int cli_cmd_db(int argc, char **argv);
int cli_cmd_bank(int argc, char **argv);
int cli_cmd_calibrate(int argc, char **argv);
int cli_cmd_analyze(int argc, char **argv);
int cli_cmd_score(int argc, char **argv);
int cli_cmd_simulate(int argc, char **argv);
int cli_cmd_exposure(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);
/* The exposure feasibility check of an exam bound to a bank (cat_exposure_feasibility):
 * prints the verdict and the thin groups on stderr when the target cannot be met (prefix
 * names the command) and returns it as a JSON object; *out_feasible gets the verdict. */
struct cat_engine;
struct json_t;
/* The exam's conditional-SH theta strata of a simulation report as a JSON array of
 * {theta_lo, theta_hi (null at the open ends), n, max_exposure} (riss exposure, riss simulate). */
struct cat_sim_report;
struct json_t *cli_expo_strata(const struct cat_sim_report *rep);
struct json_t *cli_exposure_feasibility(const struct cat_engine *eng, double target, const char *prefix,
                                        int *out_feasible);
int cli_cmd_keys(int argc, char **argv);
int cli_cmd_credential(int argc, char **argv);
/* riss credential issue REGNO (from the register; cli/cmd_credential_issue.c). */
int cli_credential_issue(int argc, char **argv);
int cli_cmd_log(int argc, char **argv);
int cli_cmd_stats(int argc, char **argv);
int cli_cmd_staff(int argc, char **argv);
int cli_cmd_totp(int argc, char **argv); /* TOTP secrets at rest (sec3) */
int cli_cmd_exam(int argc, char **argv);
int cli_cmd_jobs(int argc, char **argv);
int cli_cmd_registrant(int argc, char **argv);
int cli_cmd_provider(int argc, char **argv);
/* issue 15, demo data (stats-data): riss demo */
int cli_cmd_demo(int argc, char **argv);
/* skill profiles (cmd_skills.c) */
int cli_cmd_skills(int argc, char **argv);
int cli_credential_export_ob3(int argc, char **argv);

/* riss bank's subcommands (cli/cmd_bank_*.c). */
int cli_bank_generate(int argc, char **argv);
int cli_bank_import(int argc, char **argv);
int cli_bank_export(int argc, char **argv);
int cli_bank_validate(int argc, char **argv);
int cli_bank_publish(int argc, char **argv);
/* exam packages (cmd_packages.c) */
int cli_exam_packages(int argc, char **argv);
int cli_exam_package(int argc, char **argv);

#endif
