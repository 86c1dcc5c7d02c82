/* Benchmark of item-bank calibration: dense 2PL and 3PL (100,000 x 100), sparse
 * CAT-like 2PL (500,000 persons, 2,000 items, 60 answers each), and the Rasch
 * model against the peer eRm (R, conditional ML) on the same dense data.
 * Prints figures; asserts nothing about time. */
#include "ib_calib.h"
#include "ib_sim.h"
#include "rs_error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double ib_bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double ib_bench_peak_mb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

static void ib_bench_rmse(const struct ib_calib_result *r, const struct ib_item_par *truth,
                          double *ra, double *rb, double *rc)
{
	double sa = 0, sb = 0, sc = 0;
	for (size_t j = 0; j < r->n_items; j++) {
		sa += (r->items[j].a - truth[j].a) * (r->items[j].a - truth[j].a);
		sb += (r->items[j].b - truth[j].b) * (r->items[j].b - truth[j].b);
		sc += (r->items[j].c - truth[j].c) * (r->items[j].c - truth[j].c);
	}
	*ra = sqrt(sa / (double)r->n_items);
	*rb = sqrt(sb / (double)r->n_items);
	*rc = sqrt(sc / (double)r->n_items);
}

static int ib_bench_case(const char *name, enum ib_model model, size_t n, size_t J, size_t k,
                         uint64_t seed, double target)
{
	struct ib_data *d = NULL;
	struct ib_item_par *truth = NULL;
	struct ib_sim_opts so = { n, J, k, model, seed };
	double t0 = ib_bench_now();
	if (ib_sim(&d, &truth, NULL, &so)) {
		fprintf(stderr, "%s: %s\n", name, rs_error_last());
		return 1;
	}
	double tsim = ib_bench_now() - t0;
	struct ib_calib_opts o;
	ib_calib_opts_init(&o, model);
	struct ib_calib_result *r = NULL;
	t0 = ib_bench_now();
	if (ib_calibrate(&r, d, &o)) {
		fprintf(stderr, "%s: %s\n", name, rs_error_last());
		ib_data_free(d);
		free(truth);
		return 1;
	}
	double wall = ib_bench_now() - t0;
	double ra, rb, rc;
	ib_bench_rmse(r, truth, &ra, &rb, &rc);
	printf("%-34s persons %7zu items %5zu answers %9zu  wall %6.2f s (target <= %.0f s)  "
	       "cycles %3d%s  %.3f s/cycle  peak RSS %6.0f MB  RMSE a %.4f b %.4f",
	       name, n, J, d->n_resp, wall, target, r->iterations, r->converged ? "" : " (NOT converged)",
	       wall / r->iterations, ib_bench_peak_mb(), ra, rb);
	if (model == IB_3PL)
		printf(" c %.4f", rc);
	printf("  (simulation %.1f s)\n", tsim);
	fflush(stdout);
	ib_calib_result_free(r);
	ib_data_free(d);
	free(truth);
	return 0;
}

/* Rasch with our EM and with eRm (conditional ML) on the same data. */
static int ib_bench_rasch_vs_erm(size_t n, size_t J, size_t n_erm, uint64_t seed)
{
	struct ib_data *d = NULL;
	struct ib_item_par *truth = NULL;
	struct ib_sim_opts so = { n, J, 0, IB_2PL, seed };
	int rc = 1;
	char dir[] = "/tmp/ib-bench-XXXXXX";
	char path_data[256], path_out[256], path_r[256], cmd[1024];
	double *erm_b = NULL;
	if (ib_sim(&d, &truth, NULL, &so)) {
		fprintf(stderr, "rasch: %s\n", rs_error_last());
		return 1;
	}
	struct ib_calib_opts o;
	ib_calib_opts_init(&o, IB_RASCH);
	struct ib_calib_result *r = NULL;
	double t0 = ib_bench_now();
	if (ib_calibrate(&r, d, &o)) {
		fprintf(stderr, "rasch: %s\n", rs_error_last());
		goto done;
	}
	double ours = ib_bench_now() - t0;
	printf("%-34s persons %7zu items %5zu  wall %6.2f s  cycles %3d  ability SD %.3f\n",
	       "Rasch (riss MML-EM)", n, J, ours, r->iterations, r->latent_sd);
	/* The peer: same data (its first n_erm persons) through eRm::RM. */
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		goto done;
	}
	snprintf(path_data, sizeof path_data, "%s/x.txt", dir);
	snprintf(path_out, sizeof path_out, "%s/b.txt", dir);
	snprintf(path_r, sizeof path_r, "%s/run.R", dir);
	FILE *f = fopen(path_data, "w");
	if (!f)
		goto done;
	for (size_t i = 0; i < n_erm; i++) {
		char line[2 * 4096];
		size_t o2 = 0;
		for (size_t k = d->row_start[i]; k < d->row_start[i + 1] && o2 + 2 < sizeof line; k++) {
			line[o2++] = (char)('0' + IB_RESP_SCORE(d->resp[k]));
			line[o2++] = ' ';
		}
		line[o2 - 1] = '\n';
		fwrite(line, 1, o2, f);
	}
	fclose(f);
	f = fopen(path_r, "w");
	if (!f)
		goto done;
	fprintf(f,
	        "suppressMessages(library(eRm))\n"
	        "x <- matrix(scan('%s', what = integer(), quiet = TRUE), ncol = %zu, byrow = TRUE)\n"
	        "t <- system.time(m <- RM(x, se = FALSE))[['elapsed']]\n"
	        "b <- -m$betapar\n"
	        "cat(t, '\\n', file = '%s')\n"
	        "cat(b, sep = '\\n', file = '%s', append = TRUE)\n",
	        path_data, J, path_out, path_out);
	fclose(f);
	snprintf(cmd, sizeof cmd, "Rscript --vanilla %s", path_r);
	t0 = ib_bench_now();
	int st = system(cmd);
	double erm_wall = ib_bench_now() - t0;
	if (st != 0) {
		printf("eRm peer: Rscript failed (status %d); is r-cran-erm installed?\n", st);
		goto done;
	}
	f = fopen(path_out, "r");
	double erm_fit = 0;
	erm_b = malloc(J * sizeof *erm_b);
	if (!f || !erm_b || fscanf(f, "%lf", &erm_fit) != 1)
		goto done_f;
	for (size_t j = 0; j < J; j++)
		if (fscanf(f, "%lf", &erm_b[j]) != 1)
			goto done_f;
	/* Our difficulties from the same subsample when it is smaller. */
	double ours_sub = ours;
	struct ib_calib_result *rs = NULL;
	if (n_erm < n) {
		size_t keep = d->n_persons;
		d->n_persons = n_erm; /* the first n_erm rows: row_start stays valid */
		t0 = ib_bench_now();
		int e = ib_calibrate(&rs, d, &o);
		ours_sub = ib_bench_now() - t0;
		d->n_persons = keep;
		if (e) {
			fprintf(stderr, "rasch subsample: %s\n", rs_error_last());
			goto done_f;
		}
		printf("%-34s persons %7zu items %5zu  wall %6.2f s  cycles %3d\n",
		       "Rasch (riss MML-EM) on subsample", n_erm, J, ours_sub, rs->iterations);
	}
	const struct ib_calib_result *cmp = rs ? rs : r;
	double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
	for (size_t j = 0; j < J; j++) {
		mx += cmp->items[j].b;
		my += erm_b[j];
	}
	mx /= (double)J;
	my /= (double)J;
	for (size_t j = 0; j < J; j++) {
		double dx = cmp->items[j].b - mx, dy = erm_b[j] - my;
		sxx += dx * dx;
		syy += dy * dy;
		sxy += dx * dy;
	}
	printf("%-34s persons %7zu items %5zu  RM() %6.2f s, Rscript wall %6.2f s\n",
	       "Rasch (eRm CML, peer)", n_erm, J, erm_fit, erm_wall);
	printf("%-34s eRm RM() / riss = %.1fx   correlation of difficulties r = %.6f\n",
	       "Rasch comparison", erm_fit / ours_sub, sxy / sqrt(sxx * syy));
	ib_calib_result_free(rs);
	rc = 0;
done_f:
	if (f)
		fclose(f);
done:
	if (path_data[0]) {
		unlink(path_data);
		unlink(path_out);
		unlink(path_r);
		rmdir(dir);
	}
	free(erm_b);
	ib_calib_result_free(r);
	ib_data_free(d);
	free(truth);
	return rc;
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : "all";
	size_t erm_n = 100000;
	const char *e = getenv("IB_BENCH_ERM_PERSONS");
	if (e && atol(e) > 0)
		erm_n = (size_t)atol(e);
	int bad = 0;
	printf("item-bank calibration benchmark (%ld CPUs online)\n", sysconf(_SC_NPROCESSORS_ONLN));
	if (!strcmp(only, "all") || !strcmp(only, "2pl"))
		bad |= ib_bench_case("2PL dense", IB_2PL, 100000, 100, 0, 11, 5);
	if (!strcmp(only, "all") || !strcmp(only, "3pl"))
		bad |= ib_bench_case("3PL dense", IB_3PL, 100000, 100, 0, 12, 15);
	if (!strcmp(only, "all") || !strcmp(only, "sparse"))
		bad |= ib_bench_case("2PL sparse (CAT-like)", IB_2PL, 500000, 2000, 60, 13, 20);
	if (!strcmp(only, "all") || !strcmp(only, "rasch"))
		bad |= ib_bench_rasch_vs_erm(100000, 100, erm_n, 11);
	return bad;
}
