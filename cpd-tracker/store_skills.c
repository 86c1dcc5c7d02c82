/* cpd-tracker: the SQL of schema skills (frameworks, mappings, publication, pay, OB3
 * exports) and the accepted completions a profile reads. Private: store_skills.h. */
#include "store_skills.h"

#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The single JSON value of a one-row, one-column result (json_agg/json_build_object). */
static int cpd_sk_store_json(json_t **out, rs_db *db, const char *name, const char *sql, int n, const char *const *v)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, name, sql, n, v);
	if (rc != 0)
		return rc;
	json_error_t je;
	*out = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) ? json_loads(PQgetvalue(r, 0, 0), 0, &je) : json_null();
	PQclear(r);
	if (!*out) {
		rs_error_set("skills: unreadable JSON from the database");
		return RS_EINTERNAL;
	}
	return 0;
}

int cpd_sk_store_completions(rs_db *db, json_t **out, const char *regno)
{
	const char *v[] = { regno };
	return cpd_sk_store_json(out, db, "cpd_sk_completions",
	                         "SELECT coalesce(json_agg(json_build_object('completion_id', x.id, 'course_code', c.code, "
	                         "'completed_on', x.completed_on::text) ORDER BY x.completed_on, x.id), '[]') "
	                         "FROM cpd.completions x JOIN cpd.courses c ON c.id = x.course_id "
	                         "WHERE x.regno = $1 AND x.state = 'accepted'",
	                         1, v);
}

#define CPD_SK_MAPPING_JSON                                                                                          \
	"json_build_object('evidence_kind', m.evidence_kind, 'evidence_key', m.evidence_key, 'min_band', m.min_band, "  \
	"'framework', v.framework, 'version', v.version, 'ident', m.ident, 'kind', e.kind, 'title_en', e.title_en, "    \
	"'title_ja', e.title_ja, 'level_ident', m.level_ident, 'level_title_en', l.title_en, "      \
	"'level_title_ja', l.title_ja, 'strength', m.strength, "                                  \
	"'source_url', coalesce(m.source_url, e.source_url), 'framework_name_en', f.name_en, 'framework_name_ja', "       \
	"f.name_ja, 'verified', e.verified AND coalesce(l.verified, true), 'release_verified', v.verified)"

int cpd_sk_store_mappings(rs_db *db, json_t **out_set, json_t **out_maps, int64_t set_id)
{
	char sid[24];
	snprintf(sid, sizeof sid, "%lld", (long long)set_id);
	const char *v[] = { sid };
	int rc = cpd_sk_store_json(out_set, db, "cpd_sk_set",
	                           "SELECT json_build_object('id', id, 'label', label, 'asserted_by', asserted_by, "
	                           "'asserted_by_ja', asserted_by_ja, 'document', document, 'document_url', document_url, 'asserted_on', asserted_on::text) "
	                           "FROM skills.mapping_sets WHERE id = CASE WHEN $1::bigint > 0 THEN $1::bigint "
	                           "ELSE (SELECT max(id) FROM skills.mapping_sets) END",
	                           1, v);
	if (rc != 0)
		return rc;
	if (json_is_null(*out_set)) {
		*out_maps = json_array();
		return 0;
	}
	snprintf(sid, sizeof sid, "%lld", (long long)json_integer_value(json_object_get(*out_set, "id")));
	rc = cpd_sk_store_json(out_maps, db, "cpd_sk_mappings",
	                       "SELECT coalesce(json_agg(" CPD_SK_MAPPING_JSON " ORDER BY v.framework, m.ident), '[]') "
	                       "FROM skills.mappings m JOIN skills.framework_versions v ON v.id = m.version_id "
	                       "JOIN skills.frameworks f ON f.code = v.framework "
	                       "JOIN skills.elements e ON e.version_id = m.version_id AND e.ident = m.ident "
	                       "LEFT JOIN skills.elements l ON l.version_id = m.version_id AND l.ident = m.level_ident "
	                       "WHERE m.set_id = $1::bigint",
	                       1, v);
	if (rc != 0) {
		json_decref(*out_set);
		*out_set = NULL;
	}
	return rc;
}

int cpd_sk_store_frameworks(rs_db *db, json_t **out)
{
	return cpd_sk_store_json(out, db, "cpd_sk_frameworks",
	                         "SELECT coalesce(json_agg(json_build_object('code', f.code, 'version', v.version, "
	                         "'name_en', f.name_en, 'name_ja', f.name_ja, 'publisher', f.publisher, 'licence', "
	                         "f.licence, 'export_scope', f.export_scope, 'source_url', v.source_url, 'verified', v.verified, "
	                         "'verified_note_en', v.verified_note_en, 'verified_note_ja', v.verified_note_ja) "
	                         "ORDER BY f.code, v.id), '[]') FROM skills.frameworks f "
	                         "JOIN skills.framework_versions v ON v.framework = f.code",
	                         0, NULL);
}

int cpd_sk_store_pay(rs_db *db, json_t **out)
{
	return cpd_sk_store_json(out, db, "cpd_sk_pay",
	                         "SELECT coalesce(json_agg(json_build_object('id', id, 'source', source, 'source_ja', "
	                         "source_ja, 'survey_year', survey_year, 'country', country, 'currency', currency, "
	                         "'statistic', statistic, 'pay_kind', pay_kind, 'period', period, 'amount', amount, "
	                         "'occupation', occupation, 'occupation_ja', occupation_ja, 'occupation_code', "
	                         "occupation_code, 'framework', framework, 'grade_ident', grade_ident, 'note_en', note_en, "
	                         "'note_ja', note_ja, 'url', url, 'verified', verified) ORDER BY framework NULLS LAST, "
	                         "survey_year DESC, id), '[]') FROM skills.pay",
	                         0, NULL);
}

int cpd_sk_store_published(rs_db *db, int *out, const char *regno)
{
	const char *v[] = { regno };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_sk_published", "SELECT publish FROM skills.publication WHERE regno = $1", 1, v);
	if (rc != 0)
		return rc;
	*out = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	return 0;
}

int cpd_sk_store_publish_set(rs_db *db, const char *regno, int publish)
{
	const char *v[] = { regno, publish ? "t" : "f" };
	return rs_db_exec(NULL, db, "cpd_sk_publish",
	                  "INSERT INTO skills.publication (regno, publish) VALUES ($1, $2::boolean) "
	                  "ON CONFLICT (regno) DO UPDATE SET publish = excluded.publish, changed_at = now()",
	                  2, v);
}

int cpd_sk_store_version_insert(rs_db *db, int64_t *out_id, const char *framework, const char *version,
                                const char *released, const char *source_url, int verified, const char *by)
{
	const char *v[] = { framework, version, released, source_url, by, verified ? "t" : "f" };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_sk_version_insert",
	                    "INSERT INTO skills.framework_versions (framework, version, released, source_url, loaded_by, "
	                    "verified) VALUES ($1, $2, $3, $4, $5, $6::boolean) RETURNING id",
	                    6, v);
	if (rc != 0)
		return rc;
	*out_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return 0;
}

int cpd_sk_store_elements_insert(rs_db *db, int64_t version_id, const char *elements_json, const char *source_url,
                                 int verified)
{
	char vid[24];
	snprintf(vid, sizeof vid, "%lld", (long long)version_id);
	const char *v[] = { vid, elements_json, source_url, verified ? "t" : "f" };
	return rs_db_exec(NULL, db, "cpd_sk_elements_insert",
	                  "INSERT INTO skills.elements (version_id, ident, kind, title_en, body_en, source_url, verified) "
	                  "SELECT $1::bigint, e->>'ident', e->>'kind', e->>'title_en', e->>'body_en', $3, $4::boolean "
	                  "FROM json_array_elements($2::json) AS e",
	                  4, v);
}

int cpd_sk_store_framework_scope(rs_db *db, char out_scope[16], const char *framework)
{
	const char *v[] = { framework };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_sk_framework_scope", "SELECT export_scope FROM skills.frameworks WHERE code = $1",
	                    1, v);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		rs_error_msg("skills.unknown_framework", framework, NULL);
		return RS_ENOTFOUND;
	}
	snprintf(out_scope, 16, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

int cpd_sk_store_set_insert(rs_db *db, int64_t *out_id, const char *label, const char *asserted_by,
                            const char *asserted_by_ja, const char *document, const char *document_url,
                            const char *asserted_on, const char *by)
{
	const char *v[] = { label, asserted_by, document, document_url, asserted_on, by, asserted_by_ja };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_sk_set_insert",
	                    "INSERT INTO skills.mapping_sets (label, asserted_by, document, document_url, asserted_on, "
	                    "loaded_by, asserted_by_ja) VALUES ($1, $2, $3, $4, $5::date, $6, $7) RETURNING id",
	                    7, v);
	if (rc != 0)
		return rc;
	*out_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return 0;
}

int cpd_sk_store_set_copy(rs_db *db, int64_t to_id, int64_t from_id)
{
	char t[24], f[24];
	snprintf(t, sizeof t, "%lld", (long long)to_id);
	snprintf(f, sizeof f, "%lld", (long long)from_id);
	const char *v[] = { t, f };
	return rs_db_exec(NULL, db, "cpd_sk_set_copy",
	                  "INSERT INTO skills.mappings (set_id, evidence_kind, evidence_key, min_band, version_id, ident, "
	                  "level_ident, strength, source_url) SELECT $1::bigint, evidence_kind, evidence_key, min_band, "
	                  "version_id, ident, level_ident, strength, source_url FROM skills.mappings WHERE set_id = $2::bigint",
	                  2, v);
}

int cpd_sk_store_mapping_insert(rs_db *db, int64_t set_id, const char *kind, const char *key, const char *min_band,
                                const char *framework, const char *version, const char *ident, const char *level,
                                const char *strength, const char *source_url)
{
	char sid[24];
	snprintf(sid, sizeof sid, "%lld", (long long)set_id);
	const char *v[] = { sid, kind, key, min_band, framework, version, ident, level, strength, source_url };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_sk_mapping_insert",
	                    "INSERT INTO skills.mappings (set_id, evidence_kind, evidence_key, min_band, version_id, ident, "
	                    "level_ident, strength, source_url) SELECT $1::bigint, $2, $3, $4, v.id, $7, $8, $9, $10 "
	                    "FROM skills.framework_versions v JOIN skills.elements e ON e.version_id = v.id AND e.ident = $7 "
	                    "WHERE v.framework = $5 AND v.version = $6 AND ($8::text IS NULL OR EXISTS (SELECT 1 FROM "
	                    "skills.elements l WHERE l.version_id = v.id AND l.ident = $8)) "
	                    "ON CONFLICT (set_id, evidence_kind, evidence_key, version_id, ident) DO UPDATE SET "
	                    "min_band = excluded.min_band, level_ident = excluded.level_ident, strength = excluded.strength, "
	                    "source_url = excluded.source_url RETURNING 1",
	                    10, v);
	if (rc != 0)
		return rc;
	int n = PQntuples(r);
	PQclear(r);
	if (n != 1) {
		rs_error_msg("skills.map_unknown_element", framework, version, ident, NULL);
		return RS_EINVAL;
	}
	return 0;
}

int cpd_sk_store_ob3_insert(rs_db *db, const char *regno, const char *uuid, const char *kid, int list_id,
                            int64_t idx, int64_t set_id, const char *sha_hex, int64_t iat, int64_t exp, const char *by)
{
	char l[16], i[24], s[24], a[24], e[24];
	snprintf(l, sizeof l, "%d", list_id);
	snprintf(i, sizeof i, "%lld", (long long)idx);
	snprintf(s, sizeof s, "%lld", (long long)set_id);
	snprintf(a, sizeof a, "%lld", (long long)iat);
	snprintf(e, sizeof e, "%lld", (long long)exp);
	const char *v[] = { regno, uuid, kid, l, i, set_id > 0 ? s : NULL, sha_hex, a, e, by };
	return rs_db_exec(NULL, db, "cpd_sk_ob3_insert",
	                  "INSERT INTO skills.ob3_exports (regno, credential_uuid, kid, list_id, status_idx, mapping_set, "
	                  "jwt_sha256, iat, exp, exported_by) VALUES ($1, $2::uuid, $3, $4::int, $5::bigint, $6::bigint, "
	                  "decode($7, 'hex'), $8::bigint, $9::bigint, $10)",
	                  10, v);
}

/* ---------- the agency's counts (0067) ---------- */

int cpd_sk_store_completions_scan(rs_db *db, int (*fn)(void *ctx, const char *regno, const char *json), void *ctx)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_sk_completions_all",
	                    "SELECT x.regno, json_agg(json_build_object('completion_id', x.id, 'course_code', c.code, "
	                    "'completed_on', x.completed_on::text) ORDER BY x.completed_on, x.id) "
	                    "FROM cpd.completions x JOIN cpd.courses c ON c.id = x.course_id "
	                    "WHERE x.state = 'accepted' GROUP BY x.regno",
	                    0, NULL);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		rc = fn(ctx, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
	PQclear(r);
	return rc;
}

int cpd_sk_store_counts_get(rs_db *db, json_t **out, long long *out_fingerprint)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_sk_counts_get", "SELECT counts::text, fingerprint FROM skills.claim_counts", 0,
	                    NULL);
	if (rc != 0)
		return rc;
	*out = NULL;
	if (PQntuples(r) == 1) {
		json_error_t je;
		*out = json_loads(PQgetvalue(r, 0, 0), 0, &je);
		if (out_fingerprint)
			*out_fingerprint = atoll(PQgetvalue(r, 0, 1));
		if (!*out) {
			rs_error_set("skills: unreadable JSON from the database");
			rc = RS_EINTERNAL;
		}
	}
	PQclear(r);
	return rc;
}

int cpd_sk_store_counts_put(rs_db *db, long long fingerprint, const char *at, const char *counts_json)
{
	char fp[24];
	snprintf(fp, sizeof fp, "%lld", fingerprint);
	const char *v[] = { fp, at, counts_json };
	return rs_db_exec(NULL, db, "cpd_sk_counts_put",
	                  "INSERT INTO skills.claim_counts (one, fingerprint, computed_at, counts) "
	                  "VALUES (true, $1::bigint, $2::timestamptz, $3::jsonb) ON CONFLICT (one) DO UPDATE SET "
	                  "fingerprint = excluded.fingerprint, computed_at = excluded.computed_at, counts = excluded.counts",
	                  3, v);
}

int cpd_sk_store_counts_restamp(rs_db *db, const char *at)
{
	const char *v[] = { at, at };
	return rs_db_exec(NULL, db, "cpd_sk_counts_restamp",
	                  "UPDATE skills.claim_counts SET computed_at = $1::timestamptz, "
	                  "counts = jsonb_set(counts, '{computed_at}', to_jsonb($2::text))",
	                  2, v);
}
