/* riss exam: exam-delivery tools for operators, demo data and tests.
 *   riss exam seed --centre CODE --count N [--prefix P] [--window NAME [--package ID]] [--checked] [--json]
 *   riss exam admit --booking ID --seat SEAT [--move] [--json]   (prints the admission code) */
#include "cli.h"

#include "dlv.h"
#include "rs_config.h"
#include "rs_db.h"
#include "rs_error.h"
#include "rs_json.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cli_exam_seed(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "centre", required_argument, NULL, 'c' }, { "count", required_argument, NULL, 'n' },
		{ "prefix", required_argument, NULL, 'p' }, { "checked", no_argument, NULL, 'k' },
		{ "window", required_argument, NULL, 'w' }, { "package", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *centre = "TC-TOKYO-01", *prefix = "demo", *window = NULL;
	long long package = 0;
	char *end = NULL;
	long count = 3;
	int checked = 0, json = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': centre = optarg; break;
		case 'n': count = strtol(optarg, NULL, 10); break;
		case 'p': prefix = optarg; break;
		case 'k': checked = 1; break;
		case 'w': window = optarg; break;
		case 'P':
			package = strtoll(optarg, &end, 10);
			if (!optarg[0] || *end || package < 1)
				return cli_usage_error("exam seed: --package must be a package id, not '%s'", optarg);
			break;
		case 'j': json = 1; break;
		case 'h':
			printf("usage: riss exam seed [--centre CODE] [--count N] [--prefix P] [--window NAME [--package ID]]\n"
			       "                      [--checked] [--json]\n"
			       "Create a test centre, an all-year SG window (default \"SG all-year (demo)\") and N\n"
			       "candidates booked for today. The window serves the exam's active package when it names\n"
			       "none; --package ID makes it serve that package (riss exam package activate ID --window).\n"
			       "  --json   print {\"centre\", \"window\", \"bookings\": [ids]}\n");
			return CLI_OK;
		default: return cli_usage_error("exam seed: unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (count < 1 || count > 100000)
		return cli_usage_error("exam seed: --count must be 1..100000");
	if (package && !window)
		return cli_usage_error("exam seed: --package needs --window (the demo window keeps the active package)");
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	json_t *out = NULL;
	if (dlv_demo_seed(&out, db, centre, window, prefix, (int)count, checked) != 0) {
		rs_db_close(db);
		return cli_fail("exam seed: %s", rs_error_last());
	}
	if (package) {
		/* The window's package, checked and audited as the staff route does. */
		struct dlv_actor who = { .actor = "system:seed", .role = "system" };
		json_t *row = NULL;
		if (dlv_window_package(&row, db, &who, json_integer_value(json_object_get(out, "window")), package) != 0) {
			json_decref(out);
			rs_db_close(db);
			return cli_fail("exam seed: %s", rs_error_last());
		}
		json_decref(row);
	}
	rs_db_close(db);
	if (json) {
		char *t = rs_json_dump(out);
		printf("%s\n", t ? t : "{}");
		free(t);
	} else {
		printf("%zu bookings for today at %s\n", json_array_size(json_object_get(out, "bookings")), centre);
	}
	json_decref(out);
	return CLI_OK;
}

static int cli_exam_admit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "booking", required_argument, NULL, 'b' }, { "seat", required_argument, NULL, 's' },
		{ "move", no_argument, NULL, 'm' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	long long booking = 0;
	const char *seat = NULL;
	int move = 0, json = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': booking = strtoll(optarg, NULL, 10); break;
		case 's': seat = optarg; break;
		case 'm': move = 1; break;
		case 'j': json = 1; break;
		case 'h':
			printf("usage: riss exam admit --booking ID --seat SEAT [--move] [--json]\n"
			       "Admit an identity-checked booking (as the system) and print the one-time admission code.\n");
			return CLI_OK;
		default: return cli_usage_error("exam admit: unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (booking <= 0 || !seat)
		return cli_usage_error("exam admit: --booking and --seat are required");
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	struct dlv_actor who = { .actor = "system:cli", .role = "system", .centre = NULL, .request_id = NULL };
	char code[DLV_CODE_LEN + 1];
	int64_t sid = 0;
	rc = dlv_proctor_admit(code, &sid, db, &who, booking, seat, move);
	rs_db_close(db);
	if (rc != 0)
		return cli_fail("exam admit: %s", rs_error_last());
	if (json)
		printf("{\"session\":%lld,\"code\":\"%s\"}\n", (long long)sid, code);
	else
		printf("%s\n", code);
	return CLI_OK;
}

static int cli_exam_replay(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss exam replay SESSION_ID\n"
		       "Replay a sitting from its stored responses and print the items and the result (JSON).\n");
		return CLI_OK;
	}
	if (argc != 2 || strtoll(argv[1], NULL, 10) <= 0)
		return cli_usage_error("exam replay: give one session id");
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	json_t *out = NULL;
	rc = dlv_replay(&out, db, strtoll(argv[1], NULL, 10));
	rs_db_close(db);
	if (rc != 0)
		return cli_fail("exam replay: %s", rs_error_last());
	char *t = rs_json_dump(out);
	printf("%s\n", t ? t : "{}");
	free(t);
	json_decref(out);
	return CLI_OK;
}

static const struct cli_cmd cli_exam_cmds[] = {
	{ .name = "replay", .summary = "replay a sitting from its stored responses (JSON)", .run = cli_exam_replay },
	{ .name = "seed", .summary = "demo/test centre, window and bookings for today", .run = cli_exam_seed },
	{ .name = "admit", .summary = "admit a booking and print its admission code", .run = cli_exam_admit },
	/* exam packages (item-bank/ib_package.h) */
	{ .name = "packages", .summary = "list the exam packages (id, exam, hash, items, created, state)", .run = cli_exam_packages },
	{ .name = "package", .summary = "activate, retire, compare or show an exam package", .run = cli_exam_package },
};

int cli_cmd_exam(int argc, char **argv)
{
	return cli_dispatch("riss exam", cli_exam_cmds, (int)(sizeof cli_exam_cmds / sizeof cli_exam_cmds[0]), argc, argv);
}
