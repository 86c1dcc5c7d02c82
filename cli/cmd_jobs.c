/* riss jobs run: one run of the renewal job (lapse, training standings, overdue cases,
 * reminders and their mail), the same the rissd timer runs; one runner at a time. */
#include "cli.h"

#include "cpd.h"
#include "cpd_renewal.h"
#include "reg_account.h"
#include "rs_db.h"
#include "rs_error.h"
#include "sf.h"
#include "st.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void cli_jobs_help(void)
{
	printf("usage: riss jobs run [--today YYYY-MM-DD] [--no-mail] [--json]\n\n"
	       "Run the renewal job once: lapse registrations whose validity ended, recompute every\n"
	       "live registration's training standing, open a registrar case for each overdue duty,\n"
	       "queue reminders (90, 60, 30 days before a deadline; once when overdue) in the\n"
	       "registrant's language and send queued ones to smtp_host. When another runner (a\n"
	       "rissd timer or another riss) holds the job's lock, nothing is done (\"ran\": false).\n"
	       "--today judges as of that day in Japan (tests and rehearsals); --no-mail only queues.\n"
	       "Every run also purges sign-in backoff and unknown-name counters older than 7 days\n"
	       "(by the wall clock; the audit trail stays): \"purged_sign_in_rows\" in --json, and the\n"
	       "staff and registrant sessions that have ended (lifetime over or idle too long):\n"
	       "\"purged_sessions\".\n");
}

static int cli_jobs_run(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		cli_jobs_help();
		return CLI_OK;
	}
	int json = 0, mail = 1;
	int64_t now = (int64_t)time(NULL);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--no-mail") == 0) {
			mail = 0;
		} else if (strcmp(argv[i], "--today") == 0 && i + 1 < argc) {
			struct cpd_date d;
			if (cpd_date_parse(&d, argv[++i]) != 0)
				return cli_usage_error("jobs run: --today needs a date YYYY-MM-DD, not '%s'", argv[i]);
			/* Noon in Japan on that day. */
			now = (int64_t)cpd_date_days(d) * 86400 + 3 * 3600;
		} else {
			return cli_usage_error("jobs run: unknown or incomplete option '%s' (see --help)", argv[i]);
		}
	}
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	struct cpd_smtp smtp;
	cpd_smtp_from_config(&smtp);
	struct cpd_job_summary s;
	rc = cpd_job_run(&s, db, now, mail ? &smtp : NULL, "riss jobs run");
	/* Agency statistics (stats-core): the runner refreshes the aggregates behind the tables. */
	if (rc == 0 && s.ran)
		rc = st_refresh(db);
	/* Sign-in counters retention (issue 17): staff backoff rows and unknown-name counters,
	 * registrants' backoff, older than 7 days by the wall clock (never --today, which would
	 * purge live rows); also when another runner holds the job's lock (idempotent). */
	int purged_staff = 0, purged_reg = 0, sessions_staff = 0, sessions_reg = 0;
	int64_t wall = (int64_t)time(NULL);
	if (rc == 0)
		rc = sf_purge_expired(db, wall, &purged_staff);
	if (rc == 0)
		rc = reg_account_purge_expired(db, wall, &purged_reg);
	/* Session retention (issue 17): ended staff and registrant sessions. */
	if (rc == 0)
		rc = sf_sessions_purge_expired(db, &sessions_staff);
	if (rc == 0)
		rc = reg_account_sessions_purge_expired(db, &sessions_reg);
	rs_db_close(db);
	if (rc != 0)
		return cli_fail("jobs run: %s", rs_error_last());
	if (json) {
		json_t *j = cpd_job_summary_json(&s);
		json_object_set_new(j, "purged_sign_in_rows", json_integer(purged_staff + purged_reg));
		json_object_set_new(j, "purged_sessions", json_integer(sessions_staff + sessions_reg));
		char *t = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
		printf("%s\n", t ? t : "{}");
		free(t);
		json_decref(j);
	} else if (!s.ran) {
		printf("another runner holds the job's lock: nothing done\n");
	} else {
		printf("as of %s: %d lapsed; %d standings recomputed in %.3f s (%d on track, %d action needed, %d overdue, "
		       "%d renewable); %d case(s) opened; %d reminder(s) queued; %d sent, %d failed\n",
		       s.as_of, s.lapsed, s.registrants, s.recompute_s, s.on_track, s.action_needed, s.overdue, s.renewable,
		       s.cases_opened, s.reminders_queued, s.sent, s.send_failed);
	}
	if (!json && purged_staff + purged_reg > 0)
		printf("%d expired sign-in row(s) purged\n", purged_staff + purged_reg);
	if (!json && sessions_staff + sessions_reg > 0)
		printf("%d ended session(s) purged\n", sessions_staff + sessions_reg);
	return CLI_OK;
}

int cli_cmd_jobs(int argc, char **argv)
{
	static const struct cli_cmd sub[] = {
		{ .name = "run", .summary = "run the renewal job once (lapse, standings, cases, reminders)", .run = cli_jobs_run },
	};
	return cli_dispatch("riss jobs", sub, 1, argc, argv);
}
