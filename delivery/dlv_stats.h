/* Exam statistics for the agency's published tables: sums over the partial aggregates of
 * bookings and results (exam.stats_cube, delivery/store_stats.c). No disclosure control
 * here: these are raw counts for the statistics layer (stats/), which protects every table
 * it releases. */
#ifndef DLV_STATS_H
#define DLV_STATS_H

#include "rs_db.h"

/* What a table is grouped by. DLV_STATS_TOTAL: one row, key "". */
enum dlv_stats_dim {
	DLV_STATS_TOTAL, DLV_STATS_WINDOW, DLV_STATS_MONTH, DLV_STATS_CENTRE, DLV_STATS_PREFECTURE,
	DLV_STATS_AGE, DLV_STATS_OCCUPATION, DLV_STATS_INDUSTRY, DLV_STATS_EMPLOYER, DLV_STATS_ATTEMPT,
};

/* Filters; NULL = any. Months are first days "YYYY-MM-01" (inclusive); prefecture is the
 * candidate's JIS X 0401 code ("" = not answered). */
struct dlv_stats_filter {
	const char *from_month, *to_month, *exam, *centre, *prefecture;
};

#define DLV_STATS_BANDS 10 /* scaled score histogram: 0-99, 100-199, ..., 900-1000 */

struct dlv_stats_row {
	char key[40];     /* the group's code: window id, YYYY-MM, centre code, prefecture code, age band, ... */
	char label[208];  /* data's own name where there is one (window and centre names), else "" */
	long long applicants, examinees, passers;
	double sum_scaled, sumsq_scaled;
	long long hist[DLV_STATS_BANDS];
};

/* The groups of dim under the filters, ordered by key; *out is malloc'd (free), *n rows,
 * as_of (>= 40 bytes) the time the aggregates were refreshed ("" when never). */
int dlv_stats_exam(struct dlv_stats_row **out, int *n, char *as_of, rs_db *db, enum dlv_stats_dim dim,
                   const struct dlv_stats_filter *f);

/* The same figures month by month (the statistics layer protects every period of the
 * lattice jointly from them): one row per (month, group) with label = "YYYY-MM", key = the group's
 * key as dlv_stats_exam gives it ("" for DLV_STATS_MONTH and DLV_STATS_TOTAL) and every
 * figure of dlv_stats_exam. *out malloc'd (free). */
int dlv_stats_exam_months(struct dlv_stats_row **out, int *n, rs_db *db, enum dlv_stats_dim dim,
                          const struct dlv_stats_filter *f);

/* The exams with figures in the cube (key = exam code, ordered), for the statistics layer's
 * exam filter (its slices, stats7). *out malloc'd (free). */
int dlv_stats_exams(struct dlv_stats_row **out, int *n, rs_db *db);

/* When exam.stats_cube was last refreshed: *stamp in microseconds since the epoch (0 = never)
 * and as_of (>= 40 bytes; "" = never). The cube changes only in a refresh, which commits a
 * new stamp with it: the stamp identifies the cube's content. */
int dlv_stats_exam_stamp(long long *stamp, char *as_of, rs_db *db);

/* Recompute the aggregates from bookings and results (the job; concurrent reads go on). */
int dlv_stats_refresh(rs_db *db);

#endif
