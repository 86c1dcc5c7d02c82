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
	int slice;         /* the slice of a star it belongs to (0: the whole; st_lat_star) */
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
	int flat;                   /* not dated: all time only (the atoms' month is not read) */
};

/* The filter star (stats7, stats8): slice 0 is the whole table; every other slice s is the
 * table under one filter value and belongs to one partition of the whole (part[s], 0 ..
 * npart - 1: the exams, the centres, the prefectures), whose slices add up to the whole in
 * every group and column of all time and of each fiscal year (a slice has no halves or
 * quarters: a filtered table is released by fiscal year). A hidden slice (hidden[s], may be
 * NULL) is in the relations but never released: its figures are hidden complements (the
 * candidates who did not answer their prefecture). */
struct st_lat_star {
	int ns, npart;
	const int *part;             /* [ns]; part[0] unused */
	const unsigned char *hidden; /* [ns] or NULL */
	/* Linked tables (stats8), may be NULL: link[s] the kept joint table of another table
	 * whose row link_key[s] holds slice s's totals (a centre's slice of any exam table totals
	 * what exam_by_centre's row for the centre says): slice s's totals take that row's states,
	 * fixed, so the two releases never differ in what they hold back. */
	const json_t *const *link;
	const char *const *link_key;
	/* Crossed tables (stats9), may be NULL: cross[s] an object whose member g is the kept
	 * joint table of another table's slice that holds slice s's group g in its row
	 * link_key[s] (exam_by_prefecture?centre=C row P is exam_by_centre?prefecture=P row C):
	 * slice s's groups take those states, fixed, so the same figure is held back in both or
	 * in neither. */
	const json_t *const *cross;
	/* The whole's period totals are another table's (every exam table totals the same
	 * sittings, every register table the same registrants), may be NULL: the kept joint
	 * table of that table's whole; the whole's totals take its states, fixed, so no table
	 * publishes a total another holds back (stats9). */
	const json_t *totals;
	/* Where this table's columns are in the cells of link, cross and totals: column c is
	 * their column link_col + c, of link_npub printed ones (0, 0: the same spec). */
	int link_col, link_npub;
	/* Figures a stage may hold back, at most (0: ST_STAR_MAX_HELD, st_lattice.c). */
	int max_held;
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

/* st_lat_protected over a star (atoms carry their slice): outs[0 .. ns - 1] the kept form of
 * each slice. The whole is protected alone first (its release is the unfiltered table's, the
 * same whoever asks); then one partition at a time, its slices protected against the whole
 * and the partitions released before it, all of those fixed at their states, so the last
 * stage's audit covers every slice released. outs[s] is NULL for a hidden slice, and
 * st_lat_refused() for the slices of a partition that cannot be protected so (only the
 * whole's figures could protect it, or it would hold back more than a stage may:
 * ST_STAR_MAX_HELD) — kept like a joint table, so a request for one is answered
 * stats5.not_releasable without protecting the star again. Raw: every slice, nothing
 * protected. The returns of st_protect for the whole. */
int st_lat_star_protected(json_t **outs, const struct st_lat_spec *spec, const struct st_lat_atom *atoms, int na,
                          const struct st_lat_star *star, const struct rs_sdc_rules *rules, int raw);

/* The kept form of a slice that is not released, and the test for it. */
json_t *st_lat_refused(void);
int st_lat_is_refused(const json_t *joint);

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
