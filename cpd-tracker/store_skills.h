/* cpd-tracker: the SQL of schema skills (private to cpd-tracker). Each function runs one
 * statement inside the caller's transaction; JSON results are the caller's. */
#ifndef CPD_STORE_SKILLS_H
#define CPD_STORE_SKILLS_H

#include <stdint.h>

#include <jansson.h>

#include "rs_db.h"

/* Accepted completions of regno: [{completion_id, course_code, completed_on}]. */
int cpd_sk_store_completions(rs_db *db, json_t **out, const char *regno);
/* Mapping set set_id (0: the newest) and its mappings in the form cpd_skills_compute reads;
 * *out_set is JSON null (and *out_maps []) when there is no set. */
int cpd_sk_store_mappings(rs_db *db, json_t **out_set, json_t **out_maps, int64_t set_id);
/* Every framework release: [{code, version, name_en, name_ja, publisher, licence, export_scope, source_url}]. */
int cpd_sk_store_frameworks(rs_db *db, json_t **out);
/* Every pay row. */
int cpd_sk_store_pay(rs_db *db, json_t **out);
int cpd_sk_store_published(rs_db *db, int *out, const char *regno);
int cpd_sk_store_publish_set(rs_db *db, const char *regno, int publish);
int cpd_sk_store_version_insert(rs_db *db, int64_t *out_id, const char *framework, const char *version,
                                const char *released, const char *source_url, int verified, const char *by);
/* Insert the elements of a JSON array [{ident, kind, title_en, body_en}] in one statement,
 * each marked verified (1) or not (0). */
int cpd_sk_store_elements_insert(rs_db *db, int64_t version_id, const char *elements_json, const char *source_url,
                                 int verified);
/* "full" or "id_name"; RS_ENOTFOUND for an unknown framework. */
int cpd_sk_store_framework_scope(rs_db *db, char out_scope[16], const char *framework);
int cpd_sk_store_set_insert(rs_db *db, int64_t *out_id, const char *label, const char *asserted_by,
                            const char *asserted_by_ja, const char *document, const char *document_url,
                            const char *asserted_on, const char *by);
/* Copy every mapping of set from_id into set to_id. */
int cpd_sk_store_set_copy(rs_db *db, int64_t to_id, int64_t from_id);
/* One mapping into set_id (replacing the same evidence and element); RS_EINVAL when the
 * element or level is not in that framework release. */
int cpd_sk_store_mapping_insert(rs_db *db, int64_t set_id, const char *kind, const char *key, const char *min_band,
                                const char *framework, const char *version, const char *ident, const char *level,
                                const char *strength, const char *source_url);
int cpd_sk_store_ob3_insert(rs_db *db, const char *regno, const char *uuid, const char *kid, int list_id,
                            int64_t idx, int64_t set_id, const char *sha_hex, int64_t iat, int64_t exp, const char *by);

/* The agency's counts (0067). Every regno with accepted completions, with their JSON array
 * as cpd_sk_store_completions gives it, in one statement (no order). */
int cpd_sk_store_completions_scan(rs_db *db, int (*fn)(void *ctx, const char *regno, const char *json), void *ctx);
/* The kept counts and the fingerprint of their inputs; *out NULL when none are kept. */
int cpd_sk_store_counts_get(rs_db *db, json_t **out, long long *out_fingerprint);
/* Keep counts (JSON text) computed at at (ISO 8601) from inputs hashing to fingerprint. */
int cpd_sk_store_counts_put(rs_db *db, long long fingerprint, const char *at, const char *counts_json);
/* The inputs have not changed: the kept counts are as of at. */
int cpd_sk_store_counts_restamp(rs_db *db, const char *at);

#endif
