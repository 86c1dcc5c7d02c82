/* riss credential: verify a credential offline against a JWKS (and optionally a signed
 * status list); issue one from a claims file through riss-signd, writing token + QR. */
#include "cli.h"
#include "rs_error.h"
#include "rs_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "cert_keys.h"
#include "cert_signd.h"
#include "reg_jws.h"
#include "reg_qr.h"
#include "reg_statuslist.h"
#include "rs_config.h"
#include "rs_error.h"

/* Read a whole file (or stdin for "-") of at most max bytes; NUL-terminated, caller frees. */
static int cli_cred_slurp(char **out, size_t *out_len, const char *path, size_t max)
{
	int rc = rs_read_file(out, out_len, path, max);
	if (rc == RS_ENOMEM)
		return cli_fail("out of memory");
	if (rc != 0)
		return cli_usage_error("%s", rs_error_last());
	return CLI_OK;
}

static void cli_cred_verify_help(void)
{
	printf("usage: riss credential verify TOKEN|URL|- (--status-list FILE | --offline) [--jwks FILE]\n"
	       "                              [--iss URL] [--now UNIX] [--json]\n\n"
	       "Check a credential: the compact JWS (or its verify URL .../v/<JWS>, or '-' to read\n"
	       "it from stdin) against the JWKS, and its status in a signed statuslist+jwt given\n"
	       "with --status-list (so suspension and revocation show). Without a status list the\n"
	       "status is not known: a genuine credential then exits 3 (\"status not checked\")\n"
	       "unless --offline says that a signature-only check is what you want. Prints the\n"
	       "verdict (valid, not_yet_valid, suspended, revoked, expired, not_genuine), the\n"
	       "reason and whether the status was checked; exit 0 only when valid (and the status\n"
	       "checked or --offline given), 1 when not valid, 2 on bad input, 3 when the status\n"
	       "was not checked.\n\n"
	       "  --jwks FILE         keys (default: <keys_dir>/jwks.json, now '%s/jwks.json')\n"
	       "  --status-list FILE  a statuslist+jwt for the list the credential names\n"
	       "  --offline           check the signature, claims and dates only; say so\n"
	       "  --iss URL           require this issuer\n"
	       "  --now UNIX          check as of this time (default: now)\n"
	       "  --json              {\"verdict\", \"reason\", \"message\", \"kid\", \"status_checked\",\n"
	       "                      \"offline\", \"registrant\"}\n",
	       rs_config_str("keys_dir"));
}

static int cli_cred_verify(int argc, char **argv)
{
	const char *token_arg = NULL, *jwks_path = NULL, *sl_path = NULL, *iss = NULL;
	char jwks_default[4200];
	int json_out = 0, offline = 0, rc;
	int64_t now = (int64_t)time(NULL);
	struct cert_jwks *jwks = NULL;
	char *tokbuf = NULL, *slbuf = NULL;
	size_t toklen = 0, sllen = 0;
	struct reg_statuslist sl = { 0 };
	struct reg_verify_result res;

	if (cli_wants_help(argc, argv)) {
		cli_cred_verify_help();
		return CLI_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--jwks") == 0 && i + 1 < argc)
			jwks_path = argv[++i];
		else if (strcmp(argv[i], "--status-list") == 0 && i + 1 < argc)
			sl_path = argv[++i];
		else if (strcmp(argv[i], "--iss") == 0 && i + 1 < argc)
			iss = argv[++i];
		else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc) {
			char *end;
			errno = 0;
			now = strtoll(argv[++i], &end, 10);
			if (errno || *end || now <= 0)
				return cli_usage_error("--now must be Unix seconds");
		} else if (strcmp(argv[i], "--json") == 0)
			json_out = 1;
		else if (strcmp(argv[i], "--offline") == 0)
			offline = 1;
		else if (!token_arg && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0))
			token_arg = argv[i];
		else
			return cli_usage_error("unknown or incomplete option '%s' (see 'riss credential verify --help')", argv[i]);
	}
	if (!token_arg)
		return cli_usage_error("'riss credential verify' needs a TOKEN (or '-' for stdin)");
	if (offline && sl_path)
		return cli_usage_error("give --status-list FILE or --offline, not both");
	if (!jwks_path) {
		snprintf(jwks_default, sizeof jwks_default, "%s/jwks.json", rs_config_str("keys_dir"));
		jwks_path = jwks_default;
	}
	jwks = malloc(sizeof *jwks);
	if (!jwks)
		return cli_fail("out of memory");
	if (cert_jwks_load(jwks, jwks_path) != 0) {
		rc = cli_usage_error("%s", rs_error_last());
		goto done;
	}
	if (strcmp(token_arg, "-") == 0) {
		/* A token longer than the verifier's bound is still read, so it gets its verdict. */
		if ((rc = cli_cred_slurp(&tokbuf, &toklen, "-", 1 << 20)) != CLI_OK)
			goto done;
		while (toklen > 0 && (tokbuf[toklen - 1] == '\n' || tokbuf[toklen - 1] == '\r' ||
		                      tokbuf[toklen - 1] == ' '))
			tokbuf[--toklen] = '\0';
	} else {
		tokbuf = strdup(token_arg);
		toklen = strlen(token_arg);
	}
	/* Accept the verify URL a phone camera would open. */
	const char *tok = tokbuf;
	const char *v = strstr(tokbuf, "/v/");
	if (v && strncmp(tokbuf, "http", 4) == 0) {
		tok = v + 3;
		toklen -= (size_t)(tok - tokbuf);
	}

	struct reg_verify_opts opts = { .jwks = jwks, .now = now, .expected_iss = iss };
	rc = reg_jws_verify(&res, tok, toklen, &opts);
	if (rc == 0 && sl_path) {
		/* Signature and claims hold: now check the status list the credential names. */
		if ((rc = cli_cred_slurp(&slbuf, &sllen, sl_path, REG_SL_JWT_MAX)) != CLI_OK)
			goto done;
		while (sllen > 0 && (slbuf[sllen - 1] == '\n' || slbuf[sllen - 1] == '\r'))
			slbuf[--sllen] = '\0';
		if (reg_sl_jwt_verify(&sl, slbuf, sllen, jwks, res.cred.status_uri, now) != 0) {
			rc = cli_fail("status list '%s' rejected: %s", sl_path, rs_error_last());
			goto done;
		}
		struct reg_sl_source src = { .uri = res.cred.status_uri, .sl = &sl };
		opts.status = reg_sl_lookup;
		opts.status_ctx = &src;
		rc = reg_jws_verify(&res, tok, toklen, &opts);
	}
	if (json_out) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "verdict", reg_jws_verdict(res.reason),
		                      "reason", reg_jws_reason_code(res.reason), "message", res.message);
		if (res.kid[0])
			json_object_set_new(o, "kid", json_string(res.kid));
		if (res.have_claims) {
			json_object_set_new(o, "registrant", json_pack(
			    "{s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "sub", res.cred.sub, "name", res.cred.name,
			    "name_latn", res.cred.name_latn, "qual", res.cred.qual, "reg_date", res.cred.reg_date,
			    "renewal_count", (json_int_t)res.cred.renewal_count, "exp", (json_int_t)res.cred.exp));
		}
		json_object_set_new(o, "status_checked", json_boolean(sl_path != NULL));
		json_object_set_new(o, "offline", json_boolean(offline));
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
	} else {
		char verdict[32];
		size_t i;
		for (i = 0; reg_jws_verdict(res.reason)[i] && i < sizeof verdict - 1; i++) {
			char ch = reg_jws_verdict(res.reason)[i];
			verdict[i] = ch == '_' ? ' ' : (char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
		}
		verdict[i] = '\0';
		printf("%s (%s): %s\n", verdict, reg_jws_reason_code(res.reason), res.message);
		if (res.have_claims) {
			char exp[32];
			cert_time_format(exp, res.cred.exp);
			printf("  registration %s  %s (%s)  %s  registered %s  renewals %lld  valid until %s\n",
			       res.cred.sub, res.cred.name, res.cred.name_latn, res.cred.qual, res.cred.reg_date,
			       (long long)res.cred.renewal_count, exp);
		}
		if (sl_path)
			printf("  status checked against the status list '%s'\n", sl_path);
		else if (offline)
			printf("  status NOT checked (--offline): suspension and revocation do not show\n");
		else if (res.reason == REG_JWS_VALID)
			printf("  status NOT checked: give --status-list FILE (or --offline to accept a signature-only "
			       "check); exit 3\n");
	}
	rc = res.reason != REG_JWS_VALID ? CLI_FAIL : (sl_path || offline) ? CLI_OK : 3;
done:
	reg_sl_free(&sl);
	free(slbuf);
	free(tokbuf);
	free(jwks);
	return rc;
}

static void cli_cred_issue_help(void)
{
	printf("usage: riss credential issue --claims FILE --out-dir DIR [--kid KID] [--socket PATH]\n"
	       "                             [--base-url URL] [--json]\n"
	       "       riss credential issue REGNO --out-dir DIR   (from the register: needs the database)\n"
	       "       riss credential issue --missing             (every active registrant without a live one)\n\n"
	       "Sign a credential through riss-signd and write DIR/token.jws, DIR/qr.png and\n"
	       "DIR/qr.svg (QR of <base URL>/v/<token>, error correction M; the PNG at 8 pixels per\n"
	       "module, about 840 px square, print-ready; the SVG scales to any size). FILE is a JSON object\n"
	       "with iss, sub, name, name_latn, qual, reg_date, renewal_count, exp and\n"
	       "status.status_list {idx, uri}; iat defaults to now.\n\n"
	       "  --kid KID       signing key (default: the newest active key of keys_dir)\n"
	       "  --socket PATH   riss-signd socket (default: setting signd_socket, now '%s')\n"
	       "  --base-url URL  public base URL (default: setting public_base_url, now '%s')\n",
	       rs_config_str("signd_socket"), rs_config_str("public_base_url"));
}

static int cli_cred_copy(char *dst, size_t cap, json_t *o, const char *name)
{
	const char *s = json_string_value(json_object_get(o, name));
	if (!s || strlen(s) >= cap)
		return cli_usage_error("claims file: '%s' is missing, not a string, or longer than %zu bytes", name, cap - 1);
	strcpy(dst, s);
	return CLI_OK;
}

static int cli_cred_write(const char *dir, const char *name, const char *data)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f || fputs(data, f) < 0 || fputc('\n', f) == EOF || fclose(f) != 0)
		return cli_fail("cannot write '%s': %s", path, strerror(errno));
	return CLI_OK;
}

static int cli_cred_issue(int argc, char **argv)
{
	const char *claims = NULL, *out_dir = NULL, *kid_arg = NULL, *regno = NULL;
	const char *sock = rs_config_str("signd_socket"), *base = rs_config_str("public_base_url");
	int json_out = 0, rc;
	char *text = NULL, *tok = NULL, *url = NULL;
	size_t len = 0;
	json_t *o = NULL;
	struct reg_credential c;
	struct cert_keydir kd = { 0 };
	struct cert_signer s = { 0 };
	char kid[CERT_KID_MAX + 1];

	if (cli_wants_help(argc, argv)) {
		cli_cred_issue_help();
		return CLI_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--claims") == 0 && i + 1 < argc)
			claims = argv[++i];
		else if (strcmp(argv[i], "--out-dir") == 0 && i + 1 < argc)
			out_dir = argv[++i];
		else if (strcmp(argv[i], "--kid") == 0 && i + 1 < argc)
			kid_arg = argv[++i];
		else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
			sock = argv[++i];
		else if (strcmp(argv[i], "--base-url") == 0 && i + 1 < argc)
			base = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			json_out = 1;
		else if (strcmp(argv[i], "--missing") == 0)
			return cli_credential_issue(argc, argv); /* from the register: cmd_credential_issue.c */
		else if (!regno && argv[i][0] != '-')
			regno = argv[i];
		else
			return cli_usage_error("unknown or incomplete option '%s' (see 'riss credential issue --help')", argv[i]);
	}
	if (!out_dir)
		return cli_usage_error("'riss credential issue' needs --out-dir DIR");
	if (regno && !claims)
		return cli_credential_issue(argc, argv); /* from the register: cmd_credential_issue.c */
	if (!claims)
		return cli_usage_error("'riss credential issue' needs --claims FILE (see --help)");
	if ((rc = cli_cred_slurp(&text, &len, claims, 65536)) != CLI_OK)
		return rc;
	o = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	memset(&c, 0, sizeof c);
	json_t *sl = json_object_get(json_object_get(o, "status"), "status_list");
	if (!json_is_object(o) || (rc = cli_cred_copy(c.iss, sizeof c.iss, o, "iss")) ||
	    (rc = cli_cred_copy(c.sub, sizeof c.sub, o, "sub")) || (rc = cli_cred_copy(c.name, sizeof c.name, o, "name")) ||
	    (rc = cli_cred_copy(c.name_latn, sizeof c.name_latn, o, "name_latn")) ||
	    (rc = cli_cred_copy(c.qual, sizeof c.qual, o, "qual")) ||
	    (rc = cli_cred_copy(c.reg_date, sizeof c.reg_date, o, "reg_date")) ||
	    (rc = cli_cred_copy(c.status_uri, sizeof c.status_uri, sl, "uri")) ||
	    !json_is_integer(json_object_get(o, "exp")) || !json_is_integer(json_object_get(sl, "idx"))) {
		rc = rc ? rc : cli_usage_error("claims file '%s' is not a JSON object with exp and status.status_list.idx integers", claims);
		goto done;
	}
	c.renewal_count = json_integer_value(json_object_get(o, "renewal_count"));
	c.exp = json_integer_value(json_object_get(o, "exp"));
	c.iat = json_is_integer(json_object_get(o, "iat")) ? json_integer_value(json_object_get(o, "iat")) : (int64_t)time(NULL);
	c.status_idx = (uint64_t)json_integer_value(json_object_get(sl, "idx"));

	if (kid_arg) {
		snprintf(kid, sizeof kid, "%s", kid_arg);
	} else {
		const struct cert_keyinfo *cur;
		if (cert_keydir_load(&kd, rs_config_str("keys_dir")) != 0) {
			rc = cli_fail("%s", rs_error_last());
			goto done;
		}
		if (!(cur = cert_keydir_current(&kd))) {
			rc = cli_fail("no active key in '%s' (create one with 'riss keys new')", kd.dir);
			goto done;
		}
		memcpy(kid, cur->kid, sizeof kid);
	}
	if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
		rc = cli_fail("cannot create '%s': %s", out_dir, strerror(errno));
		goto done;
	}
	if (cert_signd_signer_new(&s, sock) != 0) {
		rc = cli_fail("out of memory");
		goto done;
	}
	int e = reg_jws_sign(&tok, &c, kid, &s);
	if (e == RS_EINVAL) {
		rc = cli_usage_error("%s", rs_error_last());
		goto done;
	}
	if (e != 0) {
		rc = cli_fail("%s", rs_error_last());
		goto done;
	}
	if (reg_qr_verify_url(&url, base, tok) != 0) {
		rc = cli_usage_error("%s", rs_error_last());
		goto done;
	}
	char png[4200], svg[4200];
	snprintf(png, sizeof png, "%s/qr.png", out_dir);
	snprintf(svg, sizeof svg, "%s/qr.svg", out_dir);
	if ((rc = cli_cred_write(out_dir, "token.jws", tok)) != CLI_OK)
		goto done;
	if (reg_qr_write_files(url, png, svg) != 0) {
		rc = cli_fail("%s", rs_error_last());
		goto done;
	}
	if (json_out) {
		json_t *r = json_pack("{s:s, s:s, s:s, s:s}", "kid", kid, "token", tok, "url", url, "out_dir", out_dir);
		json_dumpf(r, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(r);
	} else {
		printf("issued credential for %s with key %s\n  %s/token.jws, %s, %s\n", c.sub, kid, out_dir, png, svg);
	}
	rc = CLI_OK;
done:
	cert_signd_signer_free(&s);
	cert_keydir_free(&kd);
	json_decref(o);
	free(text);
	free(tok);
	free(url);
	return rc;
}

static const struct cli_cmd cli_cred_cmds[] = {
	{ .name = "issue",  .summary = "sign a credential via riss-signd; write token.jws, qr.png, qr.svg", .run = cli_cred_issue },
	{ .name = "verify", .summary = "verify a credential offline against a JWKS", .run = cli_cred_verify },
	/* skill profiles: the registration as an Open Badges 3.0 credential (cmd_skills.c) */
	{ .name = "export-ob3", .summary = "export the registration as an Open Badges 3.0 VC-JWT", .run = cli_credential_export_ob3 },
};

int cli_cmd_credential(int argc, char **argv)
{
	return cli_dispatch("riss credential", cli_cred_cmds, (int)(sizeof cli_cred_cmds / sizeof cli_cred_cmds[0]),
	                    argc, argv);
}
