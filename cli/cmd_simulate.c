/* riss simulate: simulated candidates through the real adaptive engine, side by side with
 * the fixed form (same length, same blueprint) drawn from the same bank. */
#include "cli.h"
#include "rs_config.h"
#include "rs_error.h"
#include "rs_util.h"

#include "cat.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CLI_SIM_MAX_FILE (64u << 20)

/* Read a whole file (at most max bytes) into a NUL-terminated buffer; NULL with a message. */
static char *cli_sim_read(const char *path, size_t max, size_t *out_len, char *err, size_t errcap)
{
	char *buf = NULL;
	if (rs_read_file(&buf, out_len, path, max) != 0) {
		snprintf(err, errcap, "%s", rs_error_last());
		return NULL;
	}
	return buf;
}

struct cli_sim_job {
	const struct cat_engine *eng;
	uint64_t seed;
	enum cat_theta_dist dist;
	size_t first, count;
	const size_t *form;        /* nforms fixed forms, form f at form[f * stride], form_n[f] items */
	const size_t *form_n;
	size_t nforms, stride;
	bool by_theta;             /* oracle routing of the forms by true theta */
	struct cat_sim_acc acc;
	int rc;
	char err[256];
};

static void *cli_sim_thread(void *arg)
{
	struct cli_sim_job *j = arg;
	j->rc = cat_sim_run_forms(&j->acc, j->eng, j->seed, j->dist, j->first, j->count, j->form, j->form_n, j->nforms,
	                          j->stride, j->by_theta);
	if (j->rc)
		snprintf(j->err, sizeof j->err, "%s", cat_error_last());
	return NULL;
}

static double cli_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Run N candidates on nthreads threads; fills rep and seconds. */
static int cli_sim_batch(struct cat_sim_report *rep, double *seconds, const struct cat_engine *eng,
                         const struct cat_bank *bank, uint64_t seed, enum cat_theta_dist dist, size_t n,
                         int nthreads, const size_t *form, const size_t *form_n, size_t nforms, size_t stride,
                         bool by_theta, bool lottery_true)
{
	struct cli_sim_job jobs[16];
	pthread_t th[16];
	double t0 = cli_now();
	int rc = 0, started = 0;
	if (nthreads > (int)n) nthreads = n ? (int)n : 1;
	for (int t = 0; t < nthreads; t++) {
		struct cli_sim_job *j = &jobs[t];
		memset(j, 0, sizeof *j);
		j->eng = eng;
		j->seed = seed;
		j->dist = dist;
		j->first = n * (size_t)t / (size_t)nthreads;
		j->count = n * (size_t)(t + 1) / (size_t)nthreads - j->first;
		j->form = form;
		j->form_n = form_n;
		j->nforms = nforms;
		j->stride = stride;
		j->by_theta = by_theta;
		if (cat_sim_acc_init(&j->acc, bank->n))
			return cli_fail("simulate: out of memory");
		j->acc.lottery_true_theta = lottery_true;
	}
	for (int t = 0; t < nthreads; t++) {
		if (pthread_create(&th[t], NULL, cli_sim_thread, &jobs[t]) != 0)
			break;
		started++;
	}
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	*seconds = cli_now() - t0;
	if (started < nthreads)
		rc = cli_fail("simulate: cannot start threads");
	for (int t = 0; t < nthreads && rc == 0; t++)
		if (jobs[t].rc)
			rc = cli_fail("simulate: %s", jobs[t].err);
	if (rc == 0) {
		for (int t = 1; t < nthreads; t++)
			cat_sim_acc_merge(&jobs[0].acc, &jobs[t].acc);
		cat_sim_report(rep, &jobs[0].acc, eng);
	}
	for (int t = 0; t < nthreads; t++)
		cat_sim_acc_free(&jobs[t].acc);
	return rc;
}

/* by_theta: one object per band of true theta. */
static json_t *cli_sim_bands(const struct cat_sim_report *r)
{
	json_t *a = json_array();
	for (int k = 0; k < CAT_SIM_BANDS; k++) {
		const struct cat_sim_band *b = &r->band[k];
		json_array_append_new(a, json_pack("{s:f, s:f, s:i, s:f, s:f, s:f, s:f, s:f, s:f}", "theta_lo", b->lo,
		                                   "theta_hi", b->hi, "n", (int)b->n, "bias", b->bias, "rmse", b->rmse,
		                                   "csem", b->csem, "length_mean", b->len_mean, "accuracy", b->accuracy,
		                                   "exposure_max", b->expo_max));
	}
	return a;
}

/* The largest conditional exposure over the bands that hold at least 100 candidates (in
 * the sparse end bands a handful of candidates share the few items that suit them). */
static double cli_sim_cond_max(const struct cat_sim_report *r)
{
	double m = 0;
	for (int k = 0; k < CAT_SIM_BANDS; k++)
		if (r->band[k].n >= 100 && r->band[k].expo_max > m)
			m = r->band[k].expo_max;
	return m;
}

static json_t *cli_sim_json(const struct cat_sim_report *r, double seconds)
{
	json_t *o = json_pack("{s:i, s:f, s:f, s:{s:f, s:i, s:i}, s:{s:f, s:f}, s:{s:f, s:f, s:f}, s:f, s:i, s:f}",
	                 "examinees", (int)r->examinees, "bias", r->bias, "rmse", r->rmse,
	                 "length", "mean", r->len_mean, "min", r->len_min, "max", r->len_max,
	                 "classification", "accuracy", r->accuracy, "consistency", r->consistency,
	                 "exposure", "max", r->expo_max, "mean", r->expo_mean, "unused_share", r->unused_share,
	                 "overlap", r->overlap, "violations", (int)r->violations, "seconds", seconds);
	if (o) {
		json_object_set_new(o, "used_share", json_real(1.0 - r->unused_share));
		json_object_set_new(json_object_get(o, "exposure"), "conditional_max", json_real(cli_sim_cond_max(r)));
		json_object_set_new(o, "by_theta", cli_sim_bands(r));
		json_object_set_new(o, "by_stratum", cli_expo_strata(r));
		json_object_set_new(json_object_get(o, "exposure"), "stratum_max", json_real(r->stratum_expo_max));
	}
	return o;
}

static void cli_sim_print_bands(const char *title, const struct cat_sim_report *r)
{
	printf("\n%s by true theta (CSEM = root mean square of the reported SE; exposure = the largest\n"
	       "share of the band's candidates shown one item):\n", title);
	printf("  %-13s %6s %8s %7s %7s %7s %8s %9s\n", "theta", "n", "bias", "rmse", "csem", "length", "accuracy", "exposure");
	for (int k = 0; k < CAT_SIM_BANDS; k++) {
		const struct cat_sim_band *b = &r->band[k];
		char lab[32];
		snprintf(lab, sizeof lab, "%s%+.1f..%+.1f%s", k == 0 ? "<" : " ", b->lo, b->hi, k == CAT_SIM_BANDS - 1 ? "<" : " ");
		printf("  %-13s %6.0f %8.4f %7.4f %7.4f %7.2f %8.4f %9.4f\n", lab, b->n, b->bias, b->rmse, b->csem,
		       b->len_mean, b->accuracy, b->expo_max);
	}
}

static int cli_sim_parse_num(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || v > max)
		return -1;
	*out = v;
	return 0;
}

int cli_cmd_simulate(int argc, char **argv)
{
	const char *bank_path = NULL, *exam_path = NULL;
	unsigned long long n = 0, seed = 1, threads = 2, nforms = 4;
	enum cat_theta_dist dist = CAT_DIST_NORMAL;
	int json = 0, have_n = 0, strict = 0, feasible = 1, cond = 0, rc = CLI_FAIL;
	bool lottery_true = false;
	char err[300];
	char *btext = NULL, *etext = NULL;
	struct cat_bank *bank = NULL;
	struct cat_exam *exam = NULL;
	struct cat_engine *eng = NULL;
	size_t *form = NULL, *pforms = NULL, pform_n[CAT_MAX_FORMS], *tforms = NULL, tform_n[CAT_MAX_FORMS];
	json_t *feas = NULL;
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss simulate --bank B [--exam E] --examinees N [--seed S]\n"
		       "                     [--theta-dist normal|uniform|strata] [--threads T] [--forms F]\n"
		       "                     [--conditional] [--lottery estimate|true] [--json] [--strict]\n\n"
		       "Run N simulated candidates (true theta from N(0,1) or U(-3,3)) through the adaptive\n"
		       "engine with the exam's blueprint, stopping rules and exposure control, and the same\n"
		       "candidates through a fixed form of the exam's full length (the most informative items\n"
		       "at the cut that meet the blueprint). Prints bias, RMSE, test length (scored items),\n"
		       "classification accuracy and consistency (Rudner), exposure, overlap, blueprint\n"
		       "violations and wall time for both, side by side. Same seed, same figures. Beside\n"
		       "them, F parallel fixed forms (disjoint, assembled at the cut in turns) assigned at\n"
		       "random: fixed forms under an exposure of about 1/F, the fair peer of an adaptive\n"
		       "test held to an exposure target. And F tiers (form 1 the fixed form, form k the k-th\n"
		       "best of the rest) routed by an oracle that knows the true theta, nearest the cut to\n"
		       "form 1: what a perfect router could reach under the same exposure.\n\n"
		       "  --bank B        engine bank, JSON Lines (docs/bank-format.md)\n"
		       "  --exam E        exam definition (docs/exam-format.md); default the delivered exam,\n"
		       "                  setting exam_definition (exam-engine/exams/sg.json)\n"
		       "  --examinees N   number of simulated candidates (1..10000000)\n"
		       "  --seed S        random seed (default 1)\n"
		       "  --theta-dist D  normal (default), uniform, or strata: the same number of candidates\n"
		       "                  in each conditional-SH theta stratum, N(0,1) truncated to it (for\n"
		       "                  the by_stratum figures; the overall ones are then not N(0,1)'s)\n"
		       "  --threads T     worker threads (default 2)\n"
		       "  --forms F       F parallel fixed forms and F oracle tiers beside the single form\n"
		       "                  (default 4; 0 = neither)\n"
		       "  --conditional   run a sympson-hetter exam as sympson-hetter-conditional (the bank's\n"
		       "                  sh_kc from riss exposure --conditional)\n"
		       "  --lottery L     conditional SH: the stratum whose k the lottery uses: estimate\n"
		       "                  (default; the current estimate's, as in a real sitting) or true (the\n"
		       "                  candidate's true theta, as riss exposure --conditional calibrates)\n"
		       "  --json          print {\"examinees\", \"bias\", ..., \"by_theta\": [...], \"fixed_form\": {...},\n"
		       "                  \"parallel_forms\": {\"forms\": F, ...}, \"oracle_tiers\": {...}}\n"
		       "  --strict        exit 1 when the exam's exposure target is not met (or cannot be)\n\n"
		       "Figures by true theta (12 bands of 0.5 from -3 to 3, the end bands open): n, bias,\n"
		       "RMSE, CSEM (root mean square of the reported SE), mean length, accuracy and the\n"
		       "conditional maximum exposure; and the largest exposure within each of the exam's\n"
		       "conditional-SH theta strata (by_stratum). When the bank cannot meet the exam's exposure target\n"
		       "under its blueprint (see riss exposure --help) it says so on stderr.\n");
		return CLI_OK;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--json") == 0) { json = 1; continue; }
		if (strcmp(a, "--strict") == 0) { strict = 1; continue; }
		if (strcmp(a, "--conditional") == 0) { cond = 1; continue; }
		if (!v)
			return cli_usage_error("simulate: option '%s' needs a value (see --help)", a);
		i++;
		if (strcmp(a, "--bank") == 0) bank_path = v;
		else if (strcmp(a, "--exam") == 0) exam_path = v;
		else if (strcmp(a, "--examinees") == 0) {
			if (cli_sim_parse_num(v, 10000000, &n) || n == 0)
				return cli_usage_error("simulate: --examinees must be a whole number in 1..10000000");
			have_n = 1;
		} else if (strcmp(a, "--seed") == 0) {
			if (cli_sim_parse_num(v, UINT64_MAX, &seed))
				return cli_usage_error("simulate: --seed must be a whole number");
		} else if (strcmp(a, "--threads") == 0) {
			if (cli_sim_parse_num(v, 16, &threads) || threads == 0)
				return cli_usage_error("simulate: --threads must be in 1..16");
		} else if (strcmp(a, "--forms") == 0) {
			if (cli_sim_parse_num(v, CAT_MAX_FORMS, &nforms))
				return cli_usage_error("simulate: --forms must be in 0..%d", CAT_MAX_FORMS);
		} else if (strcmp(a, "--theta-dist") == 0) {
			if (strcmp(v, "normal") == 0) dist = CAT_DIST_NORMAL;
			else if (strcmp(v, "uniform") == 0) dist = CAT_DIST_UNIFORM;
			else if (strcmp(v, "strata") == 0) dist = CAT_DIST_STRATA;
			else return cli_usage_error("simulate: --theta-dist must be normal, uniform or strata");
		} else if (strcmp(a, "--lottery") == 0) {
			if (strcmp(v, "estimate") == 0) lottery_true = false;
			else if (strcmp(v, "true") == 0) lottery_true = true;
			else return cli_usage_error("simulate: --lottery must be estimate or true");
		} else {
			return cli_usage_error("simulate: unknown option '%s' (see --help)", a);
		}
	}
	if (!bank_path || !have_n)
		return cli_usage_error("simulate: --bank and --examinees are required");
	/* Without --exam: the delivered exam (setting exam_definition), relative to the working
	 * directory or else to the source tree, the lookup rissd uses for it. */
	char exam_alt[4096];
	if (!exam_path) {
		exam_path = rs_config_str("exam_definition");
		if (exam_path[0] != '/' && access(exam_path, R_OK) != 0) {
			snprintf(exam_alt, sizeof exam_alt, "%s/%s", RS_SOURCE_ROOT, exam_path);
			exam_path = exam_alt;
		}
	}
	size_t blen, elen;
	if (!(btext = cli_sim_read(bank_path, CLI_SIM_MAX_FILE, &blen, err, sizeof err)) ||
	    !(etext = cli_sim_read(exam_path, CAT_EXAM_MAX_BYTES, &elen, err, sizeof err))) {
		rc = cli_usage_error("simulate: %s", err);
		goto done;
	}
	if (cat_bank_parse(&bank, btext, blen)) {
		rc = cli_usage_error("simulate: %s: %s", bank_path, cat_error_last());
		goto done;
	}
	if (cat_exam_parse(&exam, etext, elen)) {
		rc = cli_usage_error("simulate: %s: %s", exam_path, cat_error_last());
		goto done;
	}
	if (cond && exam->exposure != CAT_EXPO_SH && exam->exposure != CAT_EXPO_SH_COND) {
		rc = cli_usage_error("simulate: --conditional needs an exam with sympson-hetter exposure control");
		goto done;
	}
	if (cond)
		exam->exposure = CAT_EXPO_SH_COND;
	if (cat_engine_new(&eng, exam, bank)) {
		rc = cli_usage_error("simulate: %s", cat_error_last());
		goto done;
	}
	if (exam->exposure != CAT_EXPO_NONE && exam->exposure_target < 1)
		feas = cli_exposure_feasibility(eng, exam, exam->exposure_target, "simulate", &feasible);
	struct cat_sim_report ad, fx, pf, tf;
	double ad_s, fx_s, pf_s = 0, tf_s = 0;
	if ((rc = cli_sim_batch(&ad, &ad_s, eng, bank, seed, dist, n, (int)threads, NULL, NULL, 0, 0, false, lottery_true)) != 0)
		goto done;
	form = malloc((size_t)exam->max_items * sizeof *form);
	size_t nform = 0;
	if (!form || cat_fixed_form(form, &nform, eng)) {
		rc = cli_fail("simulate: cannot assemble the fixed form: %s", cat_error_last());
		goto done;
	}
	if ((rc = cli_sim_batch(&fx, &fx_s, eng, bank, seed, dist, n, (int)threads, form, &nform, 1, nform, false, false)) != 0)
		goto done;
	if (nforms > 0) {
		pforms = malloc(nforms * (size_t)exam->max_items * sizeof *pforms);
		tforms = malloc(nforms * (size_t)exam->max_items * sizeof *tforms);
		if (!pforms || !tforms) {
			rc = cli_fail("simulate: out of memory");
			goto done;
		}
		if (cat_parallel_forms(pforms, pform_n, (int)nforms, false, eng) ||
		    cat_parallel_forms(tforms, tform_n, (int)nforms, true, eng)) {
			/* a small bank (the demo's) holds no F disjoint forms: say so, compare with the one */
			fprintf(stderr, "riss: simulate: %s; the parallel-forms and tier peers are left out (see --forms)\n",
			        cat_error_last());
			nforms = 0;
		} else if ((rc = cli_sim_batch(&pf, &pf_s, eng, bank, seed, dist, n, (int)threads, pforms, pform_n, nforms,
		                               (size_t)exam->max_items, false, false)) != 0 ||
		           (rc = cli_sim_batch(&tf, &tf_s, eng, bank, seed, dist, n, (int)threads, tforms, tform_n, nforms,
		                               (size_t)exam->max_items, true, false)) != 0)
			goto done;
	}
	if (json) {
		json_t *o = cli_sim_json(&ad, ad_s);
		json_t *f = cli_sim_json(&fx, fx_s);
		json_object_set_new(f, "items", json_integer((json_int_t)(nform + (size_t)exam->pretest_items)));
		json_object_set_new(o, "fixed_form", f);
		if (nforms > 0) {
			json_t *p = cli_sim_json(&pf, pf_s);
			json_object_set_new(p, "forms", json_integer((json_int_t)nforms));
			json_object_set_new(p, "items", json_integer((json_int_t)(pform_n[0] + (size_t)exam->pretest_items)));
			json_object_set_new(o, "parallel_forms", p);
			json_t *q = cli_sim_json(&tf, tf_s);
			json_object_set_new(q, "forms", json_integer((json_int_t)nforms));
			json_object_set_new(q, "items", json_integer((json_int_t)(tform_n[0] + (size_t)exam->pretest_items)));
			json_object_set_new(o, "oracle_tiers", q);
		}
		json_object_set_new(o, "exam", json_string(exam->id));
		json_object_set_new(o, "bank_items", json_integer((json_int_t)bank->n));
		if (feas)
			json_object_set(o, "feasibility", feas);
		if (!o || json_dumpf(o, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) != 0) {
			json_decref(o);
			rc = cli_fail("simulate: cannot write JSON");
			goto done;
		}
		putchar('\n');
		json_decref(o);
	} else {
		printf("exam %s, bank %zu items, %llu candidates (theta %s), seed %llu\n\n",
		       exam->id, bank->n, n,
		       dist == CAT_DIST_NORMAL ? "N(0,1)" : dist == CAT_DIST_UNIFORM ? "U(-3,3)" : "N(0,1) by equal strata", seed);
		const struct cat_sim_report *P = nforms > 0 ? &pf : NULL, *T = nforms > 0 ? &tf : NULL;
		char pcol[32], tcol[32];
		snprintf(pcol, sizeof pcol, "%llu parallel", nforms);
		snprintf(tcol, sizeof tcol, "%llu tiers*", nforms);
		printf("%-26s %14s %14s", "", "adaptive", "fixed form");
		if (P) printf(" %14s %14s", pcol, tcol);
		putchar('\n');
#define CLI_SIM_ROW(label, fmt, field) \
		do { \
			printf("%-26s " fmt " " fmt, label, ad.field, fx.field); \
			if (P) printf(" " fmt " " fmt, P->field, T->field); \
			putchar('\n'); \
		} while (0)
		CLI_SIM_ROW("bias", "%14.4f", bias);
		CLI_SIM_ROW("rmse", "%14.4f", rmse);
		CLI_SIM_ROW("length mean (scored)", "%14.2f", len_mean);
		printf("%-26s %8d..%-5d %8d..%-5d", "length min..max", ad.len_min, ad.len_max, fx.len_min, fx.len_max);
		if (P) printf(" %8d..%-5d %8d..%-5d", P->len_min, P->len_max, T->len_min, T->len_max);
		putchar('\n');
		CLI_SIM_ROW("classification accuracy", "%14.4f", accuracy);
		CLI_SIM_ROW("classification consistency", "%14.4f", consistency);
		CLI_SIM_ROW("exposure max", "%14.4f", expo_max);
		printf("%-26s %14.4f %14.4f", "exposure max, conditional", cli_sim_cond_max(&ad), cli_sim_cond_max(&fx));
		if (P) printf(" %14.4f %14.4f", cli_sim_cond_max(P), cli_sim_cond_max(T));
		putchar('\n');
		CLI_SIM_ROW("exposure mean", "%14.4f", expo_mean);
		CLI_SIM_ROW("unused share", "%14.4f", unused_share);
		CLI_SIM_ROW("overlap", "%14.4f", overlap);
		CLI_SIM_ROW("blueprint violations", "%14.0f", violations);
		printf("%-26s %14.3f %14.3f", "seconds", ad_s, fx_s);
		if (P) printf(" %14.3f %14.3f", pf_s, tf_s);
		putchar('\n');
#undef CLI_SIM_ROW
		printf("(conditional: the largest band figure over the bands of at least 100 candidates)\n");
		if (P)
			printf("(%s: %llu disjoint forms at the cut assembled in turns, one drawn at random per candidate;\n"
			       " %s: form 1 = the fixed form, form k the k-th best of the rest, given by an oracle that\n"
			       " knows the true theta to the 1/%llu of candidates nearest the cut, the next 1/%llu, ...:\n"
			       " what perfect routing reaches while every item goes to 1/%llu of the candidates)\n",
			       pcol, nforms, tcol, nforms, nforms, nforms);
		printf("\nadaptive by conditional-SH theta stratum (exposure = the largest share of the stratum's\n"
		       "candidates shown one item):\n");
		for (int k = 0; k < ad.nstrata; k++) {
			char lo[16] = "-inf", hi[16] = "+inf";
			if (k > 0) snprintf(lo, sizeof lo, "%+.2f", ad.stratum[k].lo);
			if (k + 1 < ad.nstrata) snprintf(hi, sizeof hi, "%+.2f", ad.stratum[k].hi);
			printf("  %6s..%-6s n %6.0f  exposure %.4f\n", lo, hi, ad.stratum[k].n, ad.stratum[k].expo_max);
		}
		cli_sim_print_bands("adaptive", &ad);
		cli_sim_print_bands("fixed form", &fx);
		if (P)
			cli_sim_print_bands(pcol, P);
	}
	rc = CLI_OK;
	if (exam->exposure == CAT_EXPO_SH_COND && exam->exposure_target < 1 && ad.stratum_expo_max > exam->exposure_target) {
		char mx[16], t[16];
		snprintf(mx, sizeof mx, "%.4f", ad.stratum_expo_max);
		snprintf(t, sizeof t, "%.2f", exam->exposure_target);
		cli_say("riss: ", "clifeas.sim_over_stratum", (const char *const[]){ mx, t, NULL });
		if (strict) rc = CLI_FAIL;
	}
	if (exam->exposure != CAT_EXPO_NONE && exam->exposure_target < 1 && ad.expo_max > exam->exposure_target) {
		char mx[16], t[16];
		snprintf(mx, sizeof mx, "%.4f", ad.expo_max);
		snprintf(t, sizeof t, "%.2f", exam->exposure_target);
		cli_say("riss: ", feasible ? "clifeas.sim_over_run" : "clifeas.sim_over", (const char *const[]){ mx, t, NULL });
		if (strict) rc = CLI_FAIL;
	}
	if (strict && !feasible)
		rc = CLI_FAIL;
done:
	json_decref(feas);
	free(form);
	free(pforms);
	free(tforms);
	cat_engine_free(eng);
	cat_exam_free(exam);
	cat_bank_free(bank);
	free(btext);
	free(etext);
	return rc;
}
