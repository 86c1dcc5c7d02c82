/* Proctor actions against schema exam: the day's bookings, identity check, admission (and
 * the approved move to another workstation), pause/resume, extra time, end. Each action is
 * audited in its own transaction; a proctor only acts on bookings of their own centre. */
#include "dlv_int.h"

#include "rs_audit.h"
#include "rs_error.h"
#include "rs_util.h"

#include <libpq-fe.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dlv_proctor_day(json_t **out, rs_db *db, const struct dlv_actor *who, const char *date)
{
	dlv_slug_set(NULL);
	if (date && (strlen(date) != 10 || date[4] != '-' || date[7] != '-')) {
		dlv_slug_set("invalid-date");
		rs_error_msg("proctor.invalid_date", NULL);
		return RS_EINVAL;
	}
	const char *p[] = { who->centre, date };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "dlv_day",
		"SELECT b.id, b.centre_code, b.status, to_char(b.starts_at, 'HH24:MI'), b.extra_minutes, b.large_text,"
		" b.high_contrast, b.identity_checked_at IS NOT NULL, c.name_kanji, c.name_kana, c.name_romaji,"
		" to_char(c.birth_date, 'YYYY-MM-DD'), s.id, s.status, s.seat,"
		" (SELECT count(*) FROM exam.responses r WHERE r.session_id = s.id),"
		" greatest(0, s.time_limit_s + s.extra_s - (s.used_ms + CASE WHEN s.running_since IS NULL THEN 0"
		"   ELSE (extract(epoch FROM now() - s.running_since) * 1000)::bigint END) / 1000),"
		" coalesce(b.identity_document, ''), coalesce(b.identity_number_tail, ''), s.move_pending,"
		" s.admit_expires > now() AND s.admit_code_hash IS NOT NULL"
		" FROM exam.bookings b JOIN exam.candidates c ON c.id = b.candidate_id"
		" LEFT JOIN exam.sessions s ON s.booking_id = b.id"
		" WHERE ($1::text IS NULL OR b.centre_code = $1)"
		" AND b.sit_on = coalesce($2::date, (now() AT TIME ZONE 'Asia/Tokyo')::date)"
		" ORDER BY b.starts_at, b.id LIMIT 2000", 2, p);
	if (rc != 0)
		return rc;
	json_t *arr = json_array();
	for (int i = 0; i < PQntuples(r); i++) {
		json_t *b = json_pack("{s:I, s:s, s:s, s:s, s:i, s:b, s:b, s:b, s:s, s:s, s:s, s:s}",
			"booking", (json_int_t)strtoll(PQgetvalue(r, i, 0), NULL, 10), "centre", PQgetvalue(r, i, 1),
			"status", PQgetvalue(r, i, 2), "starts_at", PQgetvalue(r, i, 3),
			"extra_minutes", atoi(PQgetvalue(r, i, 4)), "large_text", PQgetvalue(r, i, 5)[0] == 't',
			"high_contrast", PQgetvalue(r, i, 6)[0] == 't', "identity_checked", PQgetvalue(r, i, 7)[0] == 't',
			"name", PQgetvalue(r, i, 8), "name_kana", PQgetvalue(r, i, 9), "name_latn", PQgetvalue(r, i, 10),
			"birth_date", PQgetvalue(r, i, 11));
		if (PQgetvalue(r, i, 17)[0])
			json_object_set_new(b, "identity", json_pack("{s:s, s:s}", "document", PQgetvalue(r, i, 17),
				"number_tail", PQgetvalue(r, i, 18)));
		if (!PQgetisnull(r, i, 12)) {
			const char *st = PQgetvalue(r, i, 13);
			json_t *s = json_pack("{s:I, s:s, s:s, s:i, s:b, s:b}",
				"id", (json_int_t)strtoll(PQgetvalue(r, i, 12), NULL, 10), "status", st,
				"seat", PQgetvalue(r, i, 14), "answered", atoi(PQgetvalue(r, i, 15)),
				"move_pending", PQgetvalue(r, i, 19)[0] == 't', "code_pending", PQgetvalue(r, i, 20)[0] == 't');
			/* Time left only while the sitting can still use it. */
			if (s && strcmp(st, "finished") != 0 && strcmp(st, "ended") != 0)
				json_object_set_new(s, "remaining_s", json_integer(atoi(PQgetvalue(r, i, 16))));
			json_object_set_new(b, "session", s);
		}
		json_array_append_new(arr, b);
	}
	PQclear(r);
	*out = json_pack("{s:o}", "bookings", arr);
	return *out ? 0 : RS_ENOMEM;
}

static int dlv_audit(rs_db *db, const struct dlv_actor *who, const char *action, const char *kind, int64_t id,
                     json_t *detail /* stolen */)
{
	char obj[48];
	snprintf(obj, sizeof obj, "%s:%" PRId64, kind, id);
	int rc = rs_audit(db, who->actor, who->role, action, obj, detail, who->request_id);
	json_decref(detail);
	return rc;
}

/* ------------------------------------------------------------------------------------ */

struct dlv_pa {
	const struct dlv_actor *who;
	int64_t id;
	const char *text;
	const char *tail;   /* identity: last 4 characters of the document number */
	int num;
	char code[DLV_CODE_LEN + 1];
	int64_t session;
};

static int dlv_not_found(const char *msg_id)
{
	dlv_slug_set("not-found");
	rs_error_msg(msg_id, NULL);
	return RS_ENOTFOUND;
}

const char *const dlv_identity_documents[] = { "driver_licence", "my_number_card", "passport", "residence_card",
                                               "health_insurance", "other", NULL };

static int dlv_identity_tx(rs_db *db, void *varg)
{
	struct dlv_pa *a = varg;
	char ids[24];
	snprintf(ids, sizeof ids, "%" PRId64, a->id);
	const char *p[] = { ids, a->who->centre, a->who->actor, a->text, a->tail };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "dlv_identity",
		"UPDATE exam.bookings SET identity_checked_by = $3, identity_checked_at = now(), identity_document = $4,"
		" identity_number_tail = $5"
		" WHERE id = $1 AND ($2::text IS NULL OR centre_code = $2) AND status IN ('booked', 'admitted') RETURNING id", 5, p);
	if (rc != 0)
		return rc;
	int n = PQntuples(r);
	PQclear(r);
	if (n != 1)
		return dlv_not_found("proctor.booking_not_waiting");
	return dlv_audit(db, a->who, "exam.booking.identity", "booking", a->id, json_pack("{s:s, s:s}", "document", a->text, "number_tail", a->tail));
}

int dlv_proctor_identity(rs_db *db, const struct dlv_actor *who, int64_t booking, const char *document,
                         const char *number_tail)
{
	dlv_slug_set(NULL);
	int known = 0;
	for (size_t i = 0; document && dlv_identity_documents[i]; i++)
		known |= strcmp(document, dlv_identity_documents[i]) == 0;
	if (!known) {
		dlv_slug_set("invalid-document");
		rs_error_msg("proctor.invalid_document", NULL);
		return RS_EINVAL;
	}
	size_t n = number_tail ? strlen(number_tail) : 0;
	int alnum = n == 4;
	for (size_t i = 0; alnum && i < n; i++)
		alnum = (number_tail[i] >= '0' && number_tail[i] <= '9') || (number_tail[i] >= 'A' && number_tail[i] <= 'Z') ||
		        (number_tail[i] >= 'a' && number_tail[i] <= 'z');
	if (!alnum) {
		dlv_slug_set("invalid-document");
		rs_error_msg("proctor.invalid_tail", NULL);
		return RS_EINVAL;
	}
	struct dlv_pa a = { .who = who, .id = booking, .text = document, .tail = number_tail };
	return rs_db_tx(db, RS_DB_READ_COMMITTED, 3, dlv_identity_tx, &a);
}

static int dlv_admit_tx(rs_db *db, void *varg)
{
	struct dlv_pa *a = varg;
	const struct dlv_exam *ex = NULL;
	int rc;
	char ids[24];
	snprintf(ids, sizeof ids, "%" PRId64, a->id);
	const char *p[] = { ids, a->who->centre };
	PGresult *r = NULL;
	if ((rc = rs_db_exec(&r, db, "dlv_admit_booking",
		"SELECT b.status, b.identity_checked_at IS NOT NULL, b.extra_minutes, s.id, s.status,"
		" (SELECT max(x.finished_at) + make_interval(days => coalesce((SELECT retake_days FROM exam.rules"
		"    WHERE exam_code = w.exam_code), 30)) > b.sit_on FROM exam.results x WHERE x.candidate_id = b.candidate_id"
		"    AND x.session_id IS DISTINCT FROM s.id), w.exam_code,"
		" b.sit_on = (now() AT TIME ZONE 'Asia/Tokyo')::date, w.package_id, w.name"
		" FROM exam.bookings b JOIN exam.windows w ON w.id = b.window_id"
		" LEFT JOIN exam.sessions s ON s.booking_id = b.id"
		" WHERE b.id = $1 AND ($2::text IS NULL OR b.centre_code = $2) FOR UPDATE OF b", 2, p)) != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return dlv_not_found("proctor.booking_not_found");
	}
	/* The window's exam package, verified at its load: the only source of what is delivered.
	 * A window that names none is refused once, clearly, before anything is written. */
	int64_t package_id = PQgetisnull(r, 0, 8) ? 0 : strtoll(PQgetvalue(r, 0, 8), NULL, 10);
	if (package_id <= 0) {
		dlv_slug_set("no-package");
		rs_error_msg("packages.window_none", PQgetvalue(r, 0, 9), NULL);
		PQclear(r);
		return RS_ESTATE;
	}
	if ((rc = dlv_exam_for(&ex, db, package_id, NULL)) != 0) {
		PQclear(r);
		return rc;
	}
	bool checked = PQgetvalue(r, 0, 1)[0] == 't';
	int extra_min = atoi(PQgetvalue(r, 0, 2));
	bool has_session = !PQgetisnull(r, 0, 3);
	int64_t sid = has_session ? strtoll(PQgetvalue(r, 0, 3), NULL, 10) : 0;
	char sstatus[16];
	snprintf(sstatus, sizeof sstatus, "%s", has_session ? PQgetvalue(r, 0, 4) : "");
	bool too_soon = PQgetvalue(r, 0, 5)[0] == 't';
	bool exam_ok = strcmp(PQgetvalue(r, 0, 6), ex->exam->id) == 0;
	bool today = PQgetvalue(r, 0, 7)[0] == 't';
	PQclear(r);
	if (!checked) {
		dlv_slug_set("identity-not-checked");
		rs_error_msg("proctor.identity_first", NULL);
		return RS_ESTATE;
	}
	if (!exam_ok) {
		dlv_slug_set("exam-not-delivered");
		rs_error_msg("proctor.exam_not_delivered", NULL);
		return RS_ESTATE;
	}
	if (has_session && (strcmp(sstatus, "finished") == 0 || strcmp(sstatus, "ended") == 0)) {
		dlv_slug_set("session-finished");
		rs_error_msg("proctor.already_ended", NULL);
		return RS_ESTATE;
	}
	if (has_session && !a->num) {
		dlv_slug_set("already-admitted");
		rs_error_msg("proctor.already_admitted", NULL);
		return RS_ESTATE;
	}
	if (!has_session && a->num) {
		dlv_slug_set("not-admitted");
		rs_error_msg("proctor.not_admitted", NULL);
		return RS_ESTATE;
	}
	if (!has_session && !today) {
		dlv_slug_set("not-today");
		rs_error_msg("proctor.not_today", NULL);
		return RS_ESTATE;
	}
	if (!has_session && too_soon) {
		dlv_slug_set("retake-too-soon");
		rs_error_msg("proctor.retake_too_soon", NULL);
		return RS_ESTATE;
	}
	/* DLV_CODE_LEN characters of the 31-letter alphabet, drawn without bias (bytes of 248
	 * and above are thrown back); only the hash is stored. */
	static const char alphabet[] = DLV_CODE_ALPHABET;
	int have = 0;
	while (have < DLV_CODE_LEN) {
		unsigned char rnd[32];
		if (rs_random_bytes(rnd, sizeof rnd) != 0)
			return RS_EIO;
		for (size_t i = 0; i < sizeof rnd && have < DLV_CODE_LEN; i++)
			if (rnd[i] < 248)
				a->code[have++] = alphabet[rnd[i] % 31];
	}
	a->code[DLV_CODE_LEN] = '\0';
	char ch[67];
	dlv_hash_bytea(ch, a->code);
	if (!has_session) {
		uint64_t seed;
		if (rs_random_bytes(&seed, sizeof seed) != 0)
			return RS_EIO;
		char seeds[24], tl[16], xs[16];
		snprintf(seeds, sizeof seeds, "%" PRId64, (int64_t)(seed >> 1));
		snprintf(tl, sizeof tl, "%d", ex->exam->time_limit_s);
		snprintf(xs, sizeof xs, "%d", extra_min * 60);
		char pkg[24];
		snprintf(pkg, sizeof pkg, "%" PRId64, ex->package_id);
		const char *q[] = { ids, ex->exam->id, ex->exam_version, ex->bank_version, seeds, a->text, tl, xs, ch,
		                    pkg, ex->package_sha256 };
		if ((rc = rs_db_exec(&r, db, "dlv_admit_ins",
			"WITH s AS (INSERT INTO exam.sessions (booking_id, exam_code, exam_version, bank_version, seed, seat,"
			" time_limit_s, extra_s, admit_code_hash, admit_expires, package_id, package_sha256)"
			" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::bytea,"
			" now() + interval '15 minutes', $10::bigint, decode($11, 'hex')) RETURNING id),"
			" b AS (UPDATE exam.bookings SET status = 'admitted' WHERE id = $1) SELECT id FROM s", 11, q)) != 0)
			return rc;
		sid = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
	} else {
		/* Approved move: new code; the old workstation's token stops working, the clock stops
		 * until the proctor resumes at the new seat. */
		char sids[24];
		snprintf(sids, sizeof sids, "%" PRId64, sid);
		const char *q[] = { sids, a->text, ch };
		if ((rc = rs_db_exec(NULL, db, "dlv_move",
			"UPDATE exam.sessions SET seat = $2, admit_code_hash = $3::bytea, admit_expires = now() + interval '15 minutes',"
			" moved_from_hash = coalesce(token_hash, moved_from_hash), token_hash = NULL, workstation_hash = NULL,"
			" version = version + 1, move_pending = true,"
			" used_ms = used_ms + CASE WHEN running_since IS NULL THEN 0 ELSE (extract(epoch FROM now() - running_since) * 1000)::bigint END,"
			" status = CASE WHEN status = 'running' THEN 'paused' ELSE status END, running_since = NULL"
			" WHERE id = $1", 3, q)) != 0)
			return rc;
	}
	a->session = sid;
	return dlv_audit(db, a->who, a->num ? "exam.session.move" : "exam.session.admit", "session", sid,
	                 json_pack("{s:I, s:s}", "booking", (json_int_t)a->id, "seat", a->text));
}

int dlv_proctor_admit(char *out_code, int64_t *out_session, rs_db *db, const struct dlv_actor *who,
                      int64_t booking, const char *seat, int move)
{
	dlv_slug_set(NULL);
	if (!seat || !seat[0] || strlen(seat) > 16) {
		dlv_slug_set("invalid-seat");
		rs_error_msg("proctor.invalid_seat", NULL);
		return RS_EINVAL;
	}
	struct dlv_pa a = { .who = who, .id = booking, .text = seat, .num = move };
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, dlv_admit_tx, &a);
	if (rc != 0)
		return rc;
	if (move)
		dlv_cache_drop(a.session);
	memcpy(out_code, a.code, sizeof a.code);
	*out_session = a.session;
	return 0;
}

/* num: 1 pause, 2 resume, 3 extra minutes in text-less num2, 4 end. */
struct dlv_sa {
	const struct dlv_actor *who;
	int64_t id;
	int op, minutes;
	const char *reason;
};

static int dlv_session_tx(rs_db *db, void *varg)
{
	struct dlv_sa *a = varg;
	char ids[24], mins[16];
	snprintf(ids, sizeof ids, "%" PRId64, a->id);
	snprintf(mins, sizeof mins, "%d", a->minutes);
	const char *p[] = { ids, a->who->centre, mins, a->reason ? a->reason : "" };
	PGresult *r = NULL;
	int rc;
	const char *action;
	json_t *det;
	switch (a->op) {
	case 1:
		action = "exam.session.pause";
		det = json_object();
		rc = rs_db_exec(&r, db, "dlv_pause",
			"UPDATE exam.sessions s SET status = 'paused', running_since = NULL, version = s.version + 1,"
			" used_ms = used_ms + (extract(epoch FROM now() - running_since) * 1000)::bigint"
			" FROM exam.bookings b WHERE s.id = $1 AND b.id = s.booking_id AND ($2::text IS NULL OR b.centre_code = $2)"
			" AND s.status = 'running' AND $3::int >= 0 AND $4::text IS NOT NULL RETURNING s.id", 4, p);
		break;
	case 2:
		action = "exam.session.resume";
		det = json_object();
		rc = rs_db_exec(&r, db, "dlv_resume",
			"UPDATE exam.sessions s SET status = 'running', running_since = now(), version = s.version + 1,"
			" move_pending = false"
			" FROM exam.bookings b WHERE s.id = $1 AND b.id = s.booking_id AND ($2::text IS NULL OR b.centre_code = $2)"
			" AND s.status = 'paused' AND $3::int >= 0 AND $4::text IS NOT NULL RETURNING s.id", 4, p);
		break;
	case 3:
		action = "exam.session.extra_time";
		det = json_pack("{s:i}", "minutes", a->minutes);
		rc = rs_db_exec(&r, db, "dlv_extra",
			"UPDATE exam.sessions s SET extra_s = extra_s + $3::int * 60, version = s.version + 1"
			" FROM exam.bookings b WHERE s.id = $1 AND b.id = s.booking_id AND ($2::text IS NULL OR b.centre_code = $2)"
			" AND s.status IN ('admitted', 'running', 'paused') AND $4::text IS NOT NULL RETURNING s.id", 4, p);
		break;
	default:
		action = "exam.session.end";
		det = json_pack("{s:s}", "reason", a->reason);
		rc = rs_db_exec(&r, db, "dlv_end",
			"WITH s AS (UPDATE exam.sessions s SET status = 'ended', end_reason = $4, finished_at = now(),"
			" used_ms = used_ms + CASE WHEN running_since IS NULL THEN 0 ELSE (extract(epoch FROM now() - running_since) * 1000)::bigint END,"
			" running_since = NULL, admit_code_hash = NULL, version = s.version + 1, move_pending = false"
			" FROM exam.bookings b WHERE s.id = $1 AND b.id = s.booking_id AND ($2::text IS NULL OR b.centre_code = $2)"
			" AND s.status IN ('admitted', 'running', 'paused') AND $3::int >= 0 RETURNING s.id, s.booking_id),"
			" u AS (UPDATE exam.bookings SET status = 'ended' WHERE id = (SELECT booking_id FROM s)) SELECT id FROM s", 4, p);
		break;
	}
	if (rc != 0) {
		json_decref(det);
		return rc;
	}
	int n = PQntuples(r);
	PQclear(r);
	if (n != 1) {
		json_decref(det);
		dlv_slug_set("session-state");
		rs_error_msg("proctor.session_state", NULL);
		return RS_ESTATE;
	}
	return dlv_audit(db, a->who, action, "session", a->id, det);
}

static int dlv_session_op(rs_db *db, const struct dlv_actor *who, int64_t session, int op, int minutes, const char *reason)
{
	dlv_slug_set(NULL);
	struct dlv_sa a = { .who = who, .id = session, .op = op, .minutes = minutes, .reason = reason };
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, dlv_session_tx, &a);
	if (rc == 0 && op == 4)
		dlv_cache_drop(session);
	return rc;
}

int dlv_proctor_pause(rs_db *db, const struct dlv_actor *who, int64_t session, int pause)
{
	return dlv_session_op(db, who, session, pause ? 1 : 2, 0, NULL);
}

int dlv_proctor_extra(rs_db *db, const struct dlv_actor *who, int64_t session, int minutes)
{
	if (minutes < 1 || minutes > 240) {
		dlv_slug_set("invalid-minutes");
		rs_error_msg("proctor.invalid_minutes", NULL);
		return RS_EINVAL;
	}
	return dlv_session_op(db, who, session, 3, minutes, NULL);
}

int dlv_proctor_end(rs_db *db, const struct dlv_actor *who, int64_t session, const char *reason)
{
	if (!reason || !reason[0] || strlen(reason) > 500) {
		dlv_slug_set("invalid-reason");
		rs_error_msg("proctor.invalid_reason", NULL);
		return RS_EINVAL;
	}
	return dlv_session_op(db, who, session, 4, 0, reason);
}
