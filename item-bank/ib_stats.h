/* Pool health for the agency's statistics (item-bank/store_stats.c): items per lifecycle
 * status, how many have been shown, calibration responses, pretest items ready for
 * calibration, items flagged by the latest recorded DIF or drift analysis, and the exposure
 * distribution of operational items. Counts of items, not of
 * people (the statistics layer releases them without suppression). */
#ifndef IB_STATS_H
#define IB_STATS_H

#include "rs_db.h"

#define IB_STATS_READY_N 200 /* responses a pretest item needs before it is calibrated */
#define IB_STATS_EXPOSURE_BANDS 6 /* exposure counts 0, 1-9, 10-99, 100-999, 1000-9999, 10000+ */

struct ib_stats_status {
	char status[16];     /* draft | review | pretest | operational | retired */
	long long items;
	long long used;      /* exposure count > 0 */
	long long exposures; /* sum of exposure counts */
	long long ready;     /* with >= IB_STATS_READY_N calibration responses */
	long long flagged_dif;   /* latest recorded DIF result flags it (ETS B or C; ib_store_analysis_record) */
	long long flagged_drift; /* latest recorded drift result flags it */
};

/* One row per status present, in lifecycle order, for exam (NULL = every exam); *out
 * malloc'd (free); as_of (>= 40 bytes) = now (live). */
int ib_stats_pool(struct ib_stats_status **out, int *n, char *as_of, rs_db *db, const char *exam);

/* Operational items of exam (NULL = all) per exposure band. */
int ib_stats_exposure(long long bands[IB_STATS_EXPOSURE_BANDS], rs_db *db, const char *exam);

#endif
