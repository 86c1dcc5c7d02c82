/* riss provider: approve training providers and manage their API keys (add, list,
 * rotate-key, suspend, reinstate, period). The key is printed once and stored as a hash. */
#include "cli.h"

#include "cpd.h"
#include "cpd_lrs.h"
#include "rs_config.h"
#include "rs_db.h"
#include "rs_error.h"
#include "rs_json.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void cli_provider_actor(struct cpd_actor *who, char *buf, size_t n)
{
	cli_actor(buf, n);
	who->actor = buf;
	who->role = "system";
	who->request_id = NULL;
}

/* Print o as JSON (--json) or as the text of fn; frees o. */
static int cli_provider_print(json_t *o, int as_json, void (*text)(const json_t *o))
{
	if (as_json) {
		char *s = rs_json_dump(o);
		if (s)
			puts(s);
		free(s);
	} else {
		text(o);
	}
	json_decref(o);
	return CLI_OK;
}

static void cli_provider_key_text(const json_t *o)
{
	printf("provider %lld: API key (shown only now; keep it safe):\n%s\n",
	       (long long)json_integer_value(json_object_get(o, "provider_id")),
	       json_string_value(json_object_get(o, "api_key")));
	const json_t *x = json_object_get(o, "xapi");
	if (x)
		printf("xAPI (Learning Record Store, HTTP Basic; shown only now):\n  endpoint %s\n  username %s\n  password %s\n",
		       json_string_value(json_object_get(x, "endpoint")), json_string_value(json_object_get(x, "username")),
		       json_string_value(json_object_get(x, "password")));
}

static void cli_provider_row_text(const json_t *p)
{
	const char *until = json_string_value(json_object_get(p, "approved_until"));
	printf("%-4lld %-9s %-10s %-10s %-8s %s / %s%s\n", (long long)json_integer_value(json_object_get(p, "provider_id")),
	       json_string_value(json_object_get(p, "state")), json_string_value(json_object_get(p, "approved_from")),
	       until ? until : "-", json_string_value(json_object_get(p, "key_hint")),
	       json_string_value(json_object_get(p, "name_ja")), json_string_value(json_object_get(p, "name_en")),
	       json_is_true(json_object_get(p, "is_agency")) ? " (agency)" : "");
}

static void cli_provider_list_text(const json_t *arr)
{
	size_t i;
	json_t *p;
	json_array_foreach(arr, i, p)
		cli_provider_row_text(p);
}

/* Map a module error to an exit code, with one line. */
static int cli_provider_fail(int rc)
{
	return rc == RS_EINVAL || rc == RS_ENOTFOUND || rc == RS_EEXIST || rc == RS_ESTATE
		? cli_usage_error("%s", rs_error_last()) : cli_fail("%s", rs_error_last());
}

static int cli_provider_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name-en", required_argument, NULL, 'e' }, { "from", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' }, { "contact", required_argument, NULL, 'c' },
		{ "email", required_argument, NULL, 'm' }, { "phone", required_argument, NULL, 'p' },
		{ "agency", no_argument, NULL, 'a' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct cpd_provider_new p = { 0 };
	int as_json = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'e': p.name_en = optarg; break;
		case 'f': p.approved_from = optarg; break;
		case 'u': p.approved_until = optarg; break;
		case 'c': p.contact_name = optarg; break;
		case 'm': p.contact_email = optarg; break;
		case 'p': p.contact_phone = optarg; break;
		case 'a': p.is_agency = 1; break;
		case 'j': as_json = 1; break;
		case 'h':
			printf("usage: riss provider add NAME [--name-en NAME] [--from DATE] [--until DATE]\n"
			       "                         [--contact NAME] [--email ADDR] [--phone NUMBER] [--agency] [--json]\n\n"
			       "Approve a training provider (NAME in Japanese; --name-en defaults to NAME) for the\n"
			       "period --from (default today, Japan time) .. --until (default open-ended) and create\n"
			       "its API key. The key is printed once and only its SHA-256 is stored. --agency marks\n"
			       "the agency's own training arm (its practical course needs no 特定講習 designation).\n"
			       "--json prints {\"provider_id\", \"api_key\", \"key_hint\", \"xapi\": {\"endpoint\",\n"
			       "\"username\", \"password\"}} (the xAPI credential of the LMS, HTTP Basic at /xapi/).\n");
			return CLI_OK;
		default:
			return cli_usage_error("provider add: unknown option '%s' (see riss provider add --help)", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("provider add needs one NAME (see riss provider add --help)");
	p.name_ja = argv[optind];
	if (!p.name_en)
		p.name_en = p.name_ja;
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	struct cpd_actor who;
	char buf[64];
	cli_provider_actor(&who, buf, sizeof buf);
	json_t *out = NULL;
	int e = cpd_provider_add(&out, db, &who, &p);
	rs_db_close(db);
	if (e != 0)
		return cli_provider_fail(e);
	cpd_lrs_endpoint_set(out, rs_config_str("public_base_url"));
	return cli_provider_print(out, as_json, cli_provider_key_text);
}

static int cli_provider_list(int argc, char **argv)
{
	int as_json = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: riss provider list [--json]\n\nList providers: id, state, approval period, key hint, names.\n");
			return CLI_OK;
		}
		if (strcmp(argv[i], "--json") != 0)
			return cli_usage_error("provider list: unknown argument '%s'", argv[i]);
		as_json = 1;
	}
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	json_t *arr = NULL;
	int e = cpd_provider_list(&arr, db);
	rs_db_close(db);
	if (e != 0)
		return cli_provider_fail(e);
	return cli_provider_print(arr, as_json, cli_provider_list_text);
}

/* The one operand left after the options (argv[optind]) as a provider id, or 0. */
static long long cli_provider_id(int argc, char **argv)
{
	char *end = NULL;
	long long id = optind == argc - 1 ? strtoll(argv[optind], &end, 10) : 0;
	return end && !*end && id > 0 ? id : 0;
}

/* rotate-key, suspend, reinstate, period: ID and options. */
static int cli_provider_change(int argc, char **argv)
{
	const char *what = argv[0];
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' }, { "from", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *reason = NULL, *from = NULL, *until = NULL;
	int as_json = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': reason = optarg; break;
		case 'f': from = optarg; break;
		case 'u': until = optarg; break;
		case 'j': as_json = 1; break;
		case 'h':
			if (strcmp(what, "rotate-key") == 0)
				printf("usage: riss provider rotate-key ID [--json]\n\nA new API key for provider ID (printed once); "
				       "the old key stops working at once.\nThe provider's xAPI credential (HTTP Basic at /xapi/) is replaced too and printed once.\n");
			else if (strcmp(what, "suspend") == 0)
				printf("usage: riss provider suspend ID --reason TEXT [--json]\n\nSuspend provider ID: its key is "
				       "refused until it is reinstated.\n");
			else if (strcmp(what, "reinstate") == 0)
				printf("usage: riss provider reinstate ID [--json]\n\nLift a suspension.\n");
			else
				printf("usage: riss provider period ID --from DATE [--until DATE] [--json]\n\nSet the approval "
				       "period (no --until: open-ended). Completions outside it count for nothing.\n");
			return CLI_OK;
		default:
			return cli_usage_error("provider %s: unknown option '%s'", what, argv[optind - 1]);
		}
	}
	long long id = cli_provider_id(argc, argv);
	if (id < 1)
		return cli_usage_error("provider %s needs one provider ID (a number; see riss provider list)", what);
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	struct cpd_actor who;
	char buf[64];
	cli_provider_actor(&who, buf, sizeof buf);
	json_t *out = NULL;
	int e;
	void (*text)(const json_t *) = cli_provider_row_text;
	if (strcmp(what, "rotate-key") == 0) {
		e = cpd_provider_rotate_key(&out, db, &who, id);
		text = cli_provider_key_text;
	} else if (strcmp(what, "suspend") == 0) {
		e = cpd_provider_suspend(&out, db, &who, id, reason);
	} else if (strcmp(what, "reinstate") == 0) {
		e = cpd_provider_reinstate(&out, db, &who, id);
	} else {
		e = cpd_provider_set_period(&out, db, &who, id, from, until);
	}
	rs_db_close(db);
	if (e != 0)
		return cli_provider_fail(e);
	cpd_lrs_endpoint_set(out, rs_config_str("public_base_url"));
	return cli_provider_print(out, as_json, text);
}

/* ---- keys for signed xAPI statements (xapi): set-key, keys, remove-key ---- */

static void cli_provider_keys_text(const json_t *o)
{
	const json_t *keys = json_object_get(o, "keys");
	if (!keys) { /* set-key's answer */
		printf("provider %lld: key %s registered (%lld-bit RSA, thumbprint %s)\n",
		       (long long)json_integer_value(json_object_get(o, "provider_id")),
		       json_string_value(json_object_get(o, "kid")), (long long)json_integer_value(json_object_get(o, "bits")),
		       json_string_value(json_object_get(o, "thumbprint")));
		return;
	}
	size_t i;
	const json_t *k;
	if (json_array_size(keys) == 0)
		printf("provider %lld: no keys: signed statements without x5c are not verified\n",
		       (long long)json_integer_value(json_object_get(o, "provider_id")));
	json_array_foreach(keys, i, k)
		printf("%-44s %5lld-bit  %s  %s\n", json_string_value(json_object_get(k, "kid")),
		       (long long)json_integer_value(json_object_get(k, "bits")),
		       json_string_value(json_object_get(k, "thumbprint")), json_string_value(json_object_get(k, "created_at")));
}

/* The JWK text of FILE ("-": standard input), at most CPD_LRS_JWK_MAX bytes; NULL with a message. */
static char *cli_provider_read_jwk(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		cli_usage_error("cannot open '%s'", path);
		return NULL;
	}
	char *buf = malloc(CPD_LRS_JWK_MAX + 2);
	size_t n = buf ? fread(buf, 1, CPD_LRS_JWK_MAX + 1, f) : 0;
	if (f != stdin)
		fclose(f);
	if (!buf || n > CPD_LRS_JWK_MAX) {
		free(buf);
		cli_usage_error("'%s' is larger than %d bytes: not a JWK", path, CPD_LRS_JWK_MAX);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static int cli_provider_keys(int argc, char **argv)
{
	const char *what = argv[0];
	static const struct option opts[] = {
		{ "jwk", required_argument, NULL, 'k' }, { "kid", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *jwk_path = NULL, *kid = NULL;
	int as_json = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k': jwk_path = optarg; break;
		case 'i': kid = optarg; break;
		case 'j': as_json = 1; break;
		case 'h':
			if (strcmp(what, "set-key") == 0)
				printf("usage: riss provider set-key ID --jwk FILE [--json]\n\nRegister the RSA public key in FILE (a JWK "
				       "{\"kty\": \"RSA\", \"n\", \"e\", \"kid\"?}, 2048-8192 bits; \"-\" reads standard input)\n"
				       "for provider ID's signed xAPI statements: a JWS without x5c must then verify with one of\n"
				       "its keys (the JWS header's kid picks one), else the statement is refused (400).\n"
				       "The kid is the JWK's, else its RFC 7638 thumbprint. At most %d keys.\n", CPD_LRS_KEYS_MAX);
			else if (strcmp(what, "keys") == 0)
				printf("usage: riss provider keys ID [--json]\n\nList provider ID's keys for signed statements.\n");
			else
				printf("usage: riss provider remove-key ID --kid KID [--json]\n\nRemove one of provider ID's keys.\n");
			return CLI_OK;
		default:
			return cli_usage_error("provider %s: unknown option '%s'", what, argv[optind - 1]);
		}
	}
	long long id = cli_provider_id(argc, argv);
	if (id < 1)
		return cli_usage_error("provider %s needs one provider ID (a number; see riss provider list)", what);
	if (strcmp(what, "set-key") == 0 && !jwk_path)
		return cli_usage_error("provider set-key needs --jwk FILE (see riss provider set-key --help)");
	if (strcmp(what, "remove-key") == 0 && !kid)
		return cli_usage_error("provider remove-key needs --kid KID (see riss provider keys ID)");
	char *jwk = jwk_path ? cli_provider_read_jwk(jwk_path) : NULL;
	if (jwk_path && !jwk)
		return CLI_USAGE;
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK) {
		free(jwk);
		return rc;
	}
	struct cpd_actor who;
	char buf[64];
	cli_provider_actor(&who, buf, sizeof buf);
	json_t *out = NULL;
	int e;
	if (strcmp(what, "set-key") == 0) {
		e = cpd_lrs_key_set(&out, db, &who, id, jwk);
	} else if (strcmp(what, "remove-key") == 0) {
		e = cpd_lrs_key_remove(db, &who, id, kid);
		if (e == 0)
			e = cpd_lrs_key_list(&out, db, id);
	} else {
		e = cpd_lrs_key_list(&out, db, id);
	}
	free(jwk);
	rs_db_close(db);
	if (e != 0)
		return cli_provider_fail(e);
	return cli_provider_print(out, as_json, cli_provider_keys_text);
}

static const struct cli_cmd cli_provider_cmds[] = {
	{ .name = "add", .summary = "approve a provider and print its API key once", .run = cli_provider_add },
	{ .name = "list", .summary = "list providers", .run = cli_provider_list },
	{ .name = "rotate-key", .summary = "replace a provider's API key and xAPI credential", .run = cli_provider_change },
	{ .name = "suspend", .summary = "suspend a provider (its key is refused)", .run = cli_provider_change },
	{ .name = "reinstate", .summary = "lift a suspension", .run = cli_provider_change },
	{ .name = "period", .summary = "set the approval period", .run = cli_provider_change },
	/* keys for signed xAPI statements (xapi) */
	{ .name = "set-key", .summary = "register an RSA public key (JWK) for signed xAPI statements", .run = cli_provider_keys },
	{ .name = "keys", .summary = "list a provider's keys for signed xAPI statements", .run = cli_provider_keys },
	{ .name = "remove-key", .summary = "remove a key for signed xAPI statements", .run = cli_provider_keys },
};

int cli_cmd_provider(int argc, char **argv)
{
	return cli_dispatch("riss provider", cli_provider_cmds, (int)(sizeof cli_provider_cmds / sizeof cli_provider_cmds[0]),
	                    argc, argv);
}
