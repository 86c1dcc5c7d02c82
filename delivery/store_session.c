/* The candidate flow against schema exam: authenticate, redeem an admission code, current
 * view, begin, answer (committed before the next item is sent), finish and report. The
 * engine session is rebuilt by replaying stored responses (or taken from the cache when it
 * has exactly the stored count), so the client's view of the state is never trusted. The
 * rules (which transition, the clock, the grace period, the engine's clock, the score) are
 * dlv_flow.c's; this file loads, stores and builds the candidate's view. */
#include "dlv_int.h"
#include "dlv_flow.h"

#include "rs_audit.h"
#include "rs_error.h"
#include "rs_json.h"
#include "rs_util.h"

#include <libpq-fe.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Session row, locked for the transaction. */
struct dlv_row {
	int64_t id, booking, candidate;
	char status[16];
	int time_limit_s, extra_s, answered, last_engine_s, version;
	int64_t elapsed_ms, seed;
	int64_t loaded_ns;       /* rs_mono_ns() when elapsed_ms was read (the cache's clock) */
	char exam_version[17], bank_version[17];
	bool large_text, high_contrast;
	int64_t package_id;      /* 0: none recorded (refused) */
	char package_sha256[65]; /* hex, as recorded at admission */
};

/* One session with its booking's display choices; the time used includes the running
 * stretch. */
#define DLV_ROW_SELECT \
	"SELECT s.status, s.time_limit_s, s.extra_s, s.answered, s.last_engine_s," \
	" s.used_ms + CASE WHEN s.running_since IS NULL THEN 0" \
	"   ELSE (extract(epoch FROM now() - s.running_since) * 1000)::bigint END," \
	" s.seed, s.exam_version, s.bank_version, b.large_text, b.high_contrast, s.booking_id, b.candidate_id," \
	" s.package_id, encode(s.package_sha256, 'hex'), s.version" \
	" FROM exam.sessions s JOIN exam.bookings b ON b.id = s.booking_id WHERE s.id = $1"

static int dlv_row_load(struct dlv_row *out, rs_db *db, int64_t id, int lock)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%" PRId64, id);
	const char *p[] = { ids };
	PGresult *r = NULL;
	int rc = lock ? rs_db_exec(&r, db, "dlv_row_lock", DLV_ROW_SELECT " FOR UPDATE OF s", 1, p)
	              : rs_db_exec(&r, db, "dlv_row_read", DLV_ROW_SELECT, 1, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		dlv_slug_set("session-unknown");
		rs_error_msg("exam.session_unknown", NULL);
		return RS_ENOTFOUND;
	}
	memset(out, 0, sizeof *out);
	out->id = id;
	snprintf(out->status, sizeof out->status, "%s", PQgetvalue(r, 0, 0));
	out->time_limit_s = atoi(PQgetvalue(r, 0, 1));
	out->extra_s = atoi(PQgetvalue(r, 0, 2));
	out->answered = atoi(PQgetvalue(r, 0, 3));
	out->last_engine_s = atoi(PQgetvalue(r, 0, 4));
	out->elapsed_ms = strtoll(PQgetvalue(r, 0, 5), NULL, 10);
	out->seed = strtoll(PQgetvalue(r, 0, 6), NULL, 10);
	snprintf(out->exam_version, sizeof out->exam_version, "%s", PQgetvalue(r, 0, 7));
	snprintf(out->bank_version, sizeof out->bank_version, "%s", PQgetvalue(r, 0, 8));
	out->large_text = PQgetvalue(r, 0, 9)[0] == 't';
	out->high_contrast = PQgetvalue(r, 0, 10)[0] == 't';
	out->booking = strtoll(PQgetvalue(r, 0, 11), NULL, 10);
	out->candidate = strtoll(PQgetvalue(r, 0, 12), NULL, 10);
	out->package_id = PQgetisnull(r, 0, 13) ? 0 : strtoll(PQgetvalue(r, 0, 13), NULL, 10);
	snprintf(out->package_sha256, sizeof out->package_sha256, "%s", PQgetisnull(r, 0, 14) ? "" : PQgetvalue(r, 0, 14));
	out->version = atoi(PQgetvalue(r, 0, 15));
	out->loaded_ns = rs_mono_ns();
	PQclear(r);
	if (out->elapsed_ms < 0)
		out->elapsed_ms = 0;
	/* The answered count and the engine clock come from the responses themselves (the
	 * answer path writes no session row). A statement of its own, after the lock, so it
	 * sees every answer committed before the lock was granted. */
	if ((rc = rs_db_exec(&r, db, "dlv_row_count",
		"SELECT count(*), coalesce(max(engine_elapsed_s), 0) FROM exam.responses WHERE session_id = $1", 1, p)) != 0)
		return rc;
	out->answered = atoi(PQgetvalue(r, 0, 0));
	out->last_engine_s = atoi(PQgetvalue(r, 0, 1));
	PQclear(r);
	return 0;
}

static struct dlv_cmeta dlv_meta_of(const struct dlv_exam *ex, const struct dlv_row *row)
{
	struct dlv_cmeta m = { .ex = ex, .last_engine_s = row->last_engine_s, .large_text = row->large_text,
	                       .high_contrast = row->high_contrast, .candidate = row->candidate,
	                       .time_limit_s = row->time_limit_s, .extra_s = row->extra_s, .version = row->version,
	                       .elapsed_ms = row->elapsed_ms, .elapsed_at_ns = row->loaded_ns,
	                       .running = dlv_flow_state(row->status) == DLV_ST_RUNNING };
	return m;
}

/* The engine session for row: from the cache, or rebuilt by replaying the stored responses.
 * *out owned by the caller. */
static int dlv_engine(struct cat_session **out, rs_db *db, const struct dlv_exam *ex, const struct dlv_row *row)
{
	if (strcmp(row->exam_version, ex->exam_version) != 0 || strcmp(row->bank_version, ex->bank_version) != 0) {
		dlv_slug_set("exam-version-mismatch");
		rs_error_msg("exam.version_mismatch", row->exam_version, row->bank_version, ex->exam_version,
		             ex->bank_version, NULL);
		return RS_ESTATE;
	}
	struct cat_session *s = dlv_cache_take(NULL, row->id, row->answered);
	if (s) {
		*out = s;
		return 0;
	}
	char ids[24];
	snprintf(ids, sizeof ids, "%" PRId64, row->id);
	const char *p[] = { ids };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "dlv_replay",
		"SELECT item_id, score, engine_elapsed_s FROM exam.responses WHERE session_id = $1 ORDER BY position", 1, p);
	if (rc != 0)
		return rc;
	if ((rc = cat_session_new(&s, ex->eng, (uint64_t)row->seed)) != 0) {
		rs_error_set("engine: %s", cat_error_last());
		goto done;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		size_t want;
		long idx = cat_bank_find(ex->bank, PQgetvalue(r, i, 0));
		if (cat_session_next(s, &want) != 0 || idx < 0 || (size_t)idx != want ||
		    cat_session_answer(s, want, atoi(PQgetvalue(r, i, 1)), (uint32_t)atoi(PQgetvalue(r, i, 2))) != 0) {
			rs_error_set("replay of session %" PRId64 " diverged at position %d", row->id, i);
			rc = RS_EINTERNAL;
			goto done;
		}
	}
	if (PQntuples(r) != row->answered) {
		rs_error_set("session %" PRId64 " has %d responses but records %d", row->id, PQntuples(r), row->answered);
		rc = RS_EINTERNAL;
		goto done;
	}
	*out = s;
	s = NULL;
done:
	cat_session_free(s);
	PQclear(r);
	return rc;
}

static json_t *dlv_result_json(const struct dlv_exam *ex, const struct cat_result *res)
{
	json_t *doms = json_array();
	for (int d = 0; d < res->ndomains && d < ex->exam->ndomains; d++)
		json_array_append_new(doms, json_pack("{s:s, s:s, s:s, s:i, s:s}", "name", ex->exam->domains[d].name,
			"label", ex->exam->domains[d].label_ja, "label_en", ex->exam->domains[d].label_en,
			"items", res->domains[d].items,
			"band", dlv_band_name(res->domains[d].band)));
	return json_pack("{s:i, s:b, s:b, s:s, s:i, s:i, s:i, s:o}", "scaled", res->scaled, "passed", res->pass,
		"complete", res->complete, "stop", dlv_stop_name(res->stop), "operational", res->operational,
		"pretest", res->pretest, "cut", ex->exam->scale_cut, "domains", doms);
}

/* Finish: store the result, close the clock and the booking. */
static int dlv_finish(rs_db *db, const struct dlv_exam *ex, const struct dlv_row *row, struct cat_session *s)
{
	struct cat_result res;
	if (cat_session_result(s, &res) != 0) {
		rs_error_set("engine: %s", cat_error_last());
		return RS_EINTERNAL;
	}
	json_t *rj = dlv_result_json(ex, &res);
	char *doms = rj ? rs_json_dump(json_object_get(rj, "domains")) : NULL;
	json_decref(rj);
	if (!doms)
		return RS_ENOMEM;
	char ids[24], cand[24], scaled[16], theta[40], se[40], oper[16], pre[16], used[24];
	snprintf(ids, sizeof ids, "%" PRId64, row->id);
	snprintf(cand, sizeof cand, "%" PRId64, row->candidate);
	snprintf(scaled, sizeof scaled, "%d", res.scaled);
	snprintf(theta, sizeof theta, "%.17g", res.theta);
	snprintf(se, sizeof se, "%.17g", res.se);
	snprintf(oper, sizeof oper, "%d", res.operational);
	snprintf(pre, sizeof pre, "%d", res.pretest);
	snprintf(used, sizeof used, "%" PRId64, dlv_flow_used_ms(row->elapsed_ms, row->time_limit_s, row->extra_s));
	char ans[16], les[16];
	snprintf(ans, sizeof ans, "%d", row->answered);
	snprintf(les, sizeof les, "%d", row->last_engine_s);
	const char *p[] = { ids, cand, ex->exam->id, scaled, res.pass ? "t" : "f", res.complete ? "t" : "f",
	                    theta, se, dlv_stop_name(res.stop), oper, pre, doms };
	int rc = rs_db_exec(NULL, db, "dlv_result_ins",
		"INSERT INTO exam.results (session_id, candidate_id, exam_code, scaled, passed, complete, theta, se,"
		" stop_reason, operational, pretest, domains) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12::jsonb)"
		" ON CONFLICT (session_id) DO NOTHING", 12, p);
	free(doms);
	if (rc != 0)
		return rc;
	const char *p2[] = { ids, used, ans, les };
	if ((rc = rs_db_exec(NULL, db, "dlv_sess_finish",
		"WITH s AS (UPDATE exam.sessions SET status = 'finished', running_since = NULL, used_ms = $2,"
		" answered = $3, last_engine_s = $4, finished_at = now() WHERE id = $1 RETURNING booking_id)"
		" UPDATE exam.bookings SET status = 'finished' WHERE id = (SELECT booking_id FROM s)", 4, p2)) != 0)
		return rc;
	char obj[40];
	snprintf(obj, sizeof obj, "session:%" PRId64, row->id);
	json_t *det = json_pack("{s:i, s:b, s:s}", "scaled", res.scaled, "passed", res.pass, "stop", dlv_stop_name(res.stop));
	rc = rs_audit(db, "system", "system", "exam.session.finish", obj, det, NULL);
	json_decref(det);
	return rc;
}

struct dlv_fin_arg {
	const struct dlv_exam *ex;
	const struct dlv_row *row;
	struct cat_session *s;
};

static int dlv_finish_tx(rs_db *db, void *varg)
{
	struct dlv_fin_arg *a = varg;
	return dlv_finish(db, a->ex, a->row, a->s);
}

static int dlv_result_load(json_t **out, rs_db *db, const struct dlv_exam *ex, int64_t id)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%" PRId64, id);
	const char *p[] = { ids };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "dlv_result_get",
		"SELECT scaled, passed, complete, stop_reason, operational, pretest, domains::text,"
		" to_char(finished_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD') FROM exam.results WHERE session_id = $1", 1, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		*out = json_null();
		return 0;
	}
	int cut = ex->exam->scale_cut;
	json_error_t jerr;
	json_t *doms = json_loads(PQgetvalue(r, 0, 6), 0, &jerr);
	*out = json_pack("{s:i, s:b, s:b, s:s, s:i, s:i, s:i, s:o, s:s}", "scaled", atoi(PQgetvalue(r, 0, 0)),
		"passed", PQgetvalue(r, 0, 1)[0] == 't', "complete", PQgetvalue(r, 0, 2)[0] == 't',
		"stop", PQgetvalue(r, 0, 3), "operational", atoi(PQgetvalue(r, 0, 4)),
		"pretest", atoi(PQgetvalue(r, 0, 5)), "cut", cut, "domains", doms ? doms : json_array(),
		"date", PQgetvalue(r, 0, 7));
	PQclear(r);
	return *out ? 0 : RS_ENOMEM;
}

/* The view a candidate sees, from a (locked) row and the engine session. */
static int dlv_view(json_t **out, rs_db *db, const struct dlv_exam *ex, const struct dlv_row *row,
                    struct cat_session *s)
{
	int64_t rem = dlv_flow_remaining_s(row->elapsed_ms, row->time_limit_s, row->extra_s);
	json_t *v = json_pack("{s:I, s:s, s:i, s:I, s:i, s:i, s:{s:i, s:b, s:b}, s:i}", "session", (json_int_t)row->id,
		"status", row->status, "answered", row->answered, "remaining_s", (json_int_t)rem,
		"time_limit_s", row->time_limit_s, "extra_s", row->extra_s,
		"accommodations", "extra_minutes", row->extra_s / 60, "large_text", row->large_text,
		"high_contrast", row->high_contrast, "max_items", ex->exam->max_items + ex->exam->pretest_items);
	if (!v)
		return RS_ENOMEM;
	if (strcmp(row->status, "finished") == 0 || strcmp(row->status, "ended") == 0) {
		json_t *res = NULL;
		int rc = dlv_result_load(&res, db, ex, row->id);
		if (rc != 0) {
			json_decref(v);
			return rc;
		}
		json_object_set_new(v, "result", res);
	} else if (s && (strcmp(row->status, "running") == 0 || strcmp(row->status, "paused") == 0)) {
		size_t idx;
		if (cat_session_next(s, &idx) == 0 && strcmp(row->status, "running") == 0) {
			json_t *item = json_copy(ex->content[idx].view); /* shares the immutable text */
			json_object_set_new(item, "position", json_integer(row->answered));
			json_object_set_new(v, "item", item);
		}
	}
	*out = v;
	return 0;
}

/* ------------------------------------------------------------------------------------ */

static int dlv_auth_db(int64_t *out_session, rs_db *db, const char *th, const char *wh)
{
	const char *p[] = { th, wh };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "dlv_auth",
		"SELECT id FROM exam.sessions WHERE token_hash = $1::bytea AND workstation_hash = $2::bytea"
		" AND (finished_at IS NULL OR finished_at > now() - interval '1 day')", 2, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		dlv_auth_cache_drop(th);
		dlv_slug_set("exam-session-invalid");
		rs_error_msg("exam.session_invalid", NULL);
		return RS_EAUTH;
	}
	*out_session = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return 0;
}

int dlv_auth(int64_t *out_session, rs_db *db, const char *token, const char *ws_token)
{
	struct dlv_auth_pending *pend = dlv_auth_pending();
	pend->session = 0;
	if (!token || strlen(token) != DLV_TOKEN_LEN || !ws_token || strlen(ws_token) != DLV_TOKEN_LEN) {
		dlv_slug_set("exam-session-invalid");
		rs_error_msg("exam.session_invalid", NULL);
		return RS_EAUTH;
	}
	char th[67], wh[67];
	dlv_hash_bytea(th, token);
	dlv_hash_bytea(wh, ws_token);
	/* A cached sign-in is confirmed later in the same request (dlv_auth_verify, or the
	 * answer statement's own token check). */
	int64_t id = dlv_auth_cache_get(th, wh);
	if (id) {
		pend->session = id;
		memcpy(pend->th, th, sizeof th);
		memcpy(pend->wh, wh, sizeof wh);
		*out_session = id;
		return 0;
	}
	int rc = dlv_auth_db(&id, db, th, wh);
	if (rc != 0)
		return rc;
	dlv_auth_cache_put(th, wh, id);
	*out_session = id;
	return 0;
}

int dlv_auth_verify(rs_db *db, int64_t session)
{
	struct dlv_auth_pending *pend = dlv_auth_pending();
	if (pend->session == 0 || pend->session != session)
		return 0;
	int64_t id = 0;
	int rc = dlv_auth_db(&id, db, pend->th, pend->wh);
	pend->session = 0;
	if (rc == 0 && id != session) {
		dlv_slug_set("exam-session-invalid");
		rs_error_msg("exam.session_invalid", NULL);
		rc = RS_EAUTH;
	}
	return rc;
}

/* Audit an action the candidate of session took. */
static int dlv_candidate_audit(rs_db *db, int64_t session, const char *action)
{
	char obj[40], actor[48];
	snprintf(obj, sizeof obj, "session:%" PRId64, session);
	snprintf(actor, sizeof actor, "candidate:%" PRId64, session);
	return rs_audit(db, actor, "candidate", action, obj, NULL, NULL);
}

struct dlv_redeem_arg {
	const char *code, *ws, *client;
	int malformed;           /* the code is not well-formed: audit the refusal only */
	int refused;             /* set inside the transaction, which commits the audit row */
	char token[DLV_TOKEN_LEN + 1];
	int64_t session;
};

int dlv_code_normalise(char *out, const char *in)
{
	char c[DLV_CODE_LEN + 1];
	size_t n = 0;
	for (const char *p = in; p && *p; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		char u = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
		if (n == DLV_CODE_LEN || !strchr(DLV_CODE_ALPHABET, u) || u == '\0')
			return RS_EINVAL;
		c[n++] = u;
	}
	if (n != DLV_CODE_LEN)
		return RS_EINVAL;
	c[n] = '\0';
	memcpy(out, c, sizeof c);
	return 0;
}

/* A refused redemption: one audit row naming the client address (the guessing that finding 1
 * of the security review describes shows up in audit.events, bounded by rissd's limits). */
static int dlv_redeem_refused(rs_db *db, struct dlv_redeem_arg *a)
{
	a->refused = 1;
	json_t *d = json_pack("{s:s, s:b}", "client", a->client ? a->client : "", "malformed", a->malformed);
	int rc = rs_audit(db, "public", "public", "exam.code.refused", "admission-code", d, NULL);
	json_decref(d);
	return rc;
}

static int dlv_redeem_tx(rs_db *db, void *varg)
{
	struct dlv_redeem_arg *a = varg;
	a->refused = 0;
	if (a->malformed)
		return dlv_redeem_refused(db, a);
	char ch[67], th[67], wh[67];
	dlv_hash_bytea(ch, a->code);
	dlv_hash_bytea(th, a->token);
	dlv_hash_bytea(wh, a->ws);
	const char *p[] = { ch, th, wh };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "dlv_redeem",
		"UPDATE exam.sessions SET token_hash = $2::bytea, workstation_hash = $3::bytea, admit_code_hash = NULL,"
		" admit_expires = NULL WHERE admit_code_hash = $1::bytea AND admit_expires > now()"
		" AND status NOT IN ('finished', 'ended') RETURNING id", 3, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return dlv_redeem_refused(db, a);
	}
	a->session = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return dlv_candidate_audit(db, a->session, "exam.session.redeem");
}

int dlv_redeem(char *out_token, int64_t *out_session, rs_db *db, const char *code, const char *ws_token,
               const char *client)
{
	dlv_slug_set(NULL);
	if (!ws_token || strlen(ws_token) != DLV_TOKEN_LEN) {
		dlv_slug_set("admission-code-invalid");
		rs_error_msg("exam.code_format", NULL);
		return RS_EINVAL;
	}
	char norm[DLV_CODE_LEN + 1] = "";
	struct dlv_redeem_arg a = { .code = norm, .ws = ws_token, .client = client };
	a.malformed = !code || dlv_code_normalise(norm, code) != 0;
	int rc = dlv_token_new(a.token);
	if (rc == 0)
		rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, dlv_redeem_tx, &a);
	if (rc != 0)
		return rc;
	if (a.refused) {
		dlv_slug_set("admission-code-invalid");
		rs_error_msg(a.malformed ? "exam.code_format" : "exam.code_invalid", NULL);
		return a.malformed ? RS_EINVAL : RS_EAUTH;
	}
	memcpy(out_token, a.token, sizeof a.token);
	*out_session = a.session;
	return 0;
}

/* ------------------------------------------------------------------------------------ */

struct dlv_flow_arg {
	const struct dlv_exam *ex;
	int64_t session;
	int op;                  /* 0 current, 1 begin, 2 answer */
	int position, choice;
	const char *item_id;
	json_t *view;            /* out */
	struct cat_session *s;   /* engine session after the transaction */
	int answered;            /* its response count */
	struct dlv_cmeta meta;   /* for the cache */
	int refuse;              /* after commit: refuse with this code (slug and message id saved) */
	char refuse_slug[40], refuse_msg[64];
};

static void dlv_refuse(struct dlv_flow_arg *a, int code, const char *slug, const char *msg_id)
{
	a->refuse = code;
	snprintf(a->refuse_slug, sizeof a->refuse_slug, "%s", slug);
	snprintf(a->refuse_msg, sizeof a->refuse_msg, "%s", msg_id);
}

/* The item that followed position (for an idempotent resend): item at position + 1, from
 * the stored responses or the pending one. */
static int dlv_item_after(json_t **out, rs_db *db, const struct dlv_exam *ex, const struct dlv_row *row,
                          struct cat_session *s, int position)
{
	int next = position + 1;
	if (next >= row->answered)
		return dlv_view(out, db, ex, row, s);
	size_t item;
	int score;
	bool pre;
	if (cat_session_response(s, (size_t)next, &item, &score, &pre) != 0)
		return RS_EINTERNAL;
	int rc = dlv_view(out, db, ex, row, NULL);
	if (rc != 0)
		return rc;
	json_t *it = json_copy(ex->content[item].view); /* shares the immutable text */
	json_object_set_new(it, "position", json_integer(next));
	json_object_set_new(it, "answered_already", json_true());
	json_object_set_new(*out, "item", it);
	return 0;
}

/* What a GET shows of a sitting that is over but not yet closed (its time ran out, or its
 * last answer was stored without the finish): no item, "finishing": why. A GET changes
 * nothing; the page closes it with POST begin (dlv_begin). */
static int dlv_finishing(json_t **out, rs_db *db, const struct dlv_exam *ex, const struct dlv_row *row, const char *why)
{
	int rc = dlv_view(out, db, ex, row, NULL);
	if (rc == 0)
		json_object_set_new(*out, "finishing", json_string(why));
	return rc;
}

/* Store the answer to the pending item at position row->answered (the flow decided it may be
 * taken), take the engine step, finish when the engine is done, and show what follows. */
static int dlv_store_answer(struct dlv_flow_arg *a, rs_db *db, const struct dlv_exam *ex, struct dlv_row *row)
{
	size_t idx;
	int rc;
	if (cat_session_next(a->s, &idx) != 0)
		return RS_EINTERNAL;
	if (strcmp(ex->bank->items[idx].id, a->item_id) != 0) {
		dlv_refuse(a, RS_ESTATE, "not-current-item", "exam.not_current_item");
		return 0;
	}
	int score = dlv_flow_score(a->choice, ex->content[idx].key);
	int e = dlv_flow_engine_s(row->elapsed_ms, ex->exam->time_limit_s, row->time_limit_s, row->extra_s,
	                          row->last_engine_s);
	if ((rc = cat_session_answer(a->s, idx, score, (uint32_t)e)) != 0) {
		rs_error_set("engine: %s", cat_error_last());
		return RS_EINTERNAL;
	}
	char ids[24], pos[16], ch[8], sc[4], es[16];
	snprintf(ids, sizeof ids, "%" PRId64, row->id);
	snprintf(pos, sizeof pos, "%d", a->position);
	snprintf(ch, sizeof ch, "%d", a->choice);
	snprintf(sc, sizeof sc, "%d", score);
	snprintf(es, sizeof es, "%d", e);
	const char *p[] = { ids, pos, a->item_id, ch, sc, es };
	if ((rc = rs_db_exec(NULL, db, "dlv_answer",
		"INSERT INTO exam.responses (session_id, position, item_id, choice, score, engine_elapsed_s)"
		" VALUES ($1, $2, $3, $4, $5, $6)", 6, p)) != 0)
		return rc;
	row->answered++;
	row->last_engine_s = e;
	a->answered = row->answered;
	a->meta = dlv_meta_of(ex, row);
	if (cat_session_done(a->s)) {
		if ((rc = dlv_finish(db, ex, row, a->s)) != 0)
			return rc;
		snprintf(row->status, sizeof row->status, "%s", dlv_flow_state_name(DLV_ST_FINISHED));
	}
	return dlv_view(&a->view, db, ex, row, a->s);
}

static int dlv_flow_tx(rs_db *db, void *varg)
{
	struct dlv_flow_arg *a = varg;
	const struct dlv_exam *ex = NULL;
	struct dlv_row row;
	int rc;
	cat_session_free(a->s);
	a->s = NULL;
	json_decref(a->view);
	a->view = NULL;
	a->refuse = 0;
	if ((rc = dlv_row_load(&row, db, a->session, 1)) != 0)
		return rc;
	/* The sitting's own exam: its package, verified against its record. */
	if ((rc = dlv_exam_for(&ex, db, row.package_id, row.package_sha256)) != 0)
		return rc;
	a->ex = ex;
	enum dlv_state st = dlv_flow_state(row.status);
	if (dlv_flow_live(st)) {
		if ((rc = dlv_engine(&a->s, db, ex, &row)) != 0)
			return rc;
		a->answered = row.answered;
		a->meta = dlv_meta_of(ex, &row);
	}
	struct dlv_request rq = { .ev = a->op == 0 ? DLV_EV_VIEW : a->op == 1 ? DLV_EV_BEGIN : DLV_EV_ANSWER,
	                          .elapsed_ms = row.elapsed_ms, .time_limit_s = row.time_limit_s, .extra_s = row.extra_s,
	                          .answered = row.answered, .position = a->position };
	/* Each decision of the flow is carried out here; a start or a finish changes the state,
	 * and the flow decides again on the new one (at most twice: a start or a finish leads to
	 * no further change). */
	for (;;) {
		rq.st = dlv_flow_state(row.status);
		rq.engine_done = a->s && cat_session_done(a->s);
		struct dlv_decision d = dlv_flow_decide(&rq);
		char ids[24];
		snprintf(ids, sizeof ids, "%" PRId64, row.id);
		switch (d.action) {
		case DLV_DO_SHOW:
			return dlv_view(&a->view, db, ex, &row, a->s);
		case DLV_DO_FINISHING:
			return dlv_finishing(&a->view, db, ex, &row, d.why);
		case DLV_DO_START: {
			const char *p[] = { ids };
			if ((rc = rs_db_exec(NULL, db, "dlv_begin",
				"WITH s AS (UPDATE exam.sessions SET status = 'running', running_since = now() WHERE id = $1"
				" RETURNING booking_id) UPDATE exam.bookings SET status = 'sitting' WHERE id = (SELECT booking_id FROM s)",
				1, p)) != 0)
				return rc;
			snprintf(row.status, sizeof row.status, "%s", dlv_flow_state_name(DLV_ST_RUNNING));
			a->meta = dlv_meta_of(ex, &row);  /* its clock runs from here */
			continue;
		}
		case DLV_DO_FINISH:
			if ((rc = dlv_finish(db, ex, &row, a->s)) != 0)
				return rc;
			snprintf(row.status, sizeof row.status, "%s", dlv_flow_state_name(DLV_ST_FINISHED));
			continue;
		case DLV_DO_TIME_UP:
			cat_session_time_up(a->s, (uint32_t)ex->exam->time_limit_s);
			if ((rc = dlv_finish(db, ex, &row, a->s)) != 0)
				return rc;
			snprintf(row.status, sizeof row.status, "%s", dlv_flow_state_name(DLV_ST_FINISHED));
			if (d.slug)
				dlv_refuse(a, RS_ESTATE, d.slug, d.msg);
			return dlv_view(&a->view, db, ex, &row, NULL);
		case DLV_DO_REFUSE:
			dlv_refuse(a, RS_ESTATE, d.slug, d.msg);
			return 0;
		case DLV_DO_RESEND: {
			/* A resend of a stored answer (same item, same choice) is not an error. */
			char pos[16];
			snprintf(pos, sizeof pos, "%d", a->position);
			const char *p[] = { ids, pos };
			PGresult *r = NULL;
			if ((rc = rs_db_exec(&r, db, "dlv_resp_get",
				"SELECT item_id, choice FROM exam.responses WHERE session_id = $1 AND position = $2", 2, p)) != 0)
				return rc;
			bool same = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), a->item_id) == 0 &&
			            atoi(PQgetvalue(r, 0, 1)) == a->choice;
			PQclear(r);
			if (!same) {
				dlv_refuse(a, RS_ECONFLICT, "answer-conflict", "exam.answer_conflict");
				return 0;
			}
			if (!a->s)
				return dlv_view(&a->view, db, ex, &row, NULL);
			return dlv_item_after(&a->view, db, ex, &row, a->s, a->position);
		}
		case DLV_DO_ANSWER:
			return dlv_store_answer(a, db, ex, &row);
		}
		return RS_EINTERNAL;
	}
}

static int dlv_flow(json_t **out, rs_db *db, struct dlv_flow_arg *a)
{
	dlv_slug_set(NULL);
	int rc = dlv_auth_verify(db, a->session);
	if (rc != 0)
		return rc;
	rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, dlv_flow_tx, a);
	if (rc == 0 && a->s && !cat_session_done(a->s)) {
		dlv_cache_put(a->session, a->s, a->answered, &a->meta);
		a->s = NULL;
	} else if (rc == 0) {
		dlv_cache_drop(a->session);
	}
	cat_session_free(a->s);
	if (rc == 0 && a->refuse) {
		json_decref(a->view);
		dlv_slug_set(a->refuse_slug);
		rs_error_msg(a->refuse_msg, NULL);
		return a->refuse;
	}
	if (rc != 0) {
		json_decref(a->view);
		return rc;
	}
	*out = a->view;
	return 0;
}

int dlv_current(json_t **out, rs_db *db, int64_t session)
{
	struct dlv_flow_arg a = { .session = session, .op = 0 };
	return dlv_flow(out, db, &a);
}

int dlv_begin(json_t **out, rs_db *db, int64_t session)
{
	struct dlv_flow_arg a = { .session = session, .op = 1 };
	return dlv_flow(out, db, &a);
}

/* Fast path of an answer: the cached engine session is exactly at `position`, the item is its
 * pending one and the session was running when last read. One statement (its own
 * transaction, one round trip) checks the sign-in, the state, that no proctor action came
 * since (the version), the exam version and the deadline (dlv_flow's, by the database's
 * clock), share-locks the session row (a proctor's pause or end waits for it, or it sees
 * theirs) and stores the response; no session row is written. The engine clock and the
 * score are dlv_flow's, from the clock last read plus the time since on this node's monotonic
 * clock (the database's clock decides the deadline). The cache entry at `position` means
 * responses 0..position-1 are stored (they are never deleted), so the primary key alone
 * decides whether this is the next answer: a conflict (another node or request got there
 * first) stores nothing. The clock uses date_part (float8): cheaper per call than extract
 * (numeric). Returns 1 when the fast path does not apply (nothing was written): the caller
 * takes the full path, which decides on the row itself. */
static int dlv_answer_fast(json_t **out, rs_db *db, int64_t session, int position, const char *item_id, int choice)
{
	struct dlv_cmeta meta;
	struct cat_session *s = dlv_cache_take(&meta, session, position);
	size_t idx;
	if (!s)
		return 1;
	const struct dlv_exam *ex = meta.ex; /* the exam the cached session runs on */
	int64_t now_ns = rs_mono_ns();
	int64_t est_ms = meta.elapsed_ms + (now_ns - meta.elapsed_at_ns) / 1000000;
	if (!meta.running || dlv_flow_time_up(est_ms, meta.time_limit_s, meta.extra_s, true) || cat_session_done(s) ||
	    cat_session_next(s, &idx) != 0 || strcmp(ex->bank->items[idx].id, item_id) != 0) {
		dlv_cache_put(session, s, position, &meta);
		return 1;
	}
	int score = dlv_flow_score(choice, ex->content[idx].key);
	int engine_s = dlv_flow_engine_s(est_ms, ex->exam->time_limit_s, meta.time_limit_s, meta.extra_s,
	                                 meta.last_engine_s);
	struct dlv_auth_pending *pend = dlv_auth_pending();
	int pending = pend->session == session;
	char ids[24], pos[16], ch[8], sc[4], ver[16], es[16], dl[24];
	snprintf(ids, sizeof ids, "%" PRId64, session);
	snprintf(pos, sizeof pos, "%d", position);
	snprintf(ch, sizeof ch, "%d", choice);
	snprintf(sc, sizeof sc, "%d", score);
	snprintf(ver, sizeof ver, "%d", meta.version);
	snprintf(es, sizeof es, "%d", engine_s);
	snprintf(dl, sizeof dl, "%" PRId64, dlv_flow_deadline_ms(meta.time_limit_s, meta.extra_s, true));
	const char *p[] = { ids, pos, item_id, ch, sc, ver, ex->exam_version, ex->bank_version,
	                    pending ? pend->th : NULL, pending ? pend->wh : NULL, es, dl };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "dlv_answer_fast",
		"WITH s AS (SELECT x.id, x.used_ms + (date_part('epoch', now() - x.running_since) * 1000)::bigint AS elapsed_ms"
		" FROM exam.sessions x WHERE x.id = $1 AND x.status = 'running' AND x.running_since IS NOT NULL"
		"  AND x.version = $6::int AND x.exam_version = $7 AND x.bank_version = $8"
		"  AND ($9::bytea IS NULL OR (x.token_hash = $9::bytea AND x.workstation_hash = $10::bytea))"
		"  AND x.used_ms + (date_part('epoch', now() - x.running_since) * 1000)::bigint < $12::bigint"
		" FOR SHARE),"
		" i AS (INSERT INTO exam.responses (session_id, position, item_id, choice, score, engine_elapsed_s)"
		"  SELECT s.id, $2::int, $3, $4::int, $5::int, $11::int"
		"  FROM s ON CONFLICT (session_id, position) DO NOTHING RETURNING 1)"
		" SELECT s.elapsed_ms FROM s, i", 12, p);
	if (rc != 0) {
		cat_session_free(s);   /* the database decides on the full path */
		return rc == RS_EUNAVAIL ? rc : 1;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		dlv_cache_put(session, s, position, &meta);
		return 1;
	}
	if (pending)
		pend->session = 0;   /* the statement confirmed the sign-in */
	struct dlv_row row;
	memset(&row, 0, sizeof row);
	row.id = session;
	snprintf(row.status, sizeof row.status, "%s", dlv_flow_state_name(DLV_ST_RUNNING));
	row.last_engine_s = engine_s;
	row.time_limit_s = meta.time_limit_s;
	row.extra_s = meta.extra_s;
	row.version = meta.version;
	row.elapsed_ms = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	row.loaded_ns = now_ns;
	row.large_text = meta.large_text;
	row.high_contrast = meta.high_contrast;
	row.candidate = meta.candidate;
	row.answered = position + 1;
	snprintf(row.exam_version, sizeof row.exam_version, "%s", ex->exam_version);
	snprintf(row.bank_version, sizeof row.bank_version, "%s", ex->bank_version);
	PQclear(r);
	if (row.elapsed_ms < 0)
		row.elapsed_ms = 0;
	if (cat_session_answer(s, idx, score, (uint32_t)engine_s) != 0) {
		cat_session_free(s);
		rs_error_set("engine: %s", cat_error_last());
		return RS_EINTERNAL;
	}
	if (cat_session_done(s)) {
		/* The answer is committed; the finish is its own transaction (and is redone by
		 * the full path if this process dies in between). */
		struct dlv_fin_arg fa = { .ex = ex, .row = &row, .s = s };
		rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, dlv_finish_tx, &fa);
		cat_session_free(s);
		dlv_cache_drop(session);
		if (rc != 0)
			return rc;
		snprintf(row.status, sizeof row.status, "%s", dlv_flow_state_name(DLV_ST_FINISHED));
		return dlv_view(out, db, ex, &row, NULL);
	}
	rc = dlv_view(out, db, ex, &row, s);
	meta = dlv_meta_of(ex, &row);
	dlv_cache_put(session, s, row.answered, &meta);
	return rc;
}

int dlv_answer(json_t **out, rs_db *db, int64_t session, int position, const char *item_id, int choice)
{
	dlv_slug_set(NULL);
	if (position < 0 || position > 999 || choice < 0 || choice > 3 || !item_id || !item_id[0] ||
	    strlen(item_id) >= CAT_ID_MAX) {
		dlv_slug_set("invalid-answer");
		rs_error_msg("exam.invalid_answer", NULL);
		return RS_EINVAL;
	}
	int rc = dlv_answer_fast(out, db, session, position, item_id, choice);
	if (rc <= 0)
		return rc;
	dlv_slug_set(NULL);
	struct dlv_flow_arg a = { .session = session, .op = 2, .position = position, .choice = choice, .item_id = item_id };
	return dlv_flow(out, db, &a);
}

int dlv_report(json_t **out, rs_db *db, int64_t session)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%" PRId64, session);
	const char *p[] = { ids };
	PGresult *r = NULL;
	dlv_slug_set(NULL);
	int rc = dlv_auth_verify(db, session);
	if (rc != 0)
		return rc;
	rc = rs_db_exec(&r, db, "dlv_report",
		"SELECT c.name_kanji, c.name_romaji, to_char(c.birth_date, 'YYYY-MM-DD'), b.centre_code, s.exam_code,"
		" s.package_id, encode(s.package_sha256, 'hex')"
		" FROM exam.sessions s JOIN exam.bookings b ON b.id = s.booking_id"
		" JOIN exam.candidates c ON c.id = b.candidate_id WHERE s.id = $1", 1, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		dlv_slug_set("session-unknown");
		rs_error_msg("exam.session_unknown", NULL);
		return RS_ENOTFOUND;
	}
	/* The result as the sitting's own package scores it (its cut). */
	const struct dlv_exam *ex = NULL;
	json_t *res = NULL;
	if ((rc = dlv_exam_for(&ex, db, PQgetisnull(r, 0, 5) ? 0 : strtoll(PQgetvalue(r, 0, 5), NULL, 10),
	                       PQgetvalue(r, 0, 6))) != 0 ||
	    (rc = dlv_result_load(&res, db, ex, session)) != 0) {
		PQclear(r);
		return rc;
	}
	if (json_is_null(res)) {
		PQclear(r);
		json_decref(res);
		dlv_slug_set("not-finished");
		rs_error_msg("exam.not_finished", NULL);
		return RS_ESTATE;
	}
	*out = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o}", "session", (json_int_t)session,
		"name", PQgetvalue(r, 0, 0), "name_latn", PQgetvalue(r, 0, 1), "birth_date", PQgetvalue(r, 0, 2),
		"centre", PQgetvalue(r, 0, 3), "exam", PQgetvalue(r, 0, 4), "result", res);
	PQclear(r);
	return *out ? 0 : RS_ENOMEM;
}

int dlv_replay(json_t **out, rs_db *db, int64_t session)
{
	const struct dlv_exam *ex = NULL;
	struct dlv_row row;
	struct cat_session *s = NULL;
	dlv_slug_set(NULL);
	int rc = dlv_row_load(&row, db, session, 0);
	if (rc == 0)
		rc = dlv_exam_for(&ex, db, row.package_id, row.package_sha256);
	if (rc != 0)
		return rc;
	dlv_cache_drop(session); /* a replay from the stored responses alone */
	if ((rc = dlv_engine(&s, db, ex, &row)) != 0)
		return rc;
	struct cat_result res;
	if (cat_session_result(s, &res) != 0) {
		cat_session_free(s);
		return RS_EINTERNAL;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < cat_session_count(s); i++) {
		size_t it;
		int score;
		bool pre;
		cat_session_response(s, i, &it, &score, &pre);
		json_array_append_new(items, json_string(ex->bank->items[it].id));
	}
	json_t *stored = NULL;
	if ((rc = dlv_result_load(&stored, db, ex, session)) != 0) {
		cat_session_free(s);
		json_decref(items);
		return rc;
	}
	*out = json_pack("{s:I, s:i, s:o, s:o, s:o, s:o}", "session", (json_int_t)session, "answered", row.answered,
	                 "items", items, "replayed", dlv_result_json(ex, &res), "stored", stored, "package",
	                 json_pack("{s:I, s:s}", "id", (json_int_t)ex->package_id, "sha256", ex->package_sha256));
	cat_session_free(s);
	return *out ? 0 : RS_ENOMEM;
}

/* ------------------------------------------------------------------------------------ */

/* A status that is only a word: "none" or "moved". */
static int dlv_status_word(json_t **out, const char *state)
{
	*out = json_pack("{s:s}", "state", state);
	return *out ? 0 : RS_ENOMEM;
}

int dlv_status(json_t **out, rs_db *db, const char *token, const char *ws_token)
{
	dlv_slug_set(NULL);
	if (!token || strlen(token) != DLV_TOKEN_LEN)
		return dlv_status_word(out, "none");
	char th[67], wh[67];
	dlv_hash_bytea(th, token);
	dlv_hash_bytea(wh, ws_token && strlen(ws_token) == DLV_TOKEN_LEN ? ws_token : token);
	const char *p[] = { th, wh };
	PGresult *r = NULL;
	/* One indexed lookup: the workstation's own sitting, or the one moved away from it. */
	int rc = rs_db_exec(&r, db, "dlv_status",
		"SELECT s.id, s.status, s.version, s.extra_s, s.move_pending,"
		" s.used_ms + CASE WHEN s.running_since IS NULL THEN 0"
		"   ELSE (date_part('epoch', now() - s.running_since) * 1000)::bigint END,"
		" s.token_hash = $1::bytea AND s.workstation_hash = $2::bytea, s.time_limit_s"
		" FROM exam.sessions s WHERE (s.token_hash = $1::bytea AND s.workstation_hash = $2::bytea)"
		" OR (s.moved_from_hash = $1::bytea) ORDER BY 7 DESC LIMIT 1", 2, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1 || PQgetvalue(r, 0, 6)[0] != 't') {
		int moved = PQntuples(r) == 1;
		PQclear(r);
		return dlv_status_word(out, moved ? "moved" : "none");
	}
	const char *st = PQgetvalue(r, 0, 1);
	*out = json_pack("{s:s, s:I, s:i, s:b, s:I, s:i, s:b}", "state", st,
		"session", (json_int_t)strtoll(PQgetvalue(r, 0, 0), NULL, 10), "version", atoi(PQgetvalue(r, 0, 2)),
		"paused", strcmp(st, "paused") == 0, "remaining_s",
		(json_int_t)dlv_flow_remaining_s(strtoll(PQgetvalue(r, 0, 5), NULL, 10), atoi(PQgetvalue(r, 0, 7)),
		                                 atoi(PQgetvalue(r, 0, 3))),
		"extra_s", atoi(PQgetvalue(r, 0, 3)), "move_pending", PQgetvalue(r, 0, 4)[0] == 't');
	PQclear(r);
	return *out ? 0 : RS_ENOMEM;
}

static int dlv_close_tx(rs_db *db, void *varg)
{
	int64_t *id = varg;
	char ids[24];
	snprintf(ids, sizeof ids, "%" PRId64, *id);
	const char *p[] = { ids };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "dlv_close",
		"UPDATE exam.sessions SET token_hash = NULL WHERE id = $1 AND status IN ('finished', 'ended')"
		" AND token_hash IS NOT NULL RETURNING id", 1, p);
	if (rc != 0)
		return rc;
	int n = PQntuples(r);
	PQclear(r);
	if (n != 1) {
		dlv_slug_set("not-finished");
		rs_error_msg("exam.not_finished", NULL);
		return RS_ESTATE;
	}
	return dlv_candidate_audit(db, *id, "exam.session.close");
}

int dlv_close(rs_db *db, int64_t session, const char *token)
{
	dlv_slug_set(NULL);
	int rc = dlv_auth_verify(db, session);
	if (rc == 0)
		rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, dlv_close_tx, &session);
	if (rc == 0 && token) {
		char th[67];
		dlv_hash_bytea(th, token);
		dlv_auth_cache_drop(th);
	}
	return rc;
}
