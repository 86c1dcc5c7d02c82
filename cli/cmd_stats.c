/* riss stats export: exam-result statistics for the agency (JSON or CSV). */
#include "cli.h"

#include "dlv_stats.h"
#include "rs_config.h"
#include "rs_db.h"
#include "rs_error.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void cli_stats_csv_row(const char *group, const char *key, json_t *g)
{
	if (json_is_true(json_object_get(g, "suppressed"))) {
		printf("%s,%s,,,,suppressed\n", group, key);
		return;
	}
	printf("%s,%s,%lld,%lld,%.4f,%.1f\n", group, key, (long long)json_integer_value(json_object_get(g, "sittings")),
	       (long long)json_integer_value(json_object_get(g, "passed")), json_real_value(json_object_get(g, "pass_rate")),
	       json_real_value(json_object_get(g, "mean_scaled")));
}

static int cli_stats_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' }, { "to", required_argument, NULL, 't' },
		{ "csv", no_argument, NULL, 'c' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *from = NULL, *to = NULL;
	int csv = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'c': csv = 1; break;
		case 'j': csv = 0; break;
		case 'h':
			printf("usage: riss stats export [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json|--csv]\n\n"
			       "Statistics of finished sittings: totals (pass rate, mean, SD and median scaled score),\n"
			       "by test centre, by month, and a histogram of scaled scores. Groups of fewer than %d\n"
			       "sittings are suppressed. JSON by default; --csv prints group,key,sittings,passed,\n"
			       "pass_rate,mean_scaled. The export is recorded in the audit trail.\n", DLV_STATS_MIN_CELL);
			return CLI_OK;
		default:
			return cli_usage_error("stats export: unknown option '%s' (see riss stats export --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("stats export: unexpected argument '%s'", argv[optind]);
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	char actor[96];
	snprintf(actor, sizeof actor, "cli:%s", getenv("USER") ? getenv("USER") : "riss");
	json_t *doc = NULL;
	int e = dlv_stats_results(&doc, db, from, to, actor, "statistician", NULL);
	rs_db_close(db);
	if (e == RS_EINVAL)
		return cli_usage_error("stats export: %s", rs_error_last());
	if (e != 0)
		return cli_fail("%s", rs_error_last());
	if (csv) {
		size_t i;
		json_t *g;
		printf("group,key,sittings,passed,pass_rate,mean_scaled\n");
		cli_stats_csv_row("total", "all", json_object_get(doc, "total"));
		json_array_foreach(json_object_get(doc, "by_centre"), i, g)
			cli_stats_csv_row("centre", json_string_value(json_object_get(g, "centre")), g);
		json_array_foreach(json_object_get(doc, "by_month"), i, g)
			cli_stats_csv_row("month", json_string_value(json_object_get(g, "month")), g);
	} else {
		char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (s)
			puts(s);
		free(s);
	}
	json_decref(doc);
	return CLI_OK;
}

static const struct cli_cmd cli_stats_cmds[] = {
	{ .name = "export", .summary = "export exam-result statistics (JSON or CSV)", .run = cli_stats_export },
};

int cli_cmd_stats(int argc, char **argv)
{
	return cli_dispatch("riss stats", cli_stats_cmds, (int)(sizeof cli_stats_cmds / sizeof cli_stats_cmds[0]), argc, argv);
}
