/* cpd-tracker: SQL for completion records, rule versions and the facts a standing needs. */
#include "store.h"

#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cpd_store_live_records(rs_db *db, int64_t provider_id, const char *ids_arr,
                           void (*fn)(void *ctx, const struct cpd_store_live *row), void *ctx)
{
	char pid[24];
	snprintf(pid, sizeof pid, "%lld", (long long)provider_id);
	const char *v[] = { pid, ids_arr };
	PGresult *res = NULL;
	/* Driven by the ids (a nested loop of probes into completions_record_idx): a generic
	 * plan of "provider_record_id = ANY($2)" may walk all of the provider's records instead. */
	int rc = rs_db_exec(&res, db, "cpd_live_records",
	                    "SELECT x.provider_record_id, x.id, x.regno, x.course_id, x.completed_on::text, "
	                    "(x.hours * 10)::int, x.state FROM unnest($2::text[]) AS r(rid) "
	                    "JOIN cpd.completions x ON x.provider_id = $1::bigint AND x.provider_record_id = r.rid "
	                    "AND x.state <> 'voided' ORDER BY x.id FOR UPDATE OF x", 2, v);
	if (rc != 0)
		return rc;
	for (int r = 0; r < PQntuples(res); r++) {
		struct cpd_store_live row = {
			.provider_record_id = PQgetvalue(res, r, 0), .id = strtoll(PQgetvalue(res, r, 1), NULL, 10),
			.regno = PQgetvalue(res, r, 2), .course_id = strtoll(PQgetvalue(res, r, 3), NULL, 10),
			.completed_on = PQgetvalue(res, r, 4), .hours10 = atoi(PQgetvalue(res, r, 5)),
			.state = PQgetvalue(res, r, 6),
		};
		fn(ctx, &row);
	}
	PQclear(res);
	return 0;
}

int cpd_store_void(rs_db *db, int64_t provider_id, const char *ids_arr, const char *by, const char *reason)
{
	char pid[24];
	snprintf(pid, sizeof pid, "%lld", (long long)provider_id);
	const char *v[] = { pid, ids_arr, by, reason };
	return rs_db_exec(NULL, db, "cpd_void",
	                  "UPDATE cpd.completions SET state = 'voided', decided_by = $3, decided_at = now(), reason = $4 "
	                  "WHERE provider_id = $1::bigint AND id = ANY($2::bigint[]) AND state <> 'voided'", 4, v);
}

int cpd_store_insert_many(rs_db *db, size_t *out_inserted, int64_t provider_id, const char *via,
                          const struct cpd_store_rows *rows, void (*fn)(void *ctx, const char *rec_id, int64_t id),
                          void *ctx)
{
	char pid[24];
	snprintf(pid, sizeof pid, "%lld", (long long)provider_id);
	const char *v[] = { pid, via, rows->rec, rows->regno, rows->course, rows->date, rows->hours, rows->corrects,
		                rows->state, rows->holds };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "cpd_insert_many",
	                    "INSERT INTO cpd.completions (provider_id, provider_record_id, regno, course_id, completed_on, "
	                    "hours, via, state, posted_at, corrects, holds) "
	                    "SELECT $1::bigint, r, g, c, d, h / 10.0, $2, s, CASE WHEN s = 'accepted' THEN now() END, "
	                    "NULLIF(x, 0), string_to_array(hs, ',') "
	                    "FROM unnest($3::text[], $4::bpchar[], $5::bigint[], $6::date[], $7::int[], $8::bigint[], "
	                    "$9::text[], $10::text[]) AS t(r, g, c, d, h, x, s, hs) "
	                    "ON CONFLICT (provider_id, provider_record_id) WHERE state <> 'voided' DO NOTHING "
	                    "RETURNING provider_record_id, id", 10, v);
	if (rc != 0)
		return rc;
	*out_inserted = (size_t)PQntuples(res);
	for (int r = 0; r < PQntuples(res); r++)
		fn(ctx, PQgetvalue(res, r, 0), strtoll(PQgetvalue(res, r, 1), NULL, 10));
	PQclear(res);
	return 0;
}

#define CPD_COMPLETION_JSON \
	"json_build_object('completion_id', x.id, 'provider_id', x.provider_id, 'provider_record_id', x.provider_record_id, " \
	"'regno', x.regno, 'course_code', c.code, 'course_kind', c.kind, 'title_ja', c.title_ja, 'title_en', c.title_en, " \
	"'completed_on', x.completed_on, 'hours', x.hours, 'via', x.via, 'received_at', " CPD_SQL_TS("x.received_at") ", " \
	"'posted_at', " CPD_SQL_TS("x.posted_at") ", 'state', x.state, 'decided_by', NULLIF(x.decided_by, ''), " \
	"'decided_at', " CPD_SQL_TS("x.decided_at") ", " \
	"'reason', NULLIF(x.reason, ''), 'holds', x.holds, 'corrects', x.corrects, 'corrected_by', " \
	"(SELECT y.id FROM cpd.completions y WHERE y.corrects = x.id))"

int cpd_store_completions_json(rs_db *db, json_t **out, int64_t provider_id, const char *regno, const char *state,
                               int limit)
{
	char pid[24], lim[12];
	snprintf(pid, sizeof pid, "%lld", (long long)provider_id);
	snprintf(lim, sizeof lim, "%d", limit);
	const char *v[] = { pid, regno, lim, state };
	/* Pending records (the CPD desk's queue) oldest first, served by completions_pending_idx;
	 * otherwise the history newest first. */
	return cpd_store_json1(db, out, "cpd_completions_list",
	                       "SELECT coalesce(json_agg(j ORDER BY k), '[]'::json) FROM ("
	                       "SELECT CASE WHEN $4::text = 'pending' THEN x.id ELSE -x.id END AS k, "
	                       CPD_COMPLETION_JSON " AS j FROM cpd.completions x "
	                       "JOIN cpd.courses c ON c.id = x.course_id "
	                       "WHERE ($1::bigint = 0 OR x.provider_id = $1::bigint) AND ($2::text IS NULL OR x.regno = $2) "
	                       "AND ($4::text IS NULL OR x.state = $4::text) "
	                       "ORDER BY 1 LIMIT $3::int) s", 4, v);
}

int cpd_store_completion_json(rs_db *db, json_t **out, int64_t completion_id)
{
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)completion_id);
	const char *v[] = { id };
	int rc = cpd_store_json1(db, out, "cpd_completion_get",
	                         "SELECT " CPD_COMPLETION_JSON " FROM cpd.completions x JOIN cpd.courses c ON c.id = x.course_id "
	                         "WHERE x.id = $1::bigint", 1, v);
	if (rc == RS_ENOTFOUND)
		rs_error_set("no completion record %lld", (long long)completion_id);
	return rc;
}

int cpd_store_completion_decide(rs_db *db, int64_t id, const char *state, const char *by, const char *reason)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *v[] = { ids, state, by, reason };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "cpd_completion_decide",
	                    "UPDATE cpd.completions SET state = $2, decided_by = $3, decided_at = now(), reason = $4, "
	                    "posted_at = CASE WHEN $2 = 'accepted' THEN coalesce(posted_at, now()) ELSE posted_at END "
	                    "WHERE id = $1::bigint AND state <> 'voided' RETURNING id", 4, v);
	if (rc != 0)
		return rc;
	int n = PQntuples(res);
	PQclear(res);
	if (n != 1) {
		rs_error_set("no live completion record %lld", (long long)id);
		return RS_ENOTFOUND;
	}
	return 0;
}

static int cpd_store_date(struct cpd_date *out, const char *text)
{
	if (!text[0]) {
		memset(out, 0, sizeof *out);
		return 0;
	}
	return cpd_date_parse(out, text);
}

int cpd_store_rules(rs_db *db, struct cpd_rules *out, size_t max, size_t *out_n)
{
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "cpd_rules",
	                    "SELECT version, effective_from::text, cycle_years, online_per_year, practical_per_cycle, "
	                    "application_days, action_days FROM cpd.rule_versions ORDER BY effective_from",
	                    0, NULL);
	if (rc != 0)
		return rc;
	size_t n = 0;
	for (int r = 0; r < PQntuples(res) && n < max; r++) {
		struct cpd_rules *x = &out[n];
		x->version = atoi(PQgetvalue(res, r, 0));
		if (cpd_store_date(&x->effective_from, PQgetvalue(res, r, 1)) != 0)
			continue;
		x->cycle_years = atoi(PQgetvalue(res, r, 2));
		x->online_per_year = atoi(PQgetvalue(res, r, 3));
		x->practical_per_cycle = atoi(PQgetvalue(res, r, 4));
		x->application_days = atoi(PQgetvalue(res, r, 5));
		x->action_days = atoi(PQgetvalue(res, r, 6));
		n++;
	}
	PQclear(res);
	*out_n = n;
	return 0;
}

/* "{2024,2025}" into years (at most CPD_YEARS_MAX). */
static int cpd_store_years(int *years, const char *text)
{
	int n = 0;
	for (const char *p = text; *p && n < CPD_YEARS_MAX;) {
		if (*p >= '0' && *p <= '9') {
			char *end;
			years[n++] = (int)strtol(p, &end, 10);
			p = end;
		} else {
			p++;
		}
	}
	return n;
}

unsigned cpd_store_holds(const char *text)
{
	unsigned bits = 0;
	char code[40];
	const char *p = text[0] == '{' ? text + 1 : text;
	while (*p && *p != '}') {
		size_t n = strcspn(p, ",}");
		if (n < sizeof code) {
			memcpy(code, p, n);
			code[n] = '\0';
			bits |= cpd_hold_parse(code);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return bits;
}

int cpd_store_courses_for_holds(rs_db *db, int64_t provider_id, const char *codes_arr,
                           void (*fn)(void *ctx, const struct cpd_store_course *row), void *ctx)
{
	char pid[24];
	snprintf(pid, sizeof pid, "%lld", (long long)provider_id);
	const char *v[] = { pid, codes_arr };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "cpd_courses_for_holds",
	                    "SELECT c.code, c.id, c.kind, (c.hours * 10)::int, "
	                    "coalesce((SELECT array_agg(d.fiscal_year) FROM cpd.designations d WHERE d.course_id = c.id), "
	                    "'{}')::text, p.is_agency, p.approved_from::text, coalesce(p.approved_until::text, '') "
	                    "FROM cpd.courses c JOIN cpd.providers p ON p.id = c.provider_id "
	                    "WHERE c.provider_id = $1::bigint AND c.code = ANY($2::text[])", 2, v);
	if (rc != 0)
		return rc;
	for (int r = 0; r < PQntuples(res); r++) {
		struct cpd_store_course row;
		memset(&row, 0, sizeof row);
		row.code = PQgetvalue(res, r, 0);
		row.id = strtoll(PQgetvalue(res, r, 1), NULL, 10);
		row.facts.kind = strcmp(PQgetvalue(res, r, 2), "practical") == 0 ? CPD_PRACTICAL : CPD_ONLINE;
		row.hours10 = atoi(PQgetvalue(res, r, 3));
		row.facts.ndesignated = cpd_store_years(row.facts.designated, PQgetvalue(res, r, 4));
		row.facts.by_agency = PQgetvalue(res, r, 5)[0] == 't';
		if (cpd_store_date(&row.facts.provider_from, PQgetvalue(res, r, 6)) != 0 ||
		    cpd_store_date(&row.facts.provider_until, PQgetvalue(res, r, 7)) != 0)
			continue;
		fn(ctx, &row);
	}
	PQclear(res);
	return 0;
}

int cpd_store_credits(rs_db *db, struct cpd_credit *out, size_t max, size_t *out_n, json_t **out_desc,
                      const char *regno, const char *from, const char *until)
{
	char lim[12];
	snprintf(lim, sizeof lim, "%zu", max);
	const char *v[] = { regno, from, until, lim };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "cpd_credits",
	                    "SELECT x.id, c.kind, x.completed_on::text, c.cycle_years::text, x.holds::text, "
	                    "coalesce((SELECT array_agg(d.fiscal_year) FROM cpd.designations d WHERE d.course_id = c.id), "
	                    "'{}')::text, p.is_agency, p.approved_from::text, coalesce(p.approved_until::text, ''), "
	                    CPD_SQL_REG_COMPLETION "::text "
	                    "FROM cpd.completions x JOIN cpd.courses c ON c.id = x.course_id "
	                    "JOIN cpd.providers p ON p.id = x.provider_id "
	                    "WHERE x.regno = $1 AND x.state = 'accepted' AND (x.completed_on BETWEEN $2::date AND $3::date "
	                    "OR ('before_registration' = ANY (x.holds) AND x.completed_on < $2::date)) "
	                    "ORDER BY x.completed_on, x.id LIMIT $4::int", 4, v);
	if (rc != 0)
		return rc;
	json_t *desc = json_array();
	size_t n = 0;
	for (int r = 0; r < PQntuples(res) && desc; r++) {
		struct cpd_credit *c = &out[n];
		memset(c, 0, sizeof *c);
		c->id = strtoll(PQgetvalue(res, r, 0), NULL, 10);
		c->kind = strcmp(PQgetvalue(res, r, 1), "practical") == 0 ? CPD_PRACTICAL : CPD_ONLINE;
		if (cpd_store_date(&c->completed_on, PQgetvalue(res, r, 2)) != 0 ||
		    cpd_store_date(&c->provider_from, PQgetvalue(res, r, 7)) != 0 ||
		    cpd_store_date(&c->provider_until, PQgetvalue(res, r, 8)) != 0)
			continue;
		c->nyears = cpd_store_years(c->years, PQgetvalue(res, r, 3));
		c->waived = cpd_store_holds(PQgetvalue(res, r, 4));
		c->ndesignated = cpd_store_years(c->designated, PQgetvalue(res, r, 5));
		c->by_agency = PQgetvalue(res, r, 6)[0] == 't';
		json_t *d = json_loads(PQgetvalue(res, r, 9), 0, NULL);
		if (d)
			json_array_append_new(desc, d);
		n++;
	}
	PQclear(res);
	if (!desc) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	*out_n = n;
	*out_desc = desc;
	return 0;
}
