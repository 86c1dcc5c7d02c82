/* riss credential issue: sign a credential for a registrant through riss-signd, record it
 * with its log leaf, and write token.jws, qr.png and qr.svg. */
#include "cli.h"

#include "cert_signd.h"
#include "reg_issue.h"
#include "reg_qr.h"
#include "rs_config.h"
#include "rs_db.h"
#include "rs_error.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void cli_issue_help(void)
{
	printf("usage: riss credential issue REGNO --out-dir DIR [--kid KID] [--json]\n"
	       "       riss credential issue --missing [--kid KID] [--json]\n\n"
	       "Issue a credential (compact JWS, EdDSA) to the active registrant REGNO, signed by\n"
	       "riss-signd (signd_socket) with the current key of keys_dir (or KID), recorded with its\n"
	       "transparency-log leaf in one transaction. Writes DIR/token.jws, DIR/qr.png and\n"
	       "DIR/qr.svg (the QR holds <public_base_url>/v/<JWS>; error correction M; the PNG at 8 pixels\n"
	       "per module, about 840 px square, sharp in print at 7 cm; the SVG scales to any size).\n"
	       "--missing issues, the same way and in batches, to every active registrant valid today who\n"
	       "holds no live credential (registrants written in bulk, such as riss demo's); no files.\n");
}

/* What issuing needs: the keys, riss-signd, the database. */
struct cli_issue_env {
	struct reg_keys keys;
	struct cert_signer signer;
	rs_db *db;
	struct reg_issuer issuer;
};

static void cli_issue_close(struct cli_issue_env *e)
{
	rs_db_close(e->db);
	if (e->signer.sign)
		cert_signd_signer_free(&e->signer);
	reg_keys_free(&e->keys);
}

/* CLI_OK with *e ready (close it with cli_issue_close), or the failure already reported. */
static int cli_issue_open(struct cli_issue_env *e, const char *kid, int64_t now)
{
	memset(e, 0, sizeof *e);
	const char *url = rs_config_str("db_url");
	if (!url[0])
		return cli_usage_error("no database configured: set db_url in var/riss.conf or RISS_DB_URL");
	if (reg_keys_load(&e->keys, rs_config_str("keys_dir"), now) != 0)
		return cli_fail("%s", rs_error_last());
	if (!kid)
		kid = e->keys.current_kid;
	int rc = CLI_OK;
	if (!kid[0])
		rc = cli_fail("no active issuer key in %s (riss keys new)", rs_config_str("keys_dir"));
	else if (cert_signd_signer_new(&e->signer, rs_config_str("signd_socket")) != 0)
		rc = cli_fail("signer: %s", rs_error_last());
	else if (rs_db_open(&e->db, url) != 0)
		rc = cli_fail("%s", rs_error_last());
	if (rc != CLI_OK) {
		cli_issue_close(e);
		return rc;
	}
	e->issuer = (struct reg_issuer){ .base_url = rs_config_str("public_base_url"), .kid = kid, .signer = &e->signer };
	return CLI_OK;
}

static int cli_issue_missing(const char *kid, int json)
{
	int64_t now = (int64_t)time(NULL);
	struct cli_issue_env e;
	int rc = cli_issue_open(&e, kid, now);
	if (rc != CLI_OK)
		return rc;
	struct reg_actor who = { .actor = "cli:riss", .role = "registrar", .request_id = NULL };
	size_t n = 0;
	if (reg_issue_missing(&n, e.db, &e.issuer, now, &who) != 0)
		rc = cli_fail("%s (%zu issued before the failure)", rs_error_last(), n);
	else if (json)
		printf("{\"issued\": %zu, \"kid\": \"%s\"}\n", n, e.issuer.kid);
	else
		printf("issued %zu credentials (key %s) to active registrants that held none\n", n, e.issuer.kid);
	cli_issue_close(&e);
	return rc;
}

static int cli_issue_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		rs_error_set("cannot write %s: %s", path, strerror(errno));
		return RS_EIO;
	}
	return 0;
}

int cli_credential_issue(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		cli_issue_help();
		return CLI_OK;
	}
	const char *regno = NULL, *dir = NULL, *kid = NULL;
	int json = 0, missing = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--out-dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--kid") == 0 && i + 1 < argc)
			kid = argv[++i];
		else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
			rs_config_set("signd_socket", argv[++i], "--socket");
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--missing") == 0)
			missing = 1;
		else if (argv[i][0] == '-')
			return cli_usage_error("credential issue: unknown or incomplete option '%s' (see --help)", argv[i]);
		else if (!regno)
			regno = argv[i];
		else
			return cli_usage_error("credential issue: one registration number only (got '%s')", argv[i]);
	}
	if (missing) {
		if (regno || dir)
			return cli_usage_error("credential issue --missing takes no REGNO and no --out-dir (see --help)");
		return cli_issue_missing(kid, json);
	}
	if (!regno || !dir)
		return cli_usage_error("credential issue needs REGNO and --out-dir DIR (see --help)");
	if (!reg_regno_valid(regno))
		return cli_usage_error("'%s' is not a registration number (6 digits)", regno);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return cli_fail("cannot create %s: %s", dir, strerror(errno));
	int64_t now = (int64_t)time(NULL);
	struct cli_issue_env env;
	int rc = cli_issue_open(&env, kid, now);
	if (rc != CLI_OK)
		return rc;
	kid = env.issuer.kid;
	rc = CLI_FAIL;
	rs_db *db = env.db;
	struct reg_issuer issuer = env.issuer;
	char *jws = NULL, *qr = NULL;
	struct reg_actor who = { .actor = "cli:riss", .role = "registrar", .request_id = NULL };
	int e = reg_issue(&jws, db, regno, &issuer, now, &who);
	if (e != 0) {
		rc = (e == RS_EINVAL) ? cli_usage_error("%s", rs_error_last()) : cli_fail("%s", rs_error_last());
		goto done;
	}
	char tok[4096], png[4096], svg[4096];
	snprintf(tok, sizeof tok, "%s/token.jws", dir);
	snprintf(png, sizeof png, "%s/qr.png", dir);
	snprintf(svg, sizeof svg, "%s/qr.svg", dir);
	if (reg_qr_verify_url(&qr, issuer.base_url, jws) != 0 || cli_issue_write(tok, jws) != 0 ||
	    reg_qr_write_files(qr, png, svg) != 0) {
		cli_fail("credential recorded but files not written: %s", rs_error_last());
		goto done;
	}
	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "regno", regno, "kid", kid, "token", jws, "url", qr,
		                      "token_file", tok, "qr_png", png);
		json_object_set_new(o, "qr_svg", json_string(svg));
		char *s = json_dumps(o, JSON_INDENT(2));
		printf("%s\n", s ? s : "{}");
		free(s);
		json_decref(o);
	} else {
		printf("issued a credential to %s (key %s): %s, %s, %s\n", regno, kid, tok, png, svg);
	}
	rc = CLI_OK;
done:
	free(jws);
	free(qr);
	cli_issue_close(&env);
	return rc;
}
