/* riss calibrate: MML-EM calibration of Rasch/1PL/2PL/3PL items from a wide
 * or long TSV of responses (item-bank module). */
#include "cli.h"
#include "ib_store.h"
#include "rs_config.h"
#include "rs_db.h"

#include "ib_calib.h"
#include "ib_data.h"
#include "ib_params.h"
#include "rs_error.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void cli_calibrate_help(void)
{
	printf("usage: riss calibrate --model rasch|1pl|2pl|3pl --data FILE [options]\n\n"
	       "Marginal maximum-likelihood calibration by EM (Bock-Aitkin) on a quadrature grid.\n"
	       "1pl estimates one common slope; rasch fixes the slope at 1 and estimates the\n"
	       "ability SD. See docs/calibration.md.\n\n"
	       "options:\n"
	       "  --model M              rasch, 1pl, 2pl or 3pl (required)\n"
	       "  --data FILE            responses: wide TSV (id, one 0/1 column per item, empty or\n"
	       "                         NA when not presented, optional freq column); '-' = stdin\n"
	       "  --long                 FILE is a long TSV: person, item, score\n"
	       "  --from-db              read the responses stored in the bank (db_url)\n"
	       "  --save                 with --from-db: record the run as parameter history\n"
	       "  --activate             with --from-db: record it and make the new estimates active\n"
	       "  --fixed PARAMSFILE     hold the items of this params JSON fixed; estimate the rest\n"
	       "                         (and the ability mean and SD) on their scale\n"
	       "  --prior-a lognormal:MU,SD   prior on slopes (2pl, 3pl, the 1pl common slope)\n"
	       "  --prior-c beta:A,B     prior on c (3pl; default beta:5,17), or 'none'\n"
	       "  --threads N            E-step threads (default: all CPUs); results do not depend on N\n"
	       "  --max-iter N           EM cycles at most (default 500)\n"
	       "  --tol X                stop when no parameter moves more than X (default 1e-4)\n"
	       "  --quad N               quadrature points on [-6, 6] (default 41)\n"
	       "  --history              print the convergence history (text output)\n"
	       "  --quiet                no progress lines on stderr\n"
	       "  --json                 print {model, loglik, iterations, converged, items} as JSON\n");
}

struct cli_cal_progress {
	int quiet;
	double last;
};

static void cli_calibrate_progress(void *ctx, int iter, double loglik, double change, double el)
{
	struct cli_cal_progress *p = ctx;
	if (p->quiet || el < 2.0 || el - p->last < 1.0)
		return;
	p->last = el;
	fprintf(stderr, "calibrate: cycle %d, loglik %.3f, largest change %.2g (%.1f s)\n", iter,
	        loglik, change, el);
}

static int cli_parse_pair(const char *s, const char *prefix, double *x, double *y)
{
	size_t n = strlen(prefix);
	if (strncmp(s, prefix, n) != 0)
		return -1;
	char *e;
	*x = strtod(s + n, &e);
	if (*e != ',')
		return -1;
	*y = strtod(e + 1, &e);
	if (*e || !isfinite(*x) || !isfinite(*y))
		return -1;
	return 0;
}

static int cli_parse_int(const char *s, int lo, int hi, int *out)
{
	char *e;
	long v = strtol(s, &e, 10);
	if (!*s || *e || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static void cli_print_num(double v)
{
	if (isfinite(v))
		printf(" %8.4f", v);
	else
		printf(" %8s", "-");
}

int cli_cmd_calibrate(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		cli_calibrate_help();
		return CLI_OK;
	}
	static const struct option lopts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "data", required_argument, NULL, 'd' },
		{ "long", no_argument, NULL, 'l' },
		{ "from-db", no_argument, NULL, 'D' },
		{ "save", no_argument, NULL, 'S' },
		{ "activate", no_argument, NULL, 'A' },
		{ "fixed", required_argument, NULL, 'f' },
		{ "prior-a", required_argument, NULL, 'a' },
		{ "prior-c", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 't' },
		{ "max-iter", required_argument, NULL, 'i' },
		{ "tol", required_argument, NULL, 'T' },
		{ "quad", required_argument, NULL, 'q' },
		{ "history", no_argument, NULL, 'H' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	struct ib_calib_opts o;
	ib_calib_opts_init(&o, IB_2PL);
	const char *model = NULL, *data = NULL, *fixed = NULL;
	int is_long = 0, from_db = 0, json = 0, history = 0, quiet = 0, save = 0, activate = 0, c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 'd': data = optarg; break;
		case 'l': is_long = 1; break;
		case 'D': from_db = 1; break;
		case 'S': save = 1; break;
		case 'A': activate = 1; save = 1; break;
		case 'f': fixed = optarg; break;
		case 'a':
			if (cli_parse_pair(optarg, "lognormal:", &o.prior_a_mu, &o.prior_a_sd) ||
			    !(o.prior_a_sd > 0))
				return cli_usage_error("--prior-a: expected lognormal:MU,SD with SD > 0, got '%s'",
				                       optarg);
			o.prior_a = 1;
			break;
		case 'c':
			if (strcmp(optarg, "none") == 0) {
				o.no_prior_c = 1;
				break;
			}
			if (cli_parse_pair(optarg, "beta:", &o.prior_c_alpha, &o.prior_c_beta) ||
			    !(o.prior_c_alpha >= 1 && o.prior_c_beta >= 1))
				return cli_usage_error("--prior-c: expected beta:A,B with A, B >= 1 (or none), "
				                       "got '%s'", optarg);
			o.prior_c = 1;
			break;
		case 't':
			if (cli_parse_int(optarg, 1, 64, &o.threads))
				return cli_usage_error("--threads: expected 1 to 64, got '%s'", optarg);
			break;
		case 'i':
			if (cli_parse_int(optarg, 1, 100000, &o.max_iter))
				return cli_usage_error("--max-iter: expected 1 to 100000, got '%s'", optarg);
			break;
		case 'T': {
			char *e;
			o.tol = strtod(optarg, &e);
			if (*e || !(o.tol > 0 && o.tol < 1))
				return cli_usage_error("--tol: expected a number in (0, 1), got '%s'", optarg);
			break;
		}
		case 'q':
			if (cli_parse_int(optarg, 5, 201, &o.n_quad))
				return cli_usage_error("--quad: expected 5 to 201 points, got '%s'", optarg);
			break;
		case 'H': history = 1; break;
		case 'Q': quiet = 1; break;
		case 'j': json = 1; break;
		default:
			return cli_usage_error("calibrate: unknown or incomplete option '%s' (see 'riss "
			                       "calibrate --help')", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("calibrate: unexpected argument '%s'", argv[optind]);
	if (!model)
		return cli_usage_error("calibrate: --model rasch|1pl|2pl|3pl is required");
	if (ib_model_parse(&o.model, model))
		return cli_usage_error("calibrate: %s", rs_error_last());
	if (from_db && data)
		return cli_usage_error("calibrate: give either --data or --from-db, not both");
	if (save && !from_db)
		return cli_usage_error("calibrate: --save and --activate record the run in the bank: use them with --from-db");
	if (!data && !from_db)
		return cli_usage_error("calibrate: --data FILE or --from-db is required");
	if (o.model != IB_3PL && (o.prior_c || o.no_prior_c))
		return cli_usage_error("calibrate: --prior-c applies to the 3pl model only");

	struct ib_data *d = NULL;
	struct ib_params *fx = NULL;
	struct ib_calib_result *r = NULL;
	rs_db *db = NULL;
	int rc = CLI_OK, e;
	if (from_db) {
		if (!rs_config_str("db_url")[0]) {
			rc = cli_usage_error("calibrate --from-db: no database configured (db_url in var/riss.conf or RISS_DB_URL)");
			goto done;
		}
		if (rs_db_open(&db, rs_config_str("db_url")) != 0 || (e = ib_store_responses_load(&d, db, NULL)) != 0) {
			rc = cli_fail("%s", rs_error_last());
			goto done;
		}
	} else if ((e = ib_data_load(&d, data, is_long, NULL))) {
		rc = e == RS_EIO || e == RS_ENOMEM ? cli_fail("%s", rs_error_last())
		                                   : cli_usage_error("%s", rs_error_last());
		goto done;
	}
	if (fixed && (e = ib_params_load(&fx, fixed))) {
		rc = cli_usage_error("%s", rs_error_last());
		goto done;
	}
	if (d->dropped_empty && !quiet)
		fprintf(stderr, "calibrate: warning: %zu rows without any response were skipped\n",
		        d->dropped_empty);
	struct cli_cal_progress prog = { quiet, 0 };
	o.fixed = fx;
	o.progress = cli_calibrate_progress;
	o.progress_ctx = &prog;
	if ((e = ib_calibrate(&r, d, &o))) {
		rc = e == RS_EINVAL ? cli_usage_error("%s", rs_error_last())
		                    : cli_fail("%s", rs_error_last());
		goto done;
	}
	if (!r->converged && !quiet)
		fprintf(stderr, "calibrate: warning: not converged after %d cycles (largest change "
		        "%.2g); raise --max-iter\n", r->iterations, r->hist_change[r->n_hist - 1]);
	if (save) {
		long long run_id = 0;
		char who[96];
		cli_actor(who, sizeof who);
		if ((e = ib_store_save_calibration(&run_id, db, who, r, d->item_ids, d->n_persons, activate)) != 0) {
			rc = cli_fail("%s", rs_error_last());
			goto done;
		}
		if (!quiet)
			fprintf(stderr, "calibrate: saved as calibration run %lld%s\n", run_id,
			        activate ? " (estimates now active)" : "");
	}
	if (json) {
		json_t *doc = ib_params_json(o.model, r->loglik, r->iterations, r->converged,
		                             d->item_ids, r->items, r->n_items);
		if (!doc) {
			rc = cli_fail("out of memory writing JSON");
			goto done;
		}
		/* the estimated (under --fixed) or assumed N(mean, sd) ability distribution, and how
		 * convergence was judged */
		json_object_set_new(doc, "latent", json_pack("{s:f, s:f, s:b}", "mean", r->latent_mean, "sd", r->latent_sd,
		                                             "estimated", r->n_fixed > 0));
		json_object_set_new(doc, "convergence",
		                    json_pack("{s:f, s:f, s:f, s:f}", "tol", o.tol, "max_change",
		                              r->n_hist ? r->hist_change[r->n_hist - 1] : 0.0, "loglik_change",
		                              isfinite(r->loglik_change) ? r->loglik_change : -1.0, "max_gradient", r->max_gradient));
		json_t *arr = json_object_get(doc, "items");
		for (size_t j = 0; j < r->n_items && j < json_array_size(arr); j++)
			if (r->at_bound[j])
				json_object_set_new(json_array_get(arr, j), "at_bound",
				                    json_string(r->at_bound[j] == 5 ? "a,c" : r->at_bound[j] & 4 ? "c" : "a"));
		json_object_set_new(doc, "items_at_bound", json_integer((json_int_t)r->n_at_bound));
		char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		json_decref(doc);
		if (!s) {
			rc = cli_fail("out of memory writing JSON");
			goto done;
		}
		puts(s);
		free(s);
		goto done;
	}
	double wsum = 0, rsum = 0;
	for (size_t i = 0; i < d->n_persons; i++) {
		wsum += d->weight[i];
		rsum += d->weight[i] * (double)(d->row_start[i + 1] - d->row_start[i]);
	}
	printf("model %s: %zu items (%zu fixed), %.0f persons, %.0f responses\n",
	       ib_model_name(o.model), d->n_items, r->n_fixed, wsum, rsum);
	printf("log-likelihood %.3f after %d EM cycles (%s), %.2f s\n", r->loglik, r->iterations,
	       r->converged ? "converged" : "NOT converged", r->seconds);
	printf("ability distribution N(%.4f, %.4f^2)%s\n", r->latent_mean, r->latent_sd,
	       r->n_fixed ? " (estimated, the fixed items set the scale)" : "");
	if (r->n_at_bound)
		printf("note: %zu item(s) sit on a bound (c = 0: c held at 0, no standard error for c; or the slope at its "
		       "limit 0.001 or 50): the likelihood is largest there; marked * below\n", r->n_at_bound);
	printf("\n");
	printf("%-16s %8s %8s %8s %8s %8s %8s %8s\n", "item", "a", "se_a", "b", "se_b", "c", "se_c",
	       "d");
	for (size_t j = 0; j < r->n_items; j++) {
		const struct ib_item_par *p = &r->items[j];
		printf("%-16.16s", d->item_ids[j]);
		cli_print_num(p->a);
		cli_print_num(p->se_a);
		cli_print_num(p->b);
		cli_print_num(p->se_b);
		cli_print_num(p->c);
		cli_print_num(p->se_c);
		cli_print_num(p->d);
		printf("%s%s\n", p->fixed ? "  (fixed)" : "", r->at_bound[j] & 4 ? "  * c at bound" : r->at_bound[j] ? "  * a at bound" : "");
	}
	if (history) {
		printf("\n%6s %16s %12s\n", "cycle", "loglik", "change");
		for (int k = 0; k < r->n_hist; k++)
			printf("%6d %16.4f %12.3g\n", k + 1, r->hist_loglik[k], r->hist_change[k]);
	}
done:
	rs_db_close(db);
	ib_calib_result_free(r);
	ib_params_free(fx);
	ib_data_free(d);
	return rc;
}
