/* item-bank: the PostgreSQL store (schema bank, deploy/migrations/0020_bank.sql). All SQL of
 * the item bank lives in item-bank/store*.c. Every public function here runs its own
 * transaction (rs_db_tx); do not call them inside another one. Functions that return item
 * text or keys take the actor and role, refuse non-staff callers (RS_EPERM) and write an
 * audit.events row in the same transaction as the read. */
#ifndef IB_STORE_H
#define IB_STORE_H

#include <stddef.h>

#include "ib_calib.h"
#include "ib_data.h"
#include "ib_items.h"
#include "rs_db.h"

/* Roles that may read item text and keys. The command line acts as "cli" (an operator who
 * holds the database credentials). */
int ib_store_role_may_read(const char *role);

struct ib_store_import_stats {
	size_t items_new, items_updated, items_same;
	size_t scenarios_new, scenarios_updated, scenarios_same;
	size_t params_new;         /* items whose active parameters changed */
	size_t transitions;        /* lifecycle steps recorded */
};

/* Import a validated item set (ib_items_parse with IB_ITEMS_ENEMY_EXTERNAL) in one
 * transaction. Rules checked against the bank: a stored item or scenario is only changed by
 * the same or a higher version; stem/options/key/scenario only change with a higher version;
 * a status change must be a legal lifecycle step (recorded with actor and time); enemy ids
 * must exist. Every problem goes into *diags (caller-initialised, zeros) with its line and
 * nothing is imported (RS_EINVAL). Re-importing the same file changes nothing. Enemy pairs
 * that touch an item of the file are replaced by the file's pairs; parameters present in
 * the file become the active ones when they differ (as a calibration run with source
 * "import"); absent parameters leave the active ones alone. Audit: bank.items.import. */
int ib_store_import(struct ib_store_import_stats *out, rs_db *db, const char *actor, const char *role,
                    const struct ib_itemset *set, struct ib_diags *diags);

/* Export items (all, or those with status `status`; NULL = all) with their scenarios, active
 * parameters and enemies, as a new item set (ib_itemset_free) with the meta record when they
 * all belong to one exam that has a stored title. Audited (bank.items.export, with the ids). */
int ib_store_export(struct ib_itemset **out, rs_db *db, const char *actor, const char *role,
                    const char *status, const char *request_id);

/* One item (text, key, active parameters, enemies). RS_ENOTFOUND when absent. Audited
 * (bank.item.read). *out is new (ib_item_clear + free). */
int ib_store_item_get(struct ib_item **out, rs_db *db, const char *actor, const char *role, const char *id,
                      const char *request_id);

/* Move an item one lifecycle step (draft -> review -> pretest -> operational -> retired, or
 * back review -> draft, pretest -> review, or retire early). RS_ESTATE for an illegal step
 * or when operational is asked of an item without active parameters; RS_ENOTFOUND.
 * Records who and when (bank.transitions) and an audit row (bank.item.transition). */
int ib_store_transition(rs_db *db, const char *actor, const char *role, const char *id, const char *to_status,
                        const char *note, const char *request_id);

/* One lifecycle step as recorded. */
struct ib_store_step {
	char from[16];             /* "" when the item entered the bank */
	char to[16];
	char actor[201];
	char at[40];               /* ISO 8601 */
};
/* The lifecycle history of an item, oldest first. *out is new (free()). */
int ib_store_history(struct ib_store_step **out, size_t *out_n, rs_db *db, const char *id);

/* What the engine's bank file needs of an item (no text, no key). */
struct ib_pub_item {
	char id[65];
	char domain[24];
	char part[2];
	char status[16];           /* operational or pretest */
	int has_params;
	struct ib_item_params params;
	char enemy_set[48];        /* "" or its enemy group, "E00001" ... numbered by smallest id */
};
/* Operational and pretest items of an exam with their active parameters, in id order; items
 * connected by enemy pairs share one enemy_set. *out is new (free()). */
int ib_store_publishable(struct ib_pub_item **out, size_t *out_n, rs_db *db, const char *exam);

/* Add n administrations to an item's exposure count. */
int ib_store_exposure_add(rs_db *db, const char *id, long long n);

/* Record one scored response (person = exam session id). RS_EEXIST when that person already
 * answered that item. */
int ib_store_response_add(rs_db *db, const char *person, const char *id, int score);

/* Load stored responses (of items of `exam`, NULL = all) into the calibration data layout
 * (ib_data.h; persons and items in id order). RS_EINVAL "no stored responses" when empty.
 * *out is new (ib_data_free). */
int ib_store_responses_load(struct ib_data **out, rs_db *db, const char *exam);

/* Save a calibration run as parameter history: one bank.calibration_runs row and one
 * bank.item_params row per item of res (ids item_ids, in res order, all in the bank or
 * RS_ENOTFOUND naming the first that is not). With activate, the new estimates of the
 * items that were not held fixed become the active ones. *out_run_id may be NULL. */
int ib_store_save_calibration(long long *out_run_id, rs_db *db, const char *actor, const struct ib_calib_result *res,
                              char *const *item_ids, size_t n_persons, int activate);

/* Active parameters of the items of `exam` (NULL = all) as an ib_params set (for
 * calibrate --fixed from the bank). *out is new (ib_params_free). */
int ib_store_active_params(struct ib_params **out, rs_db *db, const char *exam);

/* Record what an analysis found (kind "dif" or "drift"): one bank.analysis_runs row and, for
 * each of the n items analysed, its flag ("" none; DIF: "B" or "C", the ETS class; drift:
 * "DRIFT-b", "DRIFT-a", "DRIFT-ab"). Items the bank does not hold are left out: *out_recorded
 * says how many were stored. Audited (bank.analysis.record). RS_EINVAL for a bad kind or flag.
 * The latest result per item and kind is what the pool statistics count (ib_stats.h). */
int ib_store_analysis_record(long long *out_run_id, size_t *out_recorded, rs_db *db, const char *actor,
                             const char *kind, const char *description, const char *const *item_ids,
                             const char *const *flags, size_t n);

#endif
