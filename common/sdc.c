/* Statistical disclosure control: primary and secondary suppression and the audit that
 * proves no suppressed figure can be recomputed (rs_sdc.h). Pure computation. */
#include "rs_sdc.h"

#include "rs_config.h"
#include "rs_error.h"

#include <assert.h>
#include <glpk.h>
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
	unsigned char fixed; /* its state is given (rs_sdc_fix): protection does not change it */
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
	int max_held; /* rs_sdc_limit: held-back figures that are not fixed, at most (0: no limit) */
	int local;    /* rs_sdc_local: complements from each figure's neighbourhood */
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
	t->e[t->n] = (struct rs_sdc_entry){ value, (unsigned char)kind, RS_SDC_PUBLISHED, 0 };
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

void rs_sdc_limit(rs_sdc_table *t, int max_held)
{
	t->max_held = max_held > 0 ? max_held : 0;
}

void rs_sdc_local(rs_sdc_table *t)
{
	t->local = 1;
}

/* Is more held back than rs_sdc_limit allows? */
static int rs_sdc_over(const rs_sdc_table *t)
{
	if (t->max_held == 0)
		return 0;
	int held = 0;
	for (int i = 0; i < t->n; i++)
		held += t->e[i].kind != RS_SDC_HIDDEN && t->e[i].state != RS_SDC_PUBLISHED && !t->e[i].fixed;
	return held > t->max_held;
}

void rs_sdc_fix(rs_sdc_table *t, int i, enum rs_sdc_state s)
{
	t->e[i].state = (unsigned char)s;
	t->e[i].fixed = 1;
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

/* ---- Sparse Gauss-Jordan elimination of one block of the core (stats7) -------------------- */

/* A sparse row: columns ascending, non-zero values. */
struct rs_sdc_srow {
	int n, cap;
	int *c;
	double *v;
};

static void rs_sdc_srow_free(struct rs_sdc_srow *r)
{
	free(r->c);
	free(r->v);
	*r = (struct rs_sdc_srow){ 0 };
}

static int rs_sdc_srow_reserve(struct rs_sdc_srow *r, int n)
{
	int capc = r->cap, capv = r->cap; /* rs_sdc_grow grows both alike */
	if (rs_sdc_grow((void **)&r->c, &capc, n, sizeof *r->c) != 0 || rs_sdc_grow((void **)&r->v, &capv, n, sizeof *r->v) != 0)
		return RS_ENOMEM;
	r->cap = capc;
	return 0;
}

/* The value of column j in r, 0 when absent. */
static double rs_sdc_srow_get(const struct rs_sdc_srow *r, int j)
{
	int lo = 0, hi = r->n;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (r->c[mid] == j)
			return r->v[mid];
		if (r->c[mid] < j)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* out = dst - f * src (sorted merge; tiny results dropped). */
static int rs_sdc_srow_axpy(struct rs_sdc_srow *out, const struct rs_sdc_srow *dst, double f, const struct rs_sdc_srow *src)
{
	if (rs_sdc_srow_reserve(out, dst->n + src->n) != 0)
		return RS_ENOMEM;
	int i = 0, k = 0, n = 0;
	while (i < dst->n || k < src->n) {
		int c;
		double v;
		if (k >= src->n || (i < dst->n && dst->c[i] < src->c[k])) {
			c = dst->c[i];
			v = dst->v[i++];
		} else if (i >= dst->n || src->c[k] < dst->c[i]) {
			c = src->c[k];
			v = -f * src->v[k++];
		} else {
			c = dst->c[i];
			v = dst->v[i++] - f * src->v[k++];
		}
		if (fabs(v) > 1e-12) {
			out->c[n] = c;
			out->v[n++] = v;
		}
	}
	out->n = n;
	return 0;
}

/* Per-column lists of row numbers. */
struct rs_sdc_cols {
	int **list, *len, *cap;
	int n;
};

static int rs_sdc_cols_new(struct rs_sdc_cols *x, int n)
{
	x->n = n;
	x->list = calloc((size_t)n + 1, sizeof *x->list);
	x->len = calloc((size_t)n + 1, sizeof *x->len);
	x->cap = calloc((size_t)n + 1, sizeof *x->cap);
	return x->list && x->len && x->cap ? 0 : RS_ENOMEM;
}

static void rs_sdc_cols_free(struct rs_sdc_cols *x)
{
	for (int k = 0; x->list && k < x->n; k++)
		free(x->list[k]);
	free(x->list);
	free(x->len);
	free(x->cap);
}

/* Append row id to column j's list, unless it is the last one there. */
static int rs_sdc_cols_add(struct rs_sdc_cols *x, int j, int id)
{
	if (x->len[j] > 0 && x->list[j][x->len[j] - 1] == id)
		return 0;
	if (rs_sdc_grow((void **)&x->list[j], &x->cap[j], x->len[j] + 1, sizeof **x->list) != 0)
		return RS_ENOMEM;
	x->list[j][x->len[j]++] = id;
	return 0;
}

/* The reduced row echelon form of one block of the core (rs_sdc_eliminate): pivot row q
 * holds its pivot column pivcol[q] (value 1) and free columns only; pivot_of[column] = its
 * row or -1; rows lists, per column, the pivot rows that held it (stale entries allowed). */
struct rs_sdc_rref {
	struct rs_sdc_srow *P;
	int *pivcol, *pivot_of;
	int np;
	struct rs_sdc_cols rows;
};

static void rs_sdc_rref_free(struct rs_sdc_rref *e)
{
	for (int q = 0; e->P && q < e->np; q++)
		rs_sdc_srow_free(&e->P[q]);
	free(e->P);
	free(e->pivcol);
	free(e->pivot_of);
	rs_sdc_cols_free(&e->rows);
}

static int rs_sdc_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Relation r over the block's columns, reduced by every pivot row so far, into R (sorted, free
 * columns only). acc and mark (nc each, zero) and touched (nc) are scratch, left zero. */
static int rs_sdc_reduce(const rs_sdc_table *t, const int *col, const int *bmap, int r, const struct rs_sdc_rref *e,
                         struct rs_sdc_srow *R, double *acc, unsigned char *mark, int *touched)
{
	int nt = 0;
	for (int q = t->rel_off[r]; q < t->rel_off[r + 1]; q++) {
		int c = col[t->terms[q].idx];
		if (c < 0 || bmap[c] < 0)
			continue;
		int j = bmap[c];
		if (!mark[j]) {
			mark[j] = 1;
			touched[nt++] = j;
		}
		acc[j] += t->terms[q].coef;
	}
	/* A pivot row holds no other pivot column: one subtraction per pivot column of r. */
	for (int k = 0, nt0 = nt; k < nt0; k++) {
		int j = touched[k], q = e->pivot_of[j];
		double f = acc[j];
		if (q < 0 || f == 0)
			continue;
		for (int m = 0; m < e->P[q].n; m++) {
			int c2 = e->P[q].c[m];
			if (!mark[c2]) {
				mark[c2] = 1;
				touched[nt++] = c2;
			}
			acc[c2] -= f * e->P[q].v[m];
		}
	}
	int rc = rs_sdc_srow_reserve(R, nt);
	R->n = 0;
	for (int k = 0; rc == 0 && k < nt; k++)
		if (fabs(acc[touched[k]]) > 1e-12 && e->pivot_of[touched[k]] < 0)
			R->c[R->n++] = touched[k];
	qsort(R->c, (size_t)R->n, sizeof *R->c, rs_sdc_cmp_int);
	for (int k = 0; rc == 0 && k < R->n; k++)
		R->v[k] = acc[R->c[k]];
	for (int k = 0; k < nt; k++) {
		acc[touched[k]] = 0;
		mark[touched[k]] = 0;
	}
	return rc;
}

/* Gauss-Jordan elimination of one block of the core, sparse: its relations rel[0 .. rows),
 * nc unknowns. Each relation is reduced by the pivot rows so far, takes the largest of its
 * columns left as its pivot, and that column is eliminated from the pivot rows holding it
 * (found through the per-column lists). 0 or RS_ENOMEM. */
static int rs_sdc_rref_build(struct rs_sdc_rref *e, const rs_sdc_table *t, const int *col, const int *bmap, int nc,
                             const int *rel, int rows)
{
	memset(e, 0, sizeof *e);
	e->P = calloc((size_t)rows + 1, sizeof *e->P);
	e->pivcol = malloc(((size_t)rows + 1) * sizeof *e->pivcol);
	e->pivot_of = malloc((size_t)nc * sizeof *e->pivot_of);
	double *acc = calloc((size_t)nc, sizeof *acc);
	unsigned char *mark = calloc((size_t)nc, 1);
	int *touched = malloc((size_t)nc * sizeof *touched);
	struct rs_sdc_srow tmp = { 0 }, R = { 0 };
	int rc = rs_sdc_cols_new(&e->rows, nc);
	if (!e->P || !e->pivcol || !e->pivot_of || !acc || !mark || !touched)
		rc = RS_ENOMEM;
	for (int k = 0; rc == 0 && k < nc; k++)
		e->pivot_of[k] = -1;
	for (int zr = 0; rc == 0 && zr < rows; zr++) {
		rc = rs_sdc_reduce(t, col, bmap, rel[zr], e, &R, acc, mark, touched);
		int at = -1;
		for (int k = 0; rc == 0 && k < R.n; k++)
			if (fabs(R.v[k]) > RS_SDC_EPS && (at < 0 || fabs(R.v[k]) > fabs(R.v[at])))
				at = k;
		if (rc != 0 || at < 0)
			continue; /* nothing new in this relation */
		int best = R.c[at];
		double pv = R.v[at];
		for (int k = 0; k < R.n; k++)
			R.v[k] = k == at ? 1 : R.v[k] / pv;
		/* Eliminate the new pivot column from the pivot rows that hold it. */
		for (int k = 0; rc == 0 && k < e->rows.len[best]; k++) {
			int q = e->rows.list[best][k];
			double f = rs_sdc_srow_get(&e->P[q], best);
			if (f == 0)
				continue; /* a stale entry: the column left that row */
			if ((rc = rs_sdc_srow_axpy(&tmp, &e->P[q], f, &R)) != 0)
				break;
			struct rs_sdc_srow sw = e->P[q];
			e->P[q] = tmp;
			tmp = sw;
			for (int m = 0; rc == 0 && m < R.n; m++)
				if (R.c[m] != best)
					rc = rs_sdc_cols_add(&e->rows, R.c[m], q);
		}
		if (rc != 0)
			break;
		int q = e->np++;
		e->P[q] = R;
		R = (struct rs_sdc_srow){ 0 };
		e->pivcol[q] = best;
		e->pivot_of[best] = q;
		for (int m = 0; rc == 0 && m < e->P[q].n; m++)
			if (e->P[q].c[m] != best)
				rc = rs_sdc_cols_add(&e->rows, e->P[q].c[m], q);
	}
	rs_sdc_srow_free(&tmp);
	rs_sdc_srow_free(&R);
	free(acc);
	free(mark);
	free(touched);
	return rc;
}

/* A certificate that needs no linear programme (stats4): every free column f gives a
 * direction d of the solution set (d_f = 1, d_p = -P_p[f] on the pivots that hold f, 0
 * elsewhere: A d = 0). The true values x are a feasible point, so x + s d is feasible for
 * every s with x + s d >= 0; when such a step moves an unknown by at least 1, its interval is
 * at least 1 wide: moves[unknown] = 1 (not pinned). Each direction is checked against the
 * relations it touches (integer coefficients): the elimination ran in floating point, a
 * certificate must not rest on it. Sound whatever it misses: an unknown without one goes to
 * the linear programme. 0 or RS_ENOMEM. */
static int rs_sdc_moves(const rs_sdc_table *t, const int *col, const int *bmap, int nc, const int *ents, const int *rel,
                        int rows, const struct rs_sdc_rref *e, unsigned char *moves)
{
	struct rs_sdc_cols crel; /* the block's relations (indexes into rel) holding each column */
	double *d = calloc((size_t)nc, sizeof *d);
	int *dn = malloc((size_t)nc * sizeof *dn), *seen = calloc((size_t)rows, sizeof *seen);
	int rc = rs_sdc_cols_new(&crel, nc);
	if (!d || !dn || !seen)
		rc = RS_ENOMEM;
	for (int zr = 0; rc == 0 && zr < rows; zr++)
		for (int q = t->rel_off[rel[zr]]; rc == 0 && q < t->rel_off[rel[zr] + 1]; q++) {
			int c = col[t->terms[q].idx];
			if (c >= 0 && bmap[c] >= 0)
				rc = rs_sdc_cols_add(&crel, bmap[c], zr);
		}
	for (int f = 0; rc == 0 && f < nc; f++) {
		if (e->pivot_of[f] >= 0)
			continue;
		int nd = 0;
		d[f] = 1;
		dn[nd++] = f;
		for (int k = 0; k < e->rows.len[f]; k++) {
			int q = e->rows.list[f][k];
			double w = rs_sdc_srow_get(&e->P[q], f);
			if (w != 0 && d[e->pivcol[q]] == 0) {
				d[e->pivcol[q]] = -w;
				dn[nd++] = e->pivcol[q];
			}
		}
		int exact = 1;
		for (int k = 0; k < nd && exact; k++)
			for (int m = 0; m < crel.len[dn[k]] && exact; m++) {
				int zr = crel.list[dn[k]][m];
				if (seen[zr] == f + 1)
					continue;
				seen[zr] = f + 1;
				double sum = 0;
				for (int q = t->rel_off[rel[zr]]; q < t->rel_off[rel[zr] + 1]; q++) {
					int c = col[t->terms[q].idx];
					if (c >= 0 && bmap[c] >= 0)
						sum += t->terms[q].coef * d[bmap[c]];
				}
				exact = fabs(sum) < 1e-9;
			}
		/* The largest steps up (s > 0) and down (s < 0) that keep every pivot and x_f >= 0. */
		double up = DBL_MAX, down = (double)t->e[ents[f]].v;
		for (int k = 1; exact && k < nd; k++) {
			int p = dn[k];
			double x = (double)t->e[ents[p]].v;
			if (d[p] < -RS_SDC_EPS && x / -d[p] < up)
				up = x / -d[p];
			else if (d[p] > RS_SDC_EPS && x / d[p] < down)
				down = x / d[p];
		}
		double step = up > down ? up : down;
		for (int k = 0; exact && k < nd; k++)
			if (fabs(d[dn[k]]) > RS_SDC_EPS && step * fabs(d[dn[k]]) >= 1 + 1e-6)
				moves[col[ents[dn[k]]]] = 1;
		for (int k = 0; k < nd; k++)
			d[dn[k]] = 0;
	}
	rs_sdc_cols_free(&crel);
	free(d);
	free(dn);
	free(seen);
	return rc;
}

/* One block of the core (its relations rel[0 .. rows), its unknowns ents[0 .. nc), bmap
 * [unknown] = block column): det[] for the pivots whose row has no free column (fixed by the
 * relations), moves[] (may be NULL) by rs_sdc_moves. 0 or RS_ENOMEM. */
static int rs_sdc_eliminate(const rs_sdc_table *t, const int *col, const int *bmap, int nc, const int *ents,
                            const int *rel, int rows, unsigned char *det, unsigned char *moves)
{
	struct rs_sdc_rref e;
	int rc = rs_sdc_rref_build(&e, t, col, bmap, nc, rel, rows);
	for (int q = 0; rc == 0 && q < e.np; q++)
		det[col[ents[e.pivcol[q]]]] = (unsigned char)(e.P[q].n == 1);
	if (rc == 0 && moves && e.np > 0)
		rc = rs_sdc_moves(t, col, bmap, nc, ents, rel, rows, &e, moves);
	rs_sdc_rref_free(&e);
	return rc;
}

static int rs_sdc_find(int *up, int x)
{
	while (up[x] != x) {
		up[x] = up[up[x]];
		x = up[x];
	}
	return x;
}

/* Reduced row echelon form of the relations over the unknowns (col[i] = column of entry i or
 * -1), plus x_j = 0 rows for unknowns whose value is 0 when zero_rows is set. det[c] = 1 when
 * column c is fixed by the system (a pivot whose row has no free column). Sound for the
 * audit: the true values are a feasible point strictly positive in every other unknown, so
 * an unknown not fixed here can move both ways within non-negativity. */
static int rs_sdc_determined(const rs_sdc_table *t, const int *col, int nu, int zero_rows, unsigned char *det,
                             unsigned char *moves)
{
	memset(det, 0, (size_t)nu);
	if (moves)
		memset(moves, 0, (size_t)nu);
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
	/* The core: the unknowns not fixed yet, and the relations with two or more of them,
	 * eliminated block by block (stats7): unknowns tied by no chain of core relations are
	 * independent, so each block's elimination is exact on its own, and the cost is the sum
	 * of the blocks' cubes, not the cube of the whole core (a filter star's core runs to
	 * thousands of unknowns in hundreds of blocks). */
	int *map = malloc((size_t)nu * sizeof *map);
	if (!map)
		return RS_ENOMEM;
	int nc = 0;
	for (int c = 0; c < nu; c++)
		map[c] = det[c] ? -1 : nc++;
	int *up = malloc((size_t)(nc ? nc : 1) * sizeof *up), *rowblk = malloc((size_t)(t->nrel ? t->nrel : 1) * sizeof *rowblk);
	int *ents = malloc((size_t)(nc ? nc : 1) * sizeof *ents), *bmap = malloc((size_t)nu * sizeof *bmap);
	int *blk = malloc((size_t)(nc ? nc : 1) * sizeof *blk), *rel = malloc((size_t)(t->nrel ? t->nrel : 1) * sizeof *rel);
	int *start = calloc((size_t)nc + 2, sizeof *start), *rstart = calloc((size_t)nc + 2, sizeof *rstart);
	int rc = up && rowblk && ents && bmap && blk && rel && start && rstart ? 0 : RS_ENOMEM;
	for (int c = 0; rc == 0 && c < nc; c++)
		up[c] = c;
	/* The blocks: union the core unknowns of every core relation. */
	for (int r = 0; rc == 0 && r < t->nrel; r++) {
		rowblk[r] = -1;
		if (!rs_sdc_core_row(t, r, col, map))
			continue;
		int first = -1;
		for (int q = t->rel_off[r]; q < t->rel_off[r + 1]; q++) {
			int c = col[t->terms[q].idx];
			if (c < 0 || map[c] < 0)
				continue;
			int x = rs_sdc_find(up, map[c]);
			if (first < 0)
				first = x;
			else if (x != first)
				up[x] = first;
		}
		rowblk[r] = first; /* a member: its root is found below */
	}
	/* Number the blocks, then list each block's unknowns (entries) and relations. */
	int nb = 0;
	for (int k = 0; rc == 0 && k < nc; k++)
		blk[k] = -1;
	for (int k = 0; rc == 0 && k < nc; k++) {
		int root = rs_sdc_find(up, k);
		if (blk[root] < 0)
			blk[root] = nb++;
	}
	for (int c = 0; rc == 0 && c < nu; c++)
		if (map[c] >= 0)
			start[blk[rs_sdc_find(up, map[c])] + 1]++;
	for (int r = 0; rc == 0 && r < t->nrel; r++)
		if (rowblk[r] >= 0) {
			rowblk[r] = blk[rs_sdc_find(up, rowblk[r])];
			rstart[rowblk[r] + 1]++;
		}
	for (int b = 0; rc == 0 && b < nb; b++) {
		start[b + 1] += start[b];
		rstart[b + 1] += rstart[b];
	}
	if (rc == 0) {
		int *fill = blk; /* reused: block -> next slot (blk of roots is read through up first) */
		int *bof = malloc((size_t)(nc ? nc : 1) * sizeof *bof);
		if (!bof)
			rc = RS_ENOMEM;
		for (int k = 0; rc == 0 && k < nc; k++)
			bof[k] = blk[rs_sdc_find(up, k)];
		for (int b = 0; rc == 0 && b < nb; b++)
			fill[b] = start[b];
		for (int i = 0; rc == 0 && i < t->n; i++)
			if (col[i] >= 0 && map[col[i]] >= 0) {
				int b = bof[map[col[i]]];
				bmap[col[i]] = fill[b] - start[b];
				ents[fill[b]++] = i;
			}
		for (int b = 0; rc == 0 && b < nb; b++)
			fill[b] = rstart[b];
		for (int r = 0; rc == 0 && r < t->nrel; r++)
			if (rowblk[r] >= 0)
				rel[fill[rowblk[r]]++] = r;
		free(bof);
	}
	for (int c = 0; rc == 0 && c < nu; c++)
		if (map[c] < 0)
			bmap[c] = -1;
	/* bmap holds block columns of every block at once: a relation holds unknowns of one
	 * block only, so each block's elimination reads its own. */
	for (int b = 0; rc == 0 && b < nb; b++)
		if (rstart[b + 1] > rstart[b])
			rc = rs_sdc_eliminate(t, col, bmap, start[b + 1] - start[b], &ents[start[b]], &rel[rstart[b]],
			                      rstart[b + 1] - rstart[b], det, moves);
	free(up);
	free(rowblk);
	free(ents);
	free(bmap);
	free(blk);
	free(rel);
	free(start);
	free(rstart);
	free(map);
	return rc;
}

/* ---- Linear programming: the adversary's interval for one unknown ------------------------ */

/* The adversary's programme over one block of the core, { A x = b, x >= 0 }, as a sparse
 * GLPK problem (stats7: the dense simplex tableau of stats4 spent minutes on a joint table
 * of a few hundred unknowns — 92% of the time in its pivots). Built once per block and
 * brought to a feasible basis (phase 1, zero objective); every optimisation of the same
 * block (the max and min of each of its figures) starts from the last optimal basis. Kept
 * across the figures of one audit pass: the table does not change meanwhile. */
struct rs_sdc_lpcache {
	int sig;      /* the block's first entry (blocks are disjoint), -1 none */
	int status;   /* 0 feasible, 2 infeasible */
	int objcol;   /* the GLPK column whose objective coefficient is set, 0 none */
	int ncols;    /* GLPK columns (1 .. ncols) = the block's unknowns */
	glp_prob *P;
};

static void rs_sdc_lpcache_drop(struct rs_sdc_lpcache *L)
{
	if (L->P)
		glp_delete_prob(L->P);
	L->P = NULL;
	L->sig = -1;
	L->status = 0;
	L->objcol = 0;
	L->ncols = 0;
}

/* Done with GLPK in this thread: its environment (thread-local) goes too, so a request
 * thread that ends leaves nothing behind. */
static void rs_sdc_lpcache_end(struct rs_sdc_lpcache *L)
{
	rs_sdc_lpcache_drop(L);
	glp_free_env();
}

/* One simplex run from the problem's current basis; when GLPK cannot go on from it (a
 * singular or ill-conditioned basis), once more from an advanced initial basis. 0, or
 * RS_EINTERNAL. */
static int rs_sdc_lp_run(glp_prob *P)
{
	glp_smcp parm;
	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.meth = GLP_PRIMAL;
	parm.presolve = GLP_OFF;
	int ret = glp_simplex(P, &parm);
	if (ret != 0) {
		glp_adv_basis(P, 0);
		ret = glp_simplex(P, &parm);
	}
	if (ret != 0) {
		rs_error_set("disclosure control: the linear programme failed (GLPK %d)", ret);
		return RS_EINTERNAL;
	}
	return 0;
}

/* The block's programme: col[e] = the block column of entry e (0 .. nc - 1) or -1 for a
 * figure the adversary knows (published, or fixed by the relations: its true value). A
 * relation with no unknown of the block says 0 = 0 and is left out. 0, or an RS_E code. */
static int rs_sdc_lp_build(const rs_sdc_table *t, const int *col, int nc, struct rs_sdc_lpcache *L)
{
	glp_term_out(GLP_OFF);
	L->P = glp_create_prob();
	L->ncols = nc;
	int *ind = malloc((size_t)(nc + 1) * sizeof *ind);
	double *val = malloc((size_t)(nc + 1) * sizeof *val);
	double *acc = calloc((size_t)(nc ? nc : 1), sizeof *acc);
	int *seen = calloc((size_t)(nc ? nc : 1), sizeof *seen); /* relation + 1 that listed it */
	if (!ind || !val || !acc || !seen) {
		free(ind);
		free(val);
		free(acc);
		free(seen);
		return RS_ENOMEM;
	}
	glp_set_obj_dir(L->P, GLP_MIN);
	glp_add_cols(L->P, nc);
	for (int j = 1; j <= nc; j++)
		glp_set_col_bnds(L->P, j, GLP_LO, 0, 0);
	for (int r = 0; r < t->nrel; r++) {
		int len = 0;
		double rhs = 0;
		for (int q = t->rel_off[r]; q < t->rel_off[r + 1]; q++) {
			int e = t->terms[q].idx, c = col[e];
			if (c < 0) {
				rhs -= (double)t->terms[q].coef * (double)t->e[e].v;
				continue;
			}
			if (seen[c] != r + 1) {
				seen[c] = r + 1;
				ind[++len] = c + 1; /* the same entry twice in a relation: one coefficient */
			}
			acc[c] += t->terms[q].coef;
		}
		int kept = 0;
		for (int k = 1; k <= len; k++) {
			int c = ind[k] - 1;
			if (acc[c] != 0) {
				ind[++kept] = c + 1;
				val[kept] = acc[c];
			}
			acc[c] = 0;
		}
		if (kept == 0)
			continue;
		int row = glp_add_rows(L->P, 1);
		glp_set_mat_row(L->P, row, kept, ind, val);
		glp_set_row_bnds(L->P, row, GLP_FX, rhs, rhs);
	}
	free(ind);
	free(val);
	free(acc);
	free(seen);
	if (glp_get_num_rows(L->P) == 0)
		return 0;
	glp_adv_basis(L->P, 0);
	int rc = rs_sdc_lp_run(L->P);
	if (rc != 0)
		return rc;
	L->status = glp_get_status(L->P) == GLP_NOFEAS ? 2 : 0;
	return 0;
}

/* Optimise sign * x over the block's programme (gcol = x's GLPK column) from its last basis.
 * *val = the optimum of x; 0, 1 when unbounded, 2 when infeasible, or an RS_E code. */
static int rs_sdc_lp_opt(struct rs_sdc_lpcache *L, int gcol, double sign, double *val)
{
	if (L->status == 2)
		return 2;
	if (L->objcol && L->objcol != gcol)
		glp_set_obj_coef(L->P, L->objcol, 0);
	glp_set_obj_coef(L->P, gcol, 1);
	L->objcol = gcol;
	glp_set_obj_dir(L->P, sign > 0 ? GLP_MAX : GLP_MIN);
	int rc = rs_sdc_lp_run(L->P);
	if (rc != 0)
		return rc;
	switch (glp_get_status(L->P)) {
	case GLP_OPT:
		*val = glp_get_col_prim(L->P, gcol);
		return 0;
	case GLP_UNBND:
		return 1;
	case GLP_NOFEAS:
		return 2;
	default:
		rs_error_set("disclosure control: the linear programme ended undecided (GLPK status %d)",
		             glp_get_status(L->P));
		return RS_EINTERNAL;
	}
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

/* rs_sdc_bounds; with wide_only the interval may be given as [v, hi] with v the true value
 * when that already shows it at least 1 wide (the audit asks no more). cache may be NULL. */
static int rs_sdc_bounds_upto(const rs_sdc_table *t, int i, double *lo, double *hi, int wide_only,
                              struct rs_sdc_lpcache *cache)
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
	int nc = 0, sig = -1;
	for (int e = 0; e < t->n; e++)
		if (col[e] >= 0) {
			col[e] = fixed[col[e]] || !in[e] ? -1 : nc++;
			if (sig < 0 && col[e] >= 0)
				sig = e; /* the block's first entry names it (blocks are disjoint) */
		}
	free(in);
	free(fixed);
	int rc = 0;
	struct rs_sdc_lpcache own = { -1, 0, 0, 0, NULL }, *L = cache ? cache : &own;
	if (L->sig != sig || !L->P) {
		rs_sdc_lpcache_drop(L);
		rc = rs_sdc_lp_build(t, col, nc, L);
		L->sig = sig;
	}
	if (rc == 0 && glp_get_num_rows(L->P) == 0) { /* no relation binds it: anything from 0 up */
		*lo = 0;
		*hi = -1;
	} else if (rc == 0) {
		double mn = 0, mx = 0, v = (double)t->e[i].v;
		int gcol = col[i] + 1;
		/* The maximum first: for the audit (wide_only), a maximum at least 1 above the true
		 * value, or none, already makes the interval 1 wide; and a figure of 0 has minimum 0
		 * (non-negative, and the true point is feasible). The minimum only when it decides. */
		int r2 = rs_sdc_lp_opt(L, gcol, 1, &mx), r1 = 0;
		if (r2 >= 0 && r2 != 2 && wide_only && (r2 == 1 || mx - v >= 1 - 1e-6))
			mn = v;
		else if (r2 >= 0 && r2 != 2 && t->e[i].v == 0)
			mn = 0;
		else if (r2 >= 0)
			r1 = rs_sdc_lp_opt(L, gcol, -1, &mn);
		if (r1 < 0 || r2 < 0)
			rc = r1 < 0 ? r1 : r2;
		else if (r1 == 2 || r2 == 2) {
			rs_error_set("disclosure control: the published figures are inconsistent");
			rc = RS_EINTERNAL;
		} else {
			*lo = r1 == 1 ? 0 : mn;
			*hi = r2 == 1 ? -1 : mx;
		}
	}
	if (!cache)
		rs_sdc_lpcache_end(&own);
	free(col);
	return rc;
}

int rs_sdc_bounds(const rs_sdc_table *t, int i, double *lo, double *hi)
{
	return rs_sdc_bounds_upto(t, i, lo, hi, 0, NULL);
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
	unsigned char *moves = malloc((size_t)(nu ? nu : 1));
	int rc = det0 && det1 && moves ? rs_sdc_determined(t, col, nu, 0, det0, moves) : RS_ENOMEM;
	if (rc == 0)
		rc = rs_sdc_determined(t, col, nu, 1, det1, NULL);
	int found = 0;
	struct rs_sdc_lpcache lpc = { -1, 0, 0, 0, NULL };
	/* algebra_only: first every figure the elimination alone pins (all of them, no linear
	 * programme); only when there is none, the linear programmes until stop_after. */
	for (int pass = algebra_only ? 0 : 1; pass < 2 && rc == 0 && found == 0; pass++) {
		for (int i = 0; rc == 0 && i < t->n && (pass == 0 || stop_after <= 0 || found < stop_after); i++) {
			if (!rs_sdc_protected(t, i) || !det1[col[i]])
				continue;
			int is_pinned = det0[col[i]];
			if (!is_pinned && ((cleared && cleared[i]) || pass == 0 || moves[col[i]]))
				continue;
			if (!is_pinned) {
				/* Linear algebra cannot clear it (it may be fixed only because some unknown is
				 * 0): ask the adversary's linear programme for its interval. */
				double lo, hi;
				int e = rs_sdc_bounds_upto(t, i, &lo, &hi, 1, &lpc);
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
	rs_sdc_lpcache_end(&lpc);
	free(det0);
	free(det1);
	free(moves);
	free(col);
	return rc != 0 ? rc : found;
}

int rs_sdc_audit(const rs_sdc_table *t, const struct rs_sdc_rules *rules, int *pinned, int npinned)
{
	return rs_sdc_audit_upto(t, rules, pinned, npinned, 0, NULL, 0);
}

/* Which relations hold each entry: relation rel[off[i] .. off[i + 1]) of entry i (built
 * once per protect run: the relations do not change meanwhile). */
struct rs_sdc_inc {
	int *off, *rel;
};

static void rs_sdc_inc_free(struct rs_sdc_inc *x)
{
	free(x->off);
	free(x->rel);
}

static int rs_sdc_inc_build(const rs_sdc_table *t, struct rs_sdc_inc *x)
{
	x->off = calloc((size_t)t->n + 1, sizeof *x->off);
	x->rel = malloc((size_t)(t->nterms ? t->nterms : 1) * sizeof *x->rel);
	if (!x->off || !x->rel) {
		rs_sdc_inc_free(x);
		return RS_ENOMEM;
	}
	for (int q = 0; q < t->nterms; q++)
		x->off[t->terms[q].idx + 1]++;
	for (int i = 0; i < t->n; i++)
		x->off[i + 1] += x->off[i];
	int *fill = malloc((size_t)(t->n ? t->n : 1) * sizeof *fill);
	if (!fill) {
		rs_sdc_inc_free(x);
		return RS_ENOMEM;
	}
	memcpy(fill, x->off, (size_t)t->n * sizeof *fill);
	for (int r = 0; r < t->nrel; r++)
		for (int q = t->rel_off[r]; q < t->rel_off[r + 1]; q++) {
			int i = t->terms[q].idx;
			/* An entry twice in one relation is listed once. */
			if (fill[i] == x->off[i] || x->rel[fill[i] - 1] != r)
				x->rel[fill[i]++] = r;
		}
	/* Close the gaps left by entries listed once for two terms. */
	int w = 0;
	for (int i = 0; i < t->n; i++) {
		int from = x->off[i], to = fill[i];
		x->off[i] = w;
		for (int k = from; k < to; k++)
			x->rel[w++] = x->rel[k];
	}
	x->off[t->n] = w;
	free(fill);
	return 0;
}

/* The cheapest published entry of relation r (inner cells before totals, small before large,
 * zeros last among the cells; never a fixed one) into best / bestcost. */
static void rs_sdc_cheapest(const rs_sdc_table *t, int r, int *best, double *bestcost)
{
	for (int q = t->rel_off[r]; q < t->rel_off[r + 1]; q++) {
		int i = t->terms[q].idx;
		if (rs_sdc_unknown(t, i) || t->e[i].fixed)
			continue;
		/* A published zero is a poor complement: non-negativity pins it at 0 in most sums,
		 * so it would need protecting in turn (the period lattice of stats3 has many):
		 * after every non-zero cell, before the totals. */
		double cost = (double)t->e[i].v + (t->e[i].kind == RS_SDC_TOTAL ? 1e15 : 0) + (t->e[i].v == 0 ? 1e14 : 0);
		if (cost < *bestcost) {
			*bestcost = cost;
			*best = i;
		}
	}
}

/* The published entry to suppress next so that entry p is no longer pinned: the cheapest
 * published entry sharing a relation with p, else one sharing a relation with an unknown of
 * those relations, else any (tables too large for rs_sdc_lp_complements). */
static int rs_sdc_complement(const rs_sdc_table *t, const struct rs_sdc_inc *x, int p)
{
	int best = -1;
	double bestcost = DBL_MAX;
	for (int k = x->off[p]; k < x->off[p + 1]; k++)
		rs_sdc_cheapest(t, x->rel[k], &best, &bestcost);
	for (int k = x->off[p]; best < 0 && k < x->off[p + 1]; k++) {
		int r = x->rel[k];
		for (int q = t->rel_off[r]; q < t->rel_off[r + 1]; q++) {
			int u = t->terms[q].idx;
			if (u == p || !rs_sdc_unknown(t, u))
				continue;
			for (int k2 = x->off[u]; k2 < x->off[u + 1]; k2++)
				rs_sdc_cheapest(t, x->rel[k2], &best, &bestcost);
		}
	}
	for (int r = 0; best < 0 && r < t->nrel; r++)
		rs_sdc_cheapest(t, r, &best, &bestcost);
	return best;
}

/* Complements by linear programming (stats8), the standard remedy for greedy cascades: the
 * cheapest set of published entries near p whose suppression lets entry p move by 1 within
 * non-negativity. Variables y = up - down per entry; every relation holds for y (sum of
 * coef * y = 0: the moved point still adds up), y_p = dir (+1, or -1 when p can go down),
 * down_i <= value_i (nothing below zero), fixed published entries and (for the cost) the
 * published totals cannot or should not move; cost: a published entry's weight (1 + its
 * value, totals far more), unknown entries free. Every published entry the solution moves is
 * held back: together they are a direction along which p (and they) move, so p is no longer
 * pinned. Into set[0 .. *ns - 1]; 0, RS_ESTATE when no such direction exists, or an RS_E code. */
#define RS_SDC_LP_REACH 3     /* relations away from p, in a local table (rs_sdc_local) */
#define RS_SDC_LP_ENTRIES 800 /* entries in one such programme, at most */
static int rs_sdc_lp_complements(const rs_sdc_table *t, const struct rs_sdc_inc *x, int p, int dir, int whole,
                                 int *set, int *ns)
{
	*ns = 0;
	if (dir < 0 && t->e[p].v < 1)
		return RS_ESTATE;
	/* The neighbourhood of p, breadth first through the relations: entries further away do
	 * not move (a solution here is one of the whole table), so the programme stays small
	 * whatever the table's size. */
	int cap = whole ? t->n : RS_SDC_LP_ENTRIES, reach = whole ? t->n : RS_SDC_LP_REACH;
	int *loc = malloc((size_t)t->n * sizeof *loc), *ent = malloc((size_t)(cap + 1) * sizeof *ent);
	int *rels = malloc((size_t)(t->nrel ? t->nrel : 1) * sizeof *rels);
	unsigned char *rseen = calloc((size_t)(t->nrel ? t->nrel : 1), 1);
	if (!loc || !ent || !rels || !rseen) {
		free(loc);
		free(ent);
		free(rels);
		free(rseen);
		return RS_ENOMEM;
	}
	for (int i = 0; i < t->n; i++)
		loc[i] = -1;
	int ne = 0, nr = 0, head = 0;
	loc[p] = ne;
	ent[ne++] = p;
	for (int depth = 0; depth < reach && head < ne; depth++) {
		int end = ne;
		for (; head < end; head++) {
			int e = ent[head];
			for (int k = x->off[e]; k < x->off[e + 1]; k++) {
				int r = x->rel[k];
				if (rseen[r])
					continue;
				rseen[r] = 1;
				rels[nr++] = r;
				for (int q = t->rel_off[r]; q < t->rel_off[r + 1] && ne < cap; q++)
					if (loc[t->terms[q].idx] < 0 && !(t->e[t->terms[q].idx].fixed && !rs_sdc_unknown(t, t->terms[q].idx))) {
						loc[t->terms[q].idx] = ne;
						ent[ne++] = t->terms[q].idx;
					}
			}
		}
	}
	glp_prob *P = glp_create_prob();
	glp_set_obj_dir(P, GLP_MIN);
	glp_add_cols(P, 2 * ne);
	for (int j = 0; j < ne; j++) {
		int i = ent[j], known = !rs_sdc_unknown(t, i);
		double w = !known ? 0 : 1.0 + (double)t->e[i].v * 1e-3 + (t->e[i].kind == RS_SDC_TOTAL ? 1e4 : 0);
		if (known && t->e[i].fixed) { /* cannot move */
			glp_set_col_bnds(P, 1 + j, GLP_FX, 0, 0);
			glp_set_col_bnds(P, 1 + ne + j, GLP_FX, 0, 0);
		} else {
			glp_set_col_bnds(P, 1 + j, GLP_LO, 0, 0);
			glp_set_col_bnds(P, 1 + ne + j, t->e[i].v > 0 ? GLP_DB : GLP_FX, 0, (double)t->e[i].v);
		}
		glp_set_obj_coef(P, 1 + j, w);
		glp_set_obj_coef(P, 1 + ne + j, w);
	}
	/* Every relation that holds an entry of the neighbourhood (its entries outside stay). */
	for (int j = 0; j < ne; j++)
		for (int k = x->off[ent[j]]; k < x->off[ent[j] + 1]; k++)
			if (!rseen[x->rel[k]]) {
				rseen[x->rel[k]] = 1;
				rels[nr++] = x->rel[k];
			}
	glp_add_rows(P, nr + 1);
	int nz = 2;
	for (int m = 0; m < nr; m++)
		nz += 2 * (t->rel_off[rels[m] + 1] - t->rel_off[rels[m]]);
	int *ia = malloc((size_t)(nz + 1) * sizeof *ia), *ja = malloc((size_t)(nz + 1) * sizeof *ja);
	double *ar = malloc((size_t)(nz + 1) * sizeof *ar);
	int rc = ia && ja && ar ? 0 : RS_ENOMEM, k = 0;
	for (int m = 0; rc == 0 && m < nr; m++) {
		int r = rels[m];
		glp_set_row_bnds(P, 1 + m, GLP_FX, 0, 0);
		for (int q = t->rel_off[r]; q < t->rel_off[r + 1]; q++) {
			int j = loc[t->terms[q].idx];
			if (j < 0)
				continue;
			++k, ia[k] = 1 + m, ja[k] = 1 + j, ar[k] = t->terms[q].coef;
			++k, ia[k] = 1 + m, ja[k] = 1 + ne + j, ar[k] = -t->terms[q].coef;
		}
	}
	if (rc == 0) {
		glp_set_row_bnds(P, 1 + nr, GLP_FX, dir, dir);
		++k, ia[k] = 1 + nr, ja[k] = 1, ar[k] = 1; /* p is column 0 */
		++k, ia[k] = 1 + nr, ja[k] = 1 + ne, ar[k] = -1;
		glp_load_matrix(P, k, ia, ja, ar);
		glp_smcp parm;
		glp_init_smcp(&parm);
		parm.msg_lev = GLP_MSG_OFF;
		parm.presolve = GLP_ON;
		int ret = glp_simplex(P, &parm);
		if (ret == GLP_ENOPFS || ret == GLP_ENODFS || (ret == 0 && glp_get_status(P) != GLP_OPT))
			rc = RS_ESTATE;
		else if (ret != 0) {
			rs_error_set("disclosure control: the linear programme failed (GLPK %d)", ret);
			rc = RS_EINTERNAL;
		}
	}
	for (int j = 0; rc == 0 && j < ne; j++)
		if (!rs_sdc_unknown(t, ent[j]) && glp_get_col_prim(P, 1 + j) + glp_get_col_prim(P, 1 + ne + j) > 1e-7)
			set[(*ns)++] = ent[j];
	free(ia);
	free(ja);
	free(ar);
	free(loc);
	free(ent);
	free(rels);
	free(rseen);
	glp_delete_prob(P);
	return rc;
}

/* Mark the relations that hold entry i. */
static void rs_sdc_touch(const struct rs_sdc_inc *x, int i, unsigned char *touched)
{
	for (int k = x->off[i]; k < x->off[i + 1]; k++)
		touched[x->rel[k]] = 1;
}

/* Does a marked relation hold entry i? */
static int rs_sdc_touched(const struct rs_sdc_inc *x, int i, const unsigned char *touched)
{
	for (int k = x->off[i]; k < x->off[i + 1]; k++)
		if (touched[x->rel[k]])
			return 1;
	return 0;
}

/* Entries that fixed published figures determine by themselves — the only entry of a relation
 * not known, e.g. a filter's slice cell that is the whole's when one slice holds it — are
 * fixed published in turn (until none is left): their value is out already, holding them
 * back protects nothing, and secondary suppression would pick them as complements in vain
 * (stats8). A hidden entry so determined is known too, for what it determines in turn (a
 * slice's month is its quarter's total when it is the quarter's only month: stats9), but
 * stays hidden; so are the parts of a known total that its known parts add up to (each is
 * 0). Small counts stay as they are: the audit judges them (a small count so implied is
 * pinned, and the table refused). */
static void rs_sdc_fix_implied(rs_sdc_table *t)
{
	unsigned char *known = calloc((size_t)(t->n ? t->n : 1), 1);
	if (!known)
		return; /* out of memory: nothing implied (the protection may then refuse the table) */
	for (int i = 0; i < t->n; i++)
		known[i] = t->e[i].fixed && t->e[i].state == RS_SDC_PUBLISHED && t->e[i].kind != RS_SDC_HIDDEN;
	for (int changed = 1; changed;) {
		changed = 0;
		for (int r = 0; r < t->nrel; r++) {
			int open = -1, n = 0, parts = 1;
			long long rest = 0;
			for (int q = t->rel_off[r]; q < t->rel_off[r + 1]; q++) {
				int i = t->terms[q].idx;
				if (known[i])
					continue;
				if (open != i)
					n++;
				open = i;
				parts &= t->terms[q].coef > 0;
				rest += t->e[i].v;
			}
			if (n > 1 && parts && rest == 0) {
				/* Parts of a known total that the known parts add up to: every one is 0 (none is
				 * negative), and known so. */
				for (int q = t->rel_off[r]; q < t->rel_off[r + 1]; q++) {
					int i = t->terms[q].idx;
					if (known[i])
						continue;
					known[i] = 1;
					changed = 1;
					if (t->e[i].kind != RS_SDC_HIDDEN && !t->e[i].fixed && !rs_sdc_small(0, t->k, t->allow_zero)) {
						t->e[i].state = RS_SDC_PUBLISHED;
						t->e[i].fixed = 1;
					}
				}
				continue;
			}
			if (n != 1)
				continue;
			if (t->e[open].kind == RS_SDC_HIDDEN) {
				known[open] = 1;
				changed = 1;
			} else if (!t->e[open].fixed && !rs_sdc_small(t->e[open].v, t->k, t->allow_zero)) {
				t->e[open].state = RS_SDC_PUBLISHED;
				t->e[open].fixed = 1;
				known[open] = 1;
				changed = 1;
			}
		}
	}
	free(known);
}

int rs_sdc_protect(rs_sdc_table *t, const struct rs_sdc_rules *rules)
{
	if (!rules || rules->k < 1) {
		rs_error_set("disclosure control: the threshold must be at least 1");
		return RS_EINVAL;
	}
	t->k = rules->k;
	t->allow_zero = rules->allow_zero;
	rs_sdc_fix_implied(t);
	for (int i = 0; i < t->n; i++) {
		if (t->e[i].kind == RS_SDC_HIDDEN || t->e[i].fixed)
			continue;
		if (t->e[i].state == RS_SDC_PUBLISHED && rs_sdc_small(t->e[i].v, t->k, t->allow_zero))
			t->e[i].state = RS_SDC_PRIMARY;
	}
	unsigned char *cleared = calloc((size_t)(t->n ? t->n : 1), 1);
	int *pins = malloc((size_t)(t->n ? t->n : 1) * sizeof *pins);
	unsigned char *touched = calloc((size_t)(t->nrel ? t->nrel : 1), 1);
	int *lpset = malloc((size_t)(t->n ? t->n : 1) * sizeof *lpset);
	struct rs_sdc_inc inc = { NULL, NULL };
	int rc = cleared && pins && touched && lpset ? rs_sdc_inc_build(t, &inc) : RS_ENOMEM;
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
		if (rs_sdc_over(t)) {
			rs_error_set("disclosure control: more than %d figures would be held back", t->max_held);
			rc = RS_ESTATE; /* as good as nothing published: not released */
			break;
		}
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
			if (acted && rs_sdc_touched(&inc, p, touched))
				continue;
			{
				/* A set of complements that frees p: it moves p up (or down). */
				int ns = 0, e = rs_sdc_lp_complements(t, &inc, p, +1, !t->local, lpset, &ns);
				if (e == RS_ESTATE)
					e = rs_sdc_lp_complements(t, &inc, p, -1, !t->local, lpset, &ns);
				if (e != 0 && e != RS_ESTATE) {
					rc = e;
					break;
				}
				if (e == 0 && ns > 0) {
					for (int q = 0; q < ns; q++) {
						t->e[lpset[q]].state = RS_SDC_SECONDARY;
						rs_sdc_touch(&inc, lpset[q], touched);
					}
					rs_sdc_touch(&inc, p, touched);
					acted++;
					continue;
				}
			}
			int c = rs_sdc_complement(t, &inc, p);
			if (c < 0) {
				if (acted)
					continue;
				/* Everything published is already suppressed: nothing more can be done. */
				rs_error_set("disclosure control: cannot protect entry %d", p);
				rc = RS_ESTATE; /* a property of the figures, not a fault */
				break;
			}
			t->e[c].state = RS_SDC_SECONDARY;
			rs_sdc_touch(&inc, p, touched);
			rs_sdc_touch(&inc, c, touched);
			acted++;
		}
	}
	free(cleared);
	free(pins);
	free(touched);
	free(lpset);
	rs_sdc_inc_free(&inc);
	glp_free_env();
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
