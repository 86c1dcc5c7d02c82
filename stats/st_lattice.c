/* The period lattice and a table's joint table over it, protected as one (st_lattice.h). */
#include "st_lattice.h"

#include "rs_error.h"
#include "rs_msg.h"

#include <stdlib.h>
#include <string.h>

void st_period_months(int p, int *lo, int *hi)
{
	if (p == 0) {
		*lo = 0;
		*hi = 11;
	} else if (p <= 2) {
		*lo = (p - 1) * 6;
		*hi = *lo + 5;
	} else {
		*lo = (p - 3) * 3;
		*hi = *lo + 2;
	}
}

void st_fiscal_of(const char *month, int *fy, int *fm)
{
	int y = atoi(month), m = (month[5] - '0') * 10 + (month[6] - '0');
	*fy = m >= 4 ? y : y - 1;
	*fm = m >= 4 ? m - 4 : m + 8;
}

int st_protect(rs_sdc_table *t, const struct rs_sdc_rules *rules)
{
	int rc = rs_sdc_protect(t, rules);
	int pinned = rc == 0 ? rs_sdc_audit(t, rules, NULL, 0) : 0;
	if (rc == RS_ESTATE || pinned > 0) {
		rs_error_msg("stats5.not_releasable", NULL);
		return RS_ESTATE;
	}
	return rc != 0 ? rc : pinned;
}

static int st_period_has(const struct st_period *q, int fy, int fm)
{
	if (q->fy < 0)
		return 1;
	int lo, hi;
	st_period_months(q->p, &lo, &hi);
	return fy == q->fy && fm >= lo && fm <= hi;
}

static int st_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int st_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct st_lat {
	const struct st_lat_spec *s;
	rs_sdc_table *t;
	struct st_period *per;
	int np;
	const char **groups; /* sorted keys */
	int ng;
	int *idx;           /* [cell * nc + c]; cell = P * (ng + 1) + g, g = ng: the period's total */
	int *meas;          /* [cell * nm + m] */
	unsigned char *has; /* [cell]: the group has figures in the period */
	long long *v;       /* [cell * nc + c] */
	double *sum;        /* [cell] */
	int hidden;         /* a hidden slice of a star: every entry a hidden complement */
	int full;           /* a slice with the halves and quarters: their groups hidden (st_lat_build) */
};

/* The slice's own arrays (the disclosure-control table is the star's). */
static void st_lat_free(struct st_lat *j)
{
	free(j->per);
	free(j->groups);
	free(j->idx);
	free(j->meas);
	free(j->has);
	free(j->v);
	free(j->sum);
}

static int st_lat_group(const struct st_lat *j, const char *key)
{
	const char **hit = bsearch(&key, j->groups, (size_t)j->ng, sizeof *j->groups, st_cmp_str);
	return hit ? (int)(hit - j->groups) : -1;
}

static int st_lat_kind(const struct st_lat_spec *s, int c, int total)
{
	int k = s->kinds ? s->kinds[c] : c < s->npub ? RS_SDC_CELL : RS_SDC_HIDDEN;
	return k == RS_SDC_HIDDEN ? RS_SDC_HIDDEN : total ? RS_SDC_TOTAL : k;
}

/* The entries of one cell, its inner relations and measures (unreleased: every entry a
 * hidden complement). */
static int st_lat_cell_add(struct st_lat *j, size_t at, int total, int unreleased)
{
	const struct st_lat_spec *s = j->s;
	int *x = &j->idx[at * (size_t)s->nc];
	for (int c = 0; c < s->nc; c++)
		if ((x[c] = rs_sdc_add(j->t, j->v[at * (size_t)s->nc + (size_t)c],
		                       j->hidden || unreleased ? RS_SDC_HIDDEN : st_lat_kind(s, c, total))) < 0)
			return RS_ENOMEM;
	return s->cell ? s->cell(j->t, x, &j->meas[at * (size_t)(s->nm ? s->nm : 1)]) : 0;
}

/* Build (not yet protected) into t the joint table of the atoms of one slice; all time is in
 * it even without data. A flat spec has all time only; a star's slices (slice > 0) all time
 * and the fiscal years, the whole every period of the lattice. A full slice has every period
 * too, its halves' and quarters' groups hidden (never released) and their totals not: a
 * linked table publishes them (exam_by_centre's row for a quarter is a centre's slice's
 * total for it; with the months as groups it differences the slice's months, stats9). */
static int st_lat_build(struct st_lat *j, const struct st_lat_spec *s, const struct st_lat_atom *atoms, int na,
                        int slice, int hidden, int full, rs_sdc_table *t)
{
	memset(j, 0, sizeof *j);
	j->s = s;
	j->t = t;
	j->hidden = hidden;
	j->full = full;
	if (s->nc < 1 || s->nc > ST_LAT_MAXC || s->npub > s->nc) {
		rs_error_set("statistics: a joint table of %d columns", s->nc);
		return RS_EINVAL;
	}
	/* Fiscal years and groups. */
	int years[64], ny = 0;
	j->groups = calloc((size_t)na + 1, sizeof *j->groups);
	if (!j->groups)
		return RS_ENOMEM;
	for (int i = 0; i < na; i++) {
		int fy = 0, fm = 0, seen = s->flat;
		if (atoms[i].slice != slice)
			continue;
		if (!s->flat)
			st_fiscal_of(atoms[i].month, &fy, &fm);
		for (int y = 0; y < ny; y++)
			seen |= years[y] == fy;
		if (!seen) {
			if (ny == 64) {
				rs_error_set("statistics: more than 64 fiscal years");
				return RS_EINVAL;
			}
			years[ny++] = fy;
		}
		j->groups[j->ng++] = atoms[i].group;
	}
	qsort(years, (size_t)ny, sizeof *years, st_cmp_int); /* the same table whichever period is asked */
	qsort(j->groups, (size_t)j->ng, sizeof *j->groups, st_cmp_str);
	int ng = 0, nc = s->nc;
	for (int i = 0; i < j->ng; i++)
		if (ng == 0 || strcmp(j->groups[ng - 1], j->groups[i]) != 0)
			j->groups[ng++] = j->groups[i];
	j->ng = ng;
	j->np = 1 + ny * ST_PER_YEAR;
	size_t cells = (size_t)j->np * (size_t)(ng + 1);
	j->per = calloc((size_t)j->np, sizeof *j->per);
	j->idx = calloc(cells * (size_t)nc, sizeof *j->idx);
	j->meas = calloc(cells * (size_t)(s->nm ? s->nm : 1), sizeof *j->meas);
	j->has = calloc(cells, 1);
	j->v = calloc(cells * (size_t)nc, sizeof *j->v);
	j->sum = calloc(cells, sizeof *j->sum);
	int *parts = calloc((size_t)(ng > ny ? ng : ny) + 1, sizeof *parts);
	int rc = j->per && j->idx && j->meas && j->has && j->v && j->sum && j->t && parts ? 0 : RS_ENOMEM;
	if (rc != 0)
		goto done;
	j->per[0] = (struct st_period){ -1, 0 };
	for (int y = 0; y < ny; y++)
		for (int q = 0; q < ST_PER_YEAR; q++)
			j->per[1 + y * ST_PER_YEAR + q] = (struct st_period){ years[y], q };
	for (int i = 0; i < na; i++) {
		if (atoms[i].slice != slice)
			continue;
		int fy = 0, fm = 0, g = st_lat_group(j, atoms[i].group);
		if (!s->flat)
			st_fiscal_of(atoms[i].month, &fy, &fm);
		for (int P = 0; P < j->np; P++) {
			if (!st_period_has(&j->per[P], fy, fm) || (slice > 0 && !full && j->per[P].p != 0))
				continue; /* a star's slices: all time and the fiscal years only */
			for (int tot = 0; tot < 2; tot++) { /* the group, and the period's total */
				size_t at = (size_t)P * (size_t)(ng + 1) + (size_t)(tot ? ng : g);
				for (int c = 0; c < nc; c++)
					j->v[at * (size_t)nc + (size_t)c] += atoms[i].v[c];
				j->sum[at] += atoms[i].sum;
				j->has[at] = 1;
			}
		}
	}
	for (int P = 0; rc == 0 && P < j->np; P++) {
		/* A period without data is in the table only when it is all time (its total is 0 and
		 * relates to nothing: a parent sums the children that have data). */
		size_t base = (size_t)P * (size_t)(ng + 1), tot = base + (size_t)ng;
		if (!j->has[tot] && P != 0)
			continue;
		for (int g = 0; rc == 0 && g <= ng; g++) {
			if (g == ng)
				j->has[base + (size_t)g] = 1;
			if (j->has[base + (size_t)g])
				rc = st_lat_cell_add(j, base + (size_t)g, g == ng, slice > 0 && j->per[P].p != 0 && g < ng);
		}
		/* The period's column totals: its groups partition it. */
		for (int c = 0; rc == 0 && c < nc; c++) {
			int k = 0;
			for (int g = 0; g < ng; g++)
				if (j->has[base + (size_t)g])
					parts[k++] = j->idx[(base + (size_t)g) * (size_t)nc + (size_t)c];
			if (k > 0)
				rc = rs_sdc_relate(j->t, j->idx[tot * (size_t)nc + (size_t)c], parts, k);
		}
	}
	/* The lattice: a parent period = the sum of its children, per group (and the total) and
	 * column. Children of all time: the years; of a year: H1, H2; of H1: Q1, Q2; of H2: Q3, Q4. */
	for (int P = 0; rc == 0 && P < j->np; P++) {
		int kids[64], nk = 0;
		if (P == 0)
			for (int y = 0; y < ny; y++)
				kids[nk++] = 1 + y * ST_PER_YEAR;
		else if (j->per[P].p <= 2) {
			int base = P - j->per[P].p, first = j->per[P].p == 0 ? 1 : j->per[P].p == 1 ? 3 : 5;
			kids[nk++] = base + first;
			kids[nk++] = base + first + 1;
		}
		for (int g = 0; rc == 0 && nk > 0 && g <= ng; g++) {
			size_t at = (size_t)P * (size_t)(ng + 1) + (size_t)g;
			if (!j->has[at])
				continue;
			for (int c = 0; rc == 0 && c < nc; c++) {
				int k = 0;
				for (int q = 0; q < nk; q++) {
					size_t kid = (size_t)kids[q] * (size_t)(ng + 1) + (size_t)g;
					if (j->has[kid])
						parts[k++] = j->idx[kid * (size_t)nc + (size_t)c];
				}
				if (k > 0)
					rc = rs_sdc_relate(j->t, j->idx[at * (size_t)nc + (size_t)c], parts, k);
			}
		}
	}
done:
	free(parts);
	return rc;
}

/* The kept form (st_lat_protected). NULL when memory runs out. */
static json_t *st_lat_json(const struct st_lat *j)
{
	const struct st_lat_spec *s = j->s;
	json_t *doc = json_object(), *groups = json_array(), *periods = json_array(), *cells = json_array();
	if (!doc || !groups || !periods || !cells) {
		json_decref(doc);
		json_decref(groups);
		json_decref(periods);
		json_decref(cells);
		return NULL;
	}
	json_object_set_new(doc, "groups", groups);
	json_object_set_new(doc, "periods", periods);
	json_object_set_new(doc, "cells", cells);
	for (int g = 0; g < j->ng; g++)
		json_array_append_new(groups, json_string(j->groups[g]));
	int fail = 0;
	for (int P = 0; P < j->np; P++) {
		size_t base = (size_t)P * (size_t)(j->ng + 1);
		if (!j->has[base + (size_t)j->ng] || (j->full && j->per[P].p != 0))
			continue; /* a full slice's halves and quarters are not released */
		fail |= json_array_append_new(periods, json_pack("[i, i]", j->per[P].fy, j->per[P].p));
		json_t *row = json_array();
		for (int g = 0; row && g <= j->ng; g++) {
			size_t at = base + (size_t)g;
			if (!j->has[at]) {
				fail |= json_array_append_new(row, json_null());
				continue;
			}
			json_t *c = json_array();
			const int *x = &j->idx[at * (size_t)s->nc];
			for (int k = 0; k < s->npub; k++)
				fail |= json_array_append_new(c, json_integer((json_int_t)rs_sdc_value(j->t, x[k])));
			for (int k = 0; k < s->npub; k++)
				fail |= json_array_append_new(c, json_integer((json_int_t)rs_sdc_state(j->t, x[k])));
			for (int m = 0; m < s->nm; m++)
				fail |= json_array_append_new(
					c, json_integer((json_int_t)rs_sdc_measure_state(j->t, j->meas[at * (size_t)s->nm + (size_t)m])));
			if (s->with_sum)
				fail |= json_array_append_new(c, json_real(j->sum[at]));
			fail |= json_array_append_new(row, c);
		}
		fail |= json_array_append_new(cells, row);
	}
	if (fail) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* The period index of w's period P in slice j, -1 when the slice has no figures there. */
static int st_lat_period_in(const struct st_lat *j, const struct st_lat *w, int P)
{
	for (int q = 0; q < j->np; q++)
		if (j->per[q].fy == w->per[P].fy && j->per[q].p == w->per[P].p)
			return j->has[(size_t)q * (size_t)(j->ng + 1) + (size_t)j->ng] ? q : -1;
	return -1;
}

/* Do partition pt's slices have every period (st_lat_build's full)? When its every slice
 * totals a linked table's row, which the linked table publishes for every period. */
static int st_lat_part_full(const struct st_lat_star *star, int pt)
{
	int n = 0;
	for (int s = 1; s < star->ns; s++)
		if (star->part[s] == pt) {
			if (!star->link || !star->link[s])
				return 0;
			n++;
		}
	return n > 0;
}

/* The star's relations: for every partition in use (use[pt]; its slices built), every cell of
 * the whole (a group or a period's total) and column, the whole = the sum of that
 * partition's slices (in all time and the years; in the halves and quarters too when the
 * partition's slices are full). */
static int st_lat_star_relate(struct st_lat *sl, const struct st_lat_star *star, const unsigned char *use)
{
	struct st_lat *w = &sl[0];
	int nc = w->s->nc, rc = 0;
	int *parts = calloc((size_t)star->ns + 1, sizeof *parts);
	int *at = calloc((size_t)star->ns + 1, sizeof *at); /* the slice's period index, or -1 */
	if (!parts || !at)
		rc = RS_ENOMEM;
	for (int P = 0; rc == 0 && P < w->np; P++) {
		size_t wbase = (size_t)P * (size_t)(w->ng + 1);
		if (!w->has[wbase + (size_t)w->ng])
			continue;
		for (int s = 1; s < star->ns; s++)
			at[s] = use[star->part[s]] ? st_lat_period_in(&sl[s], w, P) : -1;
		for (int g = 0; rc == 0 && g <= w->ng; g++) {
			size_t wc = wbase + (size_t)g;
			if (!w->has[wc])
				continue;
			for (int pt = 0; rc == 0 && pt < star->npart; pt++)
				for (int c = 0; rc == 0 && use[pt] && (w->per[P].p == 0 || st_lat_part_full(star, pt)) && c < nc; c++) {
					int k = 0;
					for (int s = 1; s < star->ns; s++) {
						const struct st_lat *j = &sl[s];
						if (star->part[s] != pt || at[s] < 0)
							continue;
						int jg = g == w->ng ? j->ng : st_lat_group(j, w->groups[g]);
						size_t jc = (size_t)at[s] * (size_t)(j->ng + 1) + (size_t)jg;
						if (jg >= 0 && j->has[jc])
							parts[k++] = j->idx[jc * (size_t)nc + (size_t)c];
					}
					rc = rs_sdc_relate(w->t, w->idx[wc * (size_t)nc + (size_t)c], parts, k);
				}
		}
	}
	free(parts);
	free(at);
	return rc;
}

/* The figures a stage of the star may hold back in its slices, at most: each round of the
 * secondary suppression eliminates over what is held back, so this bounds a stage's cost;
 * a partition that needs more is not released (its tables would be mostly x anyway). */
#define ST_STAR_MAX_HELD 2000

/* Fix the npub entries idx[] at the states of a kept cell of another table (st_lat_cell;
 * NULL: nothing; its columns star->link_col, link_npub), where the figures agree. */
static void st_lat_fix_as(rs_sdc_table *t, const int *idx, int npub, const struct st_lat_star *star,
                          const json_t *cell)
{
	size_t at = (size_t)star->link_col, states = (size_t)(star->link_npub ? star->link_npub : npub) + at;
	for (int c = 0; cell && c < npub; c++)
		if (json_integer_value(json_array_get(cell, at + (size_t)c)) == rs_sdc_value(t, idx[c]))
			rs_sdc_fix(t, idx[c], (enum rs_sdc_state)json_integer_value(json_array_get(cell, states + (size_t)c)));
}

/* Slice j's totals (all time, each fiscal year) at the states of row key of the kept joint
 * table link, fixed (st_lat_star's link); with cross (st_lat_star's cross), each group g's
 * cells at the states of row key of cross's member g. */
static void st_lat_link(rs_sdc_table *t, const struct st_lat *j, const struct st_lat_star *star, const json_t *link,
                        const json_t *cross, const char *key)
{
	int npub = j->s->npub, nc = j->s->nc;
	for (int P = 0; P < j->np; P++) {
		size_t base = (size_t)P * (size_t)(j->ng + 1);
		if (!j->has[base + (size_t)j->ng])
			continue;
		int fy = j->per[P].fy, p = j->per[P].p;
		if (link)
			st_lat_fix_as(t, &j->idx[(base + (size_t)j->ng) * (size_t)nc], npub, star,
			              st_lat_cell(link, st_lat_cells(link, fy, p), key));
		for (int g = 0; cross && p == 0 && g < j->ng; g++) { /* a half's or quarter's are hidden */
			const json_t *other = json_object_get(cross, j->groups[g]);
			if (other && j->has[base + (size_t)g])
				st_lat_fix_as(t, &j->idx[(base + (size_t)g) * (size_t)nc], npub, star,
				              st_lat_cell(other, st_lat_cells(other, fy, p), key));
		}
	}
}

/* One stage of the star (st_lat_star_protected): the whole and the slices of the partitions
 * in use, in one table t; the whole's entries and those of the slices decided before fixed
 * at their states (held[s], NULL = not decided yet). Entries of slice s: off[s] .. off[s] +
 * cnt[s]. */
static int st_lat_stage(rs_sdc_table *t, struct st_lat *sl, const struct st_lat_spec *spec,
                        const struct st_lat_atom *atoms, int na, const struct st_lat_star *star,
                        const unsigned char *use, const rs_sdc_table *whole, unsigned char **held, int *off, int *cnt)
{
	int rc = 0;
	for (int s = 0; rc == 0 && s < star->ns; s++) {
		if (s > 0 && !use[star->part[s]])
			continue;
		int hidden = s > 0 && star->hidden && star->hidden[s];
		off[s] = rs_sdc_count(t);
		rc = st_lat_build(&sl[s], spec, atoms, na, s, hidden, s > 0 && st_lat_part_full(star, star->part[s]), t);
		cnt[s] = rs_sdc_count(t) - off[s];
	}
	if (rc == 0)
		rc = st_lat_star_relate(sl, star, use);
	for (int i = 0; rc == 0 && i < rs_sdc_count(whole); i++) /* the whole's entries come first */
		rs_sdc_fix(t, i, rs_sdc_state(whole, i));
	for (int s = 1; rc == 0 && s < star->ns; s++)
		for (int i = 0; held[s] && i < cnt[s]; i++)
			rs_sdc_fix(t, off[s] + i, (enum rs_sdc_state)held[s][i]);
	for (int s = 1; rc == 0 && star->link_key && s < star->ns; s++) {
		const json_t *link = star->link ? star->link[s] : NULL, *cross = star->cross ? star->cross[s] : NULL;
		if (!held[s] && (link || cross) && use[star->part[s]] && !sl[s].hidden)
			st_lat_link(t, &sl[s], star, link, cross, star->link_key[s]);
	}
	rs_sdc_limit(t, star->max_held > 0 ? star->max_held : ST_STAR_MAX_HELD);
	rs_sdc_local(t);
	return rc;
}

/* The simple joint table: one slice (the whole), or every slice unprotected (raw). */
static int st_lat_plain(json_t **outs, const struct st_lat_spec *spec, const struct st_lat_atom *atoms, int na,
                        const struct st_lat_star *star, const struct rs_sdc_rules *rules, int raw)
{
	rs_sdc_table *t = rs_sdc_new();
	struct st_lat *sl = calloc((size_t)star->ns, sizeof *sl);
	unsigned char *use = calloc((size_t)star->npart + 1, 1);
	int rc = t && sl && use ? 0 : RS_ENOMEM, built = 0;
	for (int pt = 0; use && pt < star->npart; pt++)
		use[pt] = 1;
	for (; rc == 0 && built < star->ns; built++)
		rc = st_lat_build(&sl[built], spec, atoms, na, built, built > 0 && star->hidden && star->hidden[built], 0, t);
	if (rc == 0 && star->ns > 1)
		rc = st_lat_star_relate(sl, star, use);
	if (rc == 0 && !raw && star->totals)
		st_lat_link(t, &sl[0], star, star->totals, NULL, NULL);
	if (rc == 0 && !raw)
		rc = st_protect(t, rules);
	for (int s = 0; rc == 0 && s < star->ns; s++)
		if (!sl[s].hidden && !(outs[s] = st_lat_json(&sl[s]))) {
			rs_error_set("out of memory");
			rc = RS_ENOMEM;
		}
	for (int s = 0; sl && s < built; s++)
		st_lat_free(&sl[s]);
	free(sl);
	free(use);
	rs_sdc_free(t);
	return rc;
}

/* Withhold the slices of partition pt below its mean size (hid[s] = 1): 1 when some are and
 * some are left to release, else 0 (nothing changed). */
static int st_lat_withhold(const struct st_lat_star *star, unsigned char *hid, const long long *size, int pt)
{
	long long sum = 0;
	int n = 0, below = 0;
	for (int s = 1; s < star->ns; s++)
		if (star->part[s] == pt && !hid[s]) {
			sum += size[s];
			n++;
		}
	for (int s = 1; s < star->ns; s++)
		below += star->part[s] == pt && !hid[s] && size[s] * n < sum;
	if (below == 0 || below == n)
		return 0;
	for (int s = 1; s < star->ns; s++)
		if (star->part[s] == pt && !hid[s] && size[s] * n < sum)
			hid[s] = 1;
	return 1;
}

json_t *st_lat_refused(void)
{
	return json_pack("{s:b}", "not_releasable", 1);
}

int st_lat_is_refused(const json_t *joint)
{
	return json_is_true(json_object_get(joint, "not_releasable"));
}

int st_lat_star_protected(json_t **outs, const struct st_lat_spec *spec, const struct st_lat_atom *atoms, int na,
                          const struct st_lat_star *star, const struct rs_sdc_rules *rules, int raw)
{
	for (int s = 0; s < star->ns; s++)
		outs[s] = NULL;
	int rc;
	if (star->ns == 1 || raw) {
		rc = st_lat_plain(outs, spec, atoms, na, star, rules, raw);
		goto out;
	}
	/* The whole first, alone: its release is the unfiltered table's, whoever asks, so the
	 * slices are protected against it as published and never change it (stats8). Then one
	 * partition at a time (the exams, the centres, the prefectures), each protected against
	 * the whole and the partitions released before it, fixed: each stage's audit covers
	 * everything released so far, so the last one proves the lot. A partition that cannot be
	 * protected so (only the whole's figures could protect it, or it would be mostly held
	 * back) is tried once more with its small slices withheld (stats9: below the
	 * partition's mean; their figures become hidden complements, so Tokyo's slice is
	 * released when the small prefectures' cannot be); what still fails is not released
	 * (st_lat_refused: stats5.not_releasable) and not in the later stages. */
	rs_sdc_table *whole = rs_sdc_new();
	struct st_lat *sl = calloc((size_t)star->ns, sizeof *sl);
	unsigned char **held = calloc((size_t)star->ns, sizeof *held), *use = calloc((size_t)star->npart + 1, 1);
	int *off = calloc((size_t)star->ns, sizeof *off), *cnt = calloc((size_t)star->ns, sizeof *cnt);
	unsigned char *hid = calloc((size_t)star->ns, 1); /* the star's hidden slices, and those withheld */
	long long *size = calloc((size_t)star->ns, sizeof *size);
	struct st_lat_star st = *star;
	st.hidden = hid;
	rc = whole && sl && held && use && off && cnt && hid && size ? 0 : RS_ENOMEM;
	for (int s = 0; rc == 0 && s < star->ns; s++)
		hid[s] = s > 0 && star->hidden && star->hidden[s];
	for (int i = 0; rc == 0 && i < na; i++)
		if (atoms[i].slice >= 0 && atoms[i].slice < star->ns)
			size[atoms[i].slice] += atoms[i].v[0];
	if (rc == 0)
		rc = st_lat_build(&sl[0], spec, atoms, na, 0, 0, 0, whole);
	if (rc == 0 && star->totals)
		st_lat_link(whole, &sl[0], star, star->totals, NULL, NULL);
	if (rc == 0)
		rc = st_protect(whole, rules);
	if (rc == 0 && !(outs[0] = st_lat_json(&sl[0])))
		rc = RS_ENOMEM;
	st_lat_free(&sl[0]);
	memset(&sl[0], 0, sizeof sl[0]);
	for (int pt = 0, again = 0; rc == 0 && pt < star->npart; pt += !again) {
		rs_sdc_table *t = rs_sdc_new();
		rc = t ? 0 : RS_ENOMEM;
		for (int s = 1; rc == 0 && !again && s < star->ns; s++) /* refused until its stage releases it */
			if (star->part[s] == pt && !hid[s] && !(outs[s] = st_lat_refused()))
				rc = RS_ENOMEM;
		use[pt] = 1;
		if (rc == 0)
			rc = st_lat_stage(t, sl, spec, atoms, na, &st, use, whole, held, off, cnt);
		int ok = rc == 0 ? st_protect(t, rules) : rc, retry = 0;
		if (ok == RS_ESTATE && !again)
			retry = st_lat_withhold(&st, hid, size, pt);
		if (ok == RS_ESTATE)
			use[pt] = 0; /* this partition is not released (yet) */
		else if (ok != 0)
			rc = ok;
		again = retry;
		for (int s = 1; rc == 0 && use[pt] && s < star->ns; s++) {
			if (star->part[s] != pt)
				continue;
			if (!(held[s] = malloc((size_t)cnt[s] + 1)))
				rc = RS_ENOMEM;
			for (int i = 0; held[s] && i < cnt[s]; i++)
				held[s][i] = (unsigned char)rs_sdc_state(t, off[s] + i);
			if (rc == 0 && !sl[s].hidden) {
				json_decref(outs[s]);
				if (!(outs[s] = st_lat_json(&sl[s])))
					rc = RS_ENOMEM;
			}
		}
		for (int s = 0; s < star->ns; s++)
			if (sl[s].groups)
				st_lat_free(&sl[s]);
		memset(sl, 0, (size_t)star->ns * sizeof *sl);
		rs_sdc_free(t);
	}
	if (rc == RS_ENOMEM)
		rs_error_set("out of memory");
	for (int s = 0; held && s < star->ns; s++)
		free(held[s]);
	free(held);
	free(use);
	free(off);
	free(cnt);
	free(sl);
	free(hid);
	free(size);
	rs_sdc_free(whole);
out:
	if (rc != 0)
		for (int s = 0; s < star->ns; s++) {
			json_decref(outs[s]);
			outs[s] = NULL;
		}
	return rc;
}

int st_lat_protected(json_t **out, const struct st_lat_spec *spec, const struct st_lat_atom *atoms, int na,
                     const struct rs_sdc_rules *rules, int raw)
{
	static const struct st_lat_star whole = { 1, 0, NULL, NULL, NULL, NULL };
	return st_lat_star_protected(out, spec, atoms, na, &whole, rules, raw);
}

const json_t *st_lat_cells(const json_t *joint, int fy, int p)
{
	const json_t *periods = json_object_get(joint, "periods");
	for (size_t P = 0; P < json_array_size(periods); P++) {
		const json_t *q = json_array_get(periods, P);
		if (json_integer_value(json_array_get(q, 0)) == fy && (fy < 0 || json_integer_value(json_array_get(q, 1)) == p))
			return json_array_get(json_object_get(joint, "cells"), P);
	}
	return NULL;
}

const json_t *st_lat_cell(const json_t *joint, const json_t *cells, const char *key)
{
	const json_t *groups = json_object_get(joint, "groups");
	size_t ng = json_array_size(groups);
	if (!cells)
		return NULL;
	if (!key)
		return json_array_get(cells, ng);
	/* The groups are sorted (st_lat_build): a binary search. */
	size_t lo = 0, hi = ng;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(json_string_value(json_array_get(groups, mid)), key);
		if (c == 0) {
			const json_t *cell = json_array_get(cells, mid);
			return json_is_null(cell) ? NULL : cell;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

long long st_lat_hash(const struct st_lat_atom *a, int n)
{
	unsigned long long h = 14695981039346656037ull;
	for (int i = 0; i < n; i++) {
		const unsigned char *parts[] = { (const unsigned char *)a[i].group, (const unsigned char *)a[i].month,
			                             (const unsigned char *)a[i].v, (const unsigned char *)&a[i].sum,
			                             (const unsigned char *)&a[i].slice };
		const size_t lens[] = { strlen(a[i].group) + 1, strlen(a[i].month) + 1, sizeof a[i].v, sizeof a[i].sum,
			                    sizeof a[i].slice };
		for (int p = 0; p < 5; p++)
			for (size_t b = 0; b < lens[p]; b++)
				h = (h ^ parts[p][b]) * 1099511628211ull;
	}
	return (long long)(h >> 1); /* a bigint */
}
