/* Bulk load of simulated sittings into schema exam (riss demo): candidates, bookings,
 * sessions, one row per answer and results, as multi-row inserts over arrays (one statement
 * per table) in one transaction per chunk. Rows are the same as the candidate flow writes:
 * the session records the engine's exam and bank versions, its seed and the exam package it
 * ran on (id and SHA-256, so that dlv_replay reproduces it), the result its domains in the
 * form of dlv_result_json. */
#include "dlv_int.h"

#include "rs_audit.h"
#include "rs_error.h"
#include "rs_pgarr.h"

#include <libpq-fe.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The result's domains as dlv_result_json writes them. */
static char *dlv_bulk_domains(const struct cat_exam *exam, const struct cat_result *res)
{
	json_t *doms = json_array();
	for (int d = 0; d < res->ndomains && d < exam->ndomains; d++)
		json_array_append_new(doms, json_pack("{s:s, s:s, s:s, s:i, s:s}", "name", exam->domains[d].name,
			"label", exam->domains[d].label_ja, "label_en", exam->domains[d].label_en,
			"items", res->domains[d].items,
			"band", dlv_band_name(res->domains[d].band)));
	char *s = json_dumps(doms, JSON_COMPACT);
	json_decref(doms);
	return s;
}

struct dlv_bulk_arg {
	const struct dlv_bulk *b;
};

static int dlv_bulk_tx(rs_db *db, void *varg)
{
	const struct dlv_bulk *b = ((struct dlv_bulk_arg *)varg)->b;
	long long *cid = calloc(b->npersons + 1, sizeof *cid), *bid = calloc(b->nsittings + 1, sizeof *bid);
	long long *sid = calloc(b->nsittings + 1, sizeof *sid);
	struct rs_pgarr c[16];
	memset(c, 0, sizeof c);
	size_t nsat = 0;
	int rc = 0;
	if (!cid || !bid || !sid) {
		rc = RS_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < b->nsittings; i++)
		nsat += b->sittings[i].result != NULL;
	if ((rc = rs_pgarr_ids(cid, db, "exam.candidates", b->npersons)) != 0 ||
	    (rc = rs_pgarr_ids(bid, db, "exam.bookings", b->nsittings)) != 0 ||
	    (rc = rs_pgarr_ids(sid, db, "exam.sessions", nsat)) != 0)
		goto done;

	for (size_t i = 0; i < b->npersons; i++) {
		const struct dlv_bulk_person *p = &b->persons[i];
		rs_pgarr_int(&c[0], cid[i]);
		rs_pgarr_add(&c[1], p->name_kanji);
		rs_pgarr_add(&c[2], p->name_kana);
		rs_pgarr_add(&c[3], p->name_romaji);
		rs_pgarr_add(&c[4], p->birth_date);
		rs_pgarr_add(&c[5], p->email);
		for (int k = 0; k < RS_ATTR_N; k++)
			rs_pgarr_add(&c[6 + k], p->attrs.v[k]);
	}
	if ((rc = rs_pgarr_exec(db, "dlv_bulk_cand",
		"INSERT INTO exam.candidates (id, name_kanji, name_kana, name_romaji, birth_date, email,"
		" prefecture, occupation, industry, employer_type) OVERRIDING SYSTEM VALUE"
		" SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[],"
		" $7::text[], $8::text[], $9::text[], $10::text[])", c, 10)) != 0)
		goto done;
	rs_pgarr_free(c, 16);

	for (size_t i = 0; i < b->nsittings; i++) {
		const struct dlv_bulk_sitting *s = &b->sittings[i];
		int checked = s->result != NULL;
		rs_pgarr_int(&c[0], bid[i]);
		rs_pgarr_int(&c[1], cid[s->person]);
		rs_pgarr_int(&c[2], s->window);
		rs_pgarr_add(&c[3], s->centre);
		rs_pgarr_add(&c[4], s->sit_on);
		rs_pgarr_add(&c[5], s->starts_at);
		rs_pgarr_add(&c[6], s->status);
		rs_pgarr_add(&c[7], checked ? "demo:proctor" : NULL);
		rs_pgarr_add(&c[8], checked ? s->checked_at : NULL);
		rs_pgarr_add(&c[9], checked ? s->identity_document : NULL);
		rs_pgarr_add(&c[10], s->booked_at);
	}
	if ((rc = rs_pgarr_exec(db, "dlv_bulk_book",
		"INSERT INTO exam.bookings (id, candidate_id, window_id, centre_code, sit_on, starts_at, status,"
		" identity_checked_by, identity_checked_at, identity_document, created_at) OVERRIDING SYSTEM VALUE"
		" SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::date[], $6::time[],"
		" $7::text[], $8::text[], $9::timestamptz[], $10::text[], $11::timestamptz[])", c, 11)) != 0)
		goto done;
	rs_pgarr_free(c, 16);

	/* Sessions and results (one each per sitting that was sat). */
	struct rs_pgarr r[16];
	memset(r, 0, sizeof r);
	size_t k = 0;
	for (size_t i = 0; i < b->nsittings; i++) {
		const struct dlv_bulk_sitting *s = &b->sittings[i];
		if (!s->result)
			continue;
		const struct cat_result *res = s->result;
		char seed[24];
		snprintf(seed, sizeof seed, "%" PRId64, (int64_t)s->seed);
		rs_pgarr_int(&c[0], sid[k]);
		rs_pgarr_int(&c[1], bid[i]);
		rs_pgarr_add(&c[2], b->exam->id);
		rs_pgarr_add(&c[3], b->exam_version);
		rs_pgarr_add(&c[4], b->bank_version);
		rs_pgarr_add(&c[5], seed);
		rs_pgarr_add(&c[6], s->seat);
		rs_pgarr_int(&c[7], b->time_limit_s);
		rs_pgarr_int(&c[8], s->used_ms);
		rs_pgarr_int(&c[9], (long long)s->nresp);
		rs_pgarr_int(&c[10], s->nresp ? s->elapsed_s[s->nresp - 1] : 0);
		rs_pgarr_add(&c[11], s->checked_at);
		rs_pgarr_add(&c[12], s->finished_at);
		rs_pgarr_int(&c[13], b->package_id);
		rs_pgarr_add(&c[14], b->package_sha256);
		char *doms = dlv_bulk_domains(b->exam, res);
		char th[40], se[40];
		snprintf(th, sizeof th, "%.17g", res->theta);
		snprintf(se, sizeof se, "%.17g", res->se);
		rs_pgarr_int(&r[0], sid[k]);
		rs_pgarr_int(&r[1], cid[s->person]);
		rs_pgarr_add(&r[2], b->exam->id);
		rs_pgarr_int(&r[3], res->scaled);
		rs_pgarr_add(&r[4], res->pass ? "t" : "f");
		rs_pgarr_add(&r[5], res->complete ? "t" : "f");
		rs_pgarr_add(&r[6], th);
		rs_pgarr_add(&r[7], se);
		rs_pgarr_add(&r[8], dlv_stop_name(res->stop));
		rs_pgarr_int(&r[9], res->operational);
		rs_pgarr_int(&r[10], res->pretest);
		rs_pgarr_add(&r[11], doms ? doms : "[]");
		rs_pgarr_add(&r[12], s->finished_at);
		free(doms);
		k++;
	}
	rc = rs_pgarr_exec(db, "dlv_bulk_sess",
		"INSERT INTO exam.sessions (id, booking_id, exam_code, exam_version, bank_version, seed, seat, status,"
		" time_limit_s, used_ms, answered, last_engine_s, created_at, finished_at, package_id, package_sha256)"
		" OVERRIDING SYSTEM VALUE"
		" SELECT u.id, u.b, u.e, u.ev, u.bv, u.seed, u.seat, 'finished', u.tl, u.used, u.ans, u.les, u.c, u.f,"
		" u.pk, decode(u.ph, 'hex')"
		" FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[],"
		" $8::int[], $9::bigint[], $10::int[], $11::int[], $12::timestamptz[], $13::timestamptz[], $14::bigint[],"
		" $15::text[]) AS u(id, b, e, ev, bv, seed, seat, tl, used, ans, les, c, f, pk, ph)", c, 15);
	if (rc == 0)
		rc = rs_pgarr_exec(db, "dlv_bulk_res",
			"INSERT INTO exam.results (session_id, candidate_id, exam_code, scaled, passed, complete, theta, se,"
			" stop_reason, operational, pretest, domains, finished_at)"
			" SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[], $5::bool[], $6::bool[],"
			" $7::float8[], $8::float8[], $9::text[], $10::int[], $11::int[], $12::jsonb[], $13::timestamptz[])", r, 13);
	rs_pgarr_free(r, 16);
	rs_pgarr_free(c, 16);
	if (rc != 0)
		goto done;

	/* One row per answer. */
	k = 0;
	for (size_t i = 0; i < b->nsittings; i++) {
		const struct dlv_bulk_sitting *s = &b->sittings[i];
		if (!s->result)
			continue;
		for (size_t j = 0; j < s->nresp; j++) {
			rs_pgarr_int(&c[0], sid[k]);
			rs_pgarr_int(&c[1], (long long)j);
			rs_pgarr_add(&c[2], s->item_id[j]);
			rs_pgarr_int(&c[3], s->choice[j]);
			rs_pgarr_int(&c[4], s->score[j]);
			rs_pgarr_int(&c[5], s->elapsed_s[j]);
		}
		k++;
	}
	rc = rs_pgarr_exec(db, "dlv_bulk_resp",
		"INSERT INTO exam.responses (session_id, position, item_id, choice, score, engine_elapsed_s, answered_at)"
		" SELECT u.s, u.p, u.i, u.c, u.sc, u.e, x.created_at + make_interval(secs => u.e)"
		" FROM unnest($1::bigint[], $2::int[], $3::text[], $4::smallint[], $5::smallint[], $6::int[]) AS u(s, p, i, c, sc, e)"
		" JOIN exam.sessions x ON x.id = u.s", c, 6);
	if (rc != 0)
		goto done;
	json_t *detail = json_pack("{s:I, s:I, s:I}", "candidates", (json_int_t)b->npersons, "bookings",
	                           (json_int_t)b->nsittings, "results", (json_int_t)nsat);
	rc = rs_audit(db, "system:demo", "system", "exam.demo.load", "exam:demo", detail, NULL);
	json_decref(detail);
done:
	rs_pgarr_free(c, 16);
	free(cid);
	free(bid);
	free(sid);
	return rc;
}

int dlv_bulk_load(rs_db *db, const struct dlv_bulk *b)
{
	struct dlv_bulk_arg a = { b };
	return rs_db_tx(db, RS_DB_READ_COMMITTED, 1, dlv_bulk_tx, &a);
}

int dlv_bulk_count(long long *out_candidates, long long *out_results, rs_db *db, const char *email_domain)
{
	const char *p[] = { email_domain };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "dlv_bulk_count",
		"SELECT (SELECT count(*) FROM exam.candidates WHERE email LIKE '%@' || $1),"
		" (SELECT count(*) FROM exam.results x JOIN exam.candidates c ON c.id = x.candidate_id"
		"  WHERE c.email LIKE '%@' || $1)", 1, p);
	if (rc != 0)
		return rc;
	*out_candidates = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	*out_results = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	PQclear(r);
	return 0;
}
