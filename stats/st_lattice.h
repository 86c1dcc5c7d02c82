/* Private to stats/: the period lattice and a table's joint table over it (st_lattice.c).
 *
 * The released ranges are all time or one published period of a fiscal year (April-March):
 * the year, its halves, its quarters. Periods nest only inside this lattice, and every table
 * whose figures are dated is protected jointly over all of it: one disclosure-control table
 * holds every period the data touches, each group's figures in each, the column totals of
 * each period, and for every group and column the lattice's relations (all time = the sum
 * of the years, year = H1 + H2, H1 = Q1 + Q2, H2 = Q3 + Q4). Secondary suppression and the
 * audit run over all of it at once, so whichever periods a reader collects, the published
 * figures never pin a suppressed one; every period's release is a slice of it. */
#ifndef ST_LATTICE_H
#define ST_LATTICE_H

#include <jansson.h>

#include "rs_sdc.h"

/* Index of a period within a year: 0 the year, 1-2 the halves, 3-6 the quarters. */
#define ST_PER_YEAR 7
/* Count columns of a joint table, at most. */
#define ST_LAT_MAXC 8

/* First and last fiscal month (0 = April) of period index p. */
void st_period_months(int p, int *lo, int *hi);
/* Fiscal year and month (0 = April) of "YYYY-MM[-..]". */
void st_fiscal_of(const char *month, int *fy, int *fm);

/* A period of the lattice: fiscal year (-1 = all time) and index within it. */
struct st_period {
	int fy, p;
};

/* One group's figures in one month. */
struct st_lat_atom {
	const char *group; /* the group's key (the joint table orders groups by it) */
	const char *month; /* "YYYY-MM" */
	long long v[ST_LAT_MAXC];
	double sum;        /* carried along per cell, not protected (the exam's sum of scaled scores) */
};

/* The shape of a joint table's cell (one group, or a period's total, in one period). */
struct st_lat_spec {
	int nc;                     /* count columns */
	int npub;                   /* the first npub are printed; the others are hidden complements */
	int nm;                     /* measures per cell */
	int with_sum;               /* the kept form carries the cell's sum */
	const unsigned char *kinds; /* enum rs_sdc_kind of each column in a group's cell (NULL: cells,
	                             * then hidden); a period's total is a total unless hidden */
	/* Relations and measures inside one cell: its columns' entries idx[0..nc-1], measures
	 * into meas[0..nm-1]. NULL: none. 0 or an RS_E* code. */
	int (*cell)(rs_sdc_table *t, const int *idx, int *meas);
};

/* Protect, audit and count what was held back: 0; RS_ESTATE (stats5.not_releasable) when
 * secondary suppression runs out of complements or the audit still pins a figure (the table
 * is not released under these filters: a property of the figures, not a fault); or the
 * errors of rs_sdc_protect. */
int st_protect(rs_sdc_table *t, const struct rs_sdc_rules *rules);

/* The joint table of atoms[0..na-1] under spec, protected unless raw, in its kept form:
 * {"groups": [keys, sorted], "periods": [[fy, p], ...] (the periods with data; all time
 * always), "cells": [per period: ng + 1 entries (the groups, then the period's total), each
 * null (no figures there) or [the npub counts, their states, the measures' states, the sum
 * when with_sum]]}. *out new; 0, RS_ESTATE, RS_ENOMEM, RS_EINVAL. */
int st_lat_protected(json_t **out, const struct st_lat_spec *spec, const struct st_lat_atom *atoms, int na,
                     const struct rs_sdc_rules *rules, int raw);

/* The cells of period (fy, p) (fy -1 = all time) in a kept joint table, NULL when the
 * period has no figures. Borrowed. */
const json_t *st_lat_cells(const json_t *joint, int fy, int p);
/* The cell of group key in cells (NULL: the group has no figures in the period; key NULL:
 * the period's total). Borrowed. */
const json_t *st_lat_cell(const json_t *joint, const json_t *cells, const char *key);

/* FNV-1a over the atoms (a joint table is a function of them): a refresh that leaves them as
 * they were keeps the joint table. A non-negative bigint. */
long long st_lat_hash(const struct st_lat_atom *atoms, int na);

#endif
