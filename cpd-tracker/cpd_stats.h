/* Continuing-training statistics for the agency's tables (cpd-tracker/store_stats.c): the
 * standings of the last renewal job and accepted completions per provider and course kind.
 * Raw counts: the statistics layer (stats/) applies disclosure control. */
#ifndef CPD_STATS_H
#define CPD_STATS_H

#include "rs_db.h"

/* Standings of live registrations as the last job run judged them. */
struct cpd_stats_standing {
	long long on_track, action_needed, overdue, renewable;
	char as_of[40]; /* when that run finished (UTC, ISO 8601), "" when the job never ran */
};

/* 0 (all zero and as_of "" before the first run) or the database error. */
int cpd_stats_standing(struct cpd_stats_standing *out, rs_db *db);

struct cpd_stats_provider {
	char key[24];        /* the provider's id */
	char name_ja[208], name_en[208];
	long long online, practical; /* accepted completions by course kind */
	char month[8];               /* "YYYY-MM" */
};

/* Accepted completions per provider and course kind, month by month (the statistics layer
 * protects every period of the lattice jointly from them): one row per (month, provider) with
 * an accepted completion dated in it, ordered by month and provider id; *out malloc'd (free).
 * Read from cpd.stats_completions (migration 0059): as of its last refresh, as_of (>= 40
 * bytes; "" when never refreshed). */
int cpd_stats_completions_months(struct cpd_stats_provider **out, int *n, char *as_of, rs_db *db);

/* Refresh cpd.stats_completions (the job, riss stats refresh; concurrent reads go on). */
int cpd_stats_refresh(rs_db *db);

#endif
