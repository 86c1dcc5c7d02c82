/* riss bank validate|import|export|publish: the item interchange format (docs/item-format.md)
 * in and out of the bank, and the engine's bank file (docs/bank-format.md) out of it. */
#include "cli.h"

#include "cat.h"
#include "ib_items.h"
#include "ib_store.h"
#include "rs_config.h"
#include "rs_db.h"
#include "rs_error.h"
#include "rs_util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The audit actor of this command: "staff:NAME" with --actor, else "cli:<OS user>". */
static void cli_bio_actor(char *out, size_t cap, const char *name)
{
	if (name) {
		snprintf(out, cap, "staff:%s", name);
		return;
	}
	cli_actor(out, cap);
}

static int cli_bio_actor_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
		      ch == '_' || ch == '-' || ch == '@'))
			return 0;
	}
	return 1;
}

/* Read an item file ("-" = stdin) with the format's size bound. */
static int cli_bio_read(char **out, size_t *out_len, const char *path)
{
	int rc = rs_read_file(out, out_len, path, IB_ITEMS_MAX_BYTES);
	if (rc == RS_ETOOBIG)
		return cli_usage_error("%s: over the %zu-byte bound of an item file", strcmp(path, "-") ? path : "stdin",
		                       IB_ITEMS_MAX_BYTES);
	if (rc == RS_ENOMEM)
		return cli_fail("out of memory");
	if (rc)
		return cli_usage_error("%s: cannot read: %s", path, rs_error_last());
	return CLI_OK;
}

static json_t *cli_bio_diags_json(const struct ib_diags *d, int warnings)
{
	json_t *a = json_array();
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].warning == warnings)
			json_array_append_new(a, json_pack("{s:i,s:s}", "line", d->v[i].line, "message", d->v[i].msg));
	return a;
}

static void cli_bio_print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s) {
		puts(s);
		free(s);
	}
}

/* Parse options shared by the subcommands: returns index of the first positional or -1. */
struct cli_bio_opts {
	int json;
	const char *actor, *status, *exam, *out;
	const char *file;
};

static int cli_bio_parse(struct cli_bio_opts *o, int argc, char **argv, const char *cmd, const char *allowed)
{
	memset(o, 0, sizeof *o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int takes = strcmp(a, "--actor") == 0 || strcmp(a, "--status") == 0 || strcmp(a, "--exam") == 0 ||
		            strcmp(a, "--out") == 0;
		if ((strncmp(a, "--", 2) == 0 && !strstr(allowed, a)) || (takes && i + 1 >= argc))
			return cli_usage_error("bank %s: unknown or incomplete option '%s' (see --help)", cmd, a);
		if (strcmp(a, "--json") == 0) o->json = 1;
		else if (strcmp(a, "--actor") == 0) o->actor = argv[++i];
		else if (strcmp(a, "--status") == 0) o->status = argv[++i];
		else if (strcmp(a, "--exam") == 0) o->exam = argv[++i];
		else if (strcmp(a, "--out") == 0) o->out = argv[++i];
		else if (a[0] == '-' && a[1] != 0)
			return cli_usage_error("bank %s: unknown option '%s' (see --help)", cmd, a);
		else if (o->file)
			return cli_usage_error("bank %s: one file only (got '%s' and '%s')", cmd, o->file, a);
		else
			o->file = a;
	}
	return CLI_OK;
}

/* ---------------------------------------------------------------------------------- */

int cli_bank_validate(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss bank validate FILE [--json]\n\n"
		       "Check an item file (JSON Lines, docs/item-format.md; FILE may be - for stdin) without\n"
		       "touching the database. Every bad line is reported on stderr as FILE:LINE: member: problem;\n"
		       "warnings (unusual parameters) do not make the file invalid. Exit 0 when the file is valid,\n"
		       "2 when any line is bad.\n\n"
		       "  --json   print {\"file\", \"valid\", \"items\", \"scenarios\", \"errors\": [{\"line\",\n"
		       "           \"message\"}], \"warnings\": [...]} on stdout instead\n");
		return CLI_OK;
	}
	struct cli_bio_opts o;
	int rc = cli_bio_parse(&o, argc, argv, "validate", "--json");
	if (rc)
		return rc;
	if (!o.file)
		return cli_usage_error("bank validate: give the item file to check (see --help)");
	char *buf = NULL;
	size_t len = 0;
	if ((rc = cli_bio_read(&buf, &len, o.file)) != CLI_OK)
		return rc;
	struct ib_diags d = { 0 };
	struct ib_itemset *set = NULL;
	int prc = ib_items_parse(&set, &d, buf, len, 0);
	free(buf);
	if (prc == RS_ENOMEM) {
		ib_diags_free(&d);
		return cli_fail("out of memory");
	}
	if (o.json) {
		json_t *j = json_pack("{s:s,s:b,s:I,s:I,s:o,s:o}", "file", o.file, "valid", prc == 0, "items",
		                      (json_int_t)(set ? set->n_items : 0), "scenarios", (json_int_t)(set ? set->n_scenarios : 0),
		                      "errors", cli_bio_diags_json(&d, 0), "warnings", cli_bio_diags_json(&d, 1));
		cli_bio_print_json(j);
		json_decref(j);
	} else {
		ib_diags_print(&d, o.file, stderr);
		if (prc == 0)
			printf("%s: valid: %zu items, %zu scenarios, %zu warning(s)\n", o.file, set->n_items, set->n_scenarios,
			       d.n_warnings);
		else
			fprintf(stderr, "riss: %s: %zu bad line(s); the file is not valid\n", o.file, d.n_errors);
	}
	ib_diags_free(&d);
	ib_itemset_free(set);
	return prc == 0 ? CLI_OK : CLI_USAGE;
}

int cli_bank_import(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss bank import FILE [--actor NAME] [--json]\n\n"
		       "Validate an item file (docs/item-format.md) and import it into the bank in one\n"
		       "transaction: if any line is bad, or conflicts with the bank (older version, changed text\n"
		       "without a new version, illegal lifecycle step, unknown enemy), every such line is\n"
		       "reported and nothing is imported (exit 2). Importing the same file again changes nothing.\n"
		       "New items and status changes are recorded in the lifecycle history with the actor;\n"
		       "parameters that differ from the active ones become active (source \"import\").\n\n"
		       "  --actor NAME   staff user name recorded as the actor (default: cli:<OS user>)\n"
		       "  --json         print the counts as JSON on stdout\n");
		return CLI_OK;
	}
	struct cli_bio_opts o;
	int rc = cli_bio_parse(&o, argc, argv, "import", "--json --actor");
	if (rc)
		return rc;
	if (!o.file)
		return cli_usage_error("bank import: give the item file to import (see --help)");
	if (o.actor && !cli_bio_actor_ok(o.actor))
		return cli_usage_error("bank import: --actor must be 1-64 bytes of [A-Za-z0-9._@-]");
	char actor[128];
	cli_bio_actor(actor, sizeof actor, o.actor);
	char *buf = NULL;
	size_t len = 0;
	if ((rc = cli_bio_read(&buf, &len, o.file)) != CLI_OK)
		return rc;
	struct ib_diags d = { 0 };
	struct ib_itemset *set = NULL;
	int prc = ib_items_parse(&set, &d, buf, len, IB_ITEMS_ENEMY_EXTERNAL);
	free(buf);
	ib_diags_print(&d, o.file, stderr);
	if (prc) {
		if (prc != RS_ENOMEM)
			fprintf(stderr, "riss: %s: %zu bad line(s); nothing imported\n", o.file, d.n_errors);
		ib_diags_free(&d);
		return prc == RS_ENOMEM ? cli_fail("out of memory") : CLI_USAGE;
	}
	ib_diags_free(&d);
	rs_db *db = NULL;
	if ((rc = cli_db_open(&db)) != CLI_OK) {
		ib_itemset_free(set);
		return rc;
	}
	struct ib_store_import_stats st;
	int irc = ib_store_import(&st, db, actor, "cli", set, &d);
	if (irc == RS_EINVAL && d.n_errors) {
		ib_diags_print(&d, o.file, stderr);
		fprintf(stderr, "riss: %s: %zu line(s) conflict with the bank; nothing imported\n", o.file, d.n_errors);
		rc = CLI_USAGE;
	} else if (irc) {
		rc = cli_fail("bank import: %s", rs_error_last());
	} else if (o.json) {
		json_t *j = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "file", o.file, "items_new", (json_int_t)st.items_new,
		                      "items_updated", (json_int_t)st.items_updated, "items_unchanged", (json_int_t)st.items_same,
		                      "scenarios_new", (json_int_t)st.scenarios_new, "scenarios_updated",
		                      (json_int_t)st.scenarios_updated, "scenarios_unchanged", (json_int_t)st.scenarios_same,
		                      "params_new", (json_int_t)st.params_new, "transitions", (json_int_t)st.transitions);
		cli_bio_print_json(j);
		json_decref(j);
	} else {
		printf("imported %s: items %zu new, %zu updated, %zu unchanged; scenarios %zu new, %zu updated, %zu "
		       "unchanged; %zu parameter set(s) activated; %zu lifecycle step(s) recorded\n",
		       o.file, st.items_new, st.items_updated, st.items_same, st.scenarios_new, st.scenarios_updated,
		       st.scenarios_same, st.params_new, st.transitions);
	}
	ib_diags_free(&d);
	ib_itemset_free(set);
	rs_db_close(db);
	return rc;
}

/* Write to path atomically (temporary file + rename), or to stdout when path is NULL. */
static int cli_bio_write_out(const char *path, const char *data, size_t len)
{
	if (!path) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
			return cli_fail("cannot write to stdout");
		return CLI_OK;
	}
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof tmp)
		return cli_usage_error("--out path too long");
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return cli_fail("cannot create %s: %s", tmp, strerror(errno));
	int bad = fwrite(data, 1, len, f) != len;
	bad |= fflush(f) != 0;
	bad |= fsync(fileno(f)) != 0;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path) != 0) {
		unlink(tmp);
		return cli_fail("cannot write %s: %s", path, strerror(errno));
	}
	return CLI_OK;
}

int cli_bank_export(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss bank export [--status S] [--actor NAME] [--out FILE]\n\n"
		       "Write the bank's items (all, or those with status S: draft, review, pretest, operational,\n"
		       "retired) with their scenarios, active parameters and enemies in the canonical item format\n"
		       "(docs/item-format.md) to stdout or FILE. Importing a canonical file and exporting it\n"
		       "gives the same bytes. The read is recorded in the audit trail (bank.items.export).\n");
		return CLI_OK;
	}
	struct cli_bio_opts o;
	int rc = cli_bio_parse(&o, argc, argv, "export", "--status --actor --out");
	if (rc)
		return rc;
	if (o.file)
		return cli_usage_error("bank export: unexpected argument '%s' (write with --out FILE or > FILE)", o.file);
	if (o.status && ib_items_status_ok(o.status))
		return cli_usage_error("bank export: --status must be draft, review, pretest, operational or retired");
	if (o.actor && !cli_bio_actor_ok(o.actor))
		return cli_usage_error("bank export: --actor must be 1-64 bytes of [A-Za-z0-9._@-]");
	char actor[128];
	cli_bio_actor(actor, sizeof actor, o.actor);
	rs_db *db = NULL;
	if ((rc = cli_db_open(&db)) != CLI_OK)
		return rc;
	struct ib_itemset *set = NULL;
	char *data = NULL;
	size_t len = 0;
	if (ib_store_export(&set, db, actor, "cli", o.status, NULL) != 0) {
		rc = cli_fail("bank export: %s", rs_error_last());
		goto done;
	}
	FILE *mf = open_memstream(&data, &len);
	if (!mf || ib_items_write(mf, set) != 0) {
		if (mf)
			fclose(mf);
		rc = cli_fail("bank export: %s", rs_error_last());
		goto done;
	}
	fclose(mf);
	rc = cli_bio_write_out(o.out, data, len);
	if (rc == CLI_OK && o.out)
		fprintf(stderr, "exported %zu items, %zu scenarios to %s\n", set->n_items, set->n_scenarios, o.out);
done:
	free(data);
	ib_itemset_free(set);
	rs_db_close(db);
	return rc;
}
