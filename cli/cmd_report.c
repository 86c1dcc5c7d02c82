/* riss report test-information: the test information and CSEM curves of an exam's fixed
 * form and of its adaptive test (averaged over simulated candidates), as text, JSON and a
 * plot drawn by gnuplot (Debian package gnuplot-nox). */
#include "cli.h"
#include "rs_error.h"
#include "rs_util.h"

#include "cat.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CLI_REP_MAX_FILE (64u << 20)
#define CLI_REP_NGRID 81 /* theta -4..4 by 0.1 */

static double cli_rep_theta(int k) { return -4.0 + 0.1 * k; }

/* Uniform [0, 1) from a counter (the candidates' answers). */
static double cli_rep_u(uint64_t seed, uint64_t *ctr)
{
	return (double)(cat_mix64(seed + 0x9e3779b97f4a7c15ULL * ++*ctr) >> 11) * 0x1.0p-53;
}

/* Information of the fixed form and the mean information of n simulated adaptive tests
 * (theta ~ N(0,1)) on the grid. */
static int cli_rep_curves(double *fixed, double *cat, json_t *ids, const struct cat_engine *eng,
                          const struct cat_exam *exam, const struct cat_bank *bank, size_t n, uint64_t seed)
{
	size_t *form = malloc((size_t)exam->max_items * sizeof *form), nform = 0;
	if (!form || cat_fixed_form(form, &nform, eng)) {
		free(form);
		return cli_fail("report: cannot assemble the fixed form: %s", cat_error_last());
	}
	for (size_t t = 0; t < nform; t++)
		json_array_append_new(ids, json_string(bank->items[form[t]].id));
	for (int k = 0; k < CLI_REP_NGRID; k++) {
		fixed[k] = cat[k] = 0;
		for (size_t t = 0; t < nform; t++)
			fixed[k] += cat_info(&bank->items[form[t]].irt, cli_rep_theta(k));
	}
	free(form);
	uint64_t ctr = 0;
	for (size_t c = 0; c < n; c++) {
		double u1 = 1.0 - cli_rep_u(seed, &ctr), u2 = cli_rep_u(seed, &ctr);
		double theta = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
		struct cat_session *s;
		if (cat_session_new(&s, eng, cat_mix64(seed + c)))
			return cli_fail("report: %s", cat_error_last());
		size_t it;
		while (!cat_session_done(s) && cat_session_next(s, &it) == 0) {
			const struct cat_item *item = &bank->items[it].irt;
			int x = cli_rep_u(seed, &ctr) < cat_prob(item, theta) ? 1 : 0;
			if (item->model == CAT_GPCM)
				x = (int)floor(cat_prob(item, theta) * item->nsteps + 0.5); /* expected score, rounded */
			if (cat_session_answer(s, it, x, 0)) {
				cat_session_free(s);
				return cli_fail("report: %s", cat_error_last());
			}
		}
		for (size_t r = 0; r < cat_session_count(s); r++) {
			size_t item;
			bool pre;
			cat_session_response(s, r, &item, NULL, &pre);
			if (pre)
				continue;
			for (int k = 0; k < CLI_REP_NGRID; k++)
				cat[k] += cat_info(&bank->items[item].irt, cli_rep_theta(k)) / (double)n;
		}
		cat_session_free(s);
	}
	return CLI_OK;
}

static int cli_rep_plot(const char *path, const char *exam_id, const double *fixed, const double *cat, double cut)
{
	size_t l = strlen(path);
	int png = l > 4 && strcmp(path + l - 4, ".png") == 0;
	if (!png && !(l > 4 && strcmp(path + l - 4, ".svg") == 0))
		return cli_usage_error("report: --plot FILE must end in .svg or .png");
	char data[] = "/tmp/riss-report-XXXXXX";
	int fd = mkstemp(data);
	if (fd < 0)
		return cli_fail("report: cannot create a temporary file");
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(data);
		return cli_fail("report: cannot write a temporary file");
	}
	for (int k = 0; k < CLI_REP_NGRID; k++)
		fprintf(f, "%.2f %.6f %.6f %.6f %.6f\n", cli_rep_theta(k), fixed[k], cat[k],
		        fixed[k] > 0 ? 1 / sqrt(fixed[k]) : 9.99, cat[k] > 0 ? 1 / sqrt(cat[k]) : 9.99);
	fclose(f);
	FILE *g = popen("gnuplot", "w");
	if (!g) {
		unlink(data);
		return cli_fail("report: cannot run gnuplot (install the Debian package gnuplot-nox)");
	}
	fprintf(g, "set terminal %s size 900,420 font 'sans,11'\n", png ? "png" : "svg");
	fprintf(g, "set output '%s'\n", path);
	fprintf(g, "set multiplot layout 1,2 title 'Exam %s: test information and CSEM'\n", exam_id);
	fprintf(g, "set xlabel 'theta'\nset grid\nset key top right\nset arrow from %g, graph 0 to %g, graph 1 nohead dt 2\n",
	        cut, cut);
	fprintf(g, "set ylabel 'information'\n");
	fprintf(g, "plot '%s' using 1:2 with lines lw 2 title 'fixed form', '' using 1:3 with lines lw 2 title 'adaptive (mean)'\n",
	        data);
	fprintf(g, "set ylabel 'CSEM'\nset yrange [0:1.5]\nset key bottom right\n");
	fprintf(g, "plot '%s' using 1:4 with lines lw 2 title 'fixed form', '' using 1:5 with lines lw 2 title 'adaptive (mean information)'\n",
	        data);
	fprintf(g, "unset multiplot\n");
	int st = pclose(g);
	unlink(data);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return cli_fail("report: gnuplot failed (is gnuplot-nox installed?)");
	return CLI_OK;
}

int cli_cmd_report(int argc, char **argv)
{
	if (argc < 2 || cli_wants_help(argc, argv)) {
		printf("usage: riss report test-information --bank B --exam E [--examinees N] [--seed S]\n"
		       "                                    [--plot FILE.svg|FILE.png] [--json]\n\n"
		       "Test information I(theta) = sum of the items' Fisher information and the conditional\n"
		       "standard error of measurement CSEM(theta) = 1 / sqrt(I(theta)) on theta -4..4 (step\n"
		       "0.1), for the exam's fixed form (the scored items most informative at the cut that\n"
		       "meet the blueprint) and for the adaptive test: the mean information of N simulated\n"
		       "candidates' tests (theta ~ N(0,1), default 500) and its CSEM. Prints a table, or\n"
		       "{\"theta\", \"fixed\": {\"information\", \"csem\"}, \"adaptive\": {...}} with --json;\n"
		       "--plot draws both curves with gnuplot (Debian package gnuplot-nox).\n");
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	if (strcmp(argv[1], "test-information") != 0)
		return cli_usage_error("unknown report '%s' (test-information)", argv[1]);
	const char *bank_path = NULL, *exam_path = NULL, *plot = NULL;
	unsigned long long n = 500, seed = 1;
	int json = 0, rc = CLI_FAIL;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--json") == 0) { json = 1; continue; }
		if (!v)
			return cli_usage_error("report: option '%s' needs a value (see --help)", a);
		i++;
		char *end;
		if (strcmp(a, "--bank") == 0) bank_path = v;
		else if (strcmp(a, "--exam") == 0) exam_path = v;
		else if (strcmp(a, "--plot") == 0) plot = v;
		else if (strcmp(a, "--examinees") == 0) {
			n = strtoull(v, &end, 10);
			if (*end || *v == '-' || n < 1 || n > 1000000)
				return cli_usage_error("report: --examinees must be in 1..1000000");
		} else if (strcmp(a, "--seed") == 0) {
			seed = strtoull(v, &end, 10);
			if (*end || *v == '-')
				return cli_usage_error("report: --seed must be a whole number");
		} else
			return cli_usage_error("report: unknown option '%s' (see --help)", a);
	}
	if (!bank_path || !exam_path)
		return cli_usage_error("report: --bank and --exam are required");
	char *bt = NULL, *et = NULL;
	size_t bl, el;
	struct cat_bank *bank = NULL;
	struct cat_exam *exam = NULL;
	struct cat_engine *eng = NULL;
	json_t *ids = NULL;
	if (rs_read_file(&bt, &bl, bank_path, CLI_REP_MAX_FILE) || rs_read_file(&et, &el, exam_path, CAT_EXAM_MAX_BYTES)) {
		rc = cli_usage_error("report: %s", rs_error_last());
		goto done;
	}
	if (cat_bank_parse(&bank, bt, bl) || cat_exam_parse(&exam, et, el) || cat_engine_new(&eng, exam, bank)) {
		rc = cli_usage_error("report: %s", cat_error_last());
		goto done;
	}
	double fixed[CLI_REP_NGRID], cat[CLI_REP_NGRID];
	ids = json_array();
	if ((rc = cli_rep_curves(fixed, cat, ids, eng, exam, bank, (size_t)n, seed)) != CLI_OK)
		goto done;
	if (plot && (rc = cli_rep_plot(plot, exam->id, fixed, cat, exam->cut_theta)) != CLI_OK)
		goto done;
	if (json) {
		json_t *th = json_array(), *fi = json_array(), *fc = json_array(), *ci = json_array(), *cc = json_array();
		for (int k = 0; k < CLI_REP_NGRID; k++) {
			json_array_append_new(th, json_real(cli_rep_theta(k)));
			json_array_append_new(fi, json_real(fixed[k]));
			json_array_append_new(fc, json_real(1 / sqrt(fixed[k])));
			json_array_append_new(ci, json_real(cat[k]));
			json_array_append_new(cc, json_real(1 / sqrt(cat[k])));
		}
		json_t *o = json_pack("{s:s, s:f, s:I, s:o, s:{s:o, s:o, s:O}, s:{s:o, s:o}}", "exam", exam->id, "cut_theta",
		                      exam->cut_theta, "examinees", (json_int_t)n, "theta", th, "fixed", "information", fi,
		                      "csem", fc, "items", ids, "adaptive", "information", ci, "csem", cc);
		if (!o || json_dumpf(o, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) != 0) {
			json_decref(o);
			rc = cli_fail("report: cannot write JSON");
			goto done;
		}
		putchar('\n');
		json_decref(o);
	} else {
		printf("exam %s: test information and CSEM; adaptive = mean over %llu simulated candidates\n\n", exam->id, n);
		printf("%7s %12s %10s %12s %10s\n", "theta", "info fixed", "csem", "info CAT", "csem");
		for (int k = 0; k < CLI_REP_NGRID; k += 5)
			printf("%7.1f %12.3f %10.4f %12.3f %10.4f\n", cli_rep_theta(k), fixed[k], 1 / sqrt(fixed[k]), cat[k],
			       1 / sqrt(cat[k]));
		if (plot)
			printf("\nplot written to %s\n", plot);
	}
	rc = CLI_OK;
done:
	json_decref(ids);
	cat_engine_free(eng);
	cat_exam_free(exam);
	cat_bank_free(bank);
	free(bt);
	free(et);
	return rc;
}
