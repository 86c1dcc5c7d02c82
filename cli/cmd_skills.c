/* riss skills: load a framework release (NIST's JSON export) and a mapping set, show a
 * registrant's skill profile and the agency's counts per claim; riss credential export-ob3:
 * the registration as an Open Badges 3.0 AchievementCredential (compact VC-JWT). */
#include "cli.h"

#include "cert_signd.h"
#include "cpd_skills.h"
#include "reg_issue.h"
#include "rs_config.h"
#include "rs_db.h"
#include "rs_error.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The whole of path (or stdin for "-"), at most max bytes. Caller frees *out. */
static int cli_sk_read(char **out, size_t *out_len, const char *path, size_t max)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		rs_error_set("cannot open %s: %s", path, strerror(errno));
		return RS_EIO;
	}
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	int rc = buf ? 0 : RS_ENOMEM;
	while (rc == 0) {
		if (n == cap) {
			if (cap > max) {
				rs_error_set("%s is larger than %zu bytes", path, max);
				rc = RS_ETOOBIG;
				break;
			}
			char *nb = realloc(buf, cap * 2 + 1);
			if (!nb) {
				rc = RS_ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (f != stdin)
		fclose(f);
	if (rc == 0 && n > max) {
		rs_error_set("%s is larger than %zu bytes", path, max);
		rc = RS_ETOOBIG;
	}
	if (rc != 0) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	return 0;
}

static void cli_sk_print(json_t *o)
{
	char *s = json_dumps(o, JSON_INDENT(2));
	printf("%s\n", s ? s : "{}");
	free(s);
}

/* Read file (at most max bytes), open the database and run fn on the text: CLI_OK with *out
 * set, or the exit code after one line on stderr (bad input is a usage error). */
static int cli_sk_load(json_t **out, const char *file, size_t max,
                       int (*fn)(json_t **out, rs_db *db, const char *text, size_t len, const void *ctx),
                       const void *ctx)
{
	char *text = NULL;
	size_t len = 0;
	if (cli_sk_read(&text, &len, file, max) != 0)
		return cli_fail("%s", rs_error_last());
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK) {
		free(text);
		return rc;
	}
	rc = fn(out, db, text, len, ctx);
	free(text);
	rs_db_close(db);
	if (rc == RS_EINVAL || rc == RS_EPARSE || rc == RS_ETOOBIG || rc == RS_EEXIST)
		return cli_usage_error("%s: %s", file, rs_error_last());
	if (rc != 0)
		return cli_fail("%s", rs_error_last());
	return CLI_OK;
}

struct cli_sk_import_ctx {
	const char *framework, *url;
	int verified;
};

static int cli_sk_import_fn(json_t **out, rs_db *db, const char *text, size_t len, const void *ctx)
{
	const struct cli_sk_import_ctx *c = ctx;
	return cpd_skills_import(out, db, c->framework, c->url, c->verified, text, len, "cli:riss");
}

static int cli_sk_map_fn(json_t **out, rs_db *db, const char *text, size_t len, const void *ctx)
{
	(void)ctx;
	return cpd_skills_map_load(out, db, text, len, "cli:riss");
}

static int cli_sk_import(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss skills import FILE --source-url URL [--framework CODE] [--verified] [--json]\n\n"
		       "Load a framework release from NIST's JSON export (the form of the NICE Framework\n"
		       "Components: documents, elements, relationship_types, relationships; bare or under\n"
		       "\"response\".\"elements\") as a new version of framework CODE (default nice). The version is\n"
		       "the document's \"version\"; URL is where the file was published. A malformed release is\n"
		       "refused with its line and field, and nothing is loaded. For a framework whose licence\n"
		       "allows only identifiers and names (SFIA), statement texts are dropped.\n"
		       "--verified records that FILE is the publisher's own release (e.g. downloaded from NIST's\n"
		       "data site); without it the release and its rows show as 未検証/unverified.\n");
		return CLI_OK;
	}
	const char *file = NULL, *url = NULL, *fw = "nice";
	int json = 0, verified = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--source-url") == 0 && i + 1 < argc)
			url = argv[++i];
		else if (strcmp(argv[i], "--framework") == 0 && i + 1 < argc)
			fw = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--verified") == 0)
			verified = 1;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_usage_error("skills import: unknown or incomplete option '%s' (see --help)", argv[i]);
		else if (!file)
			file = argv[i];
		else
			return cli_usage_error("skills import: one FILE only");
	}
	if (!file || !url)
		return cli_usage_error("skills import needs FILE and --source-url URL (see --help)");
	json_t *o = NULL;
	struct cli_sk_import_ctx ctx = { .framework = fw, .url = url, .verified = verified };
	int rc = cli_sk_load(&o, file, CPD_SKILLS_IMPORT_MAX, cli_sk_import_fn, &ctx);
	if (rc != CLI_OK)
		return rc;
	if (json)
		cli_sk_print(o);
	else
		printf("loaded %s %s: %lld elements (%s)\n", fw, json_string_value(json_object_get(o, "version")),
		       (long long)json_integer_value(json_object_get(o, "elements")),
		       verified ? "verified against the publisher's release" : "unverified");
	json_decref(o);
	return CLI_OK;
}

static int cli_sk_map(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss skills map FILE [--json]\n\n"
		       "Load a mapping set: {label, asserted_by, asserted_by_ja, document, document_url, asserted_on,\n"
		       "mappings:[{evidence_kind (registration|exam_pass|exam_domain|course), evidence_key,\n"
		       "min_band (near|above, for exam_domain), framework, version, ident, level, strength\n"
		       "(authoritative|asserted), source_url}]}. The new set holds the newest set's mappings\n"
		       "and the file's; profiles use the newest set and name it.\n");
		return CLI_OK;
	}
	const char *file = NULL;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_usage_error("skills map: unknown option '%s' (see --help)", argv[i]);
		else if (!file)
			file = argv[i];
		else
			return cli_usage_error("skills map: one FILE only");
	}
	if (!file)
		return cli_usage_error("skills map needs FILE (see --help)");
	json_t *o = NULL;
	int rc = cli_sk_load(&o, file, CPD_SKILLS_MAP_MAX, cli_sk_map_fn, NULL);
	if (rc != CLI_OK)
		return rc;
	if (json)
		cli_sk_print(o);
	else
		printf("mapping set %lld (%s): %lld mappings from the file\n", (long long)json_integer_value(json_object_get(o, "id")),
		       json_string_value(json_object_get(o, "label")), (long long)json_integer_value(json_object_get(o, "mappings")));
	json_decref(o);
	return CLI_OK;
}

static int cli_sk_profile(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss skills profile REGNO\n       riss skills claims\n\n"
		       "Print a registrant's skill profile (claims with their evidence, JSON), or the number of\n"
		       "active registrations holding each claim.\n");
		return CLI_OK;
	}
	int claims = strcmp(argv[0], "claims") == 0;
	if (!claims && argc != 2)
		return cli_usage_error("skills profile needs one REGNO");
	rs_db *db = NULL;
	if (cli_db_open(&db) != 0)
		return CLI_FAIL;
	json_t *o = NULL;
	int rc = claims ? cpd_skills_claim_counts(&o, db, (int64_t)time(NULL))
	                : cpd_skills_profile(&o, db, argv[1], (int64_t)time(NULL));
	rs_db_close(db);
	if (rc != 0)
		return rc == RS_EINVAL ? cli_usage_error("%s", rs_error_last()) : cli_fail("%s", rs_error_last());
	cli_sk_print(o);
	json_decref(o);
	return CLI_OK;
}

static const struct cli_cmd cli_sk_cmds[] = {
	{ .name = "import", .summary = "load a framework release (NIST JSON export)", .run = cli_sk_import },
	{ .name = "map", .summary = "load a mapping set (evidence to framework elements)", .run = cli_sk_map },
	{ .name = "profile", .summary = "print a registrant's skill profile", .run = cli_sk_profile },
	{ .name = "claims", .summary = "count active registrations per claim", .run = cli_sk_profile },
};

int cli_cmd_skills(int argc, char **argv)
{
	return cli_dispatch("riss skills", cli_sk_cmds, (int)(sizeof cli_sk_cmds / sizeof cli_sk_cmds[0]), argc, argv);
}

int cli_credential_export_ob3(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss credential export-ob3 REGNO [--out FILE] [--kid KID]\n\n"
		       "Export the active registration REGNO as an Open Badges 3.0 AchievementCredential (a W3C\n"
		       "Verifiable Credential) aligned to the skill frameworks of its profile, signed as a compact\n"
		       "VC-JWT (EdDSA) by riss-signd with the current key of keys_dir, carrying the status entry\n"
		       "of the registration's live credential. The token goes to stdout, or to FILE. A suspended\n"
		       "or cancelled registration exports nothing.\n");
		return CLI_OK;
	}
	const char *regno = NULL, *out = NULL, *kid = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--kid") == 0 && i + 1 < argc)
			kid = argv[++i];
		else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
			rs_config_set("signd_socket", argv[++i], "--socket");
		else if (argv[i][0] == '-')
			return cli_usage_error("credential export-ob3: unknown or incomplete option '%s' (see --help)", argv[i]);
		else if (!regno)
			regno = argv[i];
		else
			return cli_usage_error("credential export-ob3: one registration number only");
	}
	if (!regno)
		return cli_usage_error("credential export-ob3 needs REGNO (see --help)");
	int64_t now = (int64_t)time(NULL);
	struct reg_keys keys;
	if (reg_keys_load(&keys, rs_config_str("keys_dir"), now) != 0)
		return cli_fail("%s", rs_error_last());
	struct cert_signer signer = { 0 };
	rs_db *db = NULL;
	char *jwt = NULL;
	int rc = CLI_FAIL;
	if (cert_signd_signer_new(&signer, rs_config_str("signd_socket")) != 0) {
		cli_fail("signer: %s", rs_error_last());
		goto done;
	}
	if (cli_db_open(&db) != 0)
		goto done;
	struct reg_issuer issuer = { .base_url = rs_config_str("public_base_url"), .kid = kid ? kid : keys.current_kid,
		                     .signer = &signer };
	int e = cpd_skills_ob3_export(&jwt, db, regno, &issuer, now, "cli:riss");
	if (e != 0) {
		rc = e == RS_EINVAL ? cli_usage_error("%s", rs_error_last()) : cli_fail("%s", rs_error_last());
		goto done;
	}
	if (out) {
		FILE *f = fopen(out, "w");
		if (!f || fprintf(f, "%s\n", jwt) < 0 || fclose(f) != 0) {
			cli_fail("cannot write %s: %s", out, strerror(errno));
			goto done;
		}
	} else {
		printf("%s\n", jwt);
	}
	rc = CLI_OK;
done:
	free(jwt);
	rs_db_close(db);
	cert_signd_signer_free(&signer);
	reg_keys_free(&keys);
	return rc;
}
