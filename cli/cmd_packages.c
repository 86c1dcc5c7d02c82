/* riss bank publish and riss exam packages|package: exam packages (item-bank/ib_package.h),
 * the one hand-over from the bank to delivery. */
#include "cli.h"

#include "cat.h"
#include "dlv.h"
#include "ib_package.h"
#include "rs_config.h"
#include "rs_db.h"
#include "rs_error.h"
#include "rs_json.h"
#include "rs_util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The actor of this command: "staff:NAME" with --actor, else "cli:<OS user>". */
static void cli_pkg_actor(char *out, size_t cap, const char *name)
{
	if (name) {
		snprintf(out, cap, "staff:%s", name);
		return;
	}
	cli_actor(out, cap);
}

static void cli_pkg_print(const json_t *o)
{
	char *s = rs_json_dump(o);
	printf("%s\n", s ? s : "{}");
	free(s);
}

/* The exam definition of an exam code (the exam_definition setting) or of a file. */
static int cli_pkg_exam_text(char **out, size_t *out_len, const char *exam)
{
	if (strchr(exam, '/') == NULL && strchr(exam, '.') == NULL) {
		if (ib_package_exam_definition(out, out_len, exam) != 0)
			return cli_usage_error("bank publish: %s (give its definition file)", rs_error_last());
		return CLI_OK;
	}
	if (rs_read_file(out, out_len, exam, CAT_EXAM_MAX_BYTES) != 0)
		return cli_usage_error("bank publish: cannot read the exam definition '%s'", exam);
	return CLI_OK;
}

static int cli_pkg_num(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	errno = 0;
	long long v = s ? strtoll(s, &end, 10) : 0;
	if (!s || !*s || *end || errno || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int cli_bank_publish(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss bank publish --exam SG|EXAM.json [--activate] [--strict] [--out FILE] [--json]\n"
		       "                        [--sh-examinees N] [--sh-rounds K] [--actor NAME]\n\n"
		       "Publish an exam package (docs/ARCHITECTURE.md, \"From the bank to the candidate\"): the\n"
		       "bank's operational and pretest items of the exam with their active parameters, as an\n"
		       "immutable document in bank.packages — the engine bank with Sympson-Hetter parameters\n"
		       "computed here by simulation, the candidate views in Japanese and English (no key, no\n"
		       "rationale), the keys, the exam definition, the publisher and the time — and its SHA-256.\n"
		       "Refused (exit 1, the domain named) when the items cannot satisfy the exam's blueprint;\n"
		       "the exposure feasibility check of `riss exposure` is reported, and with --strict a\n"
		       "target the bank cannot meet refuses the package too. Pretest items without parameters\n"
		       "are left out (listed).\n\n"
		       "  --exam SG|FILE     exam code (its definition is the exam_definition setting) or file\n"
		       "  --activate         make it the exam's active package (the previous one is superseded)\n"
		       "  --strict           refuse when the exposure target cannot be met\n"
		       "  --out FILE         also write the package's engine bank (JSON Lines, docs/bank-format.md)\n"
		       "  --sh-examinees N   Sympson-Hetter: candidates simulated per round (default 1000)\n"
		       "  --sh-rounds K      Sympson-Hetter: at most K rounds (default 6)\n"
		       "  --actor NAME       staff user recorded as publisher (default cli:<OS user>)\n"
		       "  --json             print {\"id\",\"exam\",\"sha256\",\"items\",\"operational\",\"pretest\",\n"
		       "                     \"skipped\",\"bank_version\",\"state\",\"feasibility\",\"sympson_hetter\"}\n");
		return CLI_OK;
	}
	const char *exam = NULL, *out_path = NULL, *actor_name = NULL;
	int json = 0, activate = 0, strict = 0;
	long long sh_n = 0, sh_k = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--json") == 0) json = 1;
		else if (strcmp(a, "--activate") == 0) activate = 1;
		else if (strcmp(a, "--strict") == 0) strict = 1;
		else if (strcmp(a, "--exam") == 0 && v) { exam = v; i++; }
		else if (strcmp(a, "--out") == 0 && v) { out_path = v; i++; }
		else if (strcmp(a, "--actor") == 0 && v) { actor_name = v; i++; }
		else if (strcmp(a, "--sh-examinees") == 0 && v) {
			if (cli_pkg_num(v, 10, 1000000, &sh_n))
				return cli_usage_error("bank publish: --sh-examinees must be in 10..1000000");
			i++;
		} else if (strcmp(a, "--sh-rounds") == 0 && v) {
			if (cli_pkg_num(v, 1, 100, &sh_k))
				return cli_usage_error("bank publish: --sh-rounds must be in 1..100");
			i++;
		} else
			return cli_usage_error("bank publish: unknown or incomplete option '%s' (see --help)", a);
	}
	if (!exam)
		return cli_usage_error("bank publish: --exam SG|EXAM.json is required");
	char actor[128];
	cli_pkg_actor(actor, sizeof actor, actor_name);
	char *etext = NULL;
	size_t elen = 0;
	int rc = cli_pkg_exam_text(&etext, &elen, exam);
	if (rc)
		return rc;
	rs_db *db = NULL;
	if ((rc = cli_db_open(&db)) != CLI_OK) {
		free(etext);
		return rc;
	}
	struct ib_publish_opts o = { .exam_text = etext, .exam_len = elen, .sh_examinees = (size_t)sh_n,
	                             .sh_rounds = (int)sh_k, .strict = strict };
	struct ib_publish_result res;
	struct ib_package *pkg = NULL;
	json_t *feas = NULL;
	if (ib_package_publish(&res, db, actor, "cli", &o, NULL) != 0) {
		rc = cli_fail("bank publish: %s", rs_error_last());
		goto done;
	}
	/* The exposure feasibility, as riss exposure reports it. */
	feas = json_array();
	for (int g = 0; g < res.feasibility.ngroups; g++)
		if (res.feasibility.group[g].thin)
			json_array_append_new(feas, json_pack("{s:s, s:i, s:i, s:i}", "group", res.feasibility.group[g].name,
			                                      "items_per_candidate", res.feasibility.group[g].need, "usable_items",
			                                      res.feasibility.group[g].have, "items_needed",
			                                      res.feasibility.group[g].have_needed));
	if (!res.feasibility.feasible && !json) {
		char pct[16], groups[16];
		snprintf(pct, sizeof pct, "%.1f", 100 * res.feasibility.min_max_exposure);
		snprintf(groups, sizeof groups, "%zu", json_array_size(feas));
		cli_say("riss: ", "clifeas.publish_unmet", (const char *const[]){ pct, groups, NULL });
	}
	if (activate && ib_package_activate(db, actor, "cli", res.id, NULL) != 0) {
		rc = cli_fail("bank publish: package %lld published but not activated: %s", res.id, rs_error_last());
		goto done;
	}
	if (out_path) {
		/* The engine bank as stored, read back through the verified load. */
		if (ib_package_load(&pkg, db, res.id) != 0) {
			rc = cli_fail("bank publish: %s", rs_error_last());
			goto done;
		}
		FILE *f = fopen(out_path, "w");
		char line[CAT_BANK_MAX_LINE];
		int bad = !f;
		for (size_t i = 0; f && i < pkg->bank->n; i++) {
			int l = cat_bank_item_format(line, sizeof line, &pkg->bank->items[i]);
			bad |= l < 0 || fwrite(line, 1, (size_t)l, f) != (size_t)l;
		}
		if (f)
			bad |= fclose(f) != 0;
		if (bad) {
			rc = cli_fail("bank publish: cannot write %s", out_path);
			goto done;
		}
	}
	if (json) {
		json_t *j = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:O, s:s, s:s, s:{s:b, s:f, s:o}, s:{s:i, s:f, s:b}}",
		                      "id", (json_int_t)res.id, "exam", exam, "sha256", res.sha256, "items", (json_int_t)res.items,
		                      "operational", (json_int_t)res.operational, "pretest", (json_int_t)res.pretest, "skipped",
		                      res.skipped, "bank_version", res.bank_version, "state", activate ? "active" : "published",
		                      "feasibility", "feasible", res.feasibility.feasible, "min_max_exposure",
		                      res.feasibility.min_max_exposure, "thin", feas, "sympson_hetter", "rounds", res.sh.rounds,
		                      "max_exposure", res.sh.max_exposure, "reached", res.sh.reached);
		feas = NULL;
		if (out_path)
			json_object_set_new(j, "out", json_string(out_path));
		cli_pkg_print(j);
		json_decref(j);
	} else {
		printf("published package %lld of exam %s: %zu items (%zu operational, %zu pretest), sha256 %s%s\n", res.id,
		       exam, res.items, res.operational, res.pretest, res.sha256, activate ? ", active" : "");
	}
	rc = CLI_OK;
done:
	json_decref(feas);
	ib_package_free(pkg);
	ib_publish_result_clear(&res);
	free(etext);
	rs_db_close(db);
	return rc;
}

/* ---------------------------------------------------------------------------------- */

int cli_exam_packages(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss exam packages [--exam CODE] [--json]\n\n"
		       "List the exam packages, newest first: id, exam, SHA-256, item count, created, state\n"
		       "(published, active, superseded, retired).\n");
		return CLI_OK;
	}
	const char *exam = NULL;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) json = 1;
		else if (strcmp(argv[i], "--exam") == 0 && i + 1 < argc) exam = argv[++i];
		else return cli_usage_error("exam packages: unknown option '%s' (see --help)", argv[i]);
	}
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	json_t *out = NULL;
	rc = ib_package_list(&out, db, exam);
	rs_db_close(db);
	if (rc)
		return cli_fail("exam packages: %s", rs_error_last());
	if (json) {
		cli_pkg_print(out);
	} else {
		size_t i;
		json_t *p;
		printf("%-6s %-6s %-64s %6s  %-20s  %s\n", "id", "exam", "sha256", "items", "created", "state");
		json_array_foreach(json_object_get(out, "packages"), i, p)
			printf("%-6lld %-6s %-64s %6lld  %-20s  %s\n", (long long)json_integer_value(json_object_get(p, "id")),
			       json_string_value(json_object_get(p, "exam")), json_string_value(json_object_get(p, "sha256")),
			       (long long)json_integer_value(json_object_get(p, "items")),
			       json_string_value(json_object_get(p, "created_at")), json_string_value(json_object_get(p, "state")));
	}
	json_decref(out);
	return CLI_OK;
}

int cli_exam_package(int argc, char **argv)
{
	if (cli_wants_help(argc, argv) || argc < 3) {
		printf("usage: riss exam package activate|retire ID [--actor NAME]\n"
		       "       riss exam package activate ID --window WINDOW_ID [--actor NAME]\n"
		       "       riss exam package compare A B\n"
		       "       riss exam package show ID [--keys] [--actor NAME]\n\n"
		       "activate: make package ID its exam's active package (the one new windows use; the\n"
		       "previous one becomes superseded: windows given it keep it; an active package is never\n"
		       "edited, only superseded); with\n"
		       "--window, the package the window's sittings use from now on (sittings already\n"
		       "admitted keep theirs).\n"
		       "retire: no new window or sitting may use it. compare: items added and removed,\n"
		       "parameters changed, content changed from A to B (JSON). show: the candidate views\n"
		       "(and keys with --keys) as JSON; the read is audited. Every package is checked against\n"
		       "its SHA-256 first.\n");
		return argc < 3 && !cli_wants_help(argc, argv) ? CLI_USAGE : CLI_OK;
	}
	const char *verb = argv[1], *actor_name = NULL;
	long long a = 0, b = 0, window = 0;
	int keys = 0;
	if (cli_pkg_num(argv[2], 1, INT64_MAX, &a))
		return cli_usage_error("exam package %s: '%s' is not a package id", verb, argv[2]);
	int i = 3;
	if (strcmp(verb, "compare") == 0) {
		if (argc < 4 || cli_pkg_num(argv[3], 1, INT64_MAX, &b))
			return cli_usage_error("exam package compare: give two package ids");
		i = 4;
	}
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--keys") == 0) keys = 1;
		else if (strcmp(argv[i], "--window") == 0 && i + 1 < argc && strcmp(verb, "activate") == 0) {
			if (cli_pkg_num(argv[++i], 1, INT64_MAX, &window))
				return cli_usage_error("exam package activate: '%s' is not a window id", argv[i]);
		}
		else if (strcmp(argv[i], "--actor") == 0 && i + 1 < argc) actor_name = argv[++i];
		else return cli_usage_error("exam package %s: unknown option '%s'", verb, argv[i]);
	}
	if (strcmp(verb, "activate") && strcmp(verb, "retire") && strcmp(verb, "compare") && strcmp(verb, "show"))
		return cli_usage_error("exam package: unknown action '%s' (activate, retire, compare, show)", verb);
	char actor[128];
	cli_pkg_actor(actor, sizeof actor, actor_name);
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	json_t *out = NULL;
	struct dlv_actor who = { .actor = actor, .role = "cli" };
	if (window)
		rc = dlv_window_package(&out, db, &who, window, a);
	else if (strcmp(verb, "activate") == 0)
		rc = ib_package_activate(db, actor, "cli", a, NULL);
	else if (strcmp(verb, "retire") == 0)
		rc = dlv_package_retire(db, &who, a); /* refused while an open window names it */
	else if (strcmp(verb, "compare") == 0)
		rc = ib_package_compare(&out, db, a, b);
	else
		rc = ib_package_read(&out, db, actor, "cli", a, keys, NULL);
	rs_db_close(db);
	if (rc) {
		json_decref(out);
		return cli_fail("exam package %s: %s", verb, rs_error_last());
	}
	if (out)
		cli_pkg_print(out);
	else
		printf("package %lld: %s\n", a, strcmp(verb, "activate") == 0 ? "active" : "retired");
	json_decref(out);
	return CLI_OK;
}
