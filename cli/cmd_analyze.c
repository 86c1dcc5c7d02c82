/* riss analyze: classical item analysis, Mantel–Haenszel DIF and parameter
 * drift with Stocking–Lord linking (item-bank module). */
#include "cli.h"

#include "ib_analysis.h"
#include "ib_dif.h"
#include "ib_calib.h"
#include "ib_data.h"
#include "ib_params.h"
#include "ib_store.h"
#include "rs_error.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cli_an_opts {
	const char *data, *params, *group, *focal, *reference, *new_params;
	enum ib_model model;
	int is_long, json, strata, no_purify;
	int record;                  /* --record: store the flags in the bank (pool health) */
	double threshold, min_cell, min_group, z, slope_ratio;
	int boot;
	int person_boot;           /* drift --data: person bootstrap replicates (0 = off) */
};

/* --record: the flag of every analysed item into the bank (ib_store_analysis_record); one
 * line says what was stored (stderr with --json, so stdout stays one JSON document). */
static int cli_an_record(const char *kind, const char *description, const char *const *ids, const char *const *flags,
                         size_t n, int json)
{
	rs_db *db = NULL;
	int rc = cli_db_open(&db);
	if (rc != CLI_OK)
		return rc;
	long long run = 0;
	size_t stored = 0;
	if (ib_store_analysis_record(&run, &stored, db, "cli", kind, description, ids, flags, n) != 0)
		rc = cli_fail("analyze %s --record: %s", kind, rs_error_last());
	else
		fprintf(json ? stderr : stdout, "recorded: run %lld, %zu of %zu items are in the bank\n", run, stored, n);
	rs_db_close(db);
	return rc;
}

static json_t *cli_an_num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static int cli_an_print_json(json_t *doc)
{
	if (!doc)
		return cli_fail("out of memory writing JSON");
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	json_decref(doc);
	if (!s)
		return cli_fail("out of memory writing JSON");
	puts(s);
	free(s);
	return CLI_OK;
}

static int cli_an_load_err(int e)
{
	return e == RS_EIO || e == RS_ENOMEM ? cli_fail("%s", rs_error_last())
	                                     : cli_usage_error("%s", rs_error_last());
}

/* Parameters for the items of d: from --params (every item must be there) or
 * from a calibration with --model. *out has d->n_items entries (free()). */
static int cli_an_params(struct ib_item_par **out, double *mean, double *sd, enum ib_model *model,
                         const struct ib_data *d, const struct cli_an_opts *o)
{
	*mean = 0;
	*sd = 1;
	*model = o->model;
	struct ib_item_par *par = calloc(d->n_items, sizeof *par);
	if (!par)
		return cli_fail("out of memory");
	if (o->params) {
		struct ib_params *p = NULL;
		int e = ib_params_load(&p, o->params);
		if (e) {
			free(par);
			return cli_an_load_err(e);
		}
		for (size_t j = 0; j < d->n_items; j++) {
			long k = ib_params_find(p, d->item_ids[j]);
			if (k < 0) {
				int rc = cli_usage_error("%s: no parameters for item '%s'", o->params,
				                         d->item_ids[j]);
				ib_params_free(p);
				free(par);
				return rc;
			}
			par[j] = p->par[k];
		}
		*model = p->model;
		ib_params_free(p);
		*out = par;
		return CLI_OK;
	}
	struct ib_calib_opts co;
	ib_calib_opts_init(&co, o->model);
	struct ib_calib_result *r = NULL;
	int e = ib_calibrate(&r, d, &co);
	if (e) {
		free(par);
		return e == RS_EINVAL ? cli_usage_error("%s", rs_error_last())
		                      : cli_fail("%s", rs_error_last());
	}
	memcpy(par, r->items, d->n_items * sizeof *par);
	*mean = r->latent_mean;
	*sd = r->latent_sd;
	ib_calib_result_free(r);
	*out = par;
	return CLI_OK;
}

static int cli_an_items(const struct cli_an_opts *o)
{
	struct ib_data *d = NULL;
	struct ib_item_par *par = NULL;
	struct ib_classical *c = NULL;
	struct ib_sx2 *fit = NULL;
	int *n_par = NULL;
	double *theta = NULL, mean, sd;
	struct ib_read_opts ro = { .allow_options = !o->is_long };
	int rc, e;
	if ((e = ib_data_load(&d, o->data, o->is_long, &ro)))
		return cli_an_load_err(e);
	enum ib_model model;
	if ((rc = cli_an_params(&par, &mean, &sd, &model, d, o)))
		goto done;
	if (!(theta = malloc(d->n_persons * sizeof *theta)) ||
	    ib_eap(theta, NULL, d, par, mean, sd)) {
		rc = cli_fail("out of memory");
		goto done;
	}
	if ((e = ib_classical(&c, d, par, theta))) {
		rc = cli_fail("%s", rs_error_last());
		goto done;
	}
	/* S-X² needs complete forms of at most IB_SX2_MAX_ITEMS items; otherwise its
	 * columns stay empty and a note says why. */
	if (d->n_items >= 3 && d->n_items <= IB_SX2_MAX_ITEMS) {
		int np = model == IB_3PL ? 3 : model == IB_2PL ? 2 : 1;
		if (!(n_par = malloc(d->n_items * sizeof *n_par))) {
			rc = cli_fail("out of memory");
			goto done;
		}
		for (size_t j = 0; j < d->n_items; j++)
			n_par[j] = np;
		if ((e = ib_sx2(&fit, d, par, n_par, mean, sd))) {
			rc = cli_fail("%s", rs_error_last());
			goto done;
		}
	}
	if (!fit || !(fit[0].n > 0))
		fprintf(stderr, "riss analyze items: no S-X2: it needs persons who answered all of 3 to %d items\n",
		        IB_SX2_MAX_ITEMS);
	if (o->json) {
		json_t *arr = json_array();
		for (size_t j = 0; j < d->n_items; j++) {
			json_t *it = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:b}", "id", d->item_ids[j],
			                       "n", cli_an_num(c[j].n), "p", cli_an_num(c[j].p),
			                       "rpb", cli_an_num(c[j].rpb), "infit", cli_an_num(c[j].infit),
			                       "outfit", cli_an_num(c[j].outfit), "distractor_flag",
			                       c[j].distractor_flag);
			if (it) {
				json_object_set_new(it, "sx2", cli_an_num(fit ? fit[j].sx2 : NAN));
				json_object_set_new(it, "sx2_df", fit && fit[j].df > 0 ? json_integer(fit[j].df) : json_null());
				json_object_set_new(it, "sx2_p", cli_an_num(fit ? fit[j].p : NAN));
			}
			if (it && c[j].n_options) {
				json_t *opts = json_object();
				for (int k = 0; k < c[j].n_options; k++) {
					char name[2] = { (char)('A' + k), 0 };
					json_object_set_new(opts, name,
					                    json_pack("[o,o,o]", cli_an_num(c[j].opt[k][0]),
					                              cli_an_num(c[j].opt[k][1]),
					                              cli_an_num(c[j].opt[k][2])));
				}
				json_object_set_new(it, "options_low_mid_high", opts);
				if (d->key)
					json_object_set_new(it, "key", json_stringn(&"ABCDEFGH"[d->key[j] & 7], 1));
			}
			json_array_append_new(arr, it);
		}
		rc = cli_an_print_json(json_pack("{s:o}", "items", arr));
		goto done;
	}
	int any_opt = 0;
	for (size_t j = 0; j < d->n_items; j++)
		any_opt |= c[j].n_options > 0;
	printf("%-16s %8s %6s %7s %7s %7s %8s %3s %7s  %s\n", "item", "n", "p", "r_pb", "infit", "outfit", "S-X2",
	       "df", "p(S-X2)", any_opt ? "options (* key): share choosing in low/mid/high third" : "");
	for (size_t j = 0; j < d->n_items; j++) {
		printf("%-16.16s %8.0f %6.3f %7.3f %7.3f %7.3f ", d->item_ids[j], c[j].n, c[j].p,
		       c[j].rpb, c[j].infit, c[j].outfit);
		if (fit && fit[j].df > 0)
			printf("%8.2f %3d %7.4f", fit[j].sx2, fit[j].df, fit[j].p);
		else
			printf("%8s %3s %7s", "-", "-", "-");
		for (int k = 0; k < c[j].n_options; k++)
			printf(" %c%s %.2f/%.2f/%.2f", 'A' + k, d->key && d->key[j] == k ? "*" : "",
			       c[j].opt[k][0], c[j].opt[k][1], c[j].opt[k][2]);
		if (c[j].distractor_flag)
			printf("  (distractor drawn by the high group)");
		if (c[j].rpb < 0.15)
			printf("  (low discrimination)");
		if (fit && fit[j].df > 0 && fit[j].p < 0.01)
			printf("  (misfit: S-X2 p < .01)");
		printf("\n");
	}
	rc = CLI_OK;
done:
	free(theta);
	free(c);
	free(fit);
	free(n_par);
	free(par);
	ib_data_free(d);
	return rc;
}

static int cli_an_dif(const struct cli_an_opts *o)
{
	if (!o->group || !o->focal)
		return cli_usage_error("analyze dif: --group COLUMN and --focal VALUE are required");
	struct ib_data *d = NULL;
	struct ib_dif_item *r = NULL;
	uint8_t *grp = NULL;
	const char *keep[1] = { o->group };
	struct ib_read_opts ro = { .keep_cols = keep, .n_keep_cols = 1 };
	int rc, e;
	if (o->is_long)
		return cli_usage_error("analyze dif: the grouping column needs a wide TSV");
	if ((e = ib_data_load(&d, o->data, 0, &ro)))
		return cli_an_load_err(e);
	if (!(grp = malloc(d->n_persons ? d->n_persons : 1))) {
		rc = cli_fail("out of memory");
		goto done;
	}
	size_t nf = 0, nr = 0;
	for (size_t i = 0; i < d->n_persons; i++) {
		const char *v = d->covar[i];
		grp[i] = strcmp(v, o->focal) == 0 ? 1
		         : (o->reference ? strcmp(v, o->reference) == 0 : v[0] != '\0') ? 0
		                                                                        : 2;
		nf += grp[i] == 1;
		nr += grp[i] == 0;
	}
	if (!nf || !nr) {
		rc = cli_usage_error("analyze dif: column '%s' gives %zu focal and %zu reference rows; "
		                     "both must be present", o->group, nf, nr);
		goto done;
	}
	struct ib_dif_opts dopt;
	ib_dif_opts_init(&dopt);
	dopt.purify = !o->no_purify;
	if (o->min_cell > 0) dopt.min_cell = o->min_cell;
	if (o->min_group > 0) dopt.min_group = o->min_group;
	size_t flagged = 0;
	if ((e = ib_dif_analyze(&r, &flagged, d, grp, &dopt))) {
		rc = e == RS_EINVAL ? cli_usage_error("analyze dif: %s", rs_error_last()) : cli_fail("%s", rs_error_last());
		goto done;
	}
	if (o->record) {
		/* Flagged = ETS class B or C of the final stage. */
		const char **fl = malloc((d->n_items ? d->n_items : 1) * sizeof *fl);
		if (!fl) {
			rc = cli_fail("out of memory");
			goto done;
		}
		for (size_t j = 0; j < d->n_items; j++)
			fl[j] = r[j].mh.ets == 'C' ? "C" : r[j].mh.ets == 'B' ? "B" : "";
		char desc[300];
		snprintf(desc, sizeof desc, "group %.100s: focal %.80s vs %.80s", o->group, o->focal,
		         o->reference ? o->reference : "all others");
		rc = cli_an_record("dif", desc, (const char *const *)d->item_ids, fl, d->n_items, o->json);
		free(fl);
		if (rc != CLI_OK)
			goto done;
	}
	if (o->json) {
		json_t *arr = json_array();
		for (size_t j = 0; j < d->n_items; j++) {
			const struct ib_dif_item *it = &r[j];
			json_t *mh = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:s#, s:s#}", "n_ref", cli_an_num(it->mh.n_ref),
			                       "n_focal", cli_an_num(it->mh.n_foc), "alpha", cli_an_num(it->mh.alpha), "delta",
			                       cli_an_num(it->mh.delta), "se", cli_an_num(it->mh.se), "chi2", cli_an_num(it->mh.chi2),
			                       "p", cli_an_num(it->mh.p), "strata", it->strata, "ets", &it->mh.ets, (size_t)1,
			                       "ets_stage1", &it->ets_stage1, (size_t)1);
			json_t *lr = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s#}", "uniform_chi2", cli_an_num(it->lr_uni_chi2),
			                       "uniform_p", cli_an_num(it->lr_uni_p), "nonuniform_chi2", cli_an_num(it->lr_non_chi2),
			                       "nonuniform_p", cli_an_num(it->lr_non_p), "chi2", cli_an_num(it->lr_chi2), "p",
			                       cli_an_num(it->lr_p), "r2_delta", cli_an_num(it->lr_r2), "class", &it->lr_class,
			                       (size_t)1);
			json_array_append_new(arr, json_pack("{s:s, s:b, s:o, s:o}", "id", d->item_ids[j], "anchor", it->anchor,
			                                     "mh", mh, "logistic", lr));
		}
		rc = cli_an_print_json(json_pack("{s:s, s:s, s:i, s:i, s:f, s:f, s:i, s:o}", "group", o->group, "focal",
		                                 o->focal, "n_focal", (int)nf, "n_reference", (int)nr, "min_cell",
		                                 dopt.min_cell, "min_group", dopt.min_group, "purified_out", (int)flagged,
		                                 "items", arr));
		goto done;
	}
	printf("DIF by '%s': focal '%s' (%zu rows) vs %s (%zu rows)\n"
	       "Matching on the number-right score, levels merged until each stratum holds %.0f of each group;\n"
	       "%s\n"
	       "MH D-DIF < 0 favours the reference group; ETS A negligible, B moderate, C large.\n"
	       "Logistic regression (Swaminathan-Rogers): uniform = group term, non-uniform = score x group;\n"
	       "class by Nagelkerke R2 gain (Jodoin-Gierl): A < .035 or p >= .05, B < .07, C.\n\n",
	       o->group, o->focal, nf, o->reference ? o->reference : "all others", nr, dopt.min_cell,
	       dopt.purify ? (flagged ? "two-stage purification: items flagged B/C at stage 1 left the matching score (*)"
	                              : "two-stage purification: no item flagged at stage 1")
	                   : "no purification");
	printf("%-16s %7s %7s %6s %7s %6s %8s %3s | %8s %8s %7s %3s\n", "item", "n_ref", "n_foc", "strata", "D-DIF", "se",
	       "p", "ETS", "p_unif", "p_nonu", "R2", "LR");
	for (size_t j = 0; j < d->n_items; j++) {
		const struct ib_dif_item *it = &r[j];
		printf("%-15.15s%c %7.0f %7.0f %6d %7.2f %6.3f %8.4f %3c | %8.4f %8.4f %7.4f %3c\n", d->item_ids[j],
		       it->anchor ? ' ' : '*', it->mh.n_ref, it->mh.n_foc, it->strata, it->mh.delta, it->mh.se, it->mh.p,
		       it->mh.ets, it->lr_uni_p, it->lr_non_p, it->lr_r2, it->lr_class);
	}
	rc = CLI_OK;
done:
	free(grp);
	free(r);
	ib_data_free(d);
	return rc;
}

static int cli_an_drift(const struct cli_an_opts *o)
{
	if (!o->params || (!o->data == !o->new_params))
		return cli_usage_error("analyze drift: --params ACTIVE.json and one of --data FILE or "
		                       "--new NEW.json are required");
	struct ib_params *act = NULL, *nw = NULL;
	struct ib_data *d = NULL;
	struct ib_calib_result *cr = NULL;
	struct ib_item_par *po = NULL, *pn = NULL;
	size_t *idx = NULL;
	uint8_t *drifted = NULL;
	char **ids = NULL;
	size_t n_new = 0, m = 0;
	int rc, e;
	struct ib_calib_opts co;
	ib_calib_opts_init(&co, o->model);
	if (o->person_boot > 0 && !o->data)
		return cli_usage_error("analyze drift: --person-bootstrap needs --data (the new form's responses)");
	if ((e = ib_params_load(&act, o->params)))
		return cli_an_load_err(e);
	if (o->new_params) {
		if ((e = ib_params_load(&nw, o->new_params))) {
			rc = cli_an_load_err(e);
			goto done;
		}
		n_new = nw->n;
		ids = nw->ids;
	} else {
		if ((e = ib_data_load(&d, o->data, o->is_long, NULL))) {
			rc = cli_an_load_err(e);
			goto done;
		}
		if ((e = ib_calibrate(&cr, d, &co))) {
			rc = e == RS_EINVAL ? cli_usage_error("%s", rs_error_last())
			                    : cli_fail("%s", rs_error_last());
			goto done;
		}
		n_new = d->n_items;
		ids = d->item_ids;
	}
	po = malloc(n_new * sizeof *po);
	pn = malloc(n_new * sizeof *pn);
	idx = malloc(n_new * sizeof *idx);
	if (!po || !pn || !idx) {
		rc = cli_fail("out of memory");
		goto done;
	}
	for (size_t j = 0; j < n_new; j++) {
		long k = ib_params_find(act, ids[j]);
		if (k < 0)
			continue;
		po[m] = act->par[k];
		pn[m] = nw ? nw->par[j] : cr->items[j];
		idx[m++] = j;
	}
	struct ib_drift dr;
	if (!(drifted = malloc(m ? m : 1))) {
		rc = cli_fail("out of memory");
		goto done;
	}
	struct ib_drift_opts dopt = { .threshold = o->threshold, .z = o->z > 0 ? o->z : 2.58,
	                              .slope_ratio = o->slope_ratio > 0 ? o->slope_ratio : 1.5, .boot = o->boot >= 0 ? o->boot : 200,
	                              .seed = 1 };
	struct ib_link_est est[3];
	if ((e = ib_drift_link_opts(&dr, est, drifted, po, pn, m, &dopt))) {
		rc = e == RS_EINVAL ? cli_usage_error("analyze drift: %s", rs_error_last())
		                    : cli_fail("%s", rs_error_last());
		goto done;
	}
	/* Person bootstrap: resample the new form's examinees, recalibrate, relink over the
	 * final linking items (the SE the sampling of examinees puts on the constants). */
	double pse[3][2] = { { NAN, NAN }, { NAN, NAN }, { NAN, NAN } };
	int pok = 0;
	if (o->person_boot > 0) {
		struct ib_item_par *lo = malloc((m ? m : 1) * sizeof *lo);
		size_t *li = malloc((m ? m : 1) * sizeof *li), nl = 0;
		if (!lo || !li) {
			free(lo);
			free(li);
			rc = cli_fail("out of memory");
			goto done;
		}
		for (size_t t = 0; t < m; t++)
			if (!(drifted[t] & 1)) {
				lo[nl] = po[t];
				li[nl++] = idx[t];
			}
		e = ib_link_person_boot(pse, &pok, d, &co, lo, li, nl, o->person_boot, 1);
		free(lo);
		free(li);
		if (e) {
			rc = e == RS_EINVAL ? cli_usage_error("analyze drift: %s", rs_error_last()) : cli_fail("%s", rs_error_last());
			goto done;
		}
	}
	if (o->record) {
		const char **rid = malloc((m ? m : 1) * sizeof *rid), **fl = malloc((m ? m : 1) * sizeof *fl);
		if (!rid || !fl) {
			free(rid);
			free(fl);
			rc = cli_fail("out of memory");
			goto done;
		}
		static const char *const names[] = { "", "DRIFT-b", "DRIFT-a", "DRIFT-ab" };
		for (size_t t = 0; t < m; t++) {
			rid[t] = ids[idx[t]];
			/* Lord's joint chi-square flag (bit 4) is recorded as drift in both a and b. */
			fl[t] = names[(drifted[t] & 3) | (drifted[t] & 4 ? 3 : 0)];
		}
		char desc[300];
		snprintf(desc, sizeof desc, "active %.120s vs %.120s", o->params, o->new_params ? o->new_params : o->data);
		rc = cli_an_record("drift", desc, rid, fl, m, o->json);
		free(rid);
		free(fl);
		if (rc != CLI_OK)
			goto done;
	}
	const double A = dr.A, B = dr.B, crit = dr.crit;
	size_t flagged = 0;
	json_t *arr = o->json ? json_array() : NULL;
	static const char *const mname[3] = { "stocking_lord", "haebara", "mean_sigma" };
	if (!o->json) {
		printf("Stocking-Lord linking over %zu of %zu common items (drifted items left out, %d pass%s%s):\n"
		       "theta_active = %.4f * theta_new + %.4f (criterion %.3g)\n", dr.linking, m, dr.rounds,
		       dr.rounds == 1 ? "" : "es", dr.converged ? "" : ", not settled", A, B, crit);
		printf("linking constants over the same items (SE by bootstrap over the items, %d replicates):\n", dopt.boot);
		for (int k = 0; k < 3; k++)
			printf("  %-14s A %.4f (SE %.4f)  B %.4f (SE %.4f)\n", mname[k], est[k].A, est[k].se_A, est[k].B, est[k].se_B);
		if (o->person_boot > 0) {
			printf("SE by person bootstrap (examinees resampled, recalibrated, relinked; %d of %d replicates):\n", pok,
			       o->person_boot);
			for (int k = 0; k < 3; k++)
				printf("  %-14s SE A %.4f  SE B %.4f\n", mname[k], pse[k][0], pse[k][1]);
		}
		printf("flag: |delta b| > %.2f and above %.2f SE (difficulty drift, DRIFT-b; leaves the link), or\n"
		       "      slope ratio beyond %.2f either way and above %.2f SE (slope drift, DRIFT-a), or\n"
		       "      Lord's chi-square on (a, b) with their covariance, 2 df, p < %.4f (joint drift, DRIFT-ab)\n\n"
		       "%-16s %8s %8s %8s %8s %8s %8s %8s %8s\n", dopt.threshold, dopt.z, dopt.slope_ratio, dopt.z,
		       erfc(dopt.z / sqrt(2.0)), "item", "a_act", "a_new", "b_act", "b_new", "delta_b", "se", "chi2", "p");
	}
	size_t slope_flags = 0, joint_flags = 0;
	for (size_t t = 0; t < m; t++) {
		double chi2, lp;
		ib_lord_chi2(&chi2, &lp, &po[t], &pn[t], A, B); /* NAN when the covariances are missing */
		int jflag = (drifted[t] & 4) != 0;
		joint_flags += jflag;
		double a2 = pn[t].a / A, b2 = A * pn[t].b + B, db = b2 - po[t].b;
		double se = sqrt(A * A * pn[t].se_b * pn[t].se_b + po[t].se_b * po[t].se_b);
		int flag = drifted[t] & 1, sflag = (drifted[t] & 2) != 0;
		flagged += flag;
		slope_flags += sflag;
		if (arr)
			json_array_append_new(arr, json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:b}", "id",
			                                     ids[idx[t]], "a_active", cli_an_num(po[t].a),
			                                     "a_new", cli_an_num(a2), "b_active",
			                                     cli_an_num(po[t].b), "b_new", cli_an_num(b2),
			                                     "delta_b", cli_an_num(db), "se_delta_b", cli_an_num(se),
			                                     "lord_chi2", cli_an_num(chi2), "lord_p", cli_an_num(lp),
			                                     "flagged", flag, "slope_flagged", sflag, "joint_flagged", jflag));
		else
			printf("%-16.16s %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f %8.4f%s%s%s\n", ids[idx[t]], po[t].a, a2,
			       po[t].b, b2, db, se, chi2, lp, flag ? "  DRIFT-b" : "", sflag ? "  DRIFT-a" : "",
			       jflag ? "  DRIFT-ab" : "");
	}
	if (arr)
	{
		json_t *links = json_object();
		for (int k = 0; k < 3; k++)
			json_object_set_new(links, mname[k], json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "A", cli_an_num(est[k].A), "B",
			                                               cli_an_num(est[k].B), "se_A", cli_an_num(est[k].se_A),
			                                               "se_B", cli_an_num(est[k].se_B),
			                                               "person_se_A", cli_an_num(pse[k][0]),
			                                               "person_se_B", cli_an_num(pse[k][1])));
		rc = cli_an_print_json(json_pack("{s:o, s:o, s:o, s:i, s:i, s:i, s:i, s:i, s:b, s:o, s:i, s:i, s:i, s:o}", "A", cli_an_num(A), "B",
		                                 cli_an_num(B), "criterion", cli_an_num(crit), "flagged",
		                                 (int)flagged, "slope_flagged", (int)slope_flags, "joint_flagged", (int)joint_flags,
		                                 "linking_items", (int)dr.linking,
		                                 "passes", dr.rounds, "converged", dr.converged, "links", links,
		                                 "bootstrap", dopt.boot, "person_bootstrap", o->person_boot,
		                                 "person_bootstrap_ok", pok, "items", arr));
	}
	else {
		printf("\n%zu of %zu items drifted in difficulty, %zu in slope, %zu jointly (Lord's chi-square)\n", flagged, m,
		       slope_flags, joint_flags);
		rc = CLI_OK;
	}
done:
	free(po);
	free(pn);
	free(idx);
	free(drifted);
	ib_calib_result_free(cr);
	ib_data_free(d);
	ib_params_free(act);
	ib_params_free(nw);
	return rc;
}

static void cli_analyze_help(void)
{
	printf("usage: riss analyze items|dif|drift [options]\n\n"
	       "  items  --data FILE [--long] [--params P | --model M]\n"
	       "         p-value, point-biserial (rest score), infit/outfit at EAP theta, S-X2 item\n"
	       "         fit (Orlando-Thissen; persons who answered the whole form, 3-200 items); with option\n"
	       "         letters in the wide TSV (and a KEY row first) the share choosing each option\n"
	       "         in the low, middle and high third\n"
	       "  dif    --data FILE --group COLUMN --focal VALUE [--reference VALUE] [--min-cell 5]\n"
	       "         [--min-group 100] [--no-purify]   Mantel-Haenszel DIF (ETS A/B/C) and logistic-\n"
	       "         regression DIF (uniform, non-uniform; R2 classes) on number-right score strata\n"
	       "         merged to --min-cell of each group, with two-stage purification (items flagged\n"
	       "         B/C leave the matching score); refused when a group has under --min-group\n"
	       "  drift  --params ACTIVE.json (--data FILE [--long] [--model M] | --new NEW.json)\n"
	       "         [--threshold 0.3] [--z 2.58] [--slope-ratio 1.5] [--bootstrap 200]\n"
	       "         [--person-bootstrap R]\n"
	       "         Stocking-Lord linking; flags |delta b| > threshold that is also above z SE\n"
	       "         (when the estimates carry SEs) and links again without the flagged items until\n"
	       "         the set settles; flags slope drift (ratio beyond --slope-ratio, above z SE);\n"
	       "         Haebara and mean/sigma constants beside, all with bootstrap SEs; Lord's chi-square\n"
	       "         on (a, b) with the calibrations' a-b covariances (cov_ab), flagged at the level of z;\n"
	       "         with --data, --person-bootstrap R resamples the examinees R times, recalibrates and\n"
	       "         relinks: the constants' SEs from the sampling of examinees\n\n"
	       "Without --params, items are first calibrated with --model (default 2pl).\n"
	       "--json prints the results as JSON. --record (dif, drift) also stores each analysed item's flag\n"
	       "in the bank (ETS B/C; DRIFT-b/-a); the pool health statistics count the items whose latest\n"
	       "recorded result is a flag.\n");
}

int cli_cmd_analyze(int argc, char **argv)
{
	if (argc < 2 || cli_wants_help(argc, argv)) {
		cli_analyze_help();
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	const char *sub = argv[1];
	static const struct option lopts[] = {
		{ "data", required_argument, NULL, 'd' },   { "long", no_argument, NULL, 'l' },
		{ "params", required_argument, NULL, 'p' }, { "model", required_argument, NULL, 'm' },
		{ "group", required_argument, NULL, 'g' },  { "focal", required_argument, NULL, 'f' },
		{ "reference", required_argument, NULL, 'r' },
		{ "strata", required_argument, NULL, 's' }, { "new", required_argument, NULL, 'n' },
		{ "threshold", required_argument, NULL, 't' },
		{ "min-cell", required_argument, NULL, 'C' }, { "min-group", required_argument, NULL, 'G' },
		{ "no-purify", no_argument, NULL, 'P' },
		{ "z", required_argument, NULL, 'Z' }, { "slope-ratio", required_argument, NULL, 'R' },
		{ "bootstrap", required_argument, NULL, 'B' },
		{ "person-bootstrap", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },          { "record", no_argument, NULL, 'K' }, { 0 },
	};
	struct cli_an_opts o = { .model = IB_2PL, .strata = 10, .threshold = 0.3, .boot = -1 };
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", lopts, NULL)) != -1) {
		char *e;
		switch (c) {
		case 'd': o.data = optarg; break;
		case 'K': o.record = 1; break;
		case 'l': o.is_long = 1; break;
		case 'p': o.params = optarg; break;
		case 'm':
			if (ib_model_parse(&o.model, optarg))
				return cli_usage_error("analyze: %s", rs_error_last());
			break;
		case 'g': o.group = optarg; break;
		case 'f': o.focal = optarg; break;
		case 'r': o.reference = optarg; break;
		case 'n': o.new_params = optarg; break;
		case 's':
			o.strata = (int)strtol(optarg, &e, 10);
			if (*e || o.strata < 1 || o.strata > 100)
				return cli_usage_error("--strata: expected 1 to 100, got '%s'", optarg);
			break;
		case 't':
			o.threshold = strtod(optarg, &e);
			if (*e || !(o.threshold > 0 && o.threshold < 10))
				return cli_usage_error("--threshold: expected a number in (0, 10), got '%s'",
				                       optarg);
			break;
		case 'j': o.json = 1; break;
		case 'P': o.no_purify = 1; break;
		case 'Z':
			o.z = strtod(optarg, &e);
			if (*e || !(o.z > 0 && o.z < 10))
				return cli_usage_error("--z: expected a number in (0, 10), got '%s'", optarg);
			break;
		case 'R':
			o.slope_ratio = strtod(optarg, &e);
			if (*e || !(o.slope_ratio > 1 && o.slope_ratio < 10))
				return cli_usage_error("--slope-ratio: expected a number in (1, 10), got '%s'", optarg);
			break;
		case 'B':
			o.boot = (int)strtol(optarg, &e, 10);
			if (*e || o.boot < 0 || o.boot > 10000)
				return cli_usage_error("--bootstrap: expected 0 to 10000, got '%s'", optarg);
			break;
		case 'S':
			o.person_boot = (int)strtol(optarg, &e, 10);
			if (*e || o.person_boot < 0 || o.person_boot == 1 || o.person_boot > 2000)
				return cli_usage_error("--person-bootstrap: expected 0 or 2 to 2000, got '%s'", optarg);
			break;
		case 'C':
			o.min_cell = strtod(optarg, &e);
			if (*e || !(o.min_cell >= 1 && o.min_cell <= 1000))
				return cli_usage_error("--min-cell: expected a number in 1..1000, got '%s'", optarg);
			break;
		case 'G':
			o.min_group = strtod(optarg, &e);
			if (*e || !(o.min_group >= 1 && o.min_group <= 1e7))
				return cli_usage_error("--min-group: expected a number in 1..10000000, got '%s'", optarg);
			break;
		default:
			return cli_usage_error("analyze: unknown or incomplete option '%s' (see 'riss "
			                       "analyze --help')", argv[optind]);
		}
	}
	if (optind < argc - 1)
		return cli_usage_error("analyze: unexpected argument '%s'", argv[optind + 1]);
	if (strcmp(sub, "drift") == 0)
		return cli_an_drift(&o);
	if (strcmp(sub, "items") != 0 && strcmp(sub, "dif") != 0)
		return cli_usage_error("unknown subcommand 'riss analyze %s' (items, dif, drift)", sub);
	if (!o.data)
		return cli_usage_error("analyze %s: --data FILE is required", sub);
	return strcmp(sub, "items") == 0 ? cli_an_items(&o) : cli_an_dif(&o);
}
