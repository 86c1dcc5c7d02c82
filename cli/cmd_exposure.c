/* riss exposure: Sympson-Hetter exposure-control parameters for a bank and an exam by the
 * iterative simulation procedure (the engine's cat_sh_calibrate, which publication of an exam
 * package runs too: the rule is written once); writes the bank with updated sh_k values.
 * What is here is the command line: the files, two simulation threads, progress and JSON. */
#include "cli.h"
#include "rs_error.h"
#include "rs_msg.h"
#include "rs_util.h"

#include "cat.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_EXPO_MAX_FILE (64u << 20)

static char *cli_expo_read(const char *path, size_t max, size_t *out_len)
{
	char *buf = NULL;
	return rs_read_file(&buf, out_len, path, max) == 0 ? buf : NULL;
}

struct cli_expo_job {
	const struct cat_engine *eng;
	uint64_t seed;
	enum cat_theta_dist dist;
	size_t first, count;
	struct cat_sim_acc acc;
	int rc;
};

static void *cli_expo_thread(void *arg)
{
	struct cli_expo_job *j = arg;
	j->rc = cat_sim_run(&j->acc, j->eng, j->seed, j->dist, j->first, j->count, NULL, 0);
	return NULL;
}

/* One round's simulation of n candidates on 2 threads into acc (initialised, empty): the
 * engine's procedure calls it (cat_sh_opts.simulate). The halves give the totals of one run
 * (a candidate depends on seed and its index only). */
static int cli_expo_sim(struct cat_sim_acc *acc, const struct cat_engine *eng, uint64_t seed, enum cat_theta_dist dist,
                        size_t n, void *ctx)
{
	(void)ctx;
	struct cli_expo_job j[2];
	pthread_t th[2];
	for (int t = 0; t < 2; t++) {
		memset(&j[t], 0, sizeof j[t]);
		j[t].eng = eng;
		j[t].seed = seed;
		j[t].dist = dist;
		j[t].first = n * (size_t)t / 2;
		j[t].count = n * (size_t)(t + 1) / 2 - j[t].first;
	}
	j[0].acc = *acc;
	if (cat_sim_acc_init(&j[1].acc, acc->nitems))
		return CAT_ENOMEM;
	j[1].acc.lottery_true_theta = acc->lottery_true_theta;
	int started = 0;
	for (int t = 0; t < 2; t++)
		if (pthread_create(&th[t], NULL, cli_expo_thread, &j[t]) == 0)
			started++;
		else
			cli_expo_thread(&j[t]);
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	int rc = j[0].rc ? j[0].rc : j[1].rc;
	cat_sim_acc_merge(&j[0].acc, &j[1].acc);
	cat_sim_acc_free(&j[1].acc);
	*acc = j[0].acc;
	return rc;
}

/* Progress of each round: a line on stderr, or an entry of the JSON history. */
struct cli_expo_progress {
	int json;
	json_t *hist;
};

json_t *cli_expo_strata(const struct cat_sim_report *rep)
{
	json_t *a = json_array();
	for (int k = 0; k < rep->nstrata; k++) {
		const struct cat_sim_stratum *t = &rep->stratum[k];
		json_t *o = json_pack("{s:i, s:f}", "n", (int)t->n, "max_exposure", t->expo_max);
		json_object_set_new(o, "theta_lo", k == 0 ? json_null() : json_real(t->lo));
		json_object_set_new(o, "theta_hi", k + 1 == rep->nstrata ? json_null() : json_real(t->hi));
		json_array_append_new(a, o);
	}
	return a;
}

static void cli_expo_round(void *ctx, int round, const struct cat_sim_report *rep, const struct cat_sim_acc *acc)
{
	struct cli_expo_progress *p = ctx;
	double smax = 0;
	for (size_t i = 0; i < acc->nitems; i++)
		if (acc->selected[i] / acc->n > smax)
			smax = acc->selected[i] / acc->n;
	if (!p->json)
		fprintf(stderr, "round %d: max exposure %.4f, max selection rate %.4f, rmse %.4f, max within a theta stratum %.4f\n",
		        round, rep->expo_max, smax, rep->rmse, rep->stratum_expo_max);
	json_array_append_new(p->hist, json_pack("{s:i, s:f, s:f, s:f, s:f, s:o}", "round", round, "max_exposure", rep->expo_max,
	                                         "max_selection", smax, "rmse", rep->rmse, "max_exposure_conditional",
	                                         rep->stratum_expo_max, "by_stratum", cli_expo_strata(rep)));
}

static int cli_expo_num(const char *s, unsigned long long max, unsigned long long *out)
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

/* The name of group g of exam e a person reads, in Japanese (en = 0) or English: its label,
 * else the kind from the catalogue with the identifier ("part A", "domain law"). */
static void cli_feas_name(char *out, size_t n, const struct cat_exam *e, const struct cat_feas_group *g, int en)
{
	static const char *const ids[] = { "clifeas.group.test", "clifeas.group.part", "clifeas.group.domain" };
	const char *label = cat_group_label(e, g->kind, g->index, en);
	const char *ident = g->kind == CAT_FEAS_PART ? e->parts[g->index].name
	                    : g->kind == CAT_FEAS_DOMAIN ? e->domains[g->index].name : "";
	if (label)
		snprintf(out, n, "%s", label);
	else
		rs_msg_format(out, n, ids[g->kind], en, (const char *const[]){ ident, NULL });
}

json_t *cli_feas_thin(const struct cat_exam *e, const struct cat_feasibility *f, double target, int say)
{
	json_t *thin = json_array();
	char t[16];
	snprintf(t, sizeof t, "%.2f", target);
	for (int k = 0; k < f->ngroups; k++) {
		const struct cat_feas_group *g = &f->group[k];
		if (!g->thin)
			continue;
		char need[16], have[16], needed[16], ja[CAT_LABEL_MAX + 64], en[CAT_LABEL_MAX + 64];
		snprintf(need, sizeof need, "%d", g->need);
		snprintf(have, sizeof have, "%d", g->have);
		snprintf(needed, sizeof needed, "%d", g->have_needed);
		cli_feas_name(ja, sizeof ja, e, g, 0);
		cli_feas_name(en, sizeof en, e, g, 1);
		if (say)
			cli_say2("  ", "clifeas.thin", (const char *const[]){ ja, need, have, t, needed, NULL },
			         (const char *const[]){ en, need, have, t, needed, NULL });
		json_array_append_new(thin, json_pack("{s:s, s:{s:s, s:s}, s:i, s:i, s:i}", "group", g->name, "label", "ja",
		                                      ja, "en", en, "items_per_candidate", g->need, "usable_items", g->have,
		                                      "items_needed", g->have_needed));
	}
	return thin;
}

json_t *cli_exposure_feasibility(const struct cat_engine *eng, const struct cat_exam *exam, double target,
                                 const char *prefix, int *out_feasible)
{
	struct cat_feasibility f;
	cat_exposure_feasibility(&f, eng, target);
	char t[16], pct[16];
	snprintf(t, sizeof t, "%.2f", target);
	snprintf(pct, sizeof pct, "%.1f", 100 * f.min_max_exposure);
	if (!f.feasible)
		cli_say("riss: ", "clifeas.unmet", (const char *const[]){ prefix, t, pct, NULL });
	json_t *thin = cli_feas_thin(exam, &f, target, 1);
	*out_feasible = f.feasible;
	return json_pack("{s:b, s:f, s:f, s:o}", "feasible", f.feasible, "target", target,
	                 "min_max_exposure", f.min_max_exposure, "thin", thin);
}

int cli_cmd_exposure(int argc, char **argv)
{
	const char *bank_path = NULL, *exam_path = NULL, *out_path = NULL;
	unsigned long long n = 4000, iters = 12, seed = 1;
	double margin = 0.02;
	int json = 0, strict = 0, feasible = 1, cond = 0, rc = CLI_FAIL;
	char *bt = NULL, *et = NULL;
	json_t *feas = NULL;
	struct cat_bank *bank = NULL;
	struct cat_exam *exam = NULL;
	struct cat_engine *eng = NULL;
	json_t *hist = NULL;
	FILE *out = NULL;
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss exposure --bank B --exam E [--examinees N] [--iterations K] [--seed S]\n"
		       "                     [--conditional] [--out FILE] [--json] [--strict]\n\n"
		       "Compute Sympson-Hetter exposure-control parameters (sh_k) for bank B under exam E by\n"
		       "the iterative simulation procedure (Sympson & Hetter 1985): start with k = 1; each\n"
		       "round simulates N candidates from N(0,1) through the engine, measures each item's\n"
		       "selection rate P(S) and sets k = 1 if P(S) <= r', else r' / P(S), where r' is the\n"
		       "exam's exposure target less the margin. Stops when the maximum exposure rate of a\n"
		       "round is at most r' + 0.01, or after K rounds. Writes the bank with the new sh_k to FILE (default\n"
		       "stdout); progress goes to stderr, or as JSON to stdout with --json (needs --out).\n\n"
		       "  --examinees N   candidates per round (default 4000)\n"
		       "  --margin M      aim M below the target to absorb simulation noise (default 0.02)\n"
		       "  --iterations K  at most K rounds (default 12)\n"
		       "  --seed S        random seed (default 1)\n"
		       "  --conditional   conditional Sympson-Hetter (Stocking & Lewis 1998), as the exam's\n"
		       "                  method sympson-hetter-conditional: one k per theta stratum of the\n"
		       "                  exam (exposure.theta_strata, default cuts -1.5 -0.5 0.5 1.5), from\n"
		       "                  P(S | stratum of true theta). Each round draws N/strata simulees in\n"
		       "                  each stratum (N(0,1) truncated to it), and a simulee's lottery uses\n"
		       "                  the k of its true stratum, the one its selections are counted in (a\n"
		       "                  real sitting uses the current estimate's); writes sh_kc; judges the\n"
		       "                  largest exposure within a stratum\n"
		       "  --strict        exit 1 when the target is not reached or cannot be reached\n\n"
		       "Before simulating it checks whether the target can be met at all: each candidate\n"
		       "takes at least so many items from each domain, part and the test, so a group of n\n"
		       "usable items needs n >= need / target. When it cannot, or when the last round is\n"
		       "still above the target, it says so on stderr (naming the thin domains) and, with\n"
		       "--strict, exits 1 (the bank is still written).\n");
		return CLI_OK;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--json") == 0) { json = 1; continue; }
		if (strcmp(a, "--strict") == 0) { strict = 1; continue; }
		if (strcmp(a, "--conditional") == 0) { cond = 1; continue; }
		if (!v)
			return cli_usage_error("exposure: option '%s' needs a value (see --help)", a);
		i++;
		if (strcmp(a, "--bank") == 0) bank_path = v;
		else if (strcmp(a, "--exam") == 0) exam_path = v;
		else if (strcmp(a, "--out") == 0) out_path = v;
		else if (strcmp(a, "--examinees") == 0) {
			if (cli_expo_num(v, 1000000, &n) || n < 10)
				return cli_usage_error("exposure: --examinees must be in 10..1000000");
		} else if (strcmp(a, "--iterations") == 0) {
			if (cli_expo_num(v, 100, &iters) || iters == 0)
				return cli_usage_error("exposure: --iterations must be in 1..100");
		} else if (strcmp(a, "--margin") == 0) {
			char *end;
			margin = strtod(v, &end);
			if (*end || !(margin >= 0 && margin < 0.5))
				return cli_usage_error("exposure: --margin must be a number in [0, 0.5)");
		} else if (strcmp(a, "--seed") == 0) {
			if (cli_expo_num(v, UINT64_MAX, &seed))
				return cli_usage_error("exposure: --seed must be a whole number");
		} else {
			return cli_usage_error("exposure: unknown option '%s' (see --help)", a);
		}
	}
	if (!bank_path || !exam_path)
		return cli_usage_error("exposure: --bank and --exam are required");
	if (json && !out_path)
		return cli_usage_error("exposure: --json needs --out FILE for the bank");
	size_t bl, el;
	if (!(bt = cli_expo_read(bank_path, CLI_EXPO_MAX_FILE, &bl))) {
		rc = cli_usage_error("exposure: cannot read '%s' (missing or over 64 MiB)", bank_path);
		goto done;
	}
	if (!(et = cli_expo_read(exam_path, CAT_EXAM_MAX_BYTES, &el))) {
		rc = cli_usage_error("exposure: cannot read '%s' (missing or too large)", exam_path);
		goto done;
	}
	if (cat_bank_parse(&bank, bt, bl)) {
		rc = cli_usage_error("exposure: %s: %s", bank_path, cat_error_last());
		goto done;
	}
	if (cat_exam_parse(&exam, et, el)) {
		rc = cli_usage_error("exposure: %s: %s", exam_path, cat_error_last());
		goto done;
	}
	if (exam->exposure != CAT_EXPO_SH && exam->exposure != CAT_EXPO_SH_COND) {
		rc = cli_usage_error("exposure: exam %s does not use sympson-hetter exposure control", exam->id);
		goto done;
	}
	if (cond)
		exam->exposure = CAT_EXPO_SH_COND;
	if (cat_engine_new(&eng, exam, bank)) {
		rc = cli_usage_error("exposure: %s", cat_error_last());
		goto done;
	}
	feas = cli_exposure_feasibility(eng, exam, exam->exposure_target, "exposure", &feasible);
	hist = json_array();
	struct cli_expo_progress prog = { .json = json, .hist = hist };
	struct cat_sh_opts so = { .examinees = (size_t)n, .max_rounds = (int)iters, .margin = margin, .seed = seed,
	                          .simulate = cli_expo_sim, .on_round = cli_expo_round, .ctx = &prog };
	struct cat_sh_outcome sh;
	int crc = cat_sh_calibrate(&sh, bank, eng, &so);
	if (crc == CAT_EINVAL) {
		rc = cli_usage_error("exposure: target %.3f less margin %.3f: %s", exam->exposure_target, margin,
		                     cat_error_last());
		goto done;
	}
	if (crc) {
		rc = cli_fail("exposure: %s", cat_error_last());
		goto done;
	}
	double r = exam->exposure_target - margin, last_max = sh.max_exposure;
	int reached = sh.reached;
	if (!reached) {
		char t[16], mx[16], rounds[16];
		snprintf(t, sizeof t, "%.2f", exam->exposure_target);
		snprintf(mx, sizeof mx, "%.4f", last_max);
		snprintf(rounds, sizeof rounds, "%d", sh.rounds);
		cli_say("riss: ", exam->exposure == CAT_EXPO_SH_COND ? "clifeas.unreached_stratum" : "clifeas.unreached",
		        (const char *const[]){ t, mx, rounds, NULL });
		if (!feasible)
			cli_say("riss: ", "clifeas.see_above", (const char *const[]){ NULL });
	}
	out = out_path ? fopen(out_path, "w") : stdout;
	if (!out) {
		rc = cli_fail("exposure: cannot write '%s'", out_path);
		goto done;
	}
	char line[CAT_BANK_MAX_LINE];
	for (size_t i = 0; i < bank->n; i++) {
		int l = cat_bank_item_format(line, sizeof line, &bank->items[i]);
		if (l < 0 || fwrite(line, 1, (size_t)l, out) != (size_t)l) {
			rc = cli_fail("exposure: cannot write the bank");
			goto done;
		}
	}
	if (fflush(out) != 0) {
		rc = cli_fail("exposure: cannot write the bank");
		goto done;
	}
	if (json) {
		json_t *o = json_pack("{s:f, s:f, s:O, s:f, s:b, s:O, s:s}", "target", exam->exposure_target, "aim", r, "rounds",
		                      hist, "max_exposure", last_max, "reached", reached, "feasibility", feas, "method",
		                      exam->exposure == CAT_EXPO_SH_COND ? "sympson-hetter-conditional" : "sympson-hetter");
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
		putchar('\n');
		json_decref(o);
	}
	rc = strict && (!reached || !feasible) ? CLI_FAIL : CLI_OK;
done:
	if (out && out != stdout) fclose(out);
	json_decref(hist);
	json_decref(feas);
	cat_engine_free(eng);
	cat_exam_free(exam);
	cat_bank_free(bank);
	free(bt);
	free(et);
	return rc;
}
