/* Benchmark: adaptive engine per-step time (estimate update + next-item selection with
 * the SG blueprint and Sympson-Hetter exposure control) on 600, 2,000 and 10,000-item
 * banks, `riss simulate` wall time for 10,000 candidates on 2,000 items, and the peer
 * @bdelab/jscat (Node) selecting from the same banks. Prints figures; asserts nothing.
 * args: RISS_BINARY SG_EXAM_JSON JSCAT_DIR [NODE] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cat.h"

static double cat_bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cat_bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static char *cat_bench_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long l = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)l + 1);
	*len = fread(b, 1, (size_t)l, f);
	b[*len] = 0;
	fclose(f);
	return b;
}

/* Run a shell command, capture stdout (up to cap bytes); returns exit status. */
static int cat_bench_run(const char *cmd, char *out, size_t cap)
{
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = 0;
	return pclose(p);
}

static double cat_bench_json_num(const char *s, const char *key)
{
	char k[64];
	snprintf(k, sizeof k, "\"%s\":", key);
	const char *p = strstr(s, k);
	if (!p) {
		snprintf(k, sizeof k, "\"%s\": ", key);
		p = strstr(s, k);
	}
	return p ? strtod(p + strlen(k), NULL) : NAN;
}

/* key inside the object named obj */
static double cat_bench_sub(const char *s, const char *obj, const char *key)
{
	char k[64];
	snprintf(k, sizeof k, "\"%s\"", obj);
	const char *p = strstr(s, k);
	return p ? cat_bench_json_num(p, key) : NAN;
}

struct cat_bench_row {
	size_t items;
	double med, p99, mean;
	size_t steps;
	double peer_med_ms;
};

static int cat_bench_bank(struct cat_bench_row *row, const char *riss, const char *exam_path, const char *dir,
                          size_t nitems, size_t candidates)
{
	char cmd[8192], path[512], shpath[512], buf[4096];
	snprintf(path, sizeof path, "%s/bank-%zu.jsonl", dir, nitems);
	snprintf(shpath, sizeof shpath, "%s/bank-%zu-sh.jsonl", dir, nitems);
	snprintf(cmd, sizeof cmd, "'%s' bank generate --items %zu --seed 1 > '%s'", riss, nitems, path);
	if (cat_bench_run(cmd, buf, sizeof buf) != 0)
		return -1;
	snprintf(cmd, sizeof cmd, "'%s' exposure --bank '%s' --exam '%s' --examinees 2000 --iterations 6 > '%s' 2>/dev/null",
	         riss, path, exam_path, shpath);
	if (cat_bench_run(cmd, buf, sizeof buf) != 0)
		return -1;
	size_t bl = 0, el = 0;
	char *bt = cat_bench_slurp(shpath, &bl), *et = cat_bench_slurp(exam_path, &el);
	struct cat_bank *bank;
	struct cat_exam *exam;
	struct cat_engine *eng;
	if (!bt || !et || cat_bank_parse(&bank, bt, bl) || cat_exam_parse(&exam, et, el) ||
	    cat_engine_new(&eng, exam, bank)) {
		fprintf(stderr, "cat_step: %s\n", cat_error_last());
		return -1;
	}
	size_t cap = candidates * 64, n = 0;
	double *t = malloc(cap * sizeof *t), sum = 0;
	uint64_t rs = 0x1234;
	for (size_t c = 0; c < candidates; c++) {
		struct cat_session *s;
		cat_session_new(&s, eng, c + 1);
		rs = cat_mix64(rs);
		double theta = ((double)(rs >> 11) * 0x1.0p-53 - 0.5) * 5;
		size_t it;
		if (cat_session_next(s, &it) != 0) {
			cat_session_free(s);
			continue;
		}
		for (;;) {
			rs = cat_mix64(rs);
			int x = (double)(rs >> 11) * 0x1.0p-53 < cat_prob(&bank->items[it].irt, theta);
			double t0 = cat_bench_now();
			cat_session_answer(s, it, x, 0);
			int more = !cat_session_done(s) && cat_session_next(s, &it) == 0;
			double dt = cat_bench_now() - t0;
			if (n < cap) {
				t[n++] = dt * 1e6;
				sum += dt * 1e6;
			}
			if (!more)
				break;
		}
		cat_session_free(s);
	}
	qsort(t, n, sizeof *t, cat_bench_cmp);
	row->items = nitems;
	row->steps = n;
	row->med = t[n / 2];
	row->p99 = t[(size_t)(0.99 * (double)n)];
	row->mean = sum / (double)n;
	free(t);
	cat_engine_free(eng);
	cat_exam_free(exam);
	cat_bank_free(bank);
	free(bt);
	free(et);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: cat_step RISS SG_EXAM JSCAT_DIR [NODE]\n");
		return 2;
	}
	const char *riss = argv[1], *exam = argv[2], *jdir = argv[3], *node = argc > 4 ? argv[4] : "node";
	char dir[] = "/tmp/riss-bench-cat-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	static const size_t sizes[3] = { 600, 2000, 10000 }, cands[3] = { 500, 500, 200 }, peer_steps[3] = { 20, 20, 5 };
	struct cat_bench_row rows[3];
	printf("exam-engine per step (answer -> EAP update -> next item; SG blueprint, Sympson-Hetter on)\n");
	for (int i = 0; i < 3; i++) {
		if (cat_bench_bank(&rows[i], riss, exam, dir, sizes[i], cands[i]) != 0) {
			fprintf(stderr, "cat_step: bank of %zu items failed\n", sizes[i]);
			return 1;
		}
		printf("  %6zu items: median %7.2f us, p99 %7.2f us, mean %7.2f us  (%zu steps)\n", rows[i].items,
		       rows[i].med, rows[i].p99, rows[i].mean, rows[i].steps);
		fflush(stdout);
	}

	char cmd[8192], out[16384];
	snprintf(cmd, sizeof cmd, "'%s' simulate --bank '%s/bank-2000-sh.jsonl' --exam '%s' --examinees 10000 --seed 7 --json",
	         riss, dir, exam);
	double t0 = cat_bench_now();
	int rc = cat_bench_run(cmd, out, sizeof out);
	double wall = cat_bench_now() - t0;
	printf("\nriss simulate, 10,000 candidates on 2,000 items (plus the fixed form): wall %.2f s, "
	       "adaptive part %.2f s (target <= 5 s)%s\n", wall, cat_bench_json_num(out, "seconds"), rc ? " [FAILED]" : "");
	/* figures of the adaptive part come before "fixed_form" in the document */
	char *ff = strstr(out, "\"fixed_form\"");
	if (ff)
		*ff++ = 0;
	printf("  adaptive:   rmse %.3f, mean length %.1f, max exposure %.3f, overlap %.3f, violations %.0f\n",
	       cat_bench_json_num(out, "rmse"), cat_bench_sub(out, "length", "mean"), cat_bench_sub(out, "exposure", "max"),
	       cat_bench_json_num(out, "overlap"), cat_bench_json_num(out, "violations"));
	if (ff)
		printf("  fixed form: rmse %.3f, mean length %.1f, max exposure %.3f, overlap %.3f\n", cat_bench_json_num(ff, "rmse"),
		       cat_bench_sub(ff, "length", "mean"), cat_bench_sub(ff, "exposure", "max"), cat_bench_json_num(ff, "overlap"));

	printf("\npeer @bdelab/jscat (Node, MFI selection + EAP update) on the same banks\n");
	char mod[1200];
	snprintf(mod, sizeof mod, "%s/node_modules/@bdelab/jscat", jdir);
	if (access(mod, R_OK) != 0) {
		printf("  not installed: run `npm ci` in %s\n", jdir);
	} else {
		for (int i = 0; i < 3; i++) {
			snprintf(cmd, sizeof cmd, "cd '%s' && '%s' bench.cjs '%s/bank-%zu.jsonl' %zu", jdir, node, dir, sizes[i],
			         peer_steps[i]);
			if (cat_bench_run(cmd, out, sizeof out) != 0) {
				printf("  %6zu items: peer failed\n", sizes[i]);
				continue;
			}
			double sel = cat_bench_json_num(out, "select_ms_median");
			printf("  %6zu items: jscat median %.2f ms per selection (%zu selections); "
			       "exam-engine median step %.2f us: ratio %.0fx\n",
			       (size_t)cat_bench_json_num(out, "items"), sel, peer_steps[i], rows[i].med, sel * 1000 / rows[i].med);
			fflush(stdout);
		}
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cat_step: could not remove %s\n", dir);
	return 0;
}
