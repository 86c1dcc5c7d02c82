/* Register statistics for the agency's published tables: sums over the partial aggregates
 * of the register (registry.stats_cube, registry/store_stats.c). Raw counts: the
 * statistics layer (stats/) applies disclosure control to every table it releases. */
#ifndef REG_STATS_H
#define REG_STATS_H

#include "rs_db.h"

enum reg_stats_dim {
	REG_STATS_TOTAL, REG_STATS_REG_DATE, REG_STATS_PREFECTURE, REG_STATS_INDUSTRY, REG_STATS_AGE,
	REG_STATS_PASS_YEAR,
};

struct reg_stats_row {
	char key[40];           /* registration date, prefecture code, JSIC letter, age band, pass year; "" = not answered */
	long long live;         /* on the register now (active or suspended), whatever the period */
	long long registered;   /* registrations dated in the period */
	long long renewals, lapses, cancellations; /* events in the period */
	char month[8];          /* "YYYY-MM" (reg_stats_register_months only) */
};

/* The groups of dim for months from..to ("YYYY-MM-01", inclusive, NULL = open) and one
 * prefecture (NULL = all). *out malloc'd (free), *n rows ordered by key; as_of (>= 40 bytes)
 * the refresh time of the aggregates ("" when never). */
int reg_stats_register(struct reg_stats_row **out, int *n, char *as_of, rs_db *db, enum reg_stats_dim dim,
                       const char *from_month, const char *to_month, const char *prefecture);

/* The same events month by month (the statistics layer protects every period of the lattice
 * jointly from them): one row per (month, group) with any registration, renewal, lapse or
 * cancellation dated in it, for one prefecture (NULL = all); live is 0 (a snapshot, not
 * dated: reg_stats_register gives it). *out malloc'd (free), ordered by month and key. */
int reg_stats_register_months(struct reg_stats_row **out, int *n, rs_db *db, enum reg_stats_dim dim,
                              const char *prefecture);

/* The aggregates' stamp (refresh time in microseconds; 0 when never refreshed) and as_of
 * (>= 40 bytes, "" when never): a release computed from them stays true while the stamp
 * does. Read it before the figures. */
int reg_stats_stamp(long long *stamp, char *as_of, rs_db *db);

/* Recompute the aggregates (the job; concurrent reads go on). */
int reg_stats_refresh(rs_db *db);

#endif
