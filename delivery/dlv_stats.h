/* Statistics of exam results for the agency's statisticians (delivery/store_stats.c). */
#ifndef DLV_STATS_H
#define DLV_STATS_H

#include <jansson.h>

#include "rs_db.h"

#define DLV_STATS_MIN_CELL 5  /* groups with fewer sittings are suppressed (privacy) */

/* Results of finished sittings between from and to (inclusive "YYYY-MM-DD"; NULL = open
 * end): totals, by test centre, by month, and a histogram of scaled scores in bands of 100.
 * Groups with fewer than DLV_STATS_MIN_CELL sittings show only {"suppressed": true}, so no
 * figure describes an identifiable handful of people. The export is audited as actor/role.
 * *out is new (json_decref). RS_EINVAL on a bad date. */
int dlv_stats_results(json_t **out, rs_db *db, const char *from, const char *to,
                      const char *actor, const char *role, const char *request_id);

#endif
