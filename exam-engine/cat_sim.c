/* exam-engine: simulation of candidates through the engine (and through a fixed form), the
 * Sympson-Hetter update, and fixed-form assembly. */
#include "cat_engine_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cat_sim_acc_init(struct cat_sim_acc *acc, size_t nitems)
{
	memset(acc, 0, sizeof *acc);
	acc->nitems = nitems;
	acc->admin = calloc(nitems ? nitems : 1, sizeof *acc->admin);
	acc->selected = calloc(nitems ? nitems : 1, sizeof *acc->selected);
	acc->len_min = INT32_MAX;
	acc->b_admin = calloc((nitems ? nitems : 1) * CAT_SIM_BANDS, sizeof *acc->b_admin);
	acc->c_sel = calloc((nitems ? nitems : 1) * CAT_SH_MAX_STRATA, sizeof *acc->c_sel);
	acc->c_admin = calloc((nitems ? nitems : 1) * CAT_SH_MAX_STRATA, sizeof *acc->c_admin);
	if (!acc->admin || !acc->selected || !acc->b_admin || !acc->c_sel || !acc->c_admin) {
		cat_sim_acc_free(acc);
		cat_error_set("out of memory");
		return CAT_ENOMEM;
	}
	return 0;
}

void cat_sim_acc_free(struct cat_sim_acc *acc)
{
	free(acc->admin);
	free(acc->selected);
	free(acc->b_admin);
	free(acc->c_sel);
	free(acc->c_admin);
	acc->admin = acc->selected = acc->b_admin = acc->c_sel = acc->c_admin = NULL;
}

void cat_sim_acc_merge(struct cat_sim_acc *a, const struct cat_sim_acc *b)
{
	for (size_t i = 0; i < a->nitems && i < b->nitems; i++) {
		a->admin[i] += b->admin[i];
		a->selected[i] += b->selected[i];
	}
	if (a->nitems == b->nitems)
		for (size_t i = 0; i < a->nitems * CAT_SIM_BANDS; i++)
			a->b_admin[i] += b->b_admin[i];
	if (a->nitems == b->nitems)
		for (size_t i = 0; i < a->nitems * CAT_SH_MAX_STRATA; i++) {
			a->c_sel[i] += b->c_sel[i];
			a->c_admin[i] += b->c_admin[i];
		}
	for (int k = 0; k < CAT_SH_MAX_STRATA; k++)
		a->c_n[k] += b->c_n[k];
	for (int k = 0; k < CAT_SIM_BANDS; k++) {
		a->b_n[k] += b->b_n[k];
		a->b_err[k] += b->b_err[k];
		a->b_sq[k] += b->b_sq[k];
		a->b_var[k] += b->b_var[k];
		a->b_len[k] += b->b_len[k];
		a->b_correct[k] += b->b_correct[k];
	}
	a->n += b->n;
	a->sum_err += b->sum_err;
	a->sum_sq += b->sum_sq;
	a->len_sum += b->len_sum;
	a->consist_sum += b->consist_sum;
	a->correct_class += b->correct_class;
	a->violations += b->violations;
	if (b->len_min < a->len_min) a->len_min = b->len_min;
	if (b->len_max > a->len_max) a->len_max = b->len_max;
}

int cat_sh_stratum(const struct cat_exam *e, double theta)
{
	int k = 0;
	while (k + 1 < e->sh_nstrata && theta >= e->sh_cuts[k])
		k++;
	return k;
}

static double cat_phi(double z) { return 0.5 * erfc(-z / sqrt(2.0)); }

/* The distance q from the cut with P(|theta - cut| < q) = p under the theta distribution
 * (bisection; infinity for p = 1). */
static double cat_sim_dist_quantile(enum cat_theta_dist dist, double cut, double p)
{
	if (p >= 1)
		return HUGE_VAL;
	double lo = 0, hi = 20;
	for (int it = 0; it < 100; it++) {
		double q = (lo + hi) / 2, m;
		if (dist == CAT_DIST_UNIFORM) {
			double a = cut - q < -3 ? -3 : cut - q, b = cut + q > 3 ? 3 : cut + q;
			m = b > a ? (b - a) / 6 : 0;
		} else
			m = cat_phi(cut + q) - cat_phi(cut - q);
		if (m < p) lo = q; else hi = q;
	}
	return (lo + hi) / 2;
}

/* Theta with cat_phi(theta) = p, 0 < p < 1 (bisection on [-9, 9]). */
static double cat_phi_inv(double p)
{
	double lo = -9, hi = 9;
	for (int it = 0; it < 64; it++) {
		double m = (lo + hi) / 2;
		if (cat_phi(m) < p) lo = m; else hi = m;
	}
	return (lo + hi) / 2;
}

/* A candidate's true theta under dist; c is the candidate's number (CAT_DIST_STRATA: stratum
 * c mod strata, N(0,1) truncated to it by the inverse distribution function). */
static double cat_sim_theta(const struct cat_exam *e, enum cat_theta_dist dist, size_t c, struct cat_rng *rng)
{
	if (dist == CAT_DIST_UNIFORM)
		return -3.0 + 6.0 * cat_rng_uniform(rng);
	if (dist != CAT_DIST_STRATA)
		return cat_rng_normal(rng);
	int ns = e->sh_nstrata > 0 ? e->sh_nstrata : 1, k = (int)(c % (size_t)ns);
	double plo = k == 0 ? 0 : cat_phi(e->sh_cuts[k - 1]), phi = k + 1 == ns ? 1 : cat_phi(e->sh_cuts[k]);
	double u = plo + (phi - plo) * cat_rng_uniform(rng);
	u = u <= 1e-15 ? 1e-15 : u >= 1 - 1e-15 ? 1 - 1e-15 : u;
	double t = cat_phi_inv(u);
	/* the bisection's last step can land a hair outside the stratum: keep it inside */
	if (k > 0 && t < e->sh_cuts[k - 1]) t = e->sh_cuts[k - 1];
	if (k + 1 < ns && t >= e->sh_cuts[k]) t = nextafter(e->sh_cuts[k], -HUGE_VAL);
	return t;
}

/* Simulated response of a candidate at theta. */
static int cat_sim_answer(const struct cat_item *it, double theta, struct cat_rng *rng)
{
	double u = cat_rng_uniform(rng);
	if (it->model != CAT_GPCM)
		return u < cat_prob(it, theta) ? 1 : 0;
	double p[CAT_MAX_STEPS + 1], acc = 0;
	cat_prob_cats(it, theta, p);
	for (int k = 0; k < it->nsteps; k++) {
		acc += p[k];
		if (u < acc)
			return k;
	}
	return it->nsteps;
}

/* Independent blueprint check of one administered test (operational items only). */
static int cat_sim_violates(const struct cat_engine *g, const uint32_t *items, size_t n)
{
	const struct cat_exam *e = g->exam;
	int dn[CAT_MAX_DOMAINS] = { 0 }, pn[CAT_MAX_PARTS] = { 0 };
	for (size_t k = 0; k < n; k++) {
		const struct cat_bank_item *it = &g->bank->items[items[k]];
		int d = -1;
		for (int t = 0; t < e->ndomains; t++)
			if (strcmp(e->domains[t].name, it->domain) == 0) d = t;
		if (d < 0 || it->status != CAT_OPERATIONAL)
			return 1;
		dn[d]++;
		pn[e->domains[d].part]++;
		const struct cat_part *pt = &e->parts[e->domains[d].part];
		if (pt->ntypes) {
			int ok = 0;
			for (int t = 0; t < pt->ntypes; t++)
				if (strcmp(pt->types[t], it->type) == 0) ok = 1;
			if (!ok) return 1;
		}
		for (size_t m = 0; m < k; m++) {
			const struct cat_bank_item *o = &g->bank->items[items[m]];
			if (items[m] == items[k] || (it->enemy[0] && strcmp(it->enemy, o->enemy) == 0))
				return 1;
		}
	}
	if ((int)n < e->min_items || (int)n > e->max_items)
		return 1;
	for (int d = 0; d < e->ndomains; d++)
		if (dn[d] < e->domains[d].min || dn[d] > e->domains[d].max) return 1;
	for (int p = 0; p < e->nparts; p++)
		if (pn[p] < e->parts[p].min || pn[p] > e->parts[p].max) return 1;
	return 0;
}

int cat_sim_run(struct cat_sim_acc *acc, const struct cat_engine *g, uint64_t seed,
                enum cat_theta_dist dist, size_t first, size_t count,
                const size_t *form, size_t n_form)
{
	return cat_sim_run_forms(acc, g, seed, dist, first, count, form, &n_form, form ? 1 : 0, n_form, false);
}

int cat_sim_run_forms(struct cat_sim_acc *acc, const struct cat_engine *g, uint64_t seed,
                      enum cat_theta_dist dist, size_t first, size_t count,
                      const size_t *forms, const size_t *form_n, size_t nforms, size_t stride, bool by_theta)
{
	const struct cat_exam *e = g->exam;
	size_t maxf = 0;
	for (size_t f = 0; forms && f < nforms; f++)
		if (form_n[f] > maxf) maxf = form_n[f];
	uint32_t *items = malloc(((size_t)e->max_items + (size_t)e->pretest_items + maxf + 1) * sizeof *items);
	const struct cat_item **its = malloc((maxf + 1) * sizeof *its);
	int *xs = malloc((maxf + 1) * sizeof *xs);
	const size_t *form = NULL;
	size_t n_form = 0;
	double qband[CAT_MAX_FORMS + 1];
	if (by_theta && forms)
		for (size_t k = 0; k <= nforms && k <= CAT_MAX_FORMS; k++)
			qband[k] = cat_sim_dist_quantile(dist, e->cut_theta, (double)k / (double)nforms);
	int rc = 0;
	if (!items || !its || !xs) {
		cat_error_set("out of memory");
		rc = CAT_ENOMEM;
		goto done;
	}
	for (size_t c = first; c < first + count; c++) {
		struct cat_rng cr;
		cat_rng_seed(&cr, cat_mix64(seed ^ cat_mix64(c * 2 + 1)));
		double theta = cat_sim_theta(e, dist, c, &cr);
		double est, se;
		size_t nop = 0;
		int stratum = cat_sh_stratum(e, theta);
		if (forms && nforms > 0) {
			/* the form is drawn apart from the candidate's own stream */
			size_t f = nforms > 1 ? (size_t)(cat_mix64(seed ^ cat_mix64(c * 2 + 2) ^ 0x666f726dULL) % nforms) : 0;
			if (by_theta)
				for (f = 0; f + 1 < nforms && fabs(theta - e->cut_theta) >= qband[f + 1]; f++)
					;
			form = forms + f * stride;
			n_form = form_n[f];
		}
		if (form) {
			for (size_t k = 0; k < n_form; k++) {
				its[k] = &g->bank->items[form[k]].irt;
				xs[k] = cat_sim_answer(its[k], theta, &cr);
				items[k] = (uint32_t)form[k];
			}
			struct cat_estimate r;
			if (e->final_method == CAT_EAP)
				cat_engine_eap(g, items, xs, n_form, &r);
			else if ((rc = cat_estimate(&r, e->final_method, &e->est, its, xs, n_form)) != 0)
				goto done;
			est = r.theta;
			se = r.se;
			nop = n_form;
		} else {
			struct cat_session *s;
			if ((rc = cat_session_new(&s, g, cat_mix64(seed + c))) != 0)
				goto done;
			s->sim_selected = acc->selected;
			s->sim_sel_cond = acc->c_sel + (size_t)stratum * acc->nitems;
			if (acc->lottery_true_theta)
				s->sim_stratum = stratum;
			size_t it;
			while (!cat_session_done(s) && cat_session_next(s, &it) == 0) {
				int x = cat_sim_answer(&g->bank->items[it].irt, theta, &cr);
				if ((rc = cat_session_answer(s, it, x, 0)) != 0) {
					cat_session_free(s);
					goto done;
				}
			}
			struct cat_result res;
			rc = cat_session_result(s, &res);
			for (size_t k = 0; k < s->nresp; k++)
				if (!s->r_pre[k])
					items[nop++] = s->r_item[k];
			cat_session_free(s);
			if (rc)
				goto done;
			est = res.theta;
			se = res.se;
		}
		int band = (int)floor((theta - CAT_SIM_BAND_LO) / CAT_SIM_BAND_W);
		band = band < 0 ? 0 : band >= CAT_SIM_BANDS ? CAT_SIM_BANDS - 1 : band;
		for (size_t k = 0; k < nop; k++) {
			acc->admin[items[k]]++;
			acc->b_admin[(size_t)band * acc->nitems + items[k]]++;
			acc->c_admin[(size_t)stratum * acc->nitems + items[k]]++;
		}
		acc->c_n[stratum] += 1;
		double err = est - theta;
		bool right = (est >= e->cut_theta) == (theta >= e->cut_theta);
		acc->b_n[band] += 1;
		acc->b_err[band] += err;
		acc->b_sq[band] += err * err;
		acc->b_var[band] += se * se;
		acc->b_len[band] += (double)nop;
		acc->b_correct[band] += right;
		acc->n += 1;
		acc->sum_err += err;
		acc->sum_sq += err * err;
		acc->len_sum += (double)nop;
		if ((int)nop < acc->len_min) acc->len_min = (int)nop;
		if ((int)nop > acc->len_max) acc->len_max = (int)nop;
		acc->correct_class += ((est >= e->cut_theta) == (theta >= e->cut_theta));
		/* Rudner's consistency: P(same decision on an independent retest). */
		double p = cat_phi((est - e->cut_theta) / (se > 0 ? se : 1e-9));
		acc->consist_sum += p * p + (1 - p) * (1 - p);
		acc->violations += form ? 0 : cat_sim_violates(g, items, nop);
	}
done:
	free(items);
	free(its);
	free(xs);
	return rc;
}

void cat_sim_report(struct cat_sim_report *o, const struct cat_sim_acc *a, const struct cat_engine *g)
{
	memset(o, 0, sizeof *o);
	double n = a->n > 0 ? a->n : 1;
	o->examinees = a->n;
	o->bias = a->sum_err / n;
	o->rmse = sqrt(a->sum_sq / n);
	o->len_mean = a->len_sum / n;
	o->len_min = a->n > 0 ? a->len_min : 0;
	o->len_max = a->len_max;
	o->accuracy = a->correct_class / n;
	o->consistency = a->consist_sum / n;
	o->violations = a->violations;
	/* Exposure over usable operational items; overlap = mean shared items of two random
	 * candidates over mean length: sum m_i (m_i - 1) / (N (N - 1) Lbar). */
	double sum = 0, sq = 0, mx = 0;
	size_t unused = 0, usable = 0;
	for (size_t i = 0; i < a->nitems; i++) {
		if (g->kind[i] != CAT_K_OPER)
			continue;
		usable++;
		double r = a->admin[i] / n;
		sum += r;
		if (r > mx) mx = r;
		if (a->admin[i] == 0) unused++;
		sq += (double)a->admin[i] * ((double)a->admin[i] - 1);
	}
	o->expo_max = mx;
	o->expo_mean = usable ? sum / (double)usable : 0;
	o->unused_share = usable ? (double)unused / (double)usable : 0;
	double lbar = a->len_sum / n;
	o->overlap = (a->n > 1 && lbar > 0) ? sq / (a->n * (a->n - 1) * lbar) : 0;
	for (int k = 0; k < CAT_SIM_BANDS; k++) {
		struct cat_sim_band *b = &o->band[k];
		double bn = a->b_n[k] > 0 ? a->b_n[k] : 1;
		b->lo = CAT_SIM_BAND_LO + CAT_SIM_BAND_W * k;
		b->hi = b->lo + CAT_SIM_BAND_W;
		b->n = a->b_n[k];
		b->bias = a->b_err[k] / bn;
		b->rmse = sqrt(a->b_sq[k] / bn);
		b->csem = sqrt(a->b_var[k] / bn);
		b->len_mean = a->b_len[k] / bn;
		b->accuracy = a->b_correct[k] / bn;
		uint32_t m = 0;
		for (size_t i = 0; i < a->nitems; i++)
			if (g->kind[i] == CAT_K_OPER && a->b_admin[(size_t)k * a->nitems + i] > m)
				m = a->b_admin[(size_t)k * a->nitems + i];
		b->expo_max = a->b_n[k] > 0 ? m / a->b_n[k] : 0;
	}
	const struct cat_exam *e = g->exam;
	o->nstrata = e->sh_nstrata > 0 ? e->sh_nstrata : 1;
	for (int k = 0; k < o->nstrata; k++) {
		struct cat_sim_stratum *t = &o->stratum[k];
		t->lo = k == 0 ? -HUGE_VAL : e->sh_cuts[k - 1];
		t->hi = k + 1 == o->nstrata ? HUGE_VAL : e->sh_cuts[k];
		t->n = a->c_n[k];
		uint32_t m = 0;
		for (size_t i = 0; i < a->nitems; i++)
			if (g->kind[i] == CAT_K_OPER && a->c_admin[(size_t)k * a->nitems + i] > m)
				m = a->c_admin[(size_t)k * a->nitems + i];
		t->expo_max = t->n > 0 ? m / t->n : 0;
		if (t->expo_max > o->stratum_expo_max)
			o->stratum_expo_max = t->expo_max;
	}
}

int cat_fixed_form(size_t *out_items, size_t *out_n, const struct cat_engine *g)
{
	return cat_parallel_forms(out_items, out_n, 1, false, g);
}

int cat_parallel_forms(size_t *out_items, size_t *out_n, int F, bool tiers, const struct cat_engine *g)
{
	struct cat_session *s[CAT_MAX_FORMS] = { 0 };
	size_t n[CAT_MAX_FORMS] = { 0 }, L = (size_t)g->exam->max_items;
	int rc = 0;
	if (F < 1 || F > CAT_MAX_FORMS) {
		cat_error_set("parallel forms: the number of forms must be in 1..%d", CAT_MAX_FORMS);
		return CAT_EINVAL;
	}
	for (int f = 0; f < F; f++)
		if ((rc = cat_session_new_opts(&s[f], g, 0, CAT_SO_FIXED_THETA | CAT_SO_NO_PRETEST | CAT_SO_NO_EARLY_STOP |
		                               CAT_SO_NO_EXPOSURE, g->exam->cut_theta)) != 0)
			goto done;
	for (size_t step = 0; step < L * (size_t)F; step++) {
		/* parallel: serpentine turns (1..F, F..1, ...), no form always picks first;
		 * tiers: form by form */
		size_t r = step / (size_t)F, t = step % (size_t)F;
		int f = tiers ? (int)(step / L) : r % 2 == 0 ? (int)t : F - 1 - (int)t;
		size_t it;
		if (cat_session_done(s[f]) || cat_session_next(s[f], &it) != 0)
			continue;
		out_items[(size_t)f * L + n[f]++] = it;
		if ((rc = cat_session_answer(s[f], it, 0, 0)) != 0)
			goto done;
		for (int h = 0; h < F; h++) { /* no other form may take it now */
			if (h == f || s[h]->flags[it])
				continue;
			s[h]->flags[it] |= CAT_F_REJECTED;
			if (g->enemy[it] < 0)
				s[h]->avail[g->dom[it]]--;
		}
	}
	for (int f = 1; f < F; f++)
		if (n[f] < n[0]) {
			cat_error_set("parallel forms: the bank fills only %zu of form %d's %zu items under the blueprint "
			              "(%d disjoint forms need more items)", n[f], f + 1, n[0], F);
			rc = CAT_EINVAL;
			goto done;
		}
	for (int f = 0; f < F; f++)
		out_n[f] = n[f];
done:
	for (int f = 0; f < F; f++)
		cat_session_free(s[f]);
	return rc;
}

void cat_sh_update(struct cat_bank *bank, const struct cat_sim_acc *acc, double target)
{
	double n = acc->n > 0 ? acc->n : 1;
	for (size_t i = 0; i < bank->n && i < acc->nitems; i++) {
		double ps = acc->selected[i] / n;
		bank->items[i].sh_k = ps <= target ? 1.0 : target / ps;
	}
	cat_bank_rehash(bank);
}

void cat_sh_update_cond(struct cat_bank *bank, const struct cat_sim_acc *acc, const struct cat_exam *e, double target)
{
	int ns = e->sh_nstrata > 0 ? e->sh_nstrata : 1;
	for (size_t i = 0; i < bank->n && i < acc->nitems; i++) {
		struct cat_bank_item *it = &bank->items[i];
		it->nkc = ns;
		for (int k = 0; k < ns; k++) {
			double ps = acc->c_n[k] > 0 ? acc->c_sel[(size_t)k * acc->nitems + i] / acc->c_n[k] : 0;
			it->sh_kc[k] = ps <= target ? 1.0 : target / ps;
		}
	}
	cat_bank_rehash(bank);
}

static void cat_feas_add(struct cat_feasibility *o, enum cat_feas_kind k, int index, const char *name, int need,
                         int have, double target)
{
	static const char *const kinds[] = { "test", "part", "domain" };
	struct cat_feas_group *gr = &o->group[o->ngroups++];
	snprintf(gr->name, sizeof gr->name, "%s%s%s", kinds[k], name[0] ? " " : "", name);
	gr->kind = k;
	gr->index = index;
	if (need < 0) need = 0;
	gr->need = need;
	gr->have = have;
	gr->have_needed = (int)ceil(need / target - 1e-9);
	gr->thin = need > 0 && (have == 0 || (double)need > target * have + 1e-9);
	double lb = have > 0 ? (double)need / have : (need > 0 ? 1.0 : 0.0);
	if (lb > o->min_max_exposure) o->min_max_exposure = lb;
	if (gr->thin) o->feasible = false;
}

void cat_exposure_feasibility(struct cat_feasibility *o, const struct cat_engine *g, double target)
{
	const struct cat_exam *e = g->exam;
	memset(o, 0, sizeof *o);
	o->feasible = true;
	int pmax_sum = 0, pn[CAT_MAX_PARTS] = { 0 };
	for (int p = 0; p < e->nparts; p++)
		pmax_sum += e->parts[p].max < e->max_items ? e->parts[p].max : e->max_items;
	for (int d = 0; d < e->ndomains; d++)
		pn[e->domains[d].part] += g->cap0[d];
	cat_feas_add(o, CAT_FEAS_TEST, -1, "", g->min_len, (int)g->nop, target);
	for (int p = 0; p < e->nparts; p++) {
		int others = pmax_sum - (e->parts[p].max < e->max_items ? e->parts[p].max : e->max_items);
		int need = e->parts[p].min;
		if (g->min_len - others > need) need = g->min_len - others;
		cat_feas_add(o, CAT_FEAS_PART, p, e->parts[p].name, need, pn[p], target);
	}
	for (int d = 0; d < e->ndomains; d++) {
		int p = e->domains[d].part, others = 0;
		for (int k = 0; k < e->ndomains; k++)
			if (k != d && e->domains[k].part == p)
				others += e->domains[k].max;
		int need = e->domains[d].min;
		if (e->parts[p].min - others > need) need = e->parts[p].min - others;
		cat_feas_add(o, CAT_FEAS_DOMAIN, d, e->domains[d].name, need, g->cap0[d], target);
	}
}

int cat_sh_calibrate(struct cat_sh_outcome *out, struct cat_bank *bank, const struct cat_engine *eng,
                     const struct cat_sh_opts *o)
{
	double r = eng->exam->exposure_target - o->margin;
	if (eng->bank != bank || o->examinees < 10 || o->max_rounds < 1 || !(r > 0.001)) {
		cat_error_set("sympson-hetter: bad options (examinees >= 10, rounds >= 1, target above the margin)");
		return CAT_EINVAL;
	}
	bool cond = eng->exam->exposure == CAT_EXPO_SH_COND;
	for (size_t i = 0; i < bank->n; i++) {
		bank->items[i].sh_k = 1.0;
		bank->items[i].nkc = 0;
	}
	struct cat_sh_outcome res = { 0, 1.0, false };
	for (int it = 1; it <= o->max_rounds; it++) {
		struct cat_sim_acc acc;
		struct cat_sim_report rep;
		if (cat_sim_acc_init(&acc, bank->n))
			return CAT_ENOMEM;
		uint64_t seed = cat_mix64(o->seed + (uint64_t)it);
		/* conditional (Stocking & Lewis): equal numbers of simulees per stratum, and the
		 * lottery of a simulee uses its true stratum, the one P(S | stratum) is counted in */
		enum cat_theta_dist dist = cond ? CAT_DIST_STRATA : CAT_DIST_NORMAL;
		acc.lottery_true_theta = cond;
		int rc = o->simulate ? o->simulate(&acc, eng, seed, dist, o->examinees, o->ctx)
		                     : cat_sim_run(&acc, eng, seed, dist, 0, o->examinees, NULL, 0);
		if (rc) {
			cat_sim_acc_free(&acc);
			return rc;
		}
		cat_sim_report(&rep, &acc, eng);
		res.rounds = it;
		res.max_exposure = cond ? rep.stratum_expo_max : rep.expo_max;
		if (o->on_round)
			o->on_round(o->ctx, it, &rep, &acc);
		if (res.max_exposure <= r + 0.01 && it > 1) {
			cat_sim_acc_free(&acc);
			break;
		}
		if (cond)
			cat_sh_update_cond(bank, &acc, eng->exam, r);
		else
			cat_sh_update(bank, &acc, r);
		cat_sim_acc_free(&acc);
	}
	res.reached = res.max_exposure <= eng->exam->exposure_target;
	cat_bank_rehash(bank);
	*out = res;
	return 0;
}
