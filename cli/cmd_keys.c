/* riss keys: issuer key lifecycle — new, rotate, retire, list, jwks (certs/cert_keys). */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cert_keys.h"
#include "rs_config.h"
#include "rs_error.h"

struct cli_keys_opts {
	const char *dir;
	int json;
	int64_t publish_s;
	const char *out;
	const char *kid;   /* positional, for retire */
};

static void cli_keys_help(const char *sub)
{
	printf("usage: riss keys %s%s [--dir DIR] [--json]%s%s\n\n", sub,
	       strcmp(sub, "retire") == 0 ? " KID" : "",
	       strcmp(sub, "rotate") == 0 || strcmp(sub, "retire") == 0 ? " [--publish-days N]" : "",
	       strcmp(sub, "jwks") == 0 ? " [--out FILE]" : "");
	if (strcmp(sub, "new") == 0)
		printf("Generate an Ed25519 issuer key: DIR/<kid>.pem (PKCS#8, mode 0600), a row in\n"
		       "DIR/keys.json, and a new DIR/jwks.json. The kid is the RFC 7638 thumbprint.\n");
	else if (strcmp(sub, "rotate") == 0)
		printf("Add a new active key and retire every previously active one. Retired keys\n"
		       "stay in the JWKS for N days (default %lld), so credentials they signed keep\n"
		       "verifying.\n", (long long)(CERT_DEFAULT_PUBLISH_S / 86400));
	else if (strcmp(sub, "retire") == 0)
		printf("Stop KID from signing; it stays in the JWKS for N days\n"
		       "(default %lld).\n", (long long)(CERT_DEFAULT_PUBLISH_S / 86400));
	else if (strcmp(sub, "list") == 0)
		printf("List the keys of DIR: kid, state, created, retired_at, not_after.\n");
	else
		printf("Print (or write to FILE) the JWKS: every key that can still verify a live\n"
		       "credential.\n");
	printf("\n  --dir DIR   key directory (default: setting keys_dir, now '%s')\n"
	       "  --json      machine-readable output\n\n"
	       "riss-signd loads key changes on SIGHUP.\n", rs_config_str("keys_dir"));
}

/* Parse the options shared by every keys subcommand. Returns CLI_OK or CLI_USAGE. */
static int cli_keys_parse(struct cli_keys_opts *o, int argc, char **argv, int want_kid)
{
	memset(o, 0, sizeof *o);
	o->dir = rs_config_str("keys_dir");
	o->publish_s = CERT_DEFAULT_PUBLISH_S;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			o->dir = argv[++i];
		} else if (strcmp(argv[i], "--json") == 0) {
			o->json = 1;
		} else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			o->out = argv[++i];
		} else if (strcmp(argv[i], "--publish-days") == 0 && i + 1 < argc) {
			char *end;
			errno = 0;
			long long d = strtoll(argv[++i], &end, 10);
			if (errno || *end || d < 1 || d > 36500)
				return cli_usage_error("--publish-days must be a whole number of days, 1..36500");
			o->publish_s = (int64_t)d * 86400;
		} else if (want_kid && !o->kid && argv[i][0] != '-') {
			o->kid = argv[i];
		} else {
			return cli_usage_error("unknown or incomplete option '%s' for 'riss keys %s' (see --help)",
			                       argv[i], argv[0]);
		}
	}
	if (want_kid && !o->kid)
		return cli_usage_error("'riss keys %s' needs a KID (see 'riss keys list')", argv[0]);
	return CLI_OK;
}

static json_t *cli_keyinfo_json(const struct cert_keyinfo *k)
{
	char c[32] = "", r[32] = "", n[32] = "";
	if (k->created)
		cert_time_format(c, k->created);
	if (k->retired_at)
		cert_time_format(r, k->retired_at);
	if (k->not_after)
		cert_time_format(n, k->not_after);
	return json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "kid", k->kid,
	                 "state", k->state == CERT_KEY_ACTIVE ? "active" : "retired",
	                 "created", c[0] ? c : NULL, "retired_at", r[0] ? r : NULL,
	                 "not_after", n[0] ? n : NULL);
}

static int cli_keys_print_one(const struct cli_keys_opts *o, const char *what,
                              const struct cert_keyinfo *k)
{
	if (o->json) {
		json_t *j = cli_keyinfo_json(k);
		json_object_set_new(j, "action", json_string(what));
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(j);
	} else {
		printf("%s key %s in %s\n", what, k->kid, o->dir);
		printf("reload riss-signd (SIGHUP) so it signs with the change\n");
	}
	return CLI_OK;
}

/* `keys new` adds a key; `keys rotate` adds one and retires the current one. */
static int cli_keys_add(int argc, char **argv, int rotate)
{
	struct cli_keys_opts o;
	struct cert_keydir kd;
	char kid[CERT_KID_MAX + 1];
	int rc;
	if (cli_wants_help(argc, argv)) {
		cli_keys_help(rotate ? "rotate" : "new");
		return CLI_OK;
	}
	if ((rc = cli_keys_parse(&o, argc, argv, 0)) != CLI_OK)
		return rc;
	if (cert_keydir_load(&kd, o.dir) != 0)
		return cli_fail("%s", rs_error_last());
	int64_t now = (int64_t)time(NULL);
	if ((rotate ? cert_keydir_rotate(kid, &kd, now, o.publish_s) : cert_keydir_new(kid, &kd, now)) != 0)
		rc = cli_fail("%s", rs_error_last());
	else
		rc = cli_keys_print_one(&o, rotate ? "rotated to" : "created", cert_keydir_find(&kd, kid));
	cert_keydir_free(&kd);
	return rc;
}

static int cli_keys_new(int argc, char **argv)
{
	return cli_keys_add(argc, argv, 0);
}

static int cli_keys_rotate(int argc, char **argv)
{
	return cli_keys_add(argc, argv, 1);
}

static int cli_keys_retire(int argc, char **argv)
{
	struct cli_keys_opts o;
	struct cert_keydir kd;
	int rc;
	if (cli_wants_help(argc, argv)) {
		cli_keys_help("retire");
		return CLI_OK;
	}
	if ((rc = cli_keys_parse(&o, argc, argv, 1)) != CLI_OK)
		return rc;
	if (cert_keydir_load(&kd, o.dir) != 0)
		return cli_fail("%s", rs_error_last());
	rc = cert_keydir_retire(&kd, o.kid, (int64_t)time(NULL), o.publish_s);
	if (rc == RS_ENOTFOUND)
		rc = cli_usage_error("%s", rs_error_last());
	else if (rc != 0)
		rc = cli_fail("%s", rs_error_last());
	else
		rc = cli_keys_print_one(&o, "retired", cert_keydir_find(&kd, o.kid));
	cert_keydir_free(&kd);
	return rc;
}

static int cli_keys_list(int argc, char **argv)
{
	struct cli_keys_opts o;
	struct cert_keydir kd;
	int rc;
	if (cli_wants_help(argc, argv)) {
		cli_keys_help("list");
		return CLI_OK;
	}
	if ((rc = cli_keys_parse(&o, argc, argv, 0)) != CLI_OK)
		return rc;
	if (cert_keydir_load(&kd, o.dir) != 0)
		return cli_fail("%s", rs_error_last());
	if (o.json) {
		json_t *a = json_array();
		for (size_t i = 0; i < kd.n; i++)
			json_array_append_new(a, cli_keyinfo_json(&kd.keys[i]));
		json_dumpf(a, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(a);
	} else if (kd.n == 0) {
		printf("no keys in %s (create one with 'riss keys new')\n", o.dir);
	} else {
		const struct cert_keyinfo *cur = cert_keydir_current(&kd);
		printf("%-43s  %-8s  %-20s  %-20s  %s\n", "kid", "state", "created", "retired_at", "not_after");
		for (size_t i = 0; i < kd.n; i++) {
			const struct cert_keyinfo *k = &kd.keys[i];
			char c[32] = "-", r[32] = "-", n[32] = "-";
			if (k->created)
				cert_time_format(c, k->created);
			if (k->retired_at)
				cert_time_format(r, k->retired_at);
			if (k->not_after)
				cert_time_format(n, k->not_after);
			printf("%-43s  %-8s  %-20s  %-20s  %s%s\n", k->kid,
			       k->state == CERT_KEY_ACTIVE ? "active" : "retired", c, r, n,
			       k == cur ? "  (signs new credentials)" : "");
		}
	}
	cert_keydir_free(&kd);
	return CLI_OK;
}

static int cli_keys_jwks(int argc, char **argv)
{
	struct cli_keys_opts o;
	struct cert_keydir kd;
	json_t *j;
	int rc;
	if (cli_wants_help(argc, argv)) {
		cli_keys_help("jwks");
		return CLI_OK;
	}
	if ((rc = cli_keys_parse(&o, argc, argv, 0)) != CLI_OK)
		return rc;
	if (cert_keydir_load(&kd, o.dir) != 0)
		return cli_fail("%s", rs_error_last());
	j = cert_keydir_jwks(&kd, (int64_t)time(NULL));
	cert_keydir_free(&kd);
	if (!j)
		return cli_fail("out of memory");
	if (o.out) {
		if (json_dump_file(j, o.out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
			rc = cli_fail("cannot write '%s'", o.out);
	} else {
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	}
	json_decref(j);
	return rc;
}

static const struct cli_cmd cli_keys_cmds[] = {
	{ .name = "new",    .summary = "generate a new active Ed25519 issuer key", .run = cli_keys_new },
	{ .name = "rotate", .summary = "new active key; retire the previous ones", .run = cli_keys_rotate },
	{ .name = "retire", .summary = "stop a key from signing (it keeps verifying)", .run = cli_keys_retire },
	{ .name = "list",   .summary = "list keys and their states", .run = cli_keys_list },
	{ .name = "jwks",   .summary = "print the JWKS of keys that can still verify", .run = cli_keys_jwks },
};

int cli_cmd_keys(int argc, char **argv)
{
	return cli_dispatch("riss keys", cli_keys_cmds, (int)(sizeof cli_keys_cmds / sizeof cli_keys_cmds[0]),
	                    argc, argv);
}
