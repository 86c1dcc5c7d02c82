/* riss log verify: audit the whole transparency log against the database (leaf hashes,
 * credentials against their leaves and signatures, status entries against their last
 * status leaf, signed checkpoints) and report every row changed behind its back. */
#include "cli.h"

#include "reg_issue.h"
#include "rs_config.h"
#include "rs_db.h"
#include "rs_error.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int cli_log_verify(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss log verify [--json]\n\n"
		       "Audit the transparency log against the database: every leaf hash, every credential\n"
		       "against its issuance leaf and its signature (keys_dir JWKS), every status entry against\n"
		       "the last status leaf, every signed checkpoint against the leaves. Exit 0 when all agree,\n"
		       "1 with one line per problem otherwise.\n");
		return CLI_OK;
	}
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			return cli_usage_error("log verify: unknown argument '%s' (see --help)", argv[i]);
	}
	const char *url = rs_config_str("db_url");
	if (!url[0])
		return cli_usage_error("no database configured: set db_url in var/riss.conf or RISS_DB_URL");
	struct reg_keys keys;
	if (reg_keys_load(&keys, rs_config_str("keys_dir"), (int64_t)time(NULL)) != 0)
		return cli_fail("%s", rs_error_last());
	rs_db *db = NULL;
	json_t *rep = NULL;
	int rc = CLI_FAIL;
	if (rs_db_open(&db, url) != 0) {
		cli_fail("%s", rs_error_last());
		goto done;
	}
	/* One snapshot: leaves, credentials and status entries seen at the same instant. */
	if (rs_db_exec_plain(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") != 0 ||
	    reg_log_audit(&rep, db, &keys.jwks, rs_config_str("public_base_url")) != 0) {
		cli_fail("%s", rs_error_last());
		goto done;
	}
	(void)rs_db_exec_plain(db, "COMMIT");
	int ok = json_is_true(json_object_get(rep, "ok"));
	if (json) {
		char *s = json_dumps(rep, JSON_INDENT(2));
		printf("%s\n", s ? s : "{}");
		free(s);
	} else {
		printf("%lld leaves, %lld credentials, %lld checkpoints: %s\n",
		       (long long)json_integer_value(json_object_get(rep, "leaves")),
		       (long long)json_integer_value(json_object_get(rep, "credentials")),
		       (long long)json_integer_value(json_object_get(rep, "checkpoints")),
		       ok ? "the log and the database agree" : "PROBLEMS FOUND");
		size_t i;
		json_t *p;
		json_array_foreach(json_object_get(rep, "problems"), i, p)
			fprintf(stderr, "riss: %s\n", json_string_value(p));
	}
	rc = ok ? CLI_OK : CLI_FAIL;
done:
	json_decref(rep);
	rs_db_close(db);
	reg_keys_free(&keys);
	return rc;
}

static const struct cli_cmd cli_log_cmds[] = {
	{ .name = "verify", .summary = "audit the transparency log against the database", .run = cli_log_verify },
};

int cli_cmd_log(int argc, char **argv)
{
	return cli_dispatch("riss log", cli_log_cmds, (int)(sizeof cli_log_cmds / sizeof cli_log_cmds[0]), argc, argv);
}
