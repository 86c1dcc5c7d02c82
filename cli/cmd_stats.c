/* riss stats export|refresh: the agency's statistics tables (stats/st.h), the same tables and
 * the same disclosure control as GET /api/v1/stats/<table>. */
#include "cli.h"

#include "rs_db.h"
#include "rs_error.h"
#include "rs_sdc.h"
#include "st.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int cli_stats_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "table", required_argument, NULL, 'T' }, { "format", required_argument, NULL, 'F' },
		{ "from", required_argument, NULL, 'f' }, { "to", required_argument, NULL, 't' },
		{ "period", required_argument, NULL, 'P' },
		{ "exam", required_argument, NULL, 'e' }, { "centre", required_argument, NULL, 'c' },
		{ "prefecture", required_argument, NULL, 'p' }, { "lang", required_argument, NULL, 'L' },
		{ "list", no_argument, NULL, 'l' }, { "raw", no_argument, NULL, 'r' },
		{ "csv", no_argument, NULL, 'C' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *table = NULL;
	int csv = 0, list = 0, raw = 0, en = 0, c;
	struct st_filter f;
	memset(&f, 0, sizeof f);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		const char *fname = NULL;
		switch (c) {
		case 'T': table = optarg; break;
		case 'F':
			if (strcmp(optarg, "csv") != 0 && strcmp(optarg, "json") != 0)
				return cli_usage_error("stats export: --format is csv or json, not '%s'", optarg);
			csv = optarg[0] == 'c';
			break;
		case 'f': fname = "from"; break;
		case 't': fname = "to"; break;
		case 'P': fname = "period"; break;
		case 'e': fname = "exam"; break;
		case 'c': fname = "centre"; break;
		case 'p': fname = "prefecture"; break;
		case 'L':
			if (strcmp(optarg, "ja") != 0 && strcmp(optarg, "en") != 0)
				return cli_usage_error("stats export: --lang is ja or en, not '%s'", optarg);
			en = optarg[0] == 'e';
			break;
		case 'l': list = 1; break;
		case 'r': raw = 1; break;
		case 'C': csv = 1; break;
		case 'j': csv = 0; break;
		case 'h':
			printf("usage: riss stats export --list\n"
			       "       riss stats export --table T [--format csv|json] [--period YYYY[-H1|-H2|-Q1..-Q4]]\n"
			       "                         [--exam CODE | --centre CODE | --prefecture NN] [--lang ja|en] [--raw]\n\n"
			       "One of the agency's statistics tables, after disclosure control: counts under stats_k (now %lld)\n"
			       "and rates and means on such a base are suppressed (x in CSV, null in JSON), and so are the\n"
			       "figures that would give them back from the totals; every table is audited before release.\n"
			       "Periods are fiscal years (April-March), their halves and quarters (--from/--to must span one).\n"
			       "One of --exam, --centre, --prefecture at a time: each value's table is protected together\n"
			       "with the whole table and the other values' (none can be subtracted from another), by\n"
			       "fiscal year or for all time (no halves or quarters with a filter).\n"
			       "--raw prints the unsuppressed figures and records the read in the\n"
			       "audit trail. --list names the tables. Figures are as fresh as the last `riss stats refresh`\n"
			       "(the job runs it); the JSON says when (as_of).\n", (long long)rs_sdc_rules_default().k);
			return CLI_OK;
		default:
			return cli_usage_error("stats export: unknown option '%s' (see riss stats export --help)", argv[optind - 1]);
		}
		if (fname && st_filter_set(&f, fname, optarg) != 0)
			return cli_usage_error("stats export: %s", rs_error_last());
	}
	if (optind < argc)
		return cli_usage_error("stats export: unexpected argument '%s'", argv[optind]);
	if (st_filter_check(&f) != 0)
		return cli_usage_error("stats export: %s", rs_error_last());
	if (list) {
		json_t *l = st_table_list();
		size_t i;
		json_t *t;
		if (!csv) {
			json_array_foreach(l, i, t)
				printf("%s\n", json_string_value(json_object_get(t, "name")));
		}
		json_decref(l);
		return CLI_OK;
	}
	if (!table)
		return cli_usage_error("stats export: name a table with --table (riss stats export --list names them)");
	if (!st_table_exists(table))
		return cli_usage_error("stats export: no table '%s' (riss stats export --list names them)", table);
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	char actor[96];
	cli_actor(actor, sizeof actor);
	struct rs_sdc_rules rules = rs_sdc_rules_default();
	json_t *doc = NULL;
	int e = st_table(&doc, db, table, &f, &rules, raw, actor, "statistician", NULL);
	rs_db_close(db);
	if (e != 0)
		return cli_fail("%s", rs_error_last());
	char *s = csv ? st_csv(doc, en) : json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!s)
		return cli_fail("out of memory");
	fputs(s, stdout);
	if (!csv)
		fputc('\n', stdout);
	free(s);
	return CLI_OK;
}

struct cli_stats_progress {
	double start, last;
};

static double cli_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A line per step that starts 2 s or more after the last line (a quick refresh says nothing). */
static void cli_stats_progress(void *ctx, const char *step, int done, int total)
{
	struct cli_stats_progress *p = ctx;
	double now = cli_now();
	if (now - p->last < 2.0)
		return;
	p->last = now;
	if (total > 1)
		fprintf(stderr, "stats refresh: %s %d/%d (%.0f s)\n", step, done, total, now - p->start);
	else
		fprintf(stderr, "stats refresh: %s (%.0f s)\n", step, now - p->start);
}

static int cli_stats_refresh(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: riss stats refresh [--quiet]\n\nRecompute the partial aggregates behind the statistics tables from the\n"
		       "exam results, the register and the skill profiles, and protect every dated table\n"
		       "ahead of the requests (the job does it on every run; at a million results the\n"
		       "first run takes minutes). Progress lines go to stderr every few seconds.\n\n"
		       "  --quiet   no progress lines\n");
		return CLI_OK;
	}
	int quiet = argc > 1 && strcmp(argv[1], "--quiet") == 0;
	if (argc > 1 + quiet)
		return cli_usage_error("stats refresh: unexpected argument '%s'", argv[1 + quiet]);
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	struct cli_stats_progress prog = { cli_now(), 0 };
	prog.last = prog.start;
	struct st_progress pg = { cli_stats_progress, &prog };
	int e = st_refresh_with(db, quiet ? NULL : &pg);
	rs_db_close(db);
	if (e != 0)
		return cli_fail("stats refresh: %s", rs_error_last());
	printf("statistics refreshed\n");
	return CLI_OK;
}

static const struct cli_cmd cli_stats_cmds[] = {
	{ .name = "export", .summary = "print a statistics table after disclosure control (JSON or CSV)", .run = cli_stats_export },
	{ .name = "refresh", .summary = "recompute the aggregates behind the statistics tables", .run = cli_stats_refresh },
};

int cli_cmd_stats(int argc, char **argv)
{
	return cli_dispatch("riss stats", cli_stats_cmds, (int)(sizeof cli_stats_cmds / sizeof cli_stats_cmds[0]), argc, argv);
}
