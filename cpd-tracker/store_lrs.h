/* cpd-tracker: the SQL of the LRS frame over schema xapi (private to cpd-tracker/). Each
 * function runs one statement inside the caller's transaction. */
#ifndef CPD_STORE_LRS_H
#define CPD_STORE_LRS_H

#include "cpd_lrs.h"

/* Revoke provider_id's live credential and insert a new one. */
int cpd_store_lrs_cred_insert(rs_db *db, int64_t provider_id, const char *username, const char *pass_sha256_hex);
/* The live credential username: provider id, password's SHA-256 in hex, whether its provider
 * is active. RS_ENOTFOUND. */
int cpd_store_lrs_cred_get(rs_db *db, int64_t *out_provider, char out_hash_hex[65], int *out_active,
                           const char *username);

/* The document of k (doc_id set), locked FOR UPDATE when lock. RS_ENOTFOUND. */
int cpd_store_lrs_doc_get(rs_db *db, struct cpd_lrs_doc *out, const struct cpd_lrs_doc_key *k, int lock);
/* Insert or replace the document of k. */
int cpd_store_lrs_doc_put(rs_db *db, const struct cpd_lrs_doc_key *k, const char *ctype, const char *body, size_t len,
                          const char *etag);
/* Delete the document of k, or every document of the set when doc_id is NULL. */
int cpd_store_lrs_doc_delete(rs_db *db, const struct cpd_lrs_doc_key *k);
/* The ids of the set k changed after since_us (0: all), as a JSON array. */
int cpd_store_lrs_doc_ids(rs_db *db, json_t **out, const struct cpd_lrs_doc_key *k, int64_t since_us);

/* Upsert the merged definition (JSON text) of an activity; def_json NULL keeps the stored one. */
int cpd_store_lrs_activity_get(rs_db *db, json_t **out_def, int64_t provider_id, const char *activity_id, int lock);
/* The stored definitions of the activities ids_arr (a PostgreSQL text[] literal) names, as one
 * object {activity id: definition} (ids without a stored definition are absent). */
int cpd_store_lrs_activities_get(rs_db *db, json_t **out, int64_t provider_id, const char *ids_arr);
int cpd_store_lrs_activity_put(rs_db *db, int64_t provider_id, const char *activity_id, const char *def_json);

/* Providers' signing keys for signed statements (0061; cpd-tracker/store_xapi_keys.c). */
int cpd_store_lrs_key_count(rs_db *db, int *out_n, int64_t provider_id);
/* Insert; RS_EEXIST when the provider has that kid or thumbprint already. */
int cpd_store_lrs_key_put(rs_db *db, int64_t provider_id, const char *kid, const char *thumbprint,
                          const unsigned char *spki, size_t spki_len, int bits, const char *by);
int cpd_store_lrs_key_delete(rs_db *db, int *out_n, int64_t provider_id, const char *kid);
/* [{"kid", "thumbprint", "bits", "created_at", "created_by"}], oldest first. */
int cpd_store_lrs_key_list(rs_db *db, json_t **out, int64_t provider_id);
/* Each key of the provider: fn(ctx, kid, spki, len); fn non-zero stops with that value. */
int cpd_store_lrs_key_each(rs_db *db, int64_t provider_id,
                           int (*fn)(void *ctx, const char *kid, const unsigned char *spki, size_t len), void *ctx);

#endif
