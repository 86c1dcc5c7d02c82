/* Benchmark (issue 6): credential sign + verify throughput, in process and through a real
 * riss-signd, beside `openssl speed ed25519` run in the same process tree (the ceiling);
 * QR render time (PNG, SVG); status list encoding; Merkle root and proofs. Prints figures,
 * asserts nothing about time. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cert_keys.h"
#include "cert_signd.h"
#include "reg_jws.h"
#include "reg_qr.h"
#include "reg_statuslist.h"
#include "reg_tlog.h"
#include "rs_error.h"

static double bench_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Process CPU seconds: `openssl speed` measures user CPU time, so on a shared machine the
 * fair comparison is CPU time against CPU time (wall-clock figures are printed too). */
static double bench_cpu(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void bench_cred(struct reg_credential *c, int i, int64_t now)
{
	memset(c, 0, sizeof *c);
	strcpy(c->iss, "https://riss.example.jp");
	snprintf(c->sub, sizeof c->sub, "%06d", i % 1000000);
	strcpy(c->name, "情報処理 安全確保");
	strcpy(c->name_latn, "JOHOSHORI Anzenkakuho");
	strcpy(c->qual, "RISS");
	strcpy(c->reg_date, "2026-04-01");
	c->renewal_count = i % 4;
	c->iat = now;
	c->exp = now + 3 * 365 * 86400;
	c->status_idx = (uint64_t)(i * 7919) % REG_SL_MIN_ENTRIES;
	strcpy(c->status_uri, "https://riss.example.jp/status/1");
}

/* Run `openssl speed ed25519` for secs seconds and read its sign/s and verify/s. */
static void bench_openssl(int secs, double *out_sign, double *out_verify)
{
	char cmd[128], line[512];
	snprintf(cmd, sizeof cmd, "openssl speed -seconds %d ed25519 2>/dev/null", secs);
	*out_sign = *out_verify = 0;
	FILE *p = popen(cmd, "r");
	if (!p)
		return;
	while (fgets(line, sizeof line, p)) {
		/* "253 bits EdDSA (Ed25519)   0.0001s   0.0001s  19050.0   7111.1" */
		char *e = strstr(line, "EdDSA (Ed25519)");
		double a, b, sr, vr;
		if (e && sscanf(e + strlen("EdDSA (Ed25519)"), " %lfs %lfs %lf %lf", &a, &b, &sr, &vr) == 4) {
			*out_sign = sr;
			*out_verify = vr;
		}
	}
	pclose(p);
}

int main(void)
{
	const int64_t now = (int64_t)time(NULL);
	char dir[] = "/tmp/bench-cred-XXXXXX", kid[CERT_KID_MAX + 1], path[128], sock[128];
	struct cert_keydir kd;
	struct cert_keyring *kr = NULL;
	struct cert_jwks jwks;
	const int n = 20000;
	char **toks = calloc((size_t)n, sizeof *toks);
	double t0, t1, s_sign, s_verify;

	if (!mkdtemp(dir) || cert_keydir_load(&kd, dir) || cert_keydir_new(kid, &kd, now) ||
	    cert_keyring_load(&kr, dir)) {
		fprintf(stderr, "bench: setup failed: %s\n", rs_error_last());
		return 1;
	}
	snprintf(path, sizeof path, "%s/jwks.json", dir);
	if (cert_jwks_load(&jwks, path) != 0)
		return 1;
	struct cert_signer local = cert_keyring_signer(kr);

	/* openssl before and after ours: the machine is shared, so bracket the noise. */
	double o_sign1, o_verify1;
	bench_openssl(3, &o_sign1, &o_verify1);
	printf("== credential JWS (EdDSA / Ed25519), %d credentials, one core ==\n", n);
	double c0, c1;
	t0 = bench_now();
	c0 = bench_cpu();
	for (int i = 0; i < n; i++) {
		struct reg_credential c;
		bench_cred(&c, i, now);
		if (reg_jws_sign(&toks[i], &c, kid, &local) != 0)
			return 1;
	}
	c1 = bench_cpu();
	t1 = bench_now();
	double sign_rate = n / (c1 - c0);
	printf("sign (build claims + JSON + Ed25519), in process:   %9.0f /s CPU  %9.0f /s wall  (token %zu bytes)\n",
	       sign_rate, n / (t1 - t0), strlen(toks[0]));
	t0 = bench_now();
	c0 = bench_cpu();
	struct reg_verify_opts o = { .jwks = &jwks, .now = now };
	for (int i = 0; i < n; i++) {
		struct reg_verify_result r;
		if (reg_jws_verify(&r, toks[i], strlen(toks[i]), &o) != 0)
			return 1;
	}
	c1 = bench_cpu();
	t1 = bench_now();
	double verify_rate = n / (c1 - c0);
	printf("verify (strict parse + Ed25519 + claims):           %9.0f /s CPU  %9.0f /s wall\n", verify_rate,
	       n / (t1 - t0));
	printf("sign + verify, one after the other:                 %9.0f /s CPU\n",
	       1.0 / (1.0 / sign_rate + 1.0 / verify_rate));

	/* The issuing path: through a real riss-signd on a UNIX socket. */
	const char *exe = getenv("RISS_SIGND_EXE");
	snprintf(sock, sizeof sock, "%s/s.sock", dir);
	pid_t pid = -1;
	if (exe) {
		pid = fork();
		if (pid == 0) {
			freopen("/dev/null", "w", stderr);
			execl(exe, "riss-signd", "--keys", dir, "--socket", sock, (char *)NULL);
			_exit(127);
		}
		for (int i = 0; i < 200 && access(sock, F_OK) != 0; i++)
			usleep(20000);
		struct cert_signer sd;
		cert_signd_signer_new(&sd, sock);
		int m = 10000;
		t0 = bench_now();
		for (int i = 0; i < m; i++) {
			struct reg_credential c;
			char *tok = NULL;
			bench_cred(&c, i, now);
			if (reg_jws_sign(&tok, &c, kid, &sd) != 0) {
				fprintf(stderr, "bench: signd: %s\n", rs_error_last());
				break;
			}
			free(tok);
		}
		t1 = bench_now();
		printf("sign through riss-signd (one connection, logged):   %9.0f /s wall (two processes)\n", m / (t1 - t0));
		cert_signd_signer_free(&sd);
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	} else {
		printf("sign through riss-signd: skipped (RISS_SIGND_EXE not set)\n");
	}

	bench_openssl(3, &s_sign, &s_verify);
	printf("\n== ceiling: openssl speed -seconds 3 ed25519 (same machine, same run; user CPU time) ==\n");
	s_sign = (s_sign + o_sign1) / 2;
	s_verify = (s_verify + o_verify1) / 2;
	printf("openssl sign:   %9.0f /s (before %.0f, after %.0f)   ours (full JWS, CPU) %5.1f %%\n", s_sign,
	       o_sign1, 2 * s_sign - o_sign1, s_sign > 0 ? 100 * sign_rate / s_sign : 0);
	printf("openssl verify: %9.0f /s (before %.0f, after %.0f)   ours (full JWS, CPU) %5.1f %%\n", s_verify,
	       o_verify1, 2 * s_verify - o_verify1, s_verify > 0 ? 100 * verify_rate / s_verify : 0);

	/* QR */
	printf("\n== QR (libqrencode level M) of <base>/v/<JWS>, %zu-byte URL ==\n", strlen(toks[0]) + 30);
	char *url = NULL;
	reg_qr_verify_url(&url, "https://riss.example.jp", toks[0]);
	const int q = 300;
	size_t png_len = 0, svg_len = 0;
	t0 = bench_now();
	for (int i = 0; i < q; i++) {
		unsigned char *png = NULL;
		if (reg_qr_png(&png, &png_len, url, REG_QR_M, 4) != 0)
			return 1;
		free(png);
	}
	t1 = bench_now();
	printf("PNG (4 px/module):  %7.3f ms each  (%zu bytes)\n", 1000 * (t1 - t0) / q, png_len);
	t0 = bench_now();
	for (int i = 0; i < q; i++) {
		char *svg = NULL;
		if (reg_qr_svg(&svg, url, REG_QR_M, 4) != 0)
			return 1;
		svg_len = strlen(svg);
		free(svg);
	}
	t1 = bench_now();
	printf("SVG:                %7.3f ms each  (%zu bytes)\n", 1000 * (t1 - t0) / q, svg_len);
	free(url);

	/* Status list */
	struct reg_statuslist sl;
	char *lst = NULL, *jwt = NULL;
	reg_sl_new(&sl, REG_SL_MIN_ENTRIES);
	for (int i = 0; i < 1311; i++)
		reg_sl_set(&sl, (uint64_t)(i * 100003) % REG_SL_MIN_ENTRIES, 1 + (unsigned)(i % 2));
	t0 = bench_now();
	reg_sl_encode(&lst, &sl);
	t1 = bench_now();
	printf("\n== status list: %d entries, 1 %% revoked or suspended ==\n", REG_SL_MIN_ENTRIES);
	printf("encode (zlib 9 + base64url): %.2f ms, lst %zu bytes\n", 1000 * (t1 - t0), strlen(lst));
	t0 = bench_now();
	reg_sl_jwt_sign(&jwt, &sl, "https://riss.example.jp/status/1", now, now + 86400, 60, kid, &local);
	struct reg_statuslist back;
	if (reg_sl_jwt_verify(&back, jwt, strlen(jwt), &jwks, NULL, now) != 0)
		return 1;
	t1 = bench_now();
	printf("statuslist+jwt sign + verify + decode: %.2f ms, token %zu bytes\n", 1000 * (t1 - t0), strlen(jwt));
	reg_sl_free(&back);
	reg_sl_free(&sl);
	free(lst);
	free(jwt);

	/* Merkle tree */
	const uint64_t leaves_n = 100000;
	reg_hash *leaves = malloc(leaves_n * sizeof *leaves), root, proof[REG_PROOF_MAX];
	size_t pn;
	t0 = bench_now();
	for (uint64_t i = 0; i < leaves_n; i++)
		reg_tlog_leaf_hash(leaves[i], toks[i % (uint64_t)n], strlen(toks[i % (uint64_t)n]));
	t1 = bench_now();
	printf("\n== transparency log: %llu leaves ==\n", (unsigned long long)leaves_n);
	printf("leaf hashes:          %7.1f ms\n", 1000 * (t1 - t0));
	t0 = bench_now();
	reg_tlog_root(root, leaves, leaves_n);
	t1 = bench_now();
	printf("tree head (full MTH): %7.1f ms\n", 1000 * (t1 - t0));
	t0 = bench_now();
	for (int i = 0; i < 100; i++) {
		uint64_t idx = (uint64_t)i * 997 % leaves_n;
		if (reg_tlog_inclusion_proof(proof, &pn, REG_PROOF_MAX, idx, leaves, leaves_n) != 0 ||
		    reg_tlog_verify_inclusion(idx, leaves_n, leaves[idx], proof, pn, root) != 0)
			return 1;
	}
	t1 = bench_now();
	printf("inclusion proof from the full leaf list + verify: %.1f ms each (%zu hashes)\n",
	       1000 * (t1 - t0) / 100, pn);
	struct reg_tlog_tree tree = { 0 };
	t0 = bench_now();
	for (uint64_t i = 0; i < leaves_n; i++)
		if (reg_tlog_tree_append(&tree, leaves[i]) != 0)
			return 1;
	t1 = bench_now();
	printf("append to the subtree store (reg_tlog_tree): %.1f ms for all\n", 1000 * (t1 - t0));
	struct reg_tlog_src src = reg_tlog_tree_src(&tree);
	reg_hash root2;
	t0 = bench_now();
	for (int i = 0; i < 10000; i++) {
		uint64_t idx = (uint64_t)i * 997 % leaves_n;
		if (reg_tlog_src_inclusion_proof(proof, &pn, REG_PROOF_MAX, &src, idx, leaves_n) != 0 ||
		    reg_tlog_verify_inclusion(idx, leaves_n, leaves[idx], proof, pn, root) != 0)
			return 1;
	}
	t1 = bench_now();
	reg_tlog_src_root(root2, &src, leaves_n);
	printf("inclusion proof from the subtree store + verify: %.1f us each (root %s)\n",
	       1e6 * (t1 - t0) / 10000, memcmp(root, root2, 32) == 0 ? "matches" : "DIFFERS");
	reg_tlog_tree_free(&tree);
	free(leaves);

	for (int i = 0; i < n; i++)
		free(toks[i]);
	free(toks);
	cert_keyring_free(kr);
	cert_keydir_free(&kd);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
