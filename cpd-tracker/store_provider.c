/* cpd-tracker: SQL for providers, their keys, courses and 特定講習 designations. */
#include "store.h"

#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cpd_arr_put(struct cpd_arr *a, const char *s, size_t n)
{
	if (a->oom)
		return;
	if (a->len + n + 3 > a->cap) {
		size_t cap = a->cap ? a->cap : 256;
		while (cap < a->len + n + 3)
			cap *= 2;
		char *ns = realloc(a->s, cap);
		if (!ns) {
			a->oom = 1;
			return;
		}
		a->s = ns;
		a->cap = cap;
	}
	memcpy(a->s + a->len, s, n);
	a->len += n;
	a->s[a->len] = '\0';
}

void cpd_arr_add(struct cpd_arr *a, const char *elem)
{
	cpd_arr_put(a, a->n ? ",\"" : "{\"", 2);
	/* Runs without a quote or backslash in one copy (the job adds megabytes of mail text). */
	for (const char *p = elem; *p;) {
		size_t run = strcspn(p, "\"\\");
		cpd_arr_put(a, p, run);
		p += run;
		if (*p) {
			cpd_arr_put(a, "\\", 1);
			cpd_arr_put(a, p++, 1);
		}
	}
	cpd_arr_put(a, "\"", 1);
	a->n++;
}

void cpd_arr_addf_int(struct cpd_arr *a, long long v)
{
	char b[24];
	snprintf(b, sizeof b, "%lld", v);
	cpd_arr_add(a, b);
}

const char *cpd_arr_text(struct cpd_arr *a)
{
	if (a->n == 0)
		cpd_arr_put(a, "{", 1);
	cpd_arr_put(a, "}", 1);
	if (a->oom) {
		rs_error_set("out of memory");
		return NULL;
	}
	return a->s;
}

void cpd_arr_free(struct cpd_arr *a)
{
	free(a->s);
	memset(a, 0, sizeof *a);
}

int cpd_store_json1(rs_db *db, json_t **out, const char *name, const char *sql, int nparams, const char *const *params)
{
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, name, sql, nparams, params);
	if (rc != 0)
		return rc;
	if (PQntuples(res) < 1 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		rs_error_set("not found");
		return RS_ENOTFOUND;
	}
	json_error_t je;
	json_t *v = json_loads(PQgetvalue(res, 0, 0), 0, &je);
	PQclear(res);
	if (!v) {
		rs_error_set("database answered malformed JSON: %s", je.text);
		return RS_EINTERNAL;
	}
	*out = v;
	return 0;
}

static int cpd_store_id_row(PGresult *res, int64_t *out, const char *what)
{
	if (PQntuples(res) != 1) {
		PQclear(res);
		rs_error_set("no %s with that id", what);
		return RS_ENOTFOUND;
	}
	if (out)
		*out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

int cpd_store_provider_insert(rs_db *db, int64_t *out_id, const struct cpd_provider_new *p, const char *approved_from,
                              const char *key_hash_hex, const char *key_hint, const char *created_by)
{
	const char *v[] = { p->name_ja, p->name_en, p->is_agency ? "true" : "false", approved_from,
		p->approved_until, p->contact_name ? p->contact_name : "", p->contact_email ? p->contact_email : "",
		p->contact_phone ? p->contact_phone : "", key_hash_hex, key_hint, created_by };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "cpd_provider_insert",
	                    "INSERT INTO cpd.providers (name_ja, name_en, is_agency, approved_from, approved_until, "
	                    "contact_name, contact_email, contact_phone, key_hash, key_hint, created_by) "
	                    "VALUES ($1, $2, $3::boolean, $4::date, $5::date, $6, $7, $8, decode($9, 'hex'), $10, $11) "
	                    "RETURNING id", 11, v);
	if (rc != 0)
		return rc;
	return cpd_store_id_row(res, out_id, "provider");
}

/* One UPDATE of provider id with parameters $2, $3 (statement name and SQL literal). */
static int cpd_store_provider_update(rs_db *db, const char *name, const char *sql, int64_t id, const char *a,
                                     const char *b)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *v[] = { ids, a, b };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, name, sql, 3, v);
	return rc != 0 ? rc : cpd_store_id_row(res, NULL, "provider");
}

int cpd_store_provider_set_key(rs_db *db, int64_t id, const char *key_hash_hex, const char *key_hint)
{
	return cpd_store_provider_update(db, "cpd_provider_set_key",
	                                 "UPDATE cpd.providers SET key_hash = decode($2, 'hex'), key_hint = $3, "
	                                 "key_created_at = now() WHERE id = $1::bigint RETURNING id", id, key_hash_hex, key_hint);
}

int cpd_store_provider_set_state(rs_db *db, int64_t id, const char *state, const char *reason)
{
	return cpd_store_provider_update(db, "cpd_provider_set_state",
	                                 "UPDATE cpd.providers SET state = $2, state_reason = $3 WHERE id = $1::bigint "
	                                 "RETURNING id", id, state, reason);
}

int cpd_store_provider_set_period(rs_db *db, int64_t id, const char *from, const char *until)
{
	return cpd_store_provider_update(db, "cpd_provider_set_period",
	                                 "UPDATE cpd.providers SET approved_from = $2::date, approved_until = $3::date "
	                                 "WHERE id = $1::bigint RETURNING id", id, from, until);
}

#define CPD_PROVIDER_JSON \
	"json_build_object('provider_id', p.id, 'name_ja', p.name_ja, 'name_en', p.name_en, 'is_agency', p.is_agency, " \
	"'approved_from', p.approved_from, 'approved_until', p.approved_until, 'contact_name', p.contact_name, " \
	"'contact_email', p.contact_email, 'contact_phone', p.contact_phone, 'state', p.state, " \
	"'state_reason', p.state_reason, 'key_hint', p.key_hint, " \
	"'key_created_at', " CPD_SQL_TS("p.key_created_at") ", " \
	"'courses', (SELECT count(*) FROM cpd.courses c WHERE c.provider_id = p.id), " \
	"'completions', (SELECT count(*) FROM cpd.completions x WHERE x.provider_id = p.id AND x.state <> 'voided'))"

int cpd_store_provider_json(rs_db *db, json_t **out, int64_t provider_id)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)provider_id);
	const char *v[] = { ids };
	if (provider_id == 0)
		return cpd_store_json1(db, out, "cpd_provider_list",
		                       "SELECT coalesce(json_agg(" CPD_PROVIDER_JSON " ORDER BY p.id), '[]'::json) "
		                       "FROM cpd.providers p WHERE $1::bigint = 0", 1, v);
	int rc = cpd_store_json1(db, out, "cpd_provider_get",
	                         "SELECT " CPD_PROVIDER_JSON " FROM cpd.providers p WHERE p.id = $1::bigint", 1, v);
	if (rc == RS_ENOTFOUND)
		rs_error_set("no provider %lld", (long long)provider_id);
	return rc;
}

int cpd_store_provider_by_key(rs_db *db, int64_t *out_id, int *out_agency, int *out_active, const char *key_hash_hex)
{
	const char *v[] = { key_hash_hex };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "cpd_provider_by_key",
	                    "SELECT id, is_agency, state = 'active' FROM cpd.providers WHERE key_hash = decode($1, 'hex')", 1, v);
	if (rc != 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		rs_error_set("unknown API key");
		return RS_ENOTFOUND;
	}
	*out_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*out_agency = PQgetvalue(res, 0, 1)[0] == 't';
	*out_active = PQgetvalue(res, 0, 2)[0] == 't';
	PQclear(res);
	return 0;
}

int cpd_store_course_insert(rs_db *db, int64_t *out_id, int64_t provider_id, const char *code, const char *kind,
                            const char *title_ja, const char *title_en, const char *hours, const char *years_arr,
                            const char *created_by)
{
	char pid[24];
	snprintf(pid, sizeof pid, "%lld", (long long)provider_id);
	const char *v[] = { pid, code, kind, title_ja, title_en, hours, years_arr, created_by };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "cpd_course_insert",
	                    "INSERT INTO cpd.courses (provider_id, code, kind, title_ja, title_en, hours, cycle_years, created_by) "
	                    "VALUES ($1::bigint, $2, $3, $4, $5, $6::numeric, $7::int[], $8) RETURNING id", 8, v);
	return rc != 0 ? rc : cpd_store_id_row(res, out_id, "course");
}

#define CPD_COURSE_JSON \
	"json_build_object('course_id', c.id, 'provider_id', c.provider_id, 'provider_name_ja', p.name_ja, " \
	"'provider_name_en', p.name_en, 'code', c.code, 'kind', c.kind, 'title_ja', c.title_ja, 'title_en', c.title_en, " \
	"'hours', c.hours, 'cycle_years', to_json(c.cycle_years), 'designations', " \
	"(SELECT coalesce(json_agg(json_build_object('fiscal_year', d.fiscal_year, 'designation_no', d.designation_no) " \
	"ORDER BY d.fiscal_year), '[]'::json) FROM cpd.designations d WHERE d.course_id = c.id))"

int cpd_store_course_json(rs_db *db, json_t **out, int64_t provider_id, int64_t course_id)
{
	char pid[24], cid[24];
	snprintf(pid, sizeof pid, "%lld", (long long)provider_id);
	snprintf(cid, sizeof cid, "%lld", (long long)course_id);
	if (course_id > 0) {
		const char *v[] = { cid };
		int rc = cpd_store_json1(db, out, "cpd_course_get",
		                         "SELECT " CPD_COURSE_JSON " FROM cpd.courses c JOIN cpd.providers p ON p.id = c.provider_id "
		                         "WHERE c.id = $1::bigint", 1, v);
		if (rc == RS_ENOTFOUND)
			rs_error_set("no course %lld", (long long)course_id);
		return rc;
	}
	const char *v[] = { pid };
	return cpd_store_json1(db, out, "cpd_course_list",
	                       "SELECT coalesce(json_agg(" CPD_COURSE_JSON " ORDER BY c.provider_id, c.code), '[]'::json) "
	                       "FROM cpd.courses c JOIN cpd.providers p ON p.id = c.provider_id "
	                       "WHERE $1::bigint = 0 OR c.provider_id = $1::bigint", 1, v);
}

int cpd_store_course_facts(rs_db *db, int *out_practical, int *out_agency, int64_t course_id)
{
	char cid[24];
	snprintf(cid, sizeof cid, "%lld", (long long)course_id);
	const char *v[] = { cid };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "cpd_course_facts",
	                    "SELECT c.kind = 'practical', p.is_agency FROM cpd.courses c JOIN cpd.providers p "
	                    "ON p.id = c.provider_id WHERE c.id = $1::bigint", 1, v);
	if (rc != 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		rs_error_set("no course %lld", (long long)course_id);
		return RS_ENOTFOUND;
	}
	*out_practical = PQgetvalue(res, 0, 0)[0] == 't';
	*out_agency = PQgetvalue(res, 0, 1)[0] == 't';
	PQclear(res);
	return 0;
}

int cpd_store_designation_insert(rs_db *db, int64_t course_id, int fiscal_year, const char *number, const char *by)
{
	char cid[24], fy[12];
	snprintf(cid, sizeof cid, "%lld", (long long)course_id);
	snprintf(fy, sizeof fy, "%d", fiscal_year);
	const char *v[] = { cid, fy, number, by };
	return rs_db_exec(NULL, db, "cpd_designation_insert",
	                  "INSERT INTO cpd.designations (course_id, fiscal_year, designation_no, designated_by) "
	                  "VALUES ($1::bigint, $2::int, $3, $4)", 4, v);
}
