/* Benchmark: issue credentials from the register — sign through riss-signd, QR (PNG + SVG),
 * log append, commit — in batches of one transaction each. Prints the time for N.
 * usage: reg_issue_bench CONNINFO KEYS_DIR SIGND_SOCKET BASE_URL N [BATCH] */
#include "cert_signd.h"
#include "reg_issue.h"
#include "reg_qr.h"
#include "rs_db.h"
#include "rs_error.h"
#include "rs_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: %s CONNINFO KEYS_DIR SIGND_SOCKET BASE_URL N [BATCH]\n", argv[0]);
		return 2;
	}
	long n = atol(argv[5]), batch = argc > 6 ? atol(argv[6]) : 500;
	rs_db *db = NULL;
	struct reg_keys keys;
	struct cert_signer signer;
	if (rs_db_open(&db, argv[1]) != 0 || reg_keys_load(&keys, argv[2], time(NULL)) != 0 ||
	    cert_signd_signer_new(&signer, argv[3]) != 0) {
		fprintf(stderr, "setup: %s\n", rs_error_last());
		return 1;
	}
	char sql[1024];
	/* Registrants 000001..N, active (the workflow's rows, made in bulk for the benchmark). */
	snprintf(sql, sizeof sql,
	         "INSERT INTO registry.registrants (regno, name, name_kana, name_latn, date_of_birth, exam_result_ref, "
	         "exam_pass_date, reg_date, valid_from, valid_until) SELECT lpad(g::text, 6, '0'), '試験 太郎' || g, "
	         "'シケン タロウ', 'Shiken Taro', '1990-01-01', 'bench-' || g, '2025-12-01', '2026-04-01', '2026-04-01', "
	         "'2029-03-31' FROM generate_series(1, %ld) g ON CONFLICT DO NOTHING", n);
	if (rs_db_exec_plain(db, sql) != 0) {
		fprintf(stderr, "setup: %s\n", rs_error_last());
		return 1;
	}
	struct reg_issuer is = { .base_url = argv[4], .kid = keys.current_kid, .signer = &signer };
	struct reg_actor who = { .actor = "bench", .role = "system" };
	char (*regs)[24] = malloc((size_t)batch * sizeof *regs);
	const char **ptr = malloc((size_t)batch * sizeof *ptr);
	char **jws = malloc((size_t)batch * sizeof *jws);
	double t_issue = 0, t_qr = 0;
	size_t qr_bytes = 0;
	int64_t t0 = rs_mono_ns();
	for (long done = 0; done < n;) {
		long m = n - done < batch ? n - done : batch;
		for (long i = 0; i < m; i++) {
			snprintf(regs[i], sizeof regs[i], "%06ld", done + i + 1);
			ptr[i] = regs[i];
		}
		int64_t a = rs_mono_ns();
		if (reg_issue_batch(jws, db, ptr, (size_t)m, &is, time(NULL), &who) != 0) {
			fprintf(stderr, "issue: %s\n", rs_error_last());
			return 1;
		}
		int64_t b = rs_mono_ns();
		for (long i = 0; i < m; i++) {
			char *url = NULL, *svg = NULL;
			unsigned char *png = NULL;
			size_t pl = 0;
			if (reg_qr_verify_url(&url, argv[4], jws[i]) != 0 || reg_qr_png(&png, &pl, url, REG_QR_M, 4) != 0 ||
			    reg_qr_svg(&svg, url, REG_QR_M, 4) != 0) {
				fprintf(stderr, "qr: %s\n", rs_error_last());
				return 1;
			}
			qr_bytes += pl + strlen(svg);
			free(url);
			free(svg);
			free(png);
			free(jws[i]);
		}
		t_issue += (double)(b - a) / 1e9;
		t_qr += (double)(rs_mono_ns() - b) / 1e9;
		done += m;
	}
	double total = (double)(rs_mono_ns() - t0) / 1e9;
	printf("reg_issue: %ld credentials in %.2f s (%.0f/s; target <= 30 s): sign via riss-signd + status entry + "
	       "log leaf + commit %.2f s, QR PNG+SVG %.2f s (%zu bytes), batches of %ld\n",
	       n, total, n / total, t_issue, t_qr, qr_bytes, batch);
	cert_signd_signer_free(&signer);
	reg_keys_free(&keys);
	rs_db_close(db);
	free(regs);
	free(ptr);
	free(jws);
	return 0;
}
