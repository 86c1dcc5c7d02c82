/* Scheduling against schema exam: centres, windows, candidates, bookings (the agency's
 * API), lists, and the all-or-nothing CSV booking import. */
#include "dlv_int.h"

#include "rs_attr.h"
#include "ib_package.h"
#include "rs_audit.h"
#include "rs_error.h"
#include "rs_json.h"
#include "rs_log.h"

#include <libpq-fe.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Map a database refusal of user data to a clear message. */
static int dlv_db_refused(int rc, const char *what)
{
	if (rc == RS_EINVAL) {
		dlv_slug_set("invalid-field");
		rs_info("%s refused: %s", what, rs_error_last());
		rs_error_msg(strcmp(what, "centre") == 0 ? "schedule.centre_refused" : strcmp(what, "window") == 0 ? "schedule.window_refused" :
		             strcmp(what, "candidate") == 0 ? "schedule.candidate_refused" : "schedule.booking_refused", NULL);
	} else if (rc == RS_EEXIST) {
		dlv_slug_set("already-exists");
		rs_error_msg(strcmp(what, "centre") == 0 ? "schedule.centre_exists" : strcmp(what, "window") == 0 ? "schedule.window_exists" :
		             strcmp(what, "candidate") == 0 ? "schedule.candidate_exists" : "schedule.booking_exists", NULL);
	}
	return rc;
}

/* Run one INSERT ... RETURNING row_to_json and audit it. */
struct dlv_put {
	const struct dlv_actor *who;
	const char *name, *sql, *action, *what;
	int n;
	const char *const *p;
	json_t *row;
};

static int dlv_put_tx(rs_db *db, void *varg)
{
	struct dlv_put *a = varg;
	PGresult *r = NULL;
	json_decref(a->row);
	a->row = NULL;
	int rc = rs_db_exec(&r, db, a->name, a->sql, a->n, a->p);
	if (rc != 0)
		return dlv_db_refused(rc, a->what);
	json_error_t jerr;
	a->row = json_loads(PQgetvalue(r, 0, 0), 0, &jerr);
	PQclear(r);
	if (!a->row)
		return RS_EINTERNAL;
	char obj[64];
	json_t *id = json_object_get(a->row, "id");
	if (!id)
		id = json_object_get(a->row, "code");
	if (json_is_integer(id))
		snprintf(obj, sizeof obj, "%s:%" JSON_INTEGER_FORMAT, a->what, json_integer_value(id));
	else
		snprintf(obj, sizeof obj, "%s:%.40s", a->what, json_string_value(id) ? json_string_value(id) : "?");
	return rs_audit(db, a->who->actor, a->who->role, a->action, obj, NULL, a->who->request_id);
}

static int dlv_put_run(json_t **out, rs_db *db, struct dlv_put *a)
{
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, dlv_put_tx, a);
	if (rc != 0) {
		json_decref(a->row);
		return rc;
	}
	*out = a->row;
	return 0;
}

static int dlv_fields(const json_t *in, const struct rs_json_field *f, size_t n)
{
	dlv_slug_set(NULL);
	int rc = rs_json_fields(in, f, n);
	if (rc != 0)
		dlv_slug_set("invalid-field");
	return rc;
}

int dlv_centre_put(json_t **out, rs_db *db, const struct dlv_actor *who, const json_t *in)
{
	const char *code = NULL, *name = NULL, *pref = NULL, *pcode = NULL;
	long long seats = 0;
	struct rs_json_field f[] = {
		{ "code", RS_JSON_STRING, &code, 0, 2, 32 }, { "name", RS_JSON_STRING, &name, 0, 1, 200 },
		{ "prefecture", RS_JSON_STRING, &pref, 0, 1, 20 }, { "seats", RS_JSON_INT, &seats, 0, 1, 1000 },
		{ "prefecture_code", RS_JSON_STRING, &pcode, 1, 0, 8 },
	};
	int rc = dlv_fields(in, f, 5);
	if (rc != 0)
		return rc;
	if (pcode && !pcode[0])
		pcode = NULL;
	if ((rc = rs_attr_check(RS_ATTR_PREFECTURE, pcode)) != 0) {
		dlv_slug_set("invalid-field");
		return rc;
	}
	char s[16];
	snprintf(s, sizeof s, "%lld", seats);
	const char *p[] = { code, name, pref, s, pcode };
	struct dlv_put a = { .who = who, .name = "dlv_centre_put", .action = "exam.centre.put", .what = "centre", .n = 5, .p = p,
		.sql = "INSERT INTO exam.centres (code, name, prefecture, seats, prefecture_code) VALUES ($1, $2, $3, $4, $5)"
		       " ON CONFLICT (code) DO UPDATE SET name = $2, prefecture = $3, seats = $4,"
		       " prefecture_code = coalesce($5, exam.centres.prefecture_code)"
		       " RETURNING json_build_object('code', code, 'name', name, 'prefecture', prefecture, 'seats', seats,"
		       " 'prefecture_code', prefecture_code)" };
	return dlv_put_run(out, db, &a);
}

static int dlv_package_usable(const char **exam, rs_db *db, int64_t package);

/* The refusal of a window that would name no package: what to do, in the reader's language. */
static int dlv_no_package(const char *exam, int rc)
{
	dlv_slug_set("no-package");
	rs_error_msg("schedule.window_no_package", exam, NULL);
	return rc;
}

int dlv_window_default_package(char *out, rs_db *db, const char *exam, long long want)
{
	out[0] = '\0';
	if (want > 0) {
		const char *of = NULL;
		int rc = dlv_package_usable(&of, db, want);
		snprintf(out, 24, "%lld", want);
		if (rc != 0)
			return rc;
		if (strcmp(of, exam) != 0) {
			dlv_slug_set("conflict");
			rs_error_msg("schedule.package_other_exam", out, of, exam, NULL);
			return RS_ESTATE;
		}
		return 0;
	}
	long long active = 0;
	int rc = ib_package_active(&active, db, exam);
	if (rc == RS_ENOTFOUND)
		return dlv_no_package(exam, rc);
	if (rc == 0)
		snprintf(out, 24, "%lld", active);
	return rc;
}

/* A window is created with the exam's active package, or the one the request names (that
 * must be able to serve the exam, as for an assignment); a window that would name none is
 * refused with schedule.window_no_package (publish and activate one first). Re-putting an
 * existing window keeps its package unless the request names one. */
static int dlv_window_tx(rs_db *db, void *varg)
{
	struct dlv_put *a = varg;
	int rc = dlv_put_tx(db, a);
	if (rc == 0 && !json_is_integer(json_object_get(a->row, "package")))
		return dlv_no_package(a->p[0], RS_ESTATE);
	return rc;
}

int dlv_window_put(json_t **out, rs_db *db, const struct dlv_actor *who, const json_t *in)
{
	const char *exam = NULL, *name = NULL, *opens = NULL, *closes = NULL;
	long long want = 0;
	struct rs_json_field f[] = {
		{ "exam", RS_JSON_STRING, &exam, 0, 1, 16 }, { "name", RS_JSON_STRING, &name, 0, 1, 200 },
		{ "opens_on", RS_JSON_STRING, &opens, 0, 10, 10 }, { "closes_on", RS_JSON_STRING, &closes, 0, 10, 10 },
		{ "package", RS_JSON_INT, &want, 1, 1, INT32_MAX },
	};
	int rc = dlv_fields(in, f, 5);
	if (rc != 0)
		return rc;
	char pk[24] = "";
	rc = dlv_window_default_package(pk, db, exam, want);
	if (rc != 0 && (want || rc != RS_ENOTFOUND))
		return rc;
	if (rc != 0)
		pk[0] = '\0'; /* an existing window keeps its own; a new one is refused in the transaction */
	const char *p[] = { exam, name, opens, closes, pk[0] ? pk : NULL, want ? "t" : "f" };
	struct dlv_put a = { .who = who, .name = "dlv_window_put", .action = "exam.window.put", .what = "window", .n = 6, .p = p,
		.sql = "INSERT INTO exam.windows (exam_code, name, opens_on, closes_on, package_id)"
		       " VALUES ($1, $2, $3::date, $4::date, $5::bigint)"
		       " ON CONFLICT (exam_code, name) DO UPDATE SET opens_on = $3::date, closes_on = $4::date,"
		       " package_id = CASE WHEN $6::boolean THEN excluded.package_id"
		       " ELSE coalesce(exam.windows.package_id, excluded.package_id) END"
		       " RETURNING json_build_object('id', id, 'exam', exam_code, 'name', name, 'opens_on', opens_on,"
		       " 'closes_on', closes_on, 'package', package_id)" };
	rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, dlv_window_tx, &a);
	if (rc != 0) {
		json_decref(a.row);
		return rc;
	}
	*out = a.row;
	return 0;
}

/* The candidate's statistical attributes (0037): a field not answered keeps an earlier
 * answer, so a booking made without them does not erase what the person gave before. */
#define DLV_CAND_UPSERT \
	"INSERT INTO exam.candidates (name_kanji, name_kana, name_romaji, birth_date, email, phone," \
	" prefecture, occupation, industry, employer_type)" \
	" VALUES ($1, $2, $3, $4::date, $5, $6, $7, $8, $9, $10) ON CONFLICT (email, birth_date) DO UPDATE" \
	" SET name_kanji = $1, name_kana = $2, name_romaji = $3, phone = $6," \
	" prefecture = coalesce(excluded.prefecture, exam.candidates.prefecture)," \
	" occupation = coalesce(excluded.occupation, exam.candidates.occupation)," \
	" industry = coalesce(excluded.industry, exam.candidates.industry)," \
	" employer_type = coalesce(excluded.employer_type, exam.candidates.employer_type)"

int dlv_candidate_put(json_t **out, rs_db *db, const struct dlv_actor *who, const json_t *in)
{
	const char *kanji = NULL, *kana = NULL, *romaji = NULL, *dob = NULL, *email = NULL, *phone = "";
	struct rs_json_field f[] = {
		{ "name_kanji", RS_JSON_STRING, &kanji, 0, 1, 100 }, { "name_kana", RS_JSON_STRING, &kana, 0, 1, 100 },
		{ "name_romaji", RS_JSON_STRING, &romaji, 0, 1, 100 }, { "birth_date", RS_JSON_STRING, &dob, 0, 10, 10 },
		{ "email", RS_JSON_STRING, &email, 0, 3, 255 }, { "phone", RS_JSON_STRING, &phone, 1, 0, 24 },
	};
	int rc = dlv_fields(in, f, 6);
	if (rc != 0)
		return rc;
	struct rs_attrs at;
	if ((rc = rs_attrs_from_json(&at, in)) != 0) {
		dlv_slug_set("invalid-field");
		return rc;
	}
	const char *p[] = { kanji, kana, romaji, dob, email, phone, at.v[RS_ATTR_PREFECTURE], at.v[RS_ATTR_OCCUPATION],
	                    at.v[RS_ATTR_INDUSTRY], at.v[RS_ATTR_EMPLOYER_TYPE] };
	struct dlv_put a = { .who = who, .name = "dlv_cand_put", .action = "exam.candidate.put", .what = "candidate", .n = 10, .p = p,
		.sql = DLV_CAND_UPSERT
		       " RETURNING json_build_object('id', id, 'name_kanji', name_kanji, 'name_kana', name_kana,"
		       " 'name_romaji', name_romaji, 'birth_date', birth_date, 'email', email, 'phone', phone,"
		       " 'prefecture', prefecture, 'occupation', occupation, 'industry', industry, 'employer_type', employer_type)" };
	return dlv_put_run(out, db, &a);
}

#define DLV_BOOKING_SQL \
	"INSERT INTO exam.bookings (candidate_id, window_id, centre_code, sit_on, starts_at, extra_minutes, large_text, high_contrast)" \
	" SELECT $1, w.id, $3, $4::date, $5::time, $6, $7, $8 FROM exam.windows w WHERE w.id = $2" \
	" AND $4::date BETWEEN w.opens_on AND w.closes_on" \
	" AND NOT EXISTS (SELECT 1 FROM exam.results x WHERE x.candidate_id = $1 AND x.finished_at + make_interval(days =>" \
	"   coalesce((SELECT retake_days FROM exam.rules WHERE exam_code = w.exam_code), 30)) > $4::date)" \
	" RETURNING json_build_object('id', id, 'candidate', candidate_id, 'window', window_id, 'centre', centre_code," \
	" 'sit_on', sit_on, 'starts_at', to_char(starts_at, 'HH24:MI'), 'extra_minutes', extra_minutes," \
	" 'large_text', large_text, 'high_contrast', high_contrast, 'status', status)"

static int dlv_booking_tx(rs_db *db, void *varg)
{
	struct dlv_put *a = varg;
	PGresult *r = NULL;
	json_decref(a->row);
	a->row = NULL;
	int rc = rs_db_exec(&r, db, "dlv_booking_put", DLV_BOOKING_SQL, 8, a->p);
	if (rc != 0)
		return dlv_db_refused(rc, "booking");
	if (PQntuples(r) != 1) {
		PQclear(r);
		dlv_slug_set("booking-refused");
		rs_error_msg("schedule.booking_not_made", NULL);
		return RS_ESTATE;
	}
	json_error_t jerr;
	a->row = json_loads(PQgetvalue(r, 0, 0), 0, &jerr);
	PQclear(r);
	if (!a->row)
		return RS_EINTERNAL;
	char obj[48];
	snprintf(obj, sizeof obj, "booking:%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(a->row, "id")));
	return rs_audit(db, a->who->actor, a->who->role, "exam.booking.put", obj, NULL, a->who->request_id);
}

int dlv_booking_put(json_t **out, rs_db *db, const struct dlv_actor *who, const json_t *in)
{
	long long cand = 0, win = 0, extra = 0;
	const char *centre = NULL, *sit = NULL, *starts = NULL;
	int large = 0, contrast = 0;
	struct rs_json_field f[] = {
		{ "candidate", RS_JSON_INT, &cand, 0, 1, INT64_MAX }, { "window", RS_JSON_INT, &win, 0, 1, INT64_MAX },
		{ "centre", RS_JSON_STRING, &centre, 0, 2, 32 }, { "sit_on", RS_JSON_STRING, &sit, 0, 10, 10 },
		{ "starts_at", RS_JSON_STRING, &starts, 0, 4, 5 }, { "extra_minutes", RS_JSON_INT, &extra, 1, 0, 240 },
		{ "large_text", RS_JSON_BOOL, &large, 1, 0, 0 }, { "high_contrast", RS_JSON_BOOL, &contrast, 1, 0, 0 },
	};
	int rc = dlv_fields(in, f, 8);
	if (rc != 0)
		return rc;
	char c[24], w[24], x[16];
	snprintf(c, sizeof c, "%lld", cand);
	snprintf(w, sizeof w, "%lld", win);
	snprintf(x, sizeof x, "%lld", extra);
	const char *p[] = { c, w, centre, sit, starts, x, large ? "t" : "f", contrast ? "t" : "f" };
	struct dlv_put a = { .who = who, .p = p };
	rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, dlv_booking_tx, &a);
	if (rc != 0) {
		json_decref(a.row);
		return rc;
	}
	*out = a.row;
	return 0;
}

/* The packages a registrar may give a window (published or active, newest first):
 * {"items": [{"id","exam","sha256","state","created_at"}]}. */
static int dlv_sched_packages(json_t **out, rs_db *db)
{
	json_t *all = NULL;
	int rc = ib_package_list(&all, db, NULL);
	if (rc != 0)
		return rc;
	json_t *items = json_array(), *p;
	size_t i;
	json_array_foreach(json_object_get(all, "packages"), i, p) {
		if (strcmp(json_string_value(json_object_get(p, "state")) ? json_string_value(json_object_get(p, "state")) : "", "retired") == 0)
			continue;
		json_array_append_new(items, json_pack("{s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(p, "id"),
		                                       "exam", json_object_get(p, "exam"), "sha256", json_object_get(p, "sha256"),
		                                       "state", json_object_get(p, "state"), "created_at", json_object_get(p, "created_at")));
	}
	json_decref(all);
	*out = json_pack("{s:o}", "items", items);
	return *out ? 0 : RS_ENOMEM;
}

/* Each window's package as the bank has it now: "package_sha256", "package_state". */
static int dlv_sched_window_packages(json_t *windows, rs_db *db)
{
	json_t *all = NULL;
	int rc = ib_package_list(&all, db, NULL);
	if (rc != 0)
		return rc;
	json_t *w, *p;
	size_t i, j;
	json_array_foreach(windows, i, w) {
		json_int_t id = json_integer_value(json_object_get(w, "package"));
		json_array_foreach(json_object_get(all, "packages"), j, p) {
			if (id && json_integer_value(json_object_get(p, "id")) == id) {
				json_object_set(w, "package_sha256", json_object_get(p, "sha256"));
				json_object_set(w, "package_state", json_object_get(p, "state"));
				break;
			}
		}
	}
	json_decref(all);
	return 0;
}

int dlv_sched_list(json_t **out, rs_db *db, const char *kind)
{
	const char *name, *sql;
	dlv_slug_set(NULL);
	if (strcmp(kind, "centres") == 0) {
		name = "dlv_list_centres";
		sql = "SELECT coalesce(json_agg(json_build_object('code', code, 'name', name, 'prefecture', prefecture,"
		      " 'seats', seats, 'prefecture_code', prefecture_code) ORDER BY code), '[]') FROM exam.centres";
	} else if (strcmp(kind, "windows") == 0) {
		name = "dlv_list_windows";
		sql = "SELECT coalesce(json_agg(json_build_object('id', w.id, 'exam', w.exam_code, 'name', w.name, 'opens_on', w.opens_on,"
		      " 'closes_on', w.closes_on, 'package', w.package_id, 'sittings', (SELECT count(*) FROM exam.sessions s"
		      " JOIN exam.bookings b ON b.id = s.booking_id WHERE b.window_id = w.id)) ORDER BY w.opens_on, w.id), '[]')"
		      " FROM exam.windows w";
	} else if (strcmp(kind, "packages") == 0) {
		return dlv_sched_packages(out, db);
	} else if (strcmp(kind, "candidates") == 0) {
		name = "dlv_list_candidates";
		sql = "SELECT coalesce(json_agg(json_build_object('id', id, 'name_kanji', name_kanji, 'name_kana', name_kana,"
		      " 'name_romaji', name_romaji, 'birth_date', birth_date, 'email', email, 'prefecture', prefecture,"
		      " 'occupation', occupation, 'industry', industry, 'employer_type', employer_type) ORDER BY id), '[]')"
		      " FROM (SELECT * FROM exam.candidates ORDER BY id DESC LIMIT 1000) c";
	} else if (strcmp(kind, "bookings") == 0) {
		name = "dlv_list_bookings";
		sql = "SELECT coalesce(json_agg(json_build_object('id', b.id, 'candidate', b.candidate_id, 'name', c.name_kanji,"
		      " 'window', b.window_id, 'centre', b.centre_code, 'sit_on', b.sit_on, 'starts_at', to_char(b.starts_at, 'HH24:MI'),"
		      " 'status', b.status) ORDER BY b.sit_on, b.starts_at, b.id), '[]')"
		      " FROM (SELECT * FROM exam.bookings ORDER BY id DESC LIMIT 1000) b JOIN exam.candidates c ON c.id = b.candidate_id";
	} else {
		dlv_slug_set("not-found");
		rs_error_msg("schedule.unknown_list", NULL);
		return RS_ENOTFOUND;
	}
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, name, sql, 0, NULL);
	if (rc != 0)
		return rc;
	json_error_t jerr;
	json_t *arr = json_loads(PQgetvalue(r, 0, 0), 0, &jerr);
	PQclear(r);
	if (arr && strcmp(kind, "windows") == 0 && (rc = dlv_sched_window_packages(arr, db)) != 0) {
		json_decref(arr);
		return rc;
	}
	*out = json_pack("{s:o}", "items", arr ? arr : json_array());
	return *out ? 0 : RS_ENOMEM;
}

/* ------------------------------------------------------------------------------------ */
/* CSV import: parse everything, check every row against the database inside one
 * transaction, and roll it all back when any row is bad. */

struct dlv_import {
	const struct dlv_actor *who;
	json_t *rows, *errors;
	int imported;
};

static int dlv_import_tx(rs_db *db, void *varg)
{
	struct dlv_import *a = varg;
	size_t i;
	json_t *row;
	a->imported = 0;
	json_array_clear(a->errors);
	json_array_foreach(a->rows, i, row) {
		json_int_t line = json_integer_value(json_object_get(row, "line"));
#define F(k) json_string_value(json_object_get(row, k))
		const char *cp[] = { F("name_kanji"), F("name_kana"), F("name_romaji"), F("birth_date"), F("email"), F("phone"),
		                     F("prefecture"), F("occupation"), F("industry"), F("employer_type") };
		PGresult *r = NULL;
		rs_db_exec_plain(db, "SAVEPOINT dlv_row");
		int rc = rs_db_exec(&r, db, "dlv_imp_cand", DLV_CAND_UPSERT " RETURNING id", 10, cp);
		if (rc == RS_EUNAVAIL || rc == RS_ECONFLICT)
			return rc;
		if (rc != 0) {
			rs_db_exec_plain(db, "ROLLBACK TO SAVEPOINT dlv_row");
			dlv_row_err(a->errors, line, "candidate", "csv.candidate_refused", NULL, NULL);
			continue;
		}
		char cid[24];
		snprintf(cid, sizeof cid, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		const char *wp[] = { F("window") };
		if ((rc = rs_db_exec(&r, db, "dlv_imp_win", "SELECT id FROM exam.windows WHERE name = $1", 1, wp)) != 0)
			return rc;
		if (PQntuples(r) != 1) {
			PQclear(r);
			dlv_row_err(a->errors, line, "window", "csv.no_window", NULL, NULL);
			continue;
		}
		char wid[24];
		snprintf(wid, sizeof wid, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		const char *bp[] = { cid, wid, F("centre"), F("sit_on"), F("starts_at"), F("extra_minutes"), F("large_text"), F("high_contrast") };
#undef F
		rc = rs_db_exec(&r, db, "dlv_booking_put", DLV_BOOKING_SQL, 8, bp);
		if (rc == RS_EUNAVAIL || rc == RS_ECONFLICT)
			return rc;
		if (rc != 0) {
			rs_db_exec_plain(db, "ROLLBACK TO SAVEPOINT dlv_row");
			dlv_row_err(a->errors, line, rc == RS_EEXIST ? "sit_on" : "centre",
			            rc == RS_EEXIST ? "csv.same_day" : "csv.centre_unknown", NULL, NULL);
			continue;
		}
		int n = PQntuples(r);
		PQclear(r);
		if (n != 1) {
			dlv_row_err(a->errors, line, "sit_on", "csv.date_outside", NULL, NULL);
			continue;
		}
		a->imported++;
	}
	if (json_array_size(a->errors) > 0) {
		dlv_slug_set("import-refused");
		char bad[24], all[24];
		snprintf(bad, sizeof bad, "%zu", json_array_size(a->errors));
		snprintf(all, sizeof all, "%zu", json_array_size(a->rows));
		rs_error_msg("csv.rows_refused", bad, all, NULL);
		return RS_EINVAL;
	}
	json_t *det = json_pack("{s:i}", "rows", a->imported);
	int rc = rs_audit(db, a->who->actor, a->who->role, "exam.booking.import", "bookings:csv", det, a->who->request_id);
	json_decref(det);
	return rc;
}

int dlv_booking_import(json_t **out, rs_db *db, const struct dlv_actor *who, const char *csv, size_t len)
{
	json_t *rows = NULL, *errors = NULL;
	dlv_slug_set(NULL);
	int rc = dlv_csv_bookings_parse(&rows, &errors, csv, len);
	if (rc == RS_ETOOBIG || rc == RS_EPARSE) {
		json_decref(rows);
		*out = json_pack("{s:i, s:o}", "imported", 0, "errors", errors ? errors : json_array());
		return rc;
	}
	if (rc == 0 && json_array_size(errors) == 0) {
		struct dlv_import a = { .who = who, .rows = rows, .errors = errors };
		rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, dlv_import_tx, &a);
		if (rc == 0) {
			*out = json_pack("{s:i}", "imported", a.imported);
			json_decref(rows);
			json_decref(errors);
			return 0;
		}
		if (rc != RS_EINVAL) {
			json_decref(rows);
			json_decref(errors);
			return rc;
		}
	} else if (rc == 0) {
		dlv_slug_set("import-refused");
		char bad[24];
		snprintf(bad, sizeof bad, "%zu", json_array_size(errors));
		rs_error_msg("csv.problems_found", bad, NULL);
		rc = RS_EINVAL;
	}
	json_decref(rows);
	*out = json_pack("{s:i, s:o}", "imported", 0, "errors", errors);
	return rc;
}

/* ------------------------------------------------------------------------------------ */
/* Exam packages for windows                                                            */

struct dlv_wp {
	const struct dlv_actor *who;
	int64_t window, package;
	const char *exam;
	int unsat_only; /* the schedule desk: refused once the window has a sitting */
	json_t *row;
};

static int dlv_window_package_tx(rs_db *db, void *varg)
{
	struct dlv_wp *a = varg;
	char w[24], p[24];
	snprintf(w, sizeof w, "%" PRId64, a->window);
	snprintf(p, sizeof p, "%" PRId64, a->package);
	const char *q[] = { w, p, a->exam };
	PGresult *r = NULL;
	json_decref(a->row);
	a->row = NULL;
	int rc;
	if (a->unsat_only) {
		/* The window row locked first, so no sitting is admitted on the old package meanwhile. */
		if ((rc = rs_db_exec(&r, db, "dlv_window_sittings",
			"SELECT w.name, (SELECT count(*) FROM exam.sessions s JOIN exam.bookings b ON b.id = s.booking_id"
			" WHERE b.window_id = w.id) FROM exam.windows w WHERE w.id = $1 FOR UPDATE", 1, q)) != 0)
			return rc;
		if (PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 1), "0") != 0) {
			dlv_slug_set("conflict");
			rs_error_msg("schedule.window_has_sittings", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), NULL);
			PQclear(r);
			return RS_ESTATE;
		}
		PQclear(r);
		r = NULL;
	}
	rc = rs_db_exec(&r, db, "dlv_window_package",
		"UPDATE exam.windows SET package_id = $2::bigint WHERE id = $1 AND exam_code = $3"
		" RETURNING json_build_object('id', id, 'exam', exam_code, 'name', name, 'package', package_id)", 3, q);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		dlv_slug_set("not-found");
		rs_error_msg("packages.window_unknown", w, a->exam, NULL);
		return RS_ENOTFOUND;
	}
	json_error_t jerr;
	a->row = json_loads(PQgetvalue(r, 0, 0), 0, &jerr);
	PQclear(r);
	if (!a->row)
		return RS_EINTERNAL;
	char obj[48];
	snprintf(obj, sizeof obj, "window:%" PRId64, a->window);
	json_t *det = json_pack("{s:I}", "package", (json_int_t)a->package);
	rc = rs_audit(db, a->who->actor, a->who->role, "exam.window.package", obj, det, a->who->request_id);
	json_decref(det);
	return rc;
}

/* The one rule for which package may serve a window: it loads verified and is not retired.
 * *exam: the package's exam code (borrowed from the cache). */
static int dlv_package_usable(const char **exam, rs_db *db, int64_t package)
{
	dlv_slug_set(NULL);
	const struct dlv_exam *ex = NULL;
	char state[16];
	int rc = ib_package_state(state, db, package);
	if (rc == 0 && strcmp(state, "retired") == 0) {
		char p[24];
		snprintf(p, sizeof p, "%" PRId64, package);
		dlv_slug_set("conflict");
		rs_error_msg("packages.retired", p, NULL);
		return RS_ESTATE;
	}
	if (rc == RS_ENOTFOUND)
		dlv_slug_set("not-found");
	if (rc == 0)
		rc = dlv_exam_for(&ex, db, package, NULL);
	if (rc != 0)
		return rc;
	*exam = ex->exam->id;
	return 0;
}

static int dlv_window_package_do(json_t **out, rs_db *db, const struct dlv_actor *who, int64_t window, int64_t package,
                                 int unsat_only)
{
	const char *exam = NULL;
	int rc = dlv_package_usable(&exam, db, package);
	if (rc != 0)
		return rc;
	struct dlv_wp a = { .who = who, .window = window, .package = package, .exam = exam, .unsat_only = unsat_only };
	rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, dlv_window_package_tx, &a);
	if (rc != 0) {
		json_decref(a.row);
		return rc;
	}
	*out = a.row;
	return 0;
}

int dlv_window_package(json_t **out, rs_db *db, const struct dlv_actor *who, int64_t window, int64_t package)
{
	return dlv_window_package_do(out, db, who, window, package, 0);
}

int dlv_window_package_unsat(json_t **out, rs_db *db, const struct dlv_actor *who, int64_t window, int64_t package)
{
	return dlv_window_package_do(out, db, who, window, package, 1);
}
