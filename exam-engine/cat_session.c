/* exam-engine: binding an exam to a bank, and the adaptive session: selection with exposure
 * control and blueprint constraints, pretest seeding, stopping, scoring, serialisation. */
#include "cat_engine_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------
 * Blueprint invariant.
 *
 * Domains nest in parts and parts in the test (a laminar family), so whether the remaining
 * minima can still be met has an exact counting test. I(state) holds when, counting only
 * operational items that are unused, not rejected and in no enemy set (their availability
 * never changes by picking any other item), for every domain d and part p:
 *   n_d <= max_d, n_p <= max_p, n <= max_len,
 *   def_d = max(0, min_d - n_d) <= avail_d,
 *   sum_{d in p} def_d <= max_p - n_p,
 *   def_p = max(min_p - n_p, sum def_d) <= cap_p = min(max_p - n_p, sum min(avail_d, max_d - n_d)),
 *   sum def_p <= max(0, L - n) and max(0, L - n) <= min(max_len - n, sum cap_p),
 * where L is the effective minimum length (length min, or the blueprint minima if more),
 * so every minimum is met by item L and the stopping rules may end the test there.
 * I holds exactly when a completion meeting every min and max exists among those items
 * (fill each def_d, then the part surplus, then the length surplus from spare capacity).
 * The engine only administers an item, or lets the SH lottery reject one, when I still
 * holds afterwards; the first item of a completion always qualifies, so from a state
 * where I holds there is always an eligible item while minima remain. I is checked when
 * the exam is bound to the bank, so every session starts in I: by induction no session can
 * end with a broken maximum or an unmet minimum (except by the run-out-of-time rule).
 * Enemy sets hold by exclusion and item types by filtering items at bind time.
 * --------------------------------------------------------------------------------------- */
static bool cat_inv_ok(const struct cat_exam *e, int lmin, const int *dom_n, const int *part_n, int n_op,
                       const int *avail, int *out_need)
{
	int need_total = 0, cap_total = 0;
	if (n_op > e->max_items)
		return false;
	for (int p = 0; p < e->nparts; p++) {
		int dsum = 0, pcap = 0;
		if (part_n[p] > e->parts[p].max)
			return false;
		for (int d = 0; d < e->ndomains; d++) {
			if (e->domains[d].part != p)
				continue;
			if (dom_n[d] > e->domains[d].max)
				return false;
			int def = e->domains[d].min - dom_n[d];
			if (def < 0) def = 0;
			if (def > avail[d])
				return false;
			dsum += def;
			int room = e->domains[d].max - dom_n[d];
			pcap += avail[d] < room ? avail[d] : room;
		}
		int proom = e->parts[p].max - part_n[p];
		if (dsum > proom)
			return false;
		int pdef = e->parts[p].min - part_n[p];
		if (pdef < dsum) pdef = dsum;
		if (pcap > proom) pcap = proom;
		if (pdef > pcap)
			return false;
		need_total += pdef;
		cap_total += pcap;
	}
	/* Minima must be met by the (effective) minimum length lmin, so that the stopping
	 * rules may end the test at lmin: all needs fit in lmin - n slots. */
	int rem = e->max_items - n_op;
	int lneed = lmin - n_op;
	if (lneed < 0) lneed = 0;
	if (need_total > lneed)
		return false;
	if (cap_total > rem) cap_total = rem;
	if (lneed > cap_total)
		return false;
	if (out_need) *out_need = lneed;
	return true;
}

/* --------------------------------------------------------------------------------------- */

void cat_engine_free(struct cat_engine *g)
{
	if (!g)
		return;
	free(g->kind); free(g->dom); free(g->enemy);
	free(g->opi); free(g->oda); free(g->ob); free(g->oc); free(g->ogpcm); free(g->odom); free(g->oenemy);
	free(g->prei); free(g->prepart); free(g->ostr); free(g->obstar); free(g->oimax); free(g->order); free(g->llcache); free(g->llslot);
	free(g->oreserved);
	free(g);
}

/* Upper bound of an item's Fisher information over theta. 3PL: Birnbaum's maximum
 * (Da)^2 [1 - 20c - 8c^2 + (1 + 8c)^1.5] / (8 (1 - c)^2); GPCM: Var(K) <= m^2 / 4. A
 * relative margin covers rounding. */
static double cat_info_bound(const struct cat_item *it)
{
	double da2 = it->D * it->a * it->D * it->a, b;
	if (it->model == CAT_GPCM)
		b = da2 * it->nsteps * it->nsteps / 4.0;
	else if (it->model == CAT_3PL && it->c > 0) {
		double c = it->c;
		b = da2 * (1 - 20 * c - 8 * c * c + pow(1 + 8 * c, 1.5)) / (8 * (1 - c) * (1 - c));
		if (b > da2 / 4) b = da2 / 4;
	} else
		b = da2 / 4.0;
	return b * (1 + 1e-9) + 1e-300;
}

static _Thread_local const struct cat_engine *cat_order_engine; /* qsort context (engine build only) */

static int cat_order_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	double ia = cat_order_engine->oimax[a], ib = cat_order_engine->oimax[b];
	if (ia != ib)
		return ia > ib ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int cat_bstar_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	double ba = cat_order_engine->obstar[a], bb = cat_order_engine->obstar[b];
	if (ba != bb)
		return ba < bb ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int cat_slope_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	double sa = cat_order_engine->oimax[a], sb = cat_order_engine->oimax[b];
	if (sa != sb)
		return sa < sb ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* theta at which the item's information is largest (see cat_engine_int.h). */
static double cat_item_bstar(const struct cat_item *it)
{
	if (it->model == CAT_GPCM) {
		double m = 0;
		for (int k = 0; k < it->nsteps; k++)
			m += it->steps[k];
		return m / it->nsteps;
	}
	if (it->model == CAT_3PL && it->c > 0)
		return it->b + log((1 + sqrt(1 + 8 * it->c)) / 2) / (it->D * it->a);
	return it->b;
}

/* a-stratification with b-blocking (Chang, Qian & Ying 2001): order the operational slots
 * by difficulty, cut them into consecutive blocks of K, and within each block give the
 * k-th smallest slope (information bound) stratum k; so every stratum spans the whole
 * difficulty range and strata rise in slope. */
static void cat_engine_strata(struct cat_engine *g)
{
	const struct cat_exam *e = g->exam;
	int K = e->selection == CAT_SEL_ASTR ? e->strata : 1;
	uint32_t *tmp = g->order; /* scratch: filled again afterwards */
	for (size_t j = 0; j < g->nop; j++)
		tmp[j] = (uint32_t)j;
	cat_order_engine = g;
	qsort(tmp, g->nop, sizeof *tmp, cat_bstar_cmp);
	for (size_t b0 = 0; b0 < g->nop; b0 += (size_t)K) {
		size_t len = g->nop - b0 < (size_t)K ? g->nop - b0 : (size_t)K;
		qsort(tmp + b0, len, sizeof *tmp, cat_slope_cmp);
		for (size_t k = 0; k < len; k++) /* a short last block spreads over the strata */
			g->ostr[tmp[b0 + k]] = (uint8_t)(len == (size_t)K ? k : k * (size_t)K / len);
	}
	cat_order_engine = NULL;
	int acc = 0;
	for (int k = 0; k < CAT_MAX_STRATA; k++) {
		acc += k < K ? (K == 1 ? e->max_items : e->stratum_items[k]) : 0;
		g->stage_end[k] = acc;
	}
}

/* Cut reservation: mark the items of the exam's reserve_forms parallel forms at the cut. */
static int cat_engine_reserve(struct cat_engine *g)
{
	int F = g->exam->reserve_forms, rc = CAT_ENOMEM;
	size_t L = (size_t)g->exam->max_items, fn[CAT_MAX_FORMS];
	size_t *items = malloc((size_t)F * L * sizeof *items);
	uint8_t *res = calloc(g->nop ? g->nop : 1, 1);
	uint32_t *slot = malloc((g->n ? g->n : 1) * sizeof *slot);
	if (!items || !res || !slot) {
		cat_error_set("out of memory reserving the cut items");
		goto done;
	}
	if ((rc = cat_parallel_forms(items, fn, F, false, g)) != 0) {
		char why[200];
		snprintf(why, sizeof why, "%s", cat_error_last());
		cat_error_set("exposure reserve_forms %d: %s", F, why);
		goto done;
	}
	for (size_t j = 0; j < g->nop; j++)
		slot[g->opi[j]] = (uint32_t)j;
	for (int f = 0; f < F; f++)
		for (size_t k = 0; k < fn[f]; k++)
			res[slot[items[(size_t)f * L + k]]] = 1;
	g->oreserved = res;
	res = NULL;
	rc = 0;
done:
	free(items);
	free(res);
	free(slot);
	return rc;
}

bool cat_engine_reserved(const struct cat_engine *g, size_t i)
{
	if (!g->oreserved || i >= g->n || g->kind[i] != CAT_K_OPER)
		return false;
	for (size_t j = 0; j < g->nop; j++)
		if (g->opi[j] == i)
			return g->oreserved[j] != 0;
	return false;
}

static int cat_enemy_cmp(const void *x, const void *y)
{
	const char *const *a = x, *const *b = y;
	return strcmp(*a, *b);
}

int cat_engine_new(struct cat_engine **out, const struct cat_exam *e, const struct cat_bank *bank)
{
	struct cat_engine *g = calloc(1, sizeof *g);
	const char **names = NULL;
	int rc = CAT_ENOMEM;
	if (!g)
		goto nomem;
	g->exam = e;
	g->bank = bank;
	g->n = bank->n;
	size_t n = bank->n;
	g->kind = calloc(n, 1);
	g->dom = malloc(n * sizeof *g->dom);
	g->enemy = malloc(n * sizeof *g->enemy);
	g->opi = malloc(n * sizeof *g->opi);
	g->oda = malloc(n * sizeof *g->oda);
	g->ob = malloc(n * sizeof *g->ob);
	g->oc = malloc(n * sizeof *g->oc);
	g->ogpcm = malloc(n);
	g->odom = malloc(n * sizeof *g->odom);
	g->oenemy = malloc(n * sizeof *g->oenemy);
	g->prei = malloc(n * sizeof *g->prei);
	g->oimax = malloc(n * sizeof *g->oimax);
	g->order = malloc(n * sizeof *g->order);
	g->llslot = malloc(n * sizeof *g->llslot);
	g->prepart = malloc(n ? n : 1);
	g->ostr = calloc(n ? n : 1, 1);
	g->obstar = malloc((n ? n : 1) * sizeof *g->obstar);
	names = malloc(n * sizeof *names);
	if (!g->kind || !g->dom || !g->enemy || !g->opi || !g->oda || !g->ob || !g->oc || !g->ogpcm ||
	    !g->odom || !g->oenemy || !g->prei || !g->oimax || !g->order || !g->llslot || !names ||
	    !g->prepart || !g->ostr || !g->obstar)
		goto nomem;
	if ((rc = cat_quad_init(&g->quad, &e->est)) != 0)
		goto fail;

	/* Enemy groups: sorted unique names -> indices. */
	size_t nn = 0;
	for (size_t i = 0; i < n; i++)
		if (bank->items[i].enemy[0])
			names[nn++] = bank->items[i].enemy;
	qsort(names, nn, sizeof *names, cat_enemy_cmp);
	size_t nu = 0;
	for (size_t i = 0; i < nn; i++)
		if (nu == 0 || strcmp(names[nu - 1], names[i]) != 0)
			names[nu++] = names[i];
	g->nenemy = (int)nu;

	for (size_t i = 0; i < n; i++) {
		const struct cat_bank_item *it = &bank->items[i];
		rc = CAT_EINVAL;
		if (cat_item_check(&it->irt) || !(it->sh_k > 0 && it->sh_k <= 1)) {
			char why[160];
			snprintf(why, sizeof why, "%s", it->sh_k > 0 && it->sh_k <= 1 ? cat_error_last() : "sh_k must be in (0, 1]");
			cat_error_set("bank item %s: bad parameters (%s)", it->id, why);
			goto fail;
		}
		g->enemy[i] = -1;
		if (it->enemy[0]) {
			const char *key = it->enemy;
			const char **f = bsearch(&key, names, nu, sizeof *names, cat_enemy_cmp);
			g->enemy[i] = (int32_t)(f - names);
		}
		g->dom[i] = -1;
		for (int d = 0; d < e->ndomains; d++)
			if (strcmp(e->domains[d].name, it->domain) == 0)
				g->dom[i] = (int16_t)d;
		g->prepart[i] = -1;
		if (it->status == CAT_RETIRED)
			continue;
		if (it->status == CAT_PRETEST) {
			g->kind[i] = CAT_K_PRE;
			g->prei[g->npre++] = (uint32_t)i;
			for (int p = 0; p < e->nparts; p++)
				if (it->part[0] ? strcmp(it->part, e->parts[p].name) == 0 : (g->dom[i] >= 0 && e->domains[g->dom[i]].part == p))
					g->prepart[i] = (int8_t)p;
			continue;
		}
		int d = g->dom[i];
		if (d < 0)
			continue; /* a domain this exam does not use */
		const struct cat_part *pt = &e->parts[e->domains[d].part];
		if (it->part[0] && strcmp(it->part, pt->name) != 0) {
			cat_error_set("bank item %s: part \"%s\" but its domain \"%s\" belongs to part \"%s\"",
			              it->id, it->part, it->domain, pt->name);
			goto fail;
		}
		if (pt->ntypes > 0) {
			int ok = 0;
			for (int k = 0; k < pt->ntypes; k++)
				if (strcmp(pt->types[k], it->type) == 0) ok = 1;
			if (!ok)
				continue; /* item type not allowed in this part */
		}
		g->kind[i] = CAT_K_OPER;
		size_t j = g->nop++;
		g->opi[j] = (uint32_t)i;
		g->oda[j] = it->irt.D * it->irt.a;
		g->ob[j] = it->irt.b;
		g->oc[j] = it->irt.model == CAT_3PL ? it->irt.c : 0.0;
		g->ogpcm[j] = it->irt.model == CAT_GPCM;
		g->odom[j] = (int16_t)d;
		g->oenemy[j] = g->enemy[i];
		g->oimax[j] = cat_info_bound(&it->irt);
		g->obstar[j] = cat_item_bstar(&it->irt);
		g->cap0[d]++;
		if (g->enemy[i] < 0)
			g->avail0[d]++;
	}
	rc = CAT_EINVAL;
	int zero_d[CAT_MAX_DOMAINS] = { 0 }, zero_p[CAT_MAX_PARTS] = { 0 }, need = 0;
	/* Effective minimum length: the length minimum or what the part minima add up to. */
	int lmin = e->min_items, pmin = 0;
	for (int p = 0; p < e->nparts; p++) {
		int dsum = 0;
		for (int d = 0; d < e->ndomains; d++)
			if (e->domains[d].part == p) dsum += e->domains[d].min;
		pmin += dsum > e->parts[p].min ? dsum : e->parts[p].min;
	}
	if (pmin > lmin) lmin = pmin;
	g->min_len = lmin;
	if (!cat_inv_ok(e, lmin, zero_d, zero_p, 0, g->avail0, &need)) {
		/* Name the first domain that is short, for a useful message. */
		for (int d = 0; d < e->ndomains; d++)
			if (g->avail0[d] < e->domains[d].min) {
				cat_error_set("blueprint cannot be satisfied: domain \"%s\" needs %d items, the bank has %d usable "
				              "operational items outside enemy sets", e->domains[d].name, e->domains[d].min, g->avail0[d]);
				goto fail;
			}
		cat_error_set("blueprint cannot be satisfied by this bank (part or length minima exceed the usable "
		              "operational items outside enemy sets)");
		goto fail;
	}
	cat_engine_strata(g);
	for (size_t j = 0; j < g->nop; j++)
		g->order[j] = (uint32_t)j;
	cat_order_engine = g;
	qsort(g->order, g->nop, sizeof *g->order, cat_order_cmp);
	cat_order_engine = NULL;
	/* Cache log-likelihoods on the quadrature grid when it fits in 64 MiB. */
	for (size_t i = 0; i < n; i++)
		g->llslot[i] = UINT32_MAX;
	if (g->nop * 2 * (size_t)g->quad.n * sizeof(double) <= (64u << 20)) {
		g->llcache = malloc(g->nop * 2 * (size_t)g->quad.n * sizeof(double));
		if (g->llcache) {
			size_t row = 0;
			for (size_t j = 0; j < g->nop; j++) {
				const struct cat_item *it = &bank->items[g->opi[j]].irt;
				if (it->model == CAT_GPCM)
					continue;
				double *c = g->llcache + row * 2 * (size_t)g->quad.n;
				for (int k = 0; k < g->quad.n; k++) {
					c[k] = cat_loglik(it, g->quad.x[k], 0);
					c[g->quad.n + k] = cat_loglik(it, g->quad.x[k], 1);
				}
				g->llslot[g->opi[j]] = (uint32_t)row++;
			}
		}
	}
	if ((size_t)e->pretest_items > g->npre) {
		cat_error_set("exam needs %d pretest items, the bank has %zu", e->pretest_items, g->npre);
		goto fail;
	}
	for (int p = 0; p < e->nparts; p++) {
		size_t have = 0;
		for (size_t t = 0; t < g->npre; t++)
			have += g->prepart[g->prei[t]] == p;
		if ((size_t)e->parts[p].trial > have) {
			cat_error_set("exam needs %d trial items in part \"%s\", the bank has %zu pretest items there",
			              e->parts[p].trial, e->parts[p].name, have);
			goto fail;
		}
	}
	if (e->reserve_forms > 0 && (rc = cat_engine_reserve(g)) != 0)
		goto fail;
	free(names);
	*out = g;
	return 0;
nomem:
	cat_error_set("out of memory binding exam to bank");
	rc = CAT_ENOMEM;
fail:
	free(names);
	cat_engine_free(g);
	return rc;
}

/* --------------------------------------------------------------------------------------- */

static void cat_update_eap(struct cat_session *s)
{
	const struct cat_quad *q = &s->eng->quad;
	cat_quad_moments(q, s->lp, &s->theta, &s->se);
}

void cat_session_free(struct cat_session *s)
{
	if (!s)
		return;
	free(s->flags); free(s->enemy_used);
	free(s->r_item); free(s->r_score); free(s->r_pre); free(s->r_elapsed);
	free(s->s_info); free(s->s_idx);
	free(s);
}

static int cat_session_check_stop(struct cat_session *s);

int cat_session_new_opts(struct cat_session **out, const struct cat_engine *g, uint64_t seed, int opts, double fixed_theta)
{
	const struct cat_exam *e = g->exam;
	struct cat_session *s = calloc(1, sizeof *s);
	if (!s)
		goto nomem;
	s->eng = g;
	s->seed = seed;
	s->opts = opts;
	s->fixed_theta = fixed_theta;
	s->sim_stratum = -1;
	cat_rng_seed(&s->rng, seed);
	s->cap = (size_t)e->max_items + (size_t)e->pretest_items;
	s->flags = calloc(g->n, 1);
	s->enemy_used = calloc((size_t)g->nenemy + 1, 1);
	s->r_item = malloc(s->cap * sizeof *s->r_item);
	s->r_score = malloc(s->cap);
	s->r_pre = malloc(s->cap);
	s->r_elapsed = malloc(s->cap * sizeof *s->r_elapsed);
	s->s_info = malloc((g->nop + 1) * sizeof *s->s_info);
	s->s_idx = malloc((g->nop + 1) * sizeof *s->s_idx);
	if (!s->flags || !s->enemy_used || !s->r_item || !s->r_score || !s->r_pre || !s->r_elapsed ||
	    !s->s_info || !s->s_idx)
		goto nomem;
	memcpy(s->avail, g->avail0, sizeof s->avail);
	for (int k = 0; k < g->quad.n; k++)
		s->lp[k] = g->quad.logw[k];
	cat_update_eap(s);
	/* Pretest positions: distinct, uniform among the first min_len + P positions, so every
	 * pretest item is delivered however early the operational part stops. */
	if (!(opts & CAT_SO_NO_PRETEST) && e->pretest_items > 0) {
		int span = g->min_len + e->pretest_items;
		int np = e->pretest_items > 64 ? 64 : e->pretest_items;
		int cnt = 0;
		/* selection sampling (Knuth 3.4.2 S): ascending positions */
		for (int t = 0; t < span && cnt < np; t++)
			if ((double)(span - t) * cat_rng_uniform(&s->rng) < (double)(np - cnt))
				s->pre_pos[cnt++] = t;
		s->npre_pos = cnt;
	}
	cat_session_check_stop(s);
	*out = s;
	return 0;
nomem:
	cat_session_free(s);
	cat_error_set("out of memory creating a session");
	return CAT_ENOMEM;
}

int cat_session_new(struct cat_session **out, const struct cat_engine *eng, uint64_t seed)
{
	if (!out || !eng) {
		cat_error_set("session: engine required");
		return CAT_EINVAL;
	}
	return cat_session_new_opts(out, eng, seed, 0, 0.0);
}

bool cat_session_done(const struct cat_session *s) { return s->done; }
size_t cat_session_count(const struct cat_session *s) { return s->nresp; }

void cat_session_theta(const struct cat_session *s, double *out_theta, double *out_se)
{
	*out_theta = s->theta;
	*out_se = s->se;
}

int cat_session_response(const struct cat_session *s, size_t i, size_t *out_item, int *out_score, bool *out_pretest)
{
	if (i >= s->nresp) {
		cat_error_set("session: no response %zu", i);
		return CAT_ERANGE;
	}
	if (out_item) *out_item = s->r_item[i];
	if (out_score) *out_score = s->r_score[i];
	if (out_pretest) *out_pretest = s->r_pre[i];
	return 0;
}

/* Is the whole-sequence position `pos` a pretest slot? */
static bool cat_is_pre_pos(const struct cat_session *s, int pos)
{
	for (int k = 0; k < s->npre_pos; k++)
		if (s->pre_pos[k] == pos)
			return true;
	return false;
}

/* Operational minima all met (length and blueprint)? */
static bool cat_minima_met(const struct cat_session *s)
{
	int need = 0;
	cat_inv_ok(s->eng->exam, s->eng->min_len, s->dom_n, s->part_n, s->n_op, s->avail, &need);
	return need == 0;
}

/* Eligibility of a pick from domain d, by whether the item is outside (0) or inside (1) an
 * enemy set: ok[d*2 + e]. */
static void cat_domain_ok(const struct cat_session *s, uint8_t *ok)
{
	const struct cat_exam *e = s->eng->exam;
	for (int d = 0; d < e->ndomains; d++) {
		int dn[CAT_MAX_DOMAINS], pn[CAT_MAX_PARTS], av[CAT_MAX_DOMAINS];
		memcpy(dn, s->dom_n, sizeof dn);
		memcpy(pn, s->part_n, sizeof pn);
		memcpy(av, s->avail, sizeof av);
		dn[d]++;
		pn[e->domains[d].part]++;
		ok[d * 2 + 1] = cat_inv_ok(e, s->eng->min_len, dn, pn, s->n_op + 1, av, NULL);
		av[d]--;
		ok[d * 2 + 0] = av[d] >= 0 && cat_inv_ok(e, s->eng->min_len, dn, pn, s->n_op + 1, av, NULL);
	}
}

/* May the SH lottery drop item j (operational slot) for the rest of this test? */
static bool cat_may_reject(const struct cat_session *s, size_t j)
{
	const struct cat_engine *g = s->eng;
	if (g->oenemy[j] >= 0)
		return true; /* enemy-set items never count toward availability */
	int av[CAT_MAX_DOMAINS];
	memcpy(av, s->avail, sizeof av);
	av[g->odom[j]]--;
	return av[g->odom[j]] >= 0 && cat_inv_ok(g->exam, g->min_len, s->dom_n, s->part_n, s->n_op, av, NULL);
}

/* Fisher information of operational slot j at theta (fast path for dichotomous items). */
static inline double cat_op_info(const struct cat_engine *g, size_t j, double theta)
{
	if (g->ogpcm[j])
		return cat_info(&g->bank->items[g->opi[j]].irt, theta);
	double z = g->oda[j] * (theta - g->ob[j]);
	if (z > 700) z = 700;
	if (z < -700) z = -700;
	double ez = cat_exp(-fabs(z));
	double psi = z >= 0 ? 1.0 / (1.0 + ez) : ez / (1.0 + ez);
	double c = g->oc[j], da = g->oda[j];
	if (c == 0)
		return da * da * psi * (1.0 - psi);
	double P = c + (1.0 - c) * psi;
	return da * da * (1.0 - c) * psi * psi * (1.0 - psi) / P;
}

/* Best eligible operational slot at theta (highest information, ties to the lower slot),
 * or -1. Scans slots by decreasing information bound and stops when no later slot can
 * reach the best so far, so the answer equals a full scan. With topk > 1 fills the k best
 * (descending) into s_info/s_idx and returns how many. With stratum >= 0 (a-stratified
 * selection) only that stratum's slots count and the criterion is closeness of the slot's
 * best theta to theta, -|b* - theta| (close), over a full scan. */
static long cat_scan(struct cat_session *s, const uint8_t *ok, double theta, size_t topk, int stratum, bool close)
{
	const struct cat_engine *g = s->eng;
	size_t have = 0;
	double thr = close ? -HUGE_VAL : -1; /* criterion to beat: the best (k = 1) or the k-th best */
	for (size_t o = 0; o < g->nop; o++) {
		uint32_t j = g->order[o];
		if (stratum >= 0 && g->ostr[j] != stratum)
			continue;
		if (!close && g->oimax[j] < thr)
			break;
		uint32_t i = g->opi[j];
		if (s->flags[i])
			continue;
		int32_t eg = g->oenemy[j];
		if (eg >= 0 && s->enemy_used[eg])
			continue;
		if (!ok[g->odom[j] * 2 + (eg >= 0)])
			continue;
		if (s->excl_reserved && g->oreserved[j])
			continue;
		double inf = close ? -fabs(g->obstar[j] - theta) : cat_op_info(g, j, theta);
		if (have == topk && (inf < thr || (inf == thr && j > s->s_idx[have - 1])))
			continue;
		/* insert into the sorted top list */
		size_t p = have < topk ? have++ : have - 1;
		while (p > 0 && (s->s_info[p - 1] < inf || (s->s_info[p - 1] == inf && s->s_idx[p - 1] > j))) {
			s->s_info[p] = s->s_info[p - 1];
			s->s_idx[p] = s->s_idx[p - 1];
			p--;
		}
		s->s_info[p] = inf;
		s->s_idx[p] = j;
		if (have == topk)
			thr = s->s_info[have - 1];
	}
	return topk == 1 ? (have ? (long)s->s_idx[0] : -1) : (long)have;
}

/* The best eligible slot (topk == 1) or the number of the topk best, by the exam's
 * selection method: a-stratified from the current stage's stratum, moving to the nearest
 * strata (earlier first on a tie) when it has no eligible item; otherwise maximum information. */
static long cat_scan_method1(struct cat_session *s, const uint8_t *ok, double theta, size_t topk, bool mfi)
{
	const struct cat_engine *g = s->eng;
	const struct cat_exam *e = g->exam;
	if (mfi || e->selection != CAT_SEL_ASTR || e->strata <= 1)
		return cat_scan(s, ok, theta, topk, -1, false);
	int K = e->strata, k0 = 0;
	while (k0 < K - 1 && s->n_op >= g->stage_end[k0])
		k0++;
	for (int d = 0; d < 2 * K; d++) {
		int k = d % 2 == 0 ? k0 + d / 2 : k0 - (d + 1) / 2;
		if (k < 0 || k >= K)
			continue;
		long r = cat_scan(s, ok, theta, topk, k, !(e->last_stratum_max_info && k == K - 1));
		if (r > 0 || (topk == 1 && r == 0))
			return r;
	}
	return topk == 1 ? -1 : 0;
}

/* cat_scan_method1, and when a candidate kept off the reserved items finds nothing else
 * eligible (a domain whose remaining items are all reserved), the same over every item. */
static long cat_scan_method(struct cat_session *s, const uint8_t *ok, double theta, size_t topk, bool mfi)
{
	long r = cat_scan_method1(s, ok, theta, topk, mfi);
	if (s->excl_reserved && (topk == 1 ? r < 0 : r <= 0)) {
		s->excl_reserved = false;
		r = cat_scan_method1(s, ok, theta, topk, mfi);
		s->excl_reserved = true;
	}
	return r;
}

/* Choose the next operational item; returns bank index or -1 when none is eligible. */
static long cat_select_operational(struct cat_session *s)
{
	const struct cat_engine *g = s->eng;
	const struct cat_exam *e = g->exam;
	uint8_t ok[CAT_MAX_DOMAINS * 2];
	cat_domain_ok(s, ok);
	bool plain = (s->opts & CAT_SO_NO_EXPOSURE) != 0; /* fixed-form assembly: maximum information */
	bool plain_sel = plain;
	double theta = s->theta;
	bool near = e->near_cut_z > 0 && fabs(s->theta - e->cut_theta) < e->near_cut_z * s->se &&
	            (e->near_cut_se <= 0 || s->se <= e->near_cut_se) && s->n_op >= e->near_cut_after;
	/* Cut reservation: a candidate not (yet) near the cut leaves the reserved items to
	 * those whose classification they decide. */
	s->excl_reserved = g->oreserved && !near && !plain && !(s->opts & CAT_SO_FIXED_THETA);
	if (e->select_at_cut || near)
		theta = e->cut_theta; /* classification: information where the decision is made */
	if (s->opts & CAT_SO_FIXED_THETA)
		theta = s->fixed_theta;
	if (near && !(s->opts & CAT_SO_FIXED_THETA))
		plain_sel = true; /* near the cut: maximum information at the cut over the whole pool */
	enum cat_exposure ex = plain ? CAT_EXPO_NONE : e->exposure;
	if (ex == CAT_EXPO_RANDOMESQUE && e->randomesque_k > 1) {
		/* top-k by information, then one of them uniformly at random */
		long k = cat_scan_method(s, ok, theta, (size_t)e->randomesque_k, plain);
		if (k <= 0)
			return -1;
		return (long)g->opi[s->s_idx[cat_rng_below(&s->rng, (uint32_t)k)]];
	}
	for (;;) {
		long j;
		size_t set = 1;
		if (!plain && s->n_op < e->start_items)
			set = (size_t)e->start_set; /* random start: candidates do not all meet the same first items */
		else if (!plain_sel && e->selection == CAT_SEL_ASTR && e->stratum_set > 1 &&
		         !(e->last_stratum_max_info && e->strata > 1 && s->n_op >= g->stage_end[e->strata - 2]))
			set = (size_t)e->stratum_set; /* closeness stages: at random among the closest */
		if (set > 1) {
			long k = cat_scan_method(s, ok, theta, set, plain_sel && !(s->n_op < e->start_items));
			j = k <= 0 ? -1 : (long)s->s_idx[cat_rng_below(&s->rng, (uint32_t)k)];
		} else {
			j = cat_scan_method(s, ok, theta, 1, plain_sel);
		}
		if (j < 0)
			return -1;
		uint32_t i = g->opi[j];
		if (ex != CAT_EXPO_SH && ex != CAT_EXPO_SH_COND)
			return (long)i;
		/* Sympson-Hetter: the best item faces the lottery, administered with probability
		 * k_i; a rejected item leaves this test, unless dropping it would break the
		 * blueprint invariant (then it is administered). */
		if (s->sim_selected)
			s->sim_selected[i]++;
		if (s->sim_sel_cond)
			s->sim_sel_cond[i]++;
		const struct cat_bank_item *bi = &g->bank->items[i];
		double k = bi->sh_k;
		if (ex == CAT_EXPO_SH_COND) {
			/* conditional: the parameter of the stratum the current estimate lies in, or
			 * in a calibration run the simulee's true-theta stratum (the one counted) */
			int st = s->sim_stratum >= 0 ? s->sim_stratum : cat_sh_stratum(e, s->theta);
			k = st < bi->nkc ? bi->sh_kc[st] : 1.0;
		}
		if (k >= 1.0 || cat_rng_uniform(&s->rng) < k || !cat_may_reject(s, (size_t)j))
			return (long)i;
		s->flags[i] |= CAT_F_REJECTED;
		if (g->oenemy[j] < 0) {
			s->avail[g->odom[j]]--;
			cat_domain_ok(s, ok); /* availability changed */
		}
	}
}

static long cat_select_pretest(struct cat_session *s)
{
	const struct cat_engine *g = s->eng;
	if (g->npre == 0)
		return -1;
	const struct cat_exam *e = g->exam;
	bool by_part = false;
	for (int p = 0; p < e->nparts; p++)
		by_part |= e->parts[p].trial > 0;
	uint32_t start = cat_rng_below(&s->rng, (uint32_t)g->npre);
	for (size_t t = 0; t < g->npre; t++) {
		uint32_t i = g->prei[(start + t) % g->npre];
		if (s->flags[i])
			continue;
		if (by_part && (g->prepart[i] < 0 || s->pre_part_n[g->prepart[i]] >= e->parts[g->prepart[i]].trial))
			continue; /* trial items go to the parts the exam names */
		if (g->enemy[i] >= 0 && s->enemy_used[g->enemy[i]])
			continue;
		return (long)i;
	}
	return -1;
}

/* Decide whether the session is over; sets done/stop. */
static int cat_session_check_stop(struct cat_session *s)
{
	const struct cat_exam *e = s->eng->exam;
	if (s->done)
		return 1;
	if (e->time_limit_s > 0 && s->elapsed >= (uint32_t)e->time_limit_s) {
		s->done = true;
		s->stop = CAT_STOP_TIME;
		s->timed_out = true;
		return 1;
	}
	bool pre_owed = s->n_pre < s->npre_pos;
	enum cat_stop st = CAT_STOP_NONE;
	if (s->n_op >= e->max_items)
		st = CAT_STOP_MAX_LENGTH;
	else if (!(s->opts & CAT_SO_NO_EARLY_STOP) && cat_minima_met(s)) {
		if (e->se_target > 0 && s->se <= e->se_target)
			st = CAT_STOP_SE;
		else if (e->ci_rule && (s->theta - e->ci_z * s->se > e->cut_theta ||
		                        s->theta + e->ci_z * s->se < e->cut_theta))
			st = CAT_STOP_CI;
		else if (e->sprt && s->n_op > 0) {
			double hi = log((1 - e->sprt_beta) / e->sprt_alpha), lo = log(e->sprt_beta / (1 - e->sprt_alpha));
			if ((s->sprt_llr >= hi && s->theta >= e->cut_theta) || (s->sprt_llr <= lo && s->theta < e->cut_theta))
				st = CAT_STOP_SPRT;
		}
	}
	if (st != CAT_STOP_NONE && !pre_owed) {
		s->done = true;
		s->stop = st;
		return 1;
	}
	if (st != CAT_STOP_NONE)
		s->stop = st; /* operational part over: only owed pretest items remain */
	return 0;
}

int cat_session_next(struct cat_session *s, size_t *out_item)
{
	if (s->done) {
		cat_error_set("session: the test is over");
		return CAT_ESTATE;
	}
	if (s->pending_valid) {
		*out_item = s->pending;
		return 0;
	}
	long i = -1;
	bool pre = false;
	int pos = (int)s->nresp;
	if (s->n_pre < s->npre_pos && (cat_is_pre_pos(s, pos) || s->stop != CAT_STOP_NONE)) {
		i = cat_select_pretest(s);
		pre = i >= 0;
	}
	if (i < 0 && s->stop == CAT_STOP_NONE)
		i = cat_select_operational(s);
	if (i < 0) {
		/* Nothing eligible: the blueprint maxima are all reached (the invariant guarantees
		 * the minima are met by then) or the pool ran dry. */
		s->done = true;
		if (s->stop == CAT_STOP_NONE)
			s->stop = CAT_STOP_POOL;
		cat_error_set("session: the test is over");
		return CAT_ESTATE;
	}
	s->pending = (size_t)i;
	s->pending_pre = pre;
	s->pending_valid = true;
	*out_item = (size_t)i;
	return 0;
}

int cat_session_answer(struct cat_session *s, size_t item, int score, uint32_t elapsed_s)
{
	const struct cat_engine *g = s->eng;
	if (s->done) {
		cat_error_set("session: the test is over; no more answers");
		return CAT_ESTATE;
	}
	if (!s->pending_valid || item != s->pending) {
		cat_error_set("session: item %zu was not administered (expected the pending item)", item);
		return CAT_EINVAL;
	}
	const struct cat_item *it = &g->bank->items[item].irt;
	int max = it->model == CAT_GPCM ? it->nsteps : 1;
	if (score < 0 || score > max) {
		cat_error_set("session: score %d outside 0..%d", score, max);
		return CAT_EINVAL;
	}
	if (elapsed_s < s->elapsed) {
		cat_error_set("session: elapsed time went backwards (%u < %u)", elapsed_s, s->elapsed);
		return CAT_EINVAL;
	}
	if (s->nresp >= s->cap) {
		cat_error_set("session: response buffer full");
		return CAT_ESTATE;
	}
	size_t r = s->nresp++;
	s->r_item[r] = (uint32_t)item;
	s->r_score[r] = (int8_t)score;
	s->r_pre[r] = s->pending_pre;
	s->r_elapsed[r] = elapsed_s;
	s->elapsed = elapsed_s;
	s->flags[item] |= CAT_F_USED;
	if (g->enemy[item] >= 0)
		s->enemy_used[g->enemy[item]] = 1;
	s->pending_valid = false;
	if (s->pending_pre) {
		s->n_pre++;
		if (g->prepart[item] >= 0)
			s->pre_part_n[g->prepart[item]]++;
	} else {
		if (g->exam->sprt)
			s->sprt_llr += cat_loglik(it, g->exam->cut_theta + g->exam->sprt_delta, score) -
			               cat_loglik(it, g->exam->cut_theta - g->exam->sprt_delta, score);
		int d = g->dom[item];
		s->n_op++;
		s->dom_n[d]++;
		s->part_n[g->exam->domains[d].part]++;
		if (g->enemy[item] < 0)
			s->avail[d]--;
		const struct cat_quad *q = &g->quad;
		if (g->llcache && g->llslot[item] != UINT32_MAX) {
			const double *c = g->llcache + ((size_t)g->llslot[item] * 2 + (size_t)score) * (size_t)q->n;
			for (int k = 0; k < q->n; k++)
				s->lp[k] += c[k];
		} else {
			for (int k = 0; k < q->n; k++)
				s->lp[k] += cat_loglik(it, q->x[k], score);
		}
		cat_update_eap(s);
	}
	cat_session_check_stop(s);
	return 0;
}

int cat_session_time_up(struct cat_session *s, uint32_t elapsed_s)
{
	if (s->done) {
		cat_error_set("session: the test is over");
		return CAT_ESTATE;
	}
	if (elapsed_s < s->elapsed) {
		cat_error_set("session: elapsed time went backwards");
		return CAT_EINVAL;
	}
	s->elapsed = elapsed_s;
	s->time_up_at = elapsed_s;
	s->time_up_called = true;
	s->pending_valid = false;
	s->done = true;
	s->timed_out = true;
	s->stop = CAT_STOP_TIME;
	return 0;
}

void cat_engine_eap(const struct cat_engine *g, const uint32_t *items, const int *x, size_t n, struct cat_estimate *out)
{
	const struct cat_quad *q = &g->quad;
	double lp[256];
	for (int k = 0; k < q->n; k++)
		lp[k] = q->logw[k];
	for (size_t r = 0; r < n; r++) {
		size_t item = items[r];
		if (g->llcache && g->llslot[item] != UINT32_MAX) {
			const double *c = g->llcache + ((size_t)g->llslot[item] * 2 + (size_t)x[r]) * (size_t)q->n;
			for (int k = 0; k < q->n; k++)
				lp[k] += c[k];
		} else {
			const struct cat_item *it = &g->bank->items[item].irt;
			for (int k = 0; k < q->n; k++)
				lp[k] += cat_loglik(it, q->x[k], x[r]);
		}
	}
	out->flags = 0;
	cat_quad_moments(q, lp, &out->theta, &out->se);
}

/* EAP from the operational answers in domain d alone (same grid and prior as the session). */
static void cat_session_domain_eap(const struct cat_session *s, int d, struct cat_estimate *out)
{
	const struct cat_engine *g = s->eng;
	uint32_t items[512];
	int x[512];
	size_t m = 0;
	for (size_t r = 0; r < s->nresp && m < 512; r++)
		if (!s->r_pre[r] && g->dom[s->r_item[r]] == d) {
			items[m] = s->r_item[r];
			x[m] = s->r_score[r];
			m++;
		}
	cat_engine_eap(g, items, x, m, out);
}

/* Run-out-of-time rule (documented in docs/exam-format.md): a test that ends on time with
 * every operational minimum met (length and blueprint) is scored as usual from the items
 * answered; one that ends before is incomplete and fails, whatever its estimate, and its
 * scaled score is capped below the cut. */
int cat_session_result(const struct cat_session *s, struct cat_result *out)
{
	const struct cat_engine *g = s->eng;
	const struct cat_exam *e = g->exam;
	struct cat_result r;
	memset(&r, 0, sizeof r);
	r.operational = s->n_op;
	r.pretest = s->n_pre;
	r.stop = s->stop;
	r.ndomains = e->ndomains;
	const struct cat_item **items = malloc((s->nresp + 1) * sizeof *items);
	int *x = malloc((s->nresp + 1) * sizeof *x);
	if (!items || !x) {
		free(items);
		free(x);
		cat_error_set("out of memory");
		return CAT_ENOMEM;
	}
	size_t n = 0;
	for (size_t k = 0; k < s->nresp; k++)
		if (!s->r_pre[k]) {
			items[n] = &g->bank->items[s->r_item[k]].irt;
			x[n] = s->r_score[k];
			n++;
		}
	if (e->final_method == CAT_EAP) {
		r.theta = s->theta;
		r.se = s->se;
	} else {
		struct cat_estimate est;
		int rc = cat_estimate(&est, e->final_method, &e->est, items, x, n);
		if (rc) {
			free(items);
			free(x);
			return rc;
		}
		r.theta = est.theta;
		r.se = est.se;
	}
	r.complete = !(s->timed_out && !cat_minima_met(s));
	r.scaled = cat_scale(e, r.theta);
	r.pass = r.complete && r.theta >= e->cut_theta;
	if (!r.complete && r.scaled >= e->scale_cut)
		r.scaled = e->scale_cut - 1;
	/* Domain bands: EAP from the domain's items alone (same prior), compared with the cut. */
	for (int d = 0; d < e->ndomains; d++) {
		struct cat_estimate est;
		cat_session_domain_eap(s, d, &est);
		struct cat_domain_result *dr = &r.domains[d];
		dr->items = s->dom_n[d];
		dr->theta = est.theta;
		dr->se = est.se;
		if (est.theta - e->band_width * est.se > e->cut_theta) dr->band = CAT_BAND_ABOVE;
		else if (est.theta + e->band_width * est.se < e->cut_theta) dr->band = CAT_BAND_BELOW;
		else dr->band = CAT_BAND_NEAR;
	}
	free(items);
	free(x);
	*out = r;
	return 0;
}

/* --------------------------------------------------------------------------------------- */
/* Serialisation */

static uint32_t cat_crc32(const unsigned char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	}
	return ~c;
}

struct cat_wbuf { unsigned char *p; size_t n, cap; bool over; };

static void cat_put(struct cat_wbuf *w, const void *d, size_t n)
{
	if (w->n + n > w->cap) { w->over = true; return; }
	memcpy(w->p + w->n, d, n);
	w->n += n;
}
static void cat_put_u64(struct cat_wbuf *w, uint64_t v)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
	cat_put(w, b, 8);
}
static void cat_put_var(struct cat_wbuf *w, uint64_t v)
{
	unsigned char b[10];
	size_t n = 0;
	do {
		b[n] = (unsigned char)(v & 0x7F);
		v >>= 7;
		if (v) b[n] |= 0x80;
		n++;
	} while (v);
	cat_put(w, b, n);
}

#define CAT_STATE_VERSION 1

int cat_session_encode(const struct cat_session *s, unsigned char *out, size_t cap, size_t *out_len)
{
	struct cat_wbuf w = { .p = out, .cap = cap };
	cat_put(&w, "CAT", 3);
	unsigned char v = CAT_STATE_VERSION;
	cat_put(&w, &v, 1);
	cat_put_u64(&w, s->eng->exam->hash);
	cat_put_u64(&w, s->eng->bank->version);
	cat_put_u64(&w, s->seed);
	unsigned char fl = s->time_up_called ? 1 : 0;
	cat_put(&w, &fl, 1);
	if (fl)
		cat_put_var(&w, s->time_up_at);
	cat_put_var(&w, s->nresp);
	uint32_t prev = 0;
	for (size_t k = 0; k < s->nresp; k++) {
		cat_put_var(&w, s->r_item[k]);
		unsigned char sc = (unsigned char)s->r_score[k];
		cat_put(&w, &sc, 1);
		cat_put_var(&w, s->r_elapsed[k] - prev); /* time deltas stay small */
		prev = s->r_elapsed[k];
	}
	if (w.over || w.n + 4 > cap) {
		cat_error_set("session state does not fit in %zu bytes", cap);
		return CAT_ETOOBIG;
	}
	uint32_t crc = cat_crc32(out, w.n);
	for (int i = 0; i < 4; i++) out[w.n + (size_t)i] = (unsigned char)(crc >> (8 * i));
	*out_len = w.n + 4;
	return 0;
}

struct cat_rbuf { const unsigned char *p; size_t n, off; };

static int cat_get_u64(struct cat_rbuf *r, uint64_t *v)
{
	if (r->n - r->off < 8) return -1;
	*v = 0;
	for (int i = 0; i < 8; i++) *v |= (uint64_t)r->p[r->off + (size_t)i] << (8 * i);
	r->off += 8;
	return 0;
}
static int cat_get_var(struct cat_rbuf *r, uint64_t *v, uint64_t max)
{
	uint64_t x = 0;
	for (int sh = 0; sh < 35; sh += 7) {
		if (r->off >= r->n) return -1;
		unsigned char b = r->p[r->off++];
		x |= (uint64_t)(b & 0x7F) << sh;
		if (!(b & 0x80)) {
			if (x > max || (b == 0 && sh > 0)) return -1; /* bounded and canonical */
			*v = x;
			return 0;
		}
	}
	return -1;
}

int cat_session_decode(struct cat_session **out, const struct cat_engine *eng, const unsigned char *buf, size_t len)
{
	struct cat_session *s = NULL;
	int rc = CAT_EPARSE;
	if (len > CAT_STATE_MAX_BYTES) {
		cat_error_set("session state: longer than %d bytes", CAT_STATE_MAX_BYTES);
		return CAT_ETOOBIG;
	}
	if (len < 3 + 1 + 24 + 1 + 1 + 4 || memcmp(buf, "CAT", 3) != 0) {
		cat_error_set("session state: not a session state (bad magic or too short)");
		return CAT_EPARSE;
	}
	if (buf[3] != CAT_STATE_VERSION) {
		cat_error_set("session state: unsupported version %u", buf[3]);
		return CAT_EPARSE;
	}
	uint32_t crc = 0;
	for (int i = 0; i < 4; i++) crc |= (uint32_t)buf[len - 4 + (size_t)i] << (8 * i);
	if (crc != cat_crc32(buf, len - 4)) {
		cat_error_set("session state: checksum mismatch (corrupt state)");
		return CAT_ECRYPTO;
	}
	struct cat_rbuf r = { .p = buf, .n = len - 4, .off = 4 };
	uint64_t eh, bv, seed, nresp, tu = 0;
	if (cat_get_u64(&r, &eh) || cat_get_u64(&r, &bv) || cat_get_u64(&r, &seed) || r.off >= r.n) {
		cat_error_set("session state: truncated header");
		return CAT_EPARSE;
	}
	if (eh != eng->exam->hash || bv != eng->bank->version) {
		cat_error_set("session state: made for another exam or bank version");
		return CAT_ESTATE;
	}
	unsigned char fl = r.p[r.off++];
	if (fl > 1 || (fl && cat_get_var(&r, &tu, UINT32_MAX)) ||
	    cat_get_var(&r, &nresp, (uint64_t)eng->exam->max_items + (uint64_t)eng->exam->pretest_items)) {
		cat_error_set("session state: bad header fields");
		return CAT_EPARSE;
	}
	if ((rc = cat_session_new_opts(&s, eng, seed, 0, 0.0)) != 0)
		return rc;
	uint64_t elapsed = 0;
	for (uint64_t k = 0; k < nresp; k++) {
		uint64_t item, de;
		size_t want;
		if (cat_get_var(&r, &item, UINT32_MAX) || r.off >= r.n) {
			cat_error_set("session state: truncated response %llu", (unsigned long long)k);
			rc = CAT_EPARSE;
			goto fail;
		}
		int score = r.p[r.off++];
		if (cat_get_var(&r, &de, UINT32_MAX) || elapsed + de > UINT32_MAX) {
			cat_error_set("session state: truncated response %llu", (unsigned long long)k);
			rc = CAT_EPARSE;
			goto fail;
		}
		elapsed += de;
		if (cat_session_next(s, &want) != 0 || want != item) {
			cat_error_set("session state: response %llu does not replay (item mismatch)", (unsigned long long)k);
			rc = CAT_EPARSE;
			goto fail;
		}
		if (cat_session_answer(s, (size_t)item, score, (uint32_t)elapsed) != 0) {
			cat_error_set("session state: response %llu does not replay (bad score or time)", (unsigned long long)k);
			rc = CAT_EPARSE;
			goto fail;
		}
	}
	if (fl) {
		if (s->done || tu < elapsed) {
			cat_error_set("session state: inconsistent time-out record");
			rc = CAT_EPARSE;
			goto fail;
		}
		cat_session_time_up(s, (uint32_t)tu);
	}
	if (r.off != r.n) {
		cat_error_set("session state: trailing bytes");
		rc = CAT_EPARSE;
		goto fail;
	}
	*out = s;
	return 0;
fail:
	cat_session_free(s);
	return rc;
}
