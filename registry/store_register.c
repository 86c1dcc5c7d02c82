/* registry: SQL for registrants, applications, status history and public search. */
#include "store.h"

#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REG_REGISTRANT_COLS \
	"regno, name, name_kana, name_latn, date_of_birth::text, exam_result_ref, exam_pass_date::text, " \
	"reg_date::text, valid_from::text, valid_until::text, renewal_count, status, status_reason, " \
	"published_fields::text, public_reason"

static void reg_store_copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static void reg_store_row_registrant(struct reg_registrant *r, PGresult *res, int row)
{
	memset(r, 0, sizeof *r);
	reg_store_copy(r->regno, sizeof r->regno, PQgetvalue(res, row, 0));
	reg_store_copy(r->name, sizeof r->name, PQgetvalue(res, row, 1));
	reg_store_copy(r->name_kana, sizeof r->name_kana, PQgetvalue(res, row, 2));
	reg_store_copy(r->name_latn, sizeof r->name_latn, PQgetvalue(res, row, 3));
	reg_store_copy(r->date_of_birth, sizeof r->date_of_birth, PQgetvalue(res, row, 4));
	reg_store_copy(r->exam_result_ref, sizeof r->exam_result_ref, PQgetvalue(res, row, 5));
	reg_store_copy(r->exam_pass_date, sizeof r->exam_pass_date, PQgetvalue(res, row, 6));
	reg_store_copy(r->reg_date, sizeof r->reg_date, PQgetvalue(res, row, 7));
	reg_store_copy(r->valid_from, sizeof r->valid_from, PQgetvalue(res, row, 8));
	reg_store_copy(r->valid_until, sizeof r->valid_until, PQgetvalue(res, row, 9));
	r->renewal_count = atoi(PQgetvalue(res, row, 10));
	enum reg_status st = REG_ST_ACTIVE;
	(void)reg_status_parse(&st, PQgetvalue(res, row, 11));
	r->status = st;
	reg_store_copy(r->status_reason, sizeof r->status_reason, PQgetvalue(res, row, 12));
	r->published = reg_pub_from_pg(PQgetvalue(res, row, 13));
	reg_store_copy(r->public_reason, sizeof r->public_reason, PQgetvalue(res, row, 14));
}

int reg_store_registrant_get(rs_db *db, struct reg_registrant *out, const char *regno, int for_update)
{
	PGresult *res = NULL;
	const char *p[] = { regno };
	int rc = for_update
		? rs_db_exec(&res, db, "reg_registrant_get_upd",
		             "SELECT " REG_REGISTRANT_COLS " FROM registry.registrants r WHERE regno = $1 FOR UPDATE", 1, p)
		: rs_db_exec(&res, db, "reg_registrant_get",
		             "SELECT " REG_REGISTRANT_COLS " FROM registry.registrants WHERE regno = $1", 1, p);
	if (rc != 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		rs_error_msg("reg.registrant_not_found", regno, NULL);
		return RS_ENOTFOUND;
	}
	reg_store_row_registrant(out, res, 0);
	PQclear(res);
	return 0;
}

int reg_store_registrants_exist(rs_db *db, unsigned char *out_known, char (*out_reg_date)[11],
                                const char *const *regnos, size_t n)
{
	memset(out_known, 0, n);
	if (out_reg_date)
		memset(out_reg_date, 0, n * sizeof *out_reg_date);
	if (n == 0)
		return 0;
	/* A PostgreSQL array literal of the well-formed numbers (digits need no quoting). */
	char *arr = malloc(n * 7 + 3);
	if (!arr) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	size_t len = 0;
	arr[len++] = '{';
	for (size_t i = 0; i < n; i++) {
		if (!reg_regno_valid(regnos[i]))
			continue;
		if (len > 1)
			arr[len++] = ',';
		memcpy(arr + len, regnos[i], 6);
		len += 6;
	}
	arr[len++] = '}';
	arr[len] = '\0';
	PGresult *res = NULL;
	const char *p[] = { arr };
	int rc = rs_db_exec(&res, db, "reg_registrants_exist",
	                    "SELECT regno, reg_date::text FROM registry.registrants WHERE regno = ANY($1::bpchar[])", 1, p);
	free(arr);
	if (rc != 0)
		return rc;
	for (int r = 0; r < PQntuples(res); r++) {
		const char *got = PQgetvalue(res, r, 0);
		for (size_t i = 0; i < n; i++)
			if (strncmp(regnos[i], got, 6) == 0 && regnos[i][6] == '\0') {
				out_known[i] = 1;
				if (out_reg_date)
					snprintf(out_reg_date[i], sizeof out_reg_date[i], "%s", PQgetvalue(res, r, 1));
			}
	}
	PQclear(res);
	return 0;
}

int reg_store_regno_next(rs_db *db, char out[REG_REGNO_LEN + 1])
{
	PGresult *res = NULL;
	/* The row lock taken here is held to commit: concurrent registrations queue, and a
	 * rollback returns the number, so numbers have no gaps. */
	int rc = rs_db_exec(&res, db, "reg_regno_next",
	                    "UPDATE registry.regno_counter SET last_number = last_number + 1 "
	                    "RETURNING lpad(last_number::text, 6, '0')", 0, NULL);
	if (rc != 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		rs_error_set("registration number counter row is missing");
		return RS_EINTERNAL;
	}
	snprintf(out, REG_REGNO_LEN + 1, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

int reg_store_registrant_insert(rs_db *db, const struct reg_registrant *r, int64_t app_id)
{
	char pub[256], app[32], renew[16];
	reg_pub_pg_array(pub, sizeof pub, r->published);
	snprintf(app, sizeof app, "%lld", (long long)app_id);
	snprintf(renew, sizeof renew, "%d", r->renewal_count);
	const char *p[] = { r->regno, r->name, r->name_kana, r->name_latn, r->date_of_birth,
	                    r->exam_result_ref, r->exam_pass_date, app_id > 0 ? app : NULL, r->reg_date,
	                    r->valid_from, r->valid_until, renew, pub };
	return rs_db_exec(NULL, db, "reg_registrant_insert",
	                  /* The statistical attributes (0042) come from the application as it was given. */
	                  "INSERT INTO registry.registrants (regno, name, name_kana, name_latn, date_of_birth, "
	                  "exam_result_ref, exam_pass_date, application_id, reg_date, valid_from, valid_until, "
	                  "renewal_count, published_fields, prefecture, occupation, industry, employer_type) "
	                  "SELECT $1, $2, $3, $4, $5::date, $6, $7::date, $8::bigint, $9::date, $10::date, $11::date, "
	                  "$12::int, $13::text[], a.prefecture, a.occupation, a.industry, a.employer_type "
	                  "FROM (SELECT 1) one LEFT JOIN registry.applications a ON a.id = $8::bigint", 13, p);
}

int reg_store_registrant_set_status(rs_db *db, const char *regno, enum reg_status st, const char *public_reason,
                                    const char *reason)
{
	const char *p[] = { regno, reg_status_name(st), reason ? reason : "", public_reason ? public_reason : "" };
	return rs_db_exec(NULL, db, "reg_registrant_set_status",
	                  "UPDATE registry.registrants SET status = $2, status_reason = $3, public_reason = $4, "
	                  "status_changed_at = now() WHERE regno = $1", 4, p);
}

int reg_store_registrant_renew(rs_db *db, const char *regno, const char *valid_from, const char *valid_until)
{
	const char *p[] = { regno, valid_from, valid_until };
	return rs_db_exec(NULL, db, "reg_registrant_renew",
	                  "UPDATE registry.registrants SET valid_from = $2::date, valid_until = $3::date, "
	                  "renewal_count = renewal_count + 1, status = 'active', status_reason = '', public_reason = '', "
	                  "status_changed_at = now() WHERE regno = $1", 3, p);
}

int reg_store_history_add(rs_db *db, const char *regno, const char *old_status, const char *new_status,
                          const char *public_reason, const char *reason, const char *actor)
{
	const char *p[] = { regno, old_status, new_status, reason ? reason : "", actor, public_reason ? public_reason : "" };
	return rs_db_exec(NULL, db, "reg_history_add",
	                  "INSERT INTO registry.status_history (regno, old_status, new_status, reason, actor, public_reason) "
	                  "VALUES ($1, $2, $3, $4, $5, $6)", 6, p);
}

int reg_store_app_insert(rs_db *db, int64_t *out_id, const struct reg_application *a)
{
	char pub[256];
	reg_pub_pg_array(pub, sizeof pub, a->published);
	const char *p[] = { a->exam_result_ref, a->exam_pass_date, a->name, a->name_kana, a->name_latn,
	                    a->date_of_birth, pub, a->attrs.v[RS_ATTR_PREFECTURE], a->attrs.v[RS_ATTR_OCCUPATION],
	                    a->attrs.v[RS_ATTR_INDUSTRY], a->attrs.v[RS_ATTR_EMPLOYER_TYPE] };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_app_insert",
	                    "INSERT INTO registry.applications (exam_result_ref, exam_pass_date, name, name_kana, "
	                    "name_latn, date_of_birth, published_fields, prefecture, occupation, industry, employer_type) "
	                    "VALUES ($1, $2::date, $3, $4, $5, $6::date, $7::text[], $8, $9, $10, $11) RETURNING id", 11, p);
	if (rc == RS_EEXIST)
		rs_error_msg("reg.app_exists", a->exam_result_ref, NULL);
	if (rc != 0)
		return rc;
	*out_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

int reg_store_app_get(rs_db *db, json_t **out_app, int64_t id)
{
	char ids[32];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *p[] = { ids };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_app_get",
	                    "SELECT state, exam_result_ref, exam_pass_date::text, name, name_kana, name_latn, "
	                    "date_of_birth::text, published_fields::text FROM registry.applications WHERE id = $1 "
	                    "FOR UPDATE", 1, p);
	if (rc != 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		rs_error_msg("reg.app_not_found", ids, NULL);
		return RS_ENOTFOUND;
	}
	static const char *const names[] = { "state", "exam_result_ref", "exam_pass_date", "name", "name_kana",
	                                     "name_latn", "date_of_birth", "published_fields" };
	json_t *o = json_object();
	for (int i = 0; i < 8; i++)
		json_object_set_new(o, names[i], json_string(PQgetvalue(res, 0, i)));
	PQclear(res);
	*out_app = o;
	return 0;
}

int reg_store_app_set_state(rs_db *db, int64_t id, const char *state, const char *note, const char *by,
                            const char *regno)
{
	char ids[32];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *p[] = { ids, state, note, by, regno };
	return rs_db_exec(NULL, db, "reg_app_set_state",
	                  "UPDATE registry.applications SET state = $2, review_note = coalesce($3, review_note), "
	                  "reviewed_by = coalesce($4, reviewed_by), regno = $5, updated_at = now() WHERE id = $1",
	                  5, p);
}

/* Registration numbers whose names (or number) match q in search form (registry.search_key,
 * 0041): the number exactly, or the start of any name part of any name field. Spliced into
 * the registrar's query as "regno IN (...)"; $1 is q. */
#define REG_STORE_MATCH \
	"r.regno IN (SELECT t.regno FROM registry.name_terms t WHERE t.term ~>=~ registry.search_key($1) " \
	"AND t.term ~<~ (registry.search_key($1) || chr(1114111)) " \
	"UNION ALL SELECT registry.search_key($1)::bpchar)"

int reg_store_search(rs_db *db, json_t *out_arr, const char *q, int limit, const char *today)
{
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	PGresult *res = NULL;
	/* Only published name fields may match: a person who keeps the name private cannot be
	 * found by it. */
	const char *p[] = { q, lim };
	/* The first limit numbers are chosen from the index alone (term, regno, public), so a
	 * short prefix that matches thousands reads only the rows it returns. */
	int rc = rs_db_exec(&res, db, "reg_search_name",
	                    "SELECT " REG_REGISTRANT_COLS " FROM registry.registrants r WHERE r.regno IN ("
	                    "(SELECT t.regno FROM registry.name_terms t WHERE t.term ~>=~ registry.search_key($1) "
	                    "AND t.term ~<~ (registry.search_key($1) || chr(1114111)) AND t.public "
	                    "GROUP BY t.regno ORDER BY t.regno LIMIT $2::int) "
	                    "UNION ALL SELECT registry.search_key($1)::bpchar) ORDER BY r.regno LIMIT $2::int", 2, p);
	if (rc != 0)
		return rc;
	for (int i = 0; i < PQntuples(res); i++) {
		struct reg_registrant r;
		reg_store_row_registrant(&r, res, i);
		json_array_append_new(out_arr, reg_registrant_public_json(&r, today));
	}
	PQclear(res);
	return 0;
}

/* The registrar's list views of the registrant rows of res (REG_REGISTRANT_COLS first). */
static json_t *reg_store_list_rows(PGresult *res, const char *today)
{
	json_t *arr = json_array();
	for (int i = 0; i < PQntuples(res); i++) {
		struct reg_registrant r;
		reg_store_row_registrant(&r, res, i);
		json_array_append_new(arr, reg_registrant_list_json(&r, today));
	}
	return arr;
}

int reg_store_admin_find(rs_db *db, json_t **out, int64_t *out_total, const char *q, const char *status, int limit,
                         int offset, const char *today)
{
	char lim[16], off[16];
	snprintf(lim, sizeof lim, "%d", limit);
	snprintf(off, sizeof off, "%d", offset);
	PGresult *res = NULL;
	int rc;
	int64_t total = 0;
	if (q && !status) {
		/* Any status: the count and the page come from the index of terms alone (one
		 * heap row per registrant shown), however many the prefix matches. */
		const char *p[] = { q, lim, off };
		PGresult *cnt = NULL;
		rc = rs_db_exec(&cnt, db, "reg_admin_search_count",
		                "SELECT count(*) FROM (SELECT t.regno FROM registry.name_terms t WHERE t.term ~>=~ "
		                "registry.search_key($1) AND t.term ~<~ (registry.search_key($1) || chr(1114111)) "
		                "UNION SELECT r.regno FROM registry.registrants r WHERE r.regno = registry.search_key($1)::bpchar) m",
		                1, p);
		if (rc != 0)
			return rc;
		total = strtoll(PQgetvalue(cnt, 0, 0), NULL, 10);
		PQclear(cnt);
		rc = rs_db_exec(&res, db, "reg_admin_search_page",
		                "SELECT " REG_REGISTRANT_COLS " FROM registry.registrants r WHERE r.regno IN ("
		                "(SELECT t.regno FROM registry.name_terms t WHERE t.term ~>=~ registry.search_key($1) "
		                "AND t.term ~<~ (registry.search_key($1) || chr(1114111)) GROUP BY t.regno "
		                "ORDER BY t.regno DESC LIMIT $2::int + $3::int) UNION ALL SELECT registry.search_key($1)::bpchar) "
		                "ORDER BY r.regno DESC LIMIT $2::int OFFSET $3::int", 3, p);
	} else if (q) {
		const char *p[] = { q, status, lim, off };
		rc = rs_db_exec(&res, db, "reg_admin_search",
		                "SELECT " REG_REGISTRANT_COLS ", count(*) OVER () FROM registry.registrants r WHERE "
		                REG_STORE_MATCH " AND ($2::text IS NULL OR r.status = $2) "
		                "ORDER BY r.regno DESC LIMIT $3::int OFFSET $4::int", 4, p);
		if (rc == 0 && PQntuples(res) > 0)
			total = strtoll(PQgetvalue(res, 0, 14), NULL, 10);
	} else {
		const char *p[] = { status, lim, off };
		PGresult *cnt = NULL;
		rc = rs_db_exec(&cnt, db, "reg_admin_count",
		                "SELECT count(*) FROM registry.registrants WHERE $1::text IS NULL OR status = $1", 1, p);
		if (rc != 0)
			return rc;
		total = strtoll(PQgetvalue(cnt, 0, 0), NULL, 10);
		PQclear(cnt);
		rc = rs_db_exec(&res, db, "reg_admin_list",
		                "SELECT " REG_REGISTRANT_COLS " FROM registry.registrants r WHERE $1::text IS NULL "
		                "OR r.status = $1 ORDER BY r.regno DESC LIMIT $2::int OFFSET $3::int", 3, p);
	}
	if (rc != 0)
		return rc;
	json_t *arr = reg_store_list_rows(res, today);
	PQclear(res);
	*out = arr;
	*out_total = total;
	return 0;
}

int reg_store_similar(rs_db *db, json_t **out, const char *dob, const char *name, const char *name_kana,
                      const char *name_latn, const char *except_regno, const char *today)
{
	const char *p[] = { dob, name, name_kana, name_latn, except_regno };
	PGresult *res = NULL;
	/* Same date of birth and one name field equal in search form (spaces, width, kana and
	 * case aside): likely the same person registering twice. */
	int rc = rs_db_exec(&res, db, "reg_similar",
	                    "SELECT " REG_REGISTRANT_COLS " FROM registry.registrants r WHERE r.date_of_birth = $1::date "
	                    "AND ($5::text IS NULL OR r.regno <> $5::bpchar) AND "
	                    "(registry.search_key(r.name) = registry.search_key($2) OR "
	                    " registry.search_key(r.name_kana) = registry.search_key($3) OR "
	                    " registry.search_key(r.name_latn) = registry.search_key($4)) ORDER BY r.regno LIMIT 20", 5, p);
	if (rc != 0)
		return rc;
	json_t *arr = reg_store_list_rows(res, today);
	PQclear(res);
	*out = arr;
	return 0;
}

static json_t *reg_store_rows_json(PGresult *res)
{
	json_t *arr = json_array();
	int nf = PQnfields(res);
	for (int i = 0; i < PQntuples(res); i++) {
		json_t *o = json_object();
		for (int f = 0; f < nf; f++) {
			if (PQgetisnull(res, i, f))
				json_object_set_new(o, PQfname(res, f), json_null());
			else if (PQftype(res, f) == 20 || PQftype(res, f) == 23 || PQftype(res, f) == 21)
				json_object_set_new(o, PQfname(res, f), json_integer(strtoll(PQgetvalue(res, i, f), NULL, 10)));
			else
				json_object_set_new(o, PQfname(res, f), json_string(PQgetvalue(res, i, f)));
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

int reg_store_lapse_due(rs_db *db, json_t **out_regnos, const char *today)
{
	const char *p[] = { today };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_lapse_due",
	                    "SELECT regno FROM registry.registrants WHERE status IN ('active', 'suspended') "
	                    "AND valid_until < $1::date ORDER BY regno FOR UPDATE", 1, p);
	if (rc != 0)
		return rc;
	*out_regnos = reg_store_rows_json(res);
	PQclear(res);
	return 0;
}

int reg_store_list_apps(rs_db *db, json_t **out, const char *state, int limit)
{
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	const char *p[] = { state, lim };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_list_apps",
	                    "SELECT id, state, exam_result_ref, exam_pass_date::text AS exam_pass_date, name, name_kana, "
	                    "name_latn, date_of_birth::text AS date_of_birth, published_fields::text AS published_fields, "
	                    "review_note, reviewed_by, regno, created_at::text AS created_at FROM registry.applications "
	                    "WHERE $1::text IS NULL OR state = $1 ORDER BY id DESC LIMIT $2::int", 2, p);
	if (rc != 0)
		return rc;
	*out = reg_store_rows_json(res);
	PQclear(res);
	return 0;
}

int reg_store_history(rs_db *db, json_t **out, const char *regno)
{
	const char *p[] = { regno };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_history",
	                    "SELECT at::text AS at, old_status, new_status, reason, public_reason, actor FROM registry.status_history "
	                    "WHERE regno = $1 ORDER BY at, id", 1, p);
	if (rc != 0)
		return rc;
	*out = reg_store_rows_json(res);
	PQclear(res);
	return 0;
}

int reg_store_credentials_of(rs_db *db, json_t **out, const char *regno)
{
	const char *p[] = { regno };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_credentials_of",
	                    "SELECT c.id, c.kid, c.iat, c.exp, c.list_id, c.status_idx, c.leaf_idx, s.status, c.jws "
	                    "FROM registry.credentials c JOIN registry.status_entries s "
	                    "ON s.list_id = c.list_id AND s.idx = c.status_idx WHERE c.regno = $1 ORDER BY c.id DESC LIMIT 50",
	                    1, p);
	if (rc != 0)
		return rc;
	*out = reg_store_rows_json(res);
	PQclear(res);
	return 0;
}

static int reg_store_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int reg_store_registrants_lock(rs_db *db, struct reg_registrant *out, const char *const *regnos, size_t n)
{
	/* regnos are checked 6-digit strings: the array literal needs no quoting. */
	char *arr = malloc(3 + n * 8), *p = arr;
	const char **sorted = malloc((n ? n : 1) * sizeof *sorted);
	int rc = 0;
	PGresult *res = NULL;
	if (!arr || !sorted) {
		rc = RS_ENOMEM;
		goto done;
	}
	*p++ = '{';
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, i ? ",%.6s" : "%.6s", regnos[i]);
	*p++ = '}';
	*p = '\0';
	const char *prm[] = { arr };
	/* Rows locked in regno order, so concurrent batches cannot deadlock on each other. */
	rc = rs_db_exec(&res, db, "reg_registrants_lock",
	                "SELECT " REG_REGISTRANT_COLS " FROM registry.registrants WHERE regno = ANY($1::bpchar[]) "
	                "ORDER BY regno FOR UPDATE", 1, prm);
	if (rc != 0)
		goto done;
	int rows = PQntuples(res);
	for (size_t i = 0; i < n; i++)
		sorted[i] = regnos[i];
	qsort(sorted, n, sizeof *sorted, reg_store_cmp_str);
	for (size_t i = 0; i < n; i++) {
		/* binary search in the (sorted) result rows */
		int lo = 0, hi = rows - 1, found = -1;
		while (lo <= hi) {
			int mid = (lo + hi) / 2, c = strncmp(PQgetvalue(res, mid, 0), regnos[i], 6);
			if (c == 0) {
				found = mid;
				break;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid - 1;
		}
		if (found < 0) {
			char num[REG_REGNO_LEN + 1];
			snprintf(num, sizeof num, "%.6s", regnos[i]);
			rs_error_msg("reg.registrant_not_found", num, NULL);
			rc = RS_ENOTFOUND;
			goto done;
		}
		reg_store_row_registrant(&out[i], res, found);
	}
done:
	PQclear(res);
	free(arr);
	free(sorted);
	return rc;
}

int reg_store_entry_info(rs_db *db, struct reg_store_entry_info *out, int list_id, int64_t idx)
{
	char l[16], i[32];
	snprintf(l, sizeof l, "%d", list_id);
	snprintf(i, sizeof i, "%lld", (long long)idx);
	const char *p[] = { l, i };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_entry_info",
	                    "SELECT s.status, r.regno IS NOT NULL, r.regno, r.name, r.name_kana, r.name_latn, "
	                    "r.date_of_birth::text, r.exam_result_ref, r.exam_pass_date::text, r.reg_date::text, "
	                    "r.valid_from::text, r.valid_until::text, r.renewal_count, r.status, r.status_reason, "
	                    "r.published_fields::text, r.public_reason FROM registry.status_entries s LEFT JOIN registry.credentials c "
	                    "ON c.list_id = s.list_id AND c.status_idx = s.idx LEFT JOIN registry.registrants r "
	                    "ON r.regno = c.regno WHERE s.list_id = $1::int AND s.idx = $2::int", 2, p);
	if (rc != 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		rs_error_set("status list %d has no entry %lld", list_id, (long long)idx);
		return RS_ENOTFOUND;
	}
	memset(out, 0, sizeof *out);
	out->status = atoi(PQgetvalue(res, 0, 0));
	out->have_registrant = PQgetvalue(res, 0, 1)[0] == 't';
	if (out->have_registrant) {
		/* columns 2.. are REG_REGISTRANT_COLS: read them through a shifted view */
		struct reg_registrant *r = &out->registrant;
		reg_store_copy(r->regno, sizeof r->regno, PQgetvalue(res, 0, 2));
		reg_store_copy(r->name, sizeof r->name, PQgetvalue(res, 0, 3));
		reg_store_copy(r->name_kana, sizeof r->name_kana, PQgetvalue(res, 0, 4));
		reg_store_copy(r->name_latn, sizeof r->name_latn, PQgetvalue(res, 0, 5));
		reg_store_copy(r->date_of_birth, sizeof r->date_of_birth, PQgetvalue(res, 0, 6));
		reg_store_copy(r->exam_result_ref, sizeof r->exam_result_ref, PQgetvalue(res, 0, 7));
		reg_store_copy(r->exam_pass_date, sizeof r->exam_pass_date, PQgetvalue(res, 0, 8));
		reg_store_copy(r->reg_date, sizeof r->reg_date, PQgetvalue(res, 0, 9));
		reg_store_copy(r->valid_from, sizeof r->valid_from, PQgetvalue(res, 0, 10));
		reg_store_copy(r->valid_until, sizeof r->valid_until, PQgetvalue(res, 0, 11));
		r->renewal_count = atoi(PQgetvalue(res, 0, 12));
		enum reg_status st = REG_ST_ACTIVE;
		(void)reg_status_parse(&st, PQgetvalue(res, 0, 13));
		r->status = st;
		reg_store_copy(r->status_reason, sizeof r->status_reason, PQgetvalue(res, 0, 14));
		r->published = reg_pub_from_pg(PQgetvalue(res, 0, 15));
		reg_store_copy(r->public_reason, sizeof r->public_reason, PQgetvalue(res, 0, 16));
	}
	PQclear(res);
	return 0;
}
