/* Private to stats/: the dated tables' protected joint tables kept by the job (schema stats,
 * migrations 0072, 0073; st_store.c, the only SQL of this module). A kept table is used only
 * while its stamp is its aggregates' (dlv_stats_exam_stamp for exam_ tables, reg_stats_stamp
 * for register_ tables): they change only in a refresh, which commits a new stamp, and the
 * job protects the tables again right after it. */
#ifndef ST_STORE_H
#define ST_STORE_H

#include <jansson.h>

#include "rs_db.h"
#include "rs_sdc.h"

/* The kept joint table of table under the filters exam, centre, prefecture ("" = any) and the
 * rules, computed from the cube of stamp: a new reference, or NULL when none is kept for
 * exactly these inputs (or the read failed: the caller computes it). */
json_t *st_store_joint_get(rs_db *db, const char *table, const char *exam, const char *centre, const char *prefecture,
                           const struct rs_sdc_rules *rules, long long stamp);
/* Keep joint for these inputs (replacing what was kept for them); figures = a hash of the
 * month figures it was computed from. 0 or the errors of rs_db_exec. */
int st_store_joint_put(rs_db *db, const char *table, const char *exam, const char *centre, const char *prefecture,
                       const struct rs_sdc_rules *rules, long long stamp, long long figures, const json_t *joint);
/* When the table kept for these inputs was computed from the same figures (hash), give it
 * the new stamp instead of protecting it again: *kept = 1; else 0. 0 or the errors of rs_db_exec. */
int st_store_joint_restamp(int *kept, rs_db *db, const char *table, const char *exam, const char *centre,
                           const char *prefecture, const struct rs_sdc_rules *rules, long long stamp, long long figures);
/* Forget every joint table of the tables named prefix... ("exam_", "register_") not computed
 * from the aggregates of stamp. */
int st_store_joint_prune(rs_db *db, const char *prefix, long long stamp);

#endif
