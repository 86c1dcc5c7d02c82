/* Statistical disclosure control: primary and secondary suppression and the audit that
 * proves no suppressed figure can be recomputed (rs_sdc.h). Pure computation. */
#include "rs_sdc.h"

#include "rs_config.h"
#include "rs_error.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RS_SDC_EPS 1e-7
#define RS_SDC_MAXDEPS 4

struct rs_sdc_entry {
	long long v;
	unsigned char kind;  /* enum rs_sdc_kind */
	unsigned char state; /* enum rs_sdc_state */
};

struct rs_sdc_term {
	int idx;
	int coef; /* +1 for a part, -1 for the total: sum(coef * value) = 0 */
};

struct rs_sdc_meas {
	int base;
	int deps[RS_SDC_MAXDEPS];
	int ndeps;
	unsigned char state;
};

struct rs_sdc_table {
	struct rs_sdc_entry *e;
	int n, cap;
	struct rs_sdc_term *terms;
	int nterms, capterms;
	int *rel_off; /* relation r is terms[rel_off[r] .. rel_off[r + 1]) */
	int nrel, caprel;
	struct rs_sdc_meas *m;
	int nm, capm;
	long long k; /* the rules of the last rs_sdc_protect (for hidden entries in the audit) */
	int allow_zero;
};

struct rs_sdc_rules rs_sdc_rules_default(void)
{
	struct rs_sdc_rules r = { rs_config_int("stats_k"), rs_config_bool("stats_allow_zero") };
	return r;
}

rs_sdc_table *rs_sdc_new(void)
{
	rs_sdc_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->rel_off = calloc(1, sizeof *t->rel_off);
	if (!t->rel_off) {
		free(t);
		return NULL;
	}
	t->caprel = 0;
	t->k = 10;
	t->allow_zero = 1;
	return t;
}

void rs_sdc_free(rs_sdc_table *t)
{
	if (!t)
		return;
	free(t->e);
	free(t->terms);
	free(t->rel_off);
	free(t->m);
	free(t);
}

static int rs_sdc_grow(void **p, int *cap, int need, size_t size)
{
	if (need <= *cap)
		return 0;
	int nc = *cap ? *cap * 2 : 16;
	while (nc < need)
		nc *= 2;
	void *q = realloc(*p, (size_t)nc * size);
	if (!q)
		return RS_ENOMEM;
	*p = q;
	*cap = nc;
	return 0;
}

int rs_sdc_add(rs_sdc_table *t, long long value, enum rs_sdc_kind kind)
{
	assert(value >= 0);
	if (rs_sdc_grow((void **)&t->e, &t->cap, t->n + 1, sizeof *t->e) != 0)
		return RS_ENOMEM;
	t->e[t->n] = (struct rs_sdc_entry){ value, (unsigned char)kind, RS_SDC_PUBLISHED };
	return t->n++;
}

int rs_sdc_relate(rs_sdc_table *t, int total, const int *parts, int n)
{
	assert(total >= 0 && total < t->n);
	long long sum = 0;
	for (int i = 0; i < n; i++) {
		assert(parts[i] >= 0 && parts[i] < t->n);
		sum += t->e[parts[i]].v;
	}
	if (sum != t->e[total].v) {
		rs_error_set("disclosure control: parts add up to %lld, total is %lld", sum, t->e[total].v);
		return RS_EINVAL;
	}
	if (rs_sdc_grow((void **)&t->terms, &t->capterms, t->nterms + n + 1, sizeof *t->terms) != 0)
		return RS_ENOMEM;
	int *off = realloc(t->rel_off, (size_t)(t->nrel + 2) * sizeof *off);
	if (!off)
		return RS_ENOMEM;
	t->rel_off = off;
	t->terms[t->nterms++] = (struct rs_sdc_term){ total, -1 };
	for (int i = 0; i < n; i++)
		t->terms[t->nterms++] = (struct rs_sdc_term){ parts[i], 1 };
	t->rel_off[++t->nrel] = t->nterms;
	return 0;
}

int rs_sdc_measure(rs_sdc_table *t, int base, const int *deps, int ndeps)
{
	assert(base >= 0 && base < t->n && ndeps >= 0 && ndeps <= RS_SDC_MAXDEPS);
	if (rs_sdc_grow((void **)&t->m, &t->capm, t->nm + 1, sizeof *t->m) != 0)
		return RS_ENOMEM;
	struct rs_sdc_meas *m = &t->m[t->nm];
	memset(m, 0, sizeof *m);
	m->base = base;
	m->ndeps = ndeps;
	for (int i = 0; i < ndeps; i++)
		m->deps[i] = deps[i];
	return t->nm++;
}

enum rs_sdc_state rs_sdc_state(const rs_sdc_table *t, int i)
{
	return (enum rs_sdc_state)t->e[i].state;
}

enum rs_sdc_state rs_sdc_measure_state(const rs_sdc_table *t, int m)
{
	return (enum rs_sdc_state)t->m[m].state;
}

long long rs_sdc_value(const rs_sdc_table *t, int i)
{
	return t->e[i].v;
}

int rs_sdc_count(const rs_sdc_table *t)
{
	return t->n;
}

void rs_sdc_force(rs_sdc_table *t, int i, enum rs_sdc_state s)
{
	t->e[i].state = (unsigned char)s;
}

static int rs_sdc_small(long long v, long long k, int allow_zero)
{
	return v < k && (v > 0 || !allow_zero);
}

/* Unknown to a reader: hidden, or suppressed. */
static int rs_sdc_unknown(const rs_sdc_table *t, int i)
{
	return t->e[i].kind == RS_SDC_HIDDEN || t->e[i].state != RS_SDC_PUBLISHED;
}

/* What the audit must protect: every suppressed entry, and hidden entries under the threshold. */
static int rs_sdc_protected(const rs_sdc_table *t, int i)
{
	if (t->e[i].kind == RS_SDC_HIDDEN)
		return rs_sdc_small(t->e[i].v, t->k, t->allow_zero);
	return t->e[i].state != RS_SDC_PUBLISHED;
}

/* ---- Linear algebra: which unknowns are determined by the relations alone ---------------- */

/* Does relation r tie two or more unknowns of the core (map[column] >= 0)? */
static int rs_sdc_core_row(const rs_sdc_table *t, int r, const int *col, const int *map)
{
	int n = 0;
	for (int q = t->rel_off[r]; q < t->rel_off[r + 1] && n < 2; q++) {
		int c = col[t->terms[q].idx];
		n += c >= 0 && map[c] >= 0;
	}
	return n >= 2;
}

/* Mark fixed[c] = 1 for every unknown that a relation fixes once the unknowns already marked
 * are known: the only one left in it (with a non-zero coefficient), repeatedly. */
static void rs_sdc_peel(const rs_sdc_table *t, const int *col, unsigned char *fixed)
{
	for (int changed = 1; changed;) {
		changed = 0;
		for (int r = 0; r < t->nrel; r++) {
			int c1 = -1, other = 0, coef = 0;
			for (int q = t->rel_off[r]; q < t->rel_off[r + 1] && !other; q++) {
				int c = col[t->terms[q].idx];
				if (c < 0 || fixed[c])
					continue;
				if (c1 < 0 || c1 == c) {
					c1 = c;
					coef += t->terms[q].coef;
				} else {
					other = 1;
				}
			}
			if (c1 >= 0 && !other && coef != 0) {
				fixed[c1] = 1;
				changed = 1;
			}
		}
	}
}

/* Reduced row echelon form of the relations over the unknowns (col[i] = column of entry i or
 * -1), plus x_j = 0 rows for unknowns whose value is 0 when zero_rows is set. det[c] = 1 when
 * column c is fixed by the system (a pivot whose row has no free column). Sound for the
 * audit: the true values are a feasible point strictly positive in every other unknown, so
 * an unknown not fixed here can move both ways within non-negativity. */
static int rs_sdc_determined(const rs_sdc_table *t, const int *col, int nu, int zero_rows, unsigned char *det)
{
	memset(det, 0, (size_t)nu);
	if (nu == 0)
		return 0;
	/* Peel first: an unknown that is the only one left in a relation is fixed by it (and by
	 * x_j = 0 when zero_rows and its value is 0), and is then as good as known for the other
	 * relations. Sound and exact: substituting fixed values leaves the same solution set for
	 * the rest, so the elimination below runs only on the core where unknowns are tied to
	 * each other — in a large table with little suppression, nothing (stats3: the period
	 * lattice made the tables ten times larger). */
	if (zero_rows)
		for (int i = 0; i < t->n; i++)
			if (col[i] >= 0 && t->e[i].v == 0)
				det[col[i]] = 1;
	rs_sdc_peel(t, col, det);
	/* The core: the unknowns not fixed yet, and the relations with two or more of them. */
	int *map = malloc((size_t)nu * sizeof *map);
	if (!map)
		return RS_ENOMEM;
	int nc = 0;
	for (int c = 0; c < nu; c++)
		map[c] = det[c] ? -1 : nc++;
	int rows = 0;
	for (int r = 0; r < t->nrel; r++)
		rows += rs_sdc_core_row(t, r, col, map);
	if (nc == 0 || rows == 0) {
		free(map);
		return 0;
	}
	double *a = calloc((size_t)rows * (size_t)nc, sizeof *a);
	unsigned char *pivot = calloc((size_t)nc, 1);
	int *prow = malloc((size_t)nc * sizeof *prow);
	if (!a || !pivot || !prow) {
		free(a);
		free(pivot);
		free(prow);
		free(map);
		return RS_ENOMEM;
	}
	int zr = 0;
	for (int r = 0; r < t->nrel; r++) {
		if (!rs_sdc_core_row(t, r, col, map))
			continue;
		for (int q = t->rel_off[r]; q < t->rel_off[r + 1]; q++) {
			int c = col[t->terms[q].idx];
			if (c >= 0 && map[c] >= 0)
				a[(size_t)zr * nc + map[c]] += t->terms[q].coef;
		}
		zr++;
	}
	int r = 0;
	for (int c = 0; c < nc && r < rows; c++) {
		int best = -1;
		double bv = RS_SDC_EPS;
		for (int i = r; i < rows; i++)
			if (fabs(a[(size_t)i * nc + c]) > bv) {
				bv = fabs(a[(size_t)i * nc + c]);
				best = i;
			}
		if (best < 0)
			continue;
		if (best != r)
			for (int j = 0; j < nc; j++) {
				double x = a[(size_t)r * nc + j];
				a[(size_t)r * nc + j] = a[(size_t)best * nc + j];
				a[(size_t)best * nc + j] = x;
			}
		double p = a[(size_t)r * nc + c];
		for (int j = 0; j < nc; j++)
			a[(size_t)r * nc + j] /= p;
		for (int i = 0; i < rows; i++) {
			double f = a[(size_t)i * nc + c];
			if (i == r || fabs(f) < RS_SDC_EPS)
				continue;
			for (int j = 0; j < nc; j++)
				a[(size_t)i * nc + j] -= f * a[(size_t)r * nc + j];
		}
		pivot[c] = 1;
		prow[c] = r;
		r++;
	}
	for (int c = 0; c < nu; c++) {
		int k = map[c];
		if (k < 0 || !pivot[k])
			continue;
		int fixed = 1;
		for (int j = 0; j < nc && fixed; j++)
			if (!pivot[j] && fabs(a[(size_t)prow[k] * nc + j]) > RS_SDC_EPS)
				fixed = 0;
		det[c] = (unsigned char)fixed;
	}
	free(a);
	free(pivot);
	free(prow);
	free(map);
	return 0;
}

/* ---- Linear programming: the adversary's interval for one unknown ------------------------ */

/* Optimise sign * x_target over { A x = b, x >= 0 } (dense two-phase simplex, Bland's rule).
 * A is rows x nu (row-major), b may be negative. *val = optimum; returns 0, 1 when unbounded,
 * 2 when infeasible, or RS_ENOMEM. */
static int rs_sdc_lp(const double *A, const double *b, int rows, int nu, int target, double sign, double *val)
{
	int ncol = nu + rows; /* structural + artificial */
	int w = ncol + 1;     /* last column = right-hand side */
	double *T = calloc((size_t)(rows + 1) * (size_t)w, sizeof *T);
	int *basis = malloc((size_t)(rows ? rows : 1) * sizeof *basis);
	if (!T || !basis) {
		free(T);
		free(basis);
		return RS_ENOMEM;
	}
#define TT(i, j) T[(size_t)(i) * (size_t)w + (size_t)(j)]
	for (int i = 0; i < rows; i++) {
		double s = b[i] < 0 ? -1 : 1;
		for (int j = 0; j < nu; j++)
			TT(i, j) = s * A[(size_t)i * nu + j];
		TT(i, nu + i) = 1;
		TT(i, ncol) = s * b[i];
		basis[i] = nu + i;
	}
	int rc = 0;
	for (int phase = 1; phase <= 2; phase++) {
		/* Objective row (minimise): phase 1 the sum of artificials, phase 2 -sign * x_target. */
		for (int j = 0; j < w; j++)
			TT(rows, j) = 0;
		if (phase == 1) {
			for (int i = 0; i < rows; i++)
				for (int j = 0; j < w; j++)
					if (j < nu || j == ncol)
						TT(rows, j) -= TT(i, j);
		} else {
			TT(rows, target) = -sign;
			for (int i = 0; i < rows; i++) {
				double f = TT(rows, basis[i]);
				if (f != 0)
					for (int j = 0; j < w; j++)
						TT(rows, j) -= f * TT(i, j);
			}
		}
		int limit = nu;
		for (int iter = 0; iter < 50000; iter++) {
			int enter = -1;
			for (int j = 0; j < (phase == 1 ? ncol : limit); j++)
				if (TT(rows, j) < -RS_SDC_EPS) {
					enter = j;
					break;
				}
			if (enter < 0)
				break;
			int leave = -1;
			double best = DBL_MAX;
			for (int i = 0; i < rows; i++) {
				double a = TT(i, enter);
				if (a > RS_SDC_EPS) {
					double ratio = TT(i, ncol) / a;
					if (leave < 0 || ratio < best - RS_SDC_EPS ||
					    (fabs(ratio - best) <= RS_SDC_EPS && basis[i] < basis[leave])) {
						best = ratio;
						leave = i;
					}
				}
			}
			if (leave < 0) {
				rc = 1; /* unbounded */
				goto done;
			}
			double p = TT(leave, enter);
			for (int j = 0; j < w; j++)
				TT(leave, j) /= p;
			for (int i = 0; i <= rows; i++) {
				double f = TT(i, enter);
				if (i != leave && f != 0)
					for (int j = 0; j < w; j++)
						TT(i, j) -= f * TT(leave, j);
			}
			basis[leave] = enter;
		}
		if (phase == 1) {
			if (-TT(rows, ncol) > 1e-6) {
				rc = 2;
				goto done;
			}
			/* Drive remaining artificials out of the basis where a structural column can take them. */
			for (int i = 0; i < rows; i++) {
				if (basis[i] < nu)
					continue;
				for (int j = 0; j < nu; j++)
					if (fabs(TT(i, j)) > RS_SDC_EPS) {
						double p = TT(i, j);
						for (int c = 0; c < w; c++)
							TT(i, c) /= p;
						for (int q = 0; q <= rows; q++) {
							double f = TT(q, j);
							if (q != i && f != 0)
								for (int c = 0; c < w; c++)
									TT(q, c) -= f * TT(i, c);
						}
						basis[i] = j;
						break;
					}
			}
			/* Artificial columns may no longer enter. */
			for (int i = 0; i < rows; i++)
				for (int j = nu; j < ncol; j++)
					if (basis[i] != j)
						TT(i, j) = 0;
		}
	}
	*val = sign * TT(rows, ncol);
done:
#undef TT
	free(T);
	free(basis);
	return rc;
}

/* The system over the unknowns: A x = b with b = -(sum of known terms). */
static int rs_sdc_system(const rs_sdc_table *t, const int *col, int nu, double **Aout, double **bout)
{
	double *A = calloc((size_t)(t->nrel ? t->nrel : 1) * (size_t)(nu ? nu : 1), sizeof *A);
	double *b = calloc((size_t)(t->nrel ? t->nrel : 1), sizeof *b);
	if (!A || !b) {
		free(A);
		free(b);
		return RS_ENOMEM;
	}
	for (int r = 0; r < t->nrel; r++)
		for (int q = t->rel_off[r]; q < t->rel_off[r + 1]; q++) {
			int i = t->terms[q].idx;
			if (col[i] >= 0)
				A[(size_t)r * nu + col[i]] += t->terms[q].coef;
			else
				b[r] -= (double)t->terms[q].coef * (double)t->e[i].v;
		}
	*Aout = A;
	*bout = b;
	return 0;
}

static int rs_sdc_columns(const rs_sdc_table *t, int **colout)
{
	int *col = malloc((size_t)(t->n ? t->n : 1) * sizeof *col);
	if (!col)
		return RS_ENOMEM;
	int nu = 0;
	for (int i = 0; i < t->n; i++)
		col[i] = rs_sdc_unknown(t, i) ? nu++ : -1;
	*colout = col;
	return nu;
}

int rs_sdc_bounds(const rs_sdc_table *t, int i, double *lo, double *hi)
{
	if (!rs_sdc_unknown(t, i)) {
		*lo = *hi = (double)t->e[i].v;
		return 0;
	}
	int *col = NULL;
	int nu = rs_sdc_columns(t, &col);
	if (nu < 0)
		return nu;
	/* The unknowns a relation fixes (peeled) are as good as published to the adversary: they
	 * enter the programme as their values, so it runs on the core alone (stats3). */
	unsigned char *fixed = calloc((size_t)(nu ? nu : 1), 1);
	if (!fixed) {
		free(col);
		return RS_ENOMEM;
	}
	rs_sdc_peel(t, col, fixed);
	if (fixed[col[i]]) {
		*lo = *hi = (double)t->e[i].v;
		free(fixed);
		free(col);
		return 0;
	}
	/* Only the block of the core that holds i matters (stats4): the unknowns linked to it
	 * through relations with two or more unknowns left. A relation holds unknowns of one
	 * block only, so the feasible set is the product of the blocks' feasible sets and the
	 * bounds of x_i are those of its block's programme alone — exact, and in a joint period
	 * table with many suppressed figures far smaller than the whole core. */
	unsigned char *in = calloc((size_t)(t->n ? t->n : 1), 1);
	if (!in) {
		free(fixed);
		free(col);
		return RS_ENOMEM;
	}
	in[i] = 1;
	for (int changed = 1; changed;) {
		changed = 0;
		for (int r = 0; r < t->nrel; r++) {
			int hit = 0, miss = 0;
			for (int q = t->rel_off[r]; q < t->rel_off[r + 1]; q++) {
				int e = t->terms[q].idx;
				if (col[e] < 0 || fixed[col[e]])
					continue;
				if (in[e])
					hit = 1;
				else
					miss = 1;
			}
			if (!hit || !miss)
				continue;
			for (int q = t->rel_off[r]; q < t->rel_off[r + 1]; q++) {
				int e = t->terms[q].idx;
				if (col[e] >= 0 && !fixed[col[e]])
					in[e] = 1;
			}
			changed = 1;
		}
	}
	int nc = 0;
	for (int e = 0; e < t->n; e++)
		if (col[e] >= 0)
			col[e] = fixed[col[e]] || !in[e] ? -1 : nc++;
	free(in);
	free(fixed);
	nu = nc;
	double *A = NULL, *b = NULL;
	int rc = rs_sdc_system(t, col, nu, &A, &b);
	int rows = 0;
	if (rc == 0) /* the relations left with no unknown say 0 = 0: out */
		for (int r = 0; r < t->nrel; r++) {
			int any = 0;
			for (int c = 0; c < nu && !any; c++)
				any = A[(size_t)r * nu + c] != 0;
			if (!any)
				continue;
			if (rows != r) {
				memmove(&A[(size_t)rows * nu], &A[(size_t)r * nu], (size_t)nu * sizeof *A);
				b[rows] = b[r];
			}
			rows++;
		}
	if (rc == 0 && rows == 0) { /* no relation binds it: anything from 0 up */
		*lo = 0;
		*hi = -1;
	} else if (rc == 0) {
		double mn = 0, mx = 0;
		int r1 = rs_sdc_lp(A, b, rows, nu, col[i], -1, &mn);
		int r2 = r1 < 0 ? r1 : rs_sdc_lp(A, b, rows, nu, col[i], 1, &mx);
		if (r1 < 0 || r2 < 0)
			rc = RS_ENOMEM;
		else if (r1 == 2 || r2 == 2) {
			rs_error_set("disclosure control: the published figures are inconsistent");
			rc = RS_EINTERNAL;
		} else {
			*lo = r1 == 1 ? 0 : mn;
			*hi = r2 == 1 ? -1 : mx;
		}
	}
	free(A);
	free(b);
	free(col);
	return rc;
}

/* The audit; stops after stop_after pinned entries when stop_after > 0 (the protect loop
 * needs only one to act on). cleared (t->n flags, may be NULL) carries what the linear
 * programme already cleared in an earlier round of the same protect run: suppressing one
 * more entry turns a known into an unknown, so the feasible set only grows and an interval
 * that was at least 1 wide stays so — those entries need no new LP. The audit on release
 * always runs without it. */
static int rs_sdc_audit_upto(const rs_sdc_table *t, const struct rs_sdc_rules *rules, int *pinned, int npinned,
                             int stop_after, unsigned char *cleared, int algebra_only)
{
	rs_sdc_table view = *t;
	if (rules) {
		view.k = rules->k;
		view.allow_zero = rules->allow_zero;
	}
	t = &view;
	int *col = NULL;
	int nu = rs_sdc_columns(t, &col);
	if (nu < 0)
		return nu;
	/* det0: fixed by the relations alone (pinned, whatever the bounds); det1: fixed once the
	 * unknowns that are 0 are taken as known (may be pinned: the LP decides). */
	unsigned char *det0 = malloc((size_t)(nu ? nu : 1)), *det1 = malloc((size_t)(nu ? nu : 1));
	int rc = det0 && det1 ? rs_sdc_determined(t, col, nu, 0, det0) : RS_ENOMEM;
	if (rc == 0)
		rc = rs_sdc_determined(t, col, nu, 1, det1);
	int found = 0;
	/* algebra_only: first every figure the elimination alone pins (all of them, no linear
	 * programme); only when there is none, the linear programmes until stop_after. */
	for (int pass = algebra_only ? 0 : 1; pass < 2 && rc == 0 && found == 0; pass++) {
		for (int i = 0; rc == 0 && i < t->n && (pass == 0 || stop_after <= 0 || found < stop_after); i++) {
			if (!rs_sdc_protected(t, i) || !det1[col[i]])
				continue;
			int is_pinned = det0[col[i]];
			if (!is_pinned && ((cleared && cleared[i]) || pass == 0))
				continue;
			if (!is_pinned) {
				/* Linear algebra cannot clear it (it may be fixed only because some unknown is
				 * 0): ask the adversary's linear programme for its interval. */
				double lo, hi;
				int e = rs_sdc_bounds(t, i, &lo, &hi);
				if (e != 0) {
					rc = e;
					break;
				}
				is_pinned = hi >= 0 && hi - lo < 1 - 1e-6;
				if (!is_pinned && cleared)
					cleared[i] = 1;
			}
			if (is_pinned) {
				if (pinned && found < npinned)
					pinned[found] = i;
				found++;
			}
		}
	}
	free(det0);
	free(det1);
	free(col);
	return rc != 0 ? rc : found;
}

int rs_sdc_audit(const rs_sdc_table *t, const struct rs_sdc_rules *rules, int *pinned, int npinned)
{
	return rs_sdc_audit_upto(t, rules, pinned, npinned, 0, NULL, 0);
}

/* The published entry to suppress next so that entry p is no longer pinned: the cheapest
 * published entry sharing a relation with p (inner cells before totals, small before large,
 * zeros last among the cells),
 * else one sharing a relation with an unknown of those relations, else any. */
static int rs_sdc_complement(const rs_sdc_table *t, int p)
{
	int best = -1;
	double bestcost = DBL_MAX;
	for (int pass = 0; pass < 3 && best < 0; pass++) {
		for (int r = 0; r < t->nrel; r++) {
			int touches = pass == 2;
			for (int q = t->rel_off[r]; q < t->rel_off[r + 1] && !touches; q++) {
				int i = t->terms[q].idx;
				if (i == p)
					touches = 1;
				else if (pass == 1 && rs_sdc_unknown(t, i)) {
					/* Does this unknown share a relation with p? */
					for (int r2 = 0; r2 < t->nrel && !touches; r2++) {
						int hasp = 0, hasi = 0;
						for (int q2 = t->rel_off[r2]; q2 < t->rel_off[r2 + 1]; q2++) {
							hasp |= t->terms[q2].idx == p;
							hasi |= t->terms[q2].idx == i;
						}
						touches = hasp && hasi;
					}
				}
			}
			if (!touches)
				continue;
			for (int q = t->rel_off[r]; q < t->rel_off[r + 1]; q++) {
				int i = t->terms[q].idx;
				if (rs_sdc_unknown(t, i))
					continue;
				/* A published zero is a poor complement: non-negativity pins it at 0 in
				 * most sums, so it would need protecting in turn (the period lattice of
				 * stats3 has many): after every non-zero cell, before the totals. */
				double cost = (double)t->e[i].v + (t->e[i].kind == RS_SDC_TOTAL ? 1e15 : 0) +
				              (t->e[i].v == 0 ? 1e14 : 0);
				if (cost < bestcost) {
					bestcost = cost;
					best = i;
				}
			}
		}
	}
	return best;
}

/* Mark the relations that hold entry i. */
static void rs_sdc_touch(const rs_sdc_table *t, int i, unsigned char *touched)
{
	for (int r = 0; r < t->nrel; r++)
		for (int q = t->rel_off[r]; q < t->rel_off[r + 1]; q++)
			if (t->terms[q].idx == i) {
				touched[r] = 1;
				break;
			}
}

/* Does a marked relation hold entry i? */
static int rs_sdc_touched(const rs_sdc_table *t, int i, const unsigned char *touched)
{
	for (int r = 0; r < t->nrel; r++)
		if (touched[r])
			for (int q = t->rel_off[r]; q < t->rel_off[r + 1]; q++)
				if (t->terms[q].idx == i)
					return 1;
	return 0;
}

int rs_sdc_protect(rs_sdc_table *t, const struct rs_sdc_rules *rules)
{
	if (!rules || rules->k < 1) {
		rs_error_set("disclosure control: the threshold must be at least 1");
		return RS_EINVAL;
	}
	t->k = rules->k;
	t->allow_zero = rules->allow_zero;
	for (int i = 0; i < t->n; i++) {
		if (t->e[i].kind == RS_SDC_HIDDEN)
			continue;
		if (t->e[i].state == RS_SDC_PUBLISHED && rs_sdc_small(t->e[i].v, t->k, t->allow_zero))
			t->e[i].state = RS_SDC_PRIMARY;
	}
	unsigned char *cleared = calloc((size_t)(t->n ? t->n : 1), 1);
	int *pins = malloc((size_t)(t->n ? t->n : 1) * sizeof *pins);
	unsigned char *touched = calloc((size_t)(t->nrel ? t->nrel : 1), 1);
	int rc = cleared && pins && touched ? 0 : RS_ENOMEM;
	if (rc != 0)
		rs_error_set("out of memory");
	/* Each round acts on every figure that linear algebra alone pins (no linear programme:
	 * one pass of elimination finds them all), one complement each, except where a
	 * complement chosen in the same round already shares a relation with it (it may be free
	 * now: the next round's audit says). Only when algebra pins nothing are the linear
	 * programmes asked, for the first figure they pin. stats4: one round per secondary
	 * suppression made the joint period tables take seconds; the loop still ends only when
	 * the audit pins nothing, so the protection is the same (at most a few more complements). */
	for (int round = 0; rc == 0 && round <= t->n; round++) {
		int found = rs_sdc_audit_upto(t, NULL, pins, t->n, 1, cleared, 1);
		if (found < 0) {
			rc = found;
			break;
		}
		if (found == 0)
			break;
		memset(touched, 0, (size_t)(t->nrel ? t->nrel : 1));
		int acted = 0;
		for (int k = 0; k < found && k < t->n; k++) {
			int p = pins[k];
			if (acted && rs_sdc_touched(t, p, touched))
				continue;
			int c = rs_sdc_complement(t, p);
			if (c < 0) {
				if (acted)
					continue;
				/* Everything published is already suppressed: nothing more can be done. */
				rs_error_set("disclosure control: cannot protect entry %d", p);
				rc = RS_EINTERNAL;
				break;
			}
			t->e[c].state = RS_SDC_SECONDARY;
			rs_sdc_touch(t, p, touched);
			rs_sdc_touch(t, c, touched);
			acted++;
		}
	}
	free(cleared);
	free(pins);
	free(touched);
	if (rc != 0)
		return rc;
	for (int m = 0; m < t->nm; m++) {
		struct rs_sdc_meas *ms = &t->m[m];
		long long base = t->e[ms->base].v;
		if (base < t->k || base == 0)
			ms->state = RS_SDC_PRIMARY;
		else if (rs_sdc_unknown(t, ms->base))
			ms->state = RS_SDC_SECONDARY;
		else {
			ms->state = RS_SDC_PUBLISHED;
			for (int d = 0; d < ms->ndeps; d++)
				if (t->e[ms->deps[d]].state != RS_SDC_PUBLISHED || rs_sdc_protected(t, ms->deps[d]))
					ms->state = RS_SDC_SECONDARY;
		}
	}
	return 0;
}
