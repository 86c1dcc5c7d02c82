/* registry: SQL for contacts, the cancellation bar, self-service accounts and sessions, and
 * the renewal job's scan of live registrations. */
#include "store.h"

#include "rs_encode.h"
#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int reg_store_contact_get(rs_db *db, struct reg_contact *out, const char *regno)
{
	const char *p[] = { regno };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_contact_get",
	                    "SELECT coalesce(email, ''), lang FROM registry.contacts WHERE regno = $1", 1, p);
	if (rc != 0)
		return rc;
	memset(out, 0, sizeof *out);
	snprintf(out->lang, sizeof out->lang, "ja");
	if (PQntuples(r) == 1) {
		snprintf(out->email, sizeof out->email, "%s", PQgetvalue(r, 0, 0));
		snprintf(out->lang, sizeof out->lang, "%s", PQgetvalue(r, 0, 1));
	}
	PQclear(r);
	return 0;
}

int reg_store_contact_put(rs_db *db, const char *regno, const char *email, int keep_email, const char *lang)
{
	const char *p[] = { regno, email && email[0] ? email : NULL, keep_email ? "t" : "f", lang };
	return rs_db_exec(NULL, db, "reg_contact_put",
	                  "INSERT INTO registry.contacts AS c (regno, email, lang) VALUES ($1, $2, coalesce($4, 'ja')) "
	                  "ON CONFLICT (regno) DO UPDATE SET email = CASE WHEN $3::boolean THEN c.email ELSE $2 END, "
	                  "lang = coalesce($4, c.lang), updated_at = now()", 4, p);
}

int reg_store_bar_add(rs_db *db, const struct reg_registrant *r, const char *cancelled_on, const char *barred_until,
                      const char *reason)
{
	const char *p[] = { r->regno, r->name, r->date_of_birth, cancelled_on, barred_until, reason ? reason : "" };
	return rs_db_exec(NULL, db, "reg_bar_add",
	                  "INSERT INTO registry.bars (regno, name, date_of_birth, cancelled_on, barred_until, reason) "
	                  "VALUES ($1, $2, $3::date, $4::date, $5::date, $6)", 6, p);
}

int reg_store_bar_until(rs_db *db, char out_until[11], const char *name, const char *date_of_birth, const char *today)
{
	const char *p[] = { name, date_of_birth, today };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_bar_until",
	                    "SELECT max(barred_until)::text FROM registry.bars WHERE date_of_birth = $2::date "
	                    "AND name = $1 AND barred_until > $3::date", 3, p);
	if (rc != 0)
		return rc;
	out_until[0] = '\0';
	if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		snprintf(out_until, 11, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

int reg_store_activation_put(rs_db *db, const char *regno, const unsigned char sha[32], const char *by, int days)
{
	char hex[65], d[16];
	rs_hex_encode(hex, sha, 32);
	snprintf(d, sizeof d, "%d", days);
	const char *p[] = { regno, hex, by, d };
	return rs_db_exec(NULL, db, "reg_activation_put",
	                  "INSERT INTO registry.activation_codes AS a (regno, code_sha256, created_by, expires_at) "
	                  "VALUES ($1, decode($2, 'hex'), $3, now() + make_interval(days => $4::int)) "
	                  "ON CONFLICT (regno) DO UPDATE SET code_sha256 = excluded.code_sha256, "
	                  "created_by = excluded.created_by, created_at = now(), expires_at = excluded.expires_at, "
	                  "used_at = NULL", 4, p);
}

int reg_store_activation_use(rs_db *db, int *out_ok, const char *regno, const unsigned char sha[32])
{
	char hex[65];
	rs_hex_encode(hex, sha, 32);
	const char *p[] = { regno, hex };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_activation_use",
	                    "UPDATE registry.activation_codes SET used_at = now() WHERE regno = $1 "
	                    "AND code_sha256 = decode($2, 'hex') AND used_at IS NULL AND expires_at > now() "
	                    "RETURNING regno", 2, p);
	if (rc != 0)
		return rc;
	*out_ok = PQntuples(r) == 1;
	PQclear(r);
	return 0;
}

int reg_store_account_put(rs_db *db, const char *regno, const char *hash, const char *secret)
{
	const char *p[] = { regno, hash, secret };
	int rc = rs_db_exec(NULL, db, "reg_account_put",
	                    "INSERT INTO registry.accounts (regno, password_hash, totp_secret) VALUES ($1, $2, $3) "
	                    "ON CONFLICT (regno) DO UPDATE SET password_hash = excluded.password_hash, "
	                    "totp_secret = excluded.totp_secret, totp_last_step = 0, activated_at = now()", 3, p);
	if (rc == 0)
		rc = rs_db_exec(NULL, db, "reg_account_end_sessions", "DELETE FROM registry.sessions WHERE regno = $1", 1, p);
	if (rc == 0)
		rc = rs_db_exec(NULL, db, "reg_account_backoff_reset", "DELETE FROM registry.sign_in_backoff WHERE regno = $1",
		                1, p);
	return rc;
}

int reg_store_account_get(rs_db *db, struct reg_store_account *out, const char *regno, const char *client)
{
	const char *p[] = { regno, client };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_account_get",
	                    "SELECT a.password_hash, a.totp_secret, a.totp_last_step, EXISTS (SELECT 1 FROM "
	                    "registry.sign_in_backoff b WHERE b.regno = a.regno AND b.client = $2 AND b.wait_until > now()) "
	                    "FROM registry.accounts a WHERE a.regno = $1", 2, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		rs_error_set("no account");
		return RS_ENOTFOUND;
	}
	memset(out, 0, sizeof *out);
	snprintf(out->password_hash, sizeof out->password_hash, "%s", PQgetvalue(r, 0, 0));
	snprintf(out->totp_secret, sizeof out->totp_secret, "%s", PQgetvalue(r, 0, 1));
	out->totp_last_step = atoll(PQgetvalue(r, 0, 2));
	out->waiting = PQgetvalue(r, 0, 3)[0] == 't';
	PQclear(r);
	return 0;
}

/* The failure count after one more failure (a row 15 minutes quiet starts again at 1). */
#define REG_ACCT_NEXT "(CASE WHEN b.last_failed_at < now() - interval '15 minutes' THEN 1 ELSE b.failures + 1 END)"

int reg_store_account_purge(rs_db *db, int64_t cutoff, int *out_n)
{
	char c[24];
	snprintf(c, sizeof c, "%lld", (long long)cutoff);
	const char *p[] = { c };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_account_purge",
	                    "WITH b AS (DELETE FROM registry.sign_in_backoff WHERE last_failed_at < to_timestamp($1::bigint) "
	                    "AND wait_until < to_timestamp($1::bigint) RETURNING 1) SELECT count(*) FROM b", 1, p);
	if (rc != 0)
		return rc;
	*out_n = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return 0;
}

/* Take TOTP step s for regno (RS_ECONFLICT when not newer than the last one: a replayed
 * code), setting the password hash too when hash is not NULL. */
static int reg_store_take_step(rs_db *db, const char *regno, const char *s, const char *hash)
{
	const char *p[] = { regno, s, hash };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_account_ok",
	                    "UPDATE registry.accounts SET totp_last_step = $2::bigint, password_hash = coalesce($3, password_hash) "
	                    "WHERE regno = $1 AND totp_last_step < $2::bigint RETURNING regno", 3, p);
	if (rc != 0)
		return rc;
	int taken = PQntuples(r) == 1;
	PQclear(r);
	if (!taken) {
		rs_error_set("the TOTP code was used already");
		return RS_ECONFLICT;
	}
	return 0;
}

int reg_store_account_result(rs_db *db, const char *regno, const char *client, int ok, int64_t step)
{
	char s[32];
	snprintf(s, sizeof s, "%lld", (long long)step);
	const char *q[] = { regno, client };
	/* The 3rd failure in a row from the address waits 15 s, each further one twice as long,
	 * at most 15 min. */
	if (!ok)
		return rs_db_exec(NULL, db, "reg_account_failed",
		                  "INSERT INTO registry.sign_in_backoff AS b (regno, client, failures, last_failed_at, wait_until) "
		                  "VALUES ($1, $2, 1, now(), now()) ON CONFLICT (regno, client) DO UPDATE SET "
		                  "failures = " REG_ACCT_NEXT ", last_failed_at = now(), "
		                  "wait_until = CASE WHEN " REG_ACCT_NEXT " >= 3 THEN now() + least(interval '15 seconds' * "
		                  "power(2, least(" REG_ACCT_NEXT " - 3, 10)), interval '15 minutes') ELSE now() END", 2, q);
	int rc = reg_store_take_step(db, regno, s, NULL);
	if (rc != 0)
		return rc;
	return rs_db_exec(NULL, db, "reg_account_backoff_clear",
	                  "DELETE FROM registry.sign_in_backoff WHERE regno = $1 AND client = $2", 2, q);
}

int reg_store_password_set(rs_db *db, int *out_ended, const char *regno, const char *hash, int64_t step,
                           const char *client, const unsigned char keep[32])
{
	char s[32], hex[65];
	snprintf(s, sizeof s, "%lld", (long long)step);
	rs_hex_encode(hex, keep, 32);
	PGresult *r = NULL;
	int rc = reg_store_take_step(db, regno, s, hash);
	if (rc != 0)
		return rc;
	const char *q[] = { regno, hex };
	rc = rs_db_exec(&r, db, "reg_sessions_end_others",
	                "WITH d AS (DELETE FROM registry.sessions WHERE regno = $1 AND token_sha256 <> decode($2, 'hex') "
	                "RETURNING 1) SELECT count(*) FROM d", 2, q);
	if (rc != 0)
		return rc;
	*out_ended = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	const char *c[] = { regno, client };
	return rs_db_exec(NULL, db, "reg_account_backoff_clear",
	                  "DELETE FROM registry.sign_in_backoff WHERE regno = $1 AND client = $2", 2, c);
}

int reg_store_session_new(rs_db *db, const unsigned char h[32], const char *regno, const char *csrf, int ttl_s)
{
	char hex[65], ttl[16];
	rs_hex_encode(hex, h, 32);
	snprintf(ttl, sizeof ttl, "%d", ttl_s);
	const char *p[] = { hex, regno, csrf, ttl };
	return rs_db_exec(NULL, db, "reg_session_new",
	                  "INSERT INTO registry.sessions (token_sha256, regno, csrf, expires_at) VALUES "
	                  "(decode($1, 'hex'), $2, $3, now() + make_interval(secs => $4::int))", 4, p);
}

int reg_store_session_get(rs_db *db, char out_regno[REG_REGNO_LEN + 1], char out_csrf[24], const unsigned char h[32],
                          int idle_s)
{
	char hex[65], idle[16], touch[16];
	rs_hex_encode(hex, h, 32);
	snprintf(idle, sizeof idle, "%d", idle_s);
	snprintf(touch, sizeof touch, "%d", idle_s / 10 < 60 ? (idle_s / 10 > 0 ? idle_s / 10 : 1) : 60);
	const char *p[] = { hex, idle, touch };
	PGresult *r = NULL;
	/* As staff sessions (staff/store.c): live means within the lifetime and used within the
	 * idle timeout; last_seen_at is written only when a tenth of the timeout old. */
	int rc = rs_db_exec(&r, db, "reg_session_get",
	                    "WITH s AS (SELECT s.regno, s.csrf, s.last_seen_at < now() - make_interval(secs => $3::int) "
	                    "AS stale FROM registry.sessions s WHERE s.token_sha256 = decode($1, 'hex') "
	                    "AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(secs => $2::int)), "
	                    "t AS (UPDATE registry.sessions SET last_seen_at = now() WHERE token_sha256 = decode($1, 'hex') "
	                    "AND (SELECT stale FROM s)) SELECT * FROM s", 3, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		rs_error_set("no such session");
		return RS_ENOTFOUND;
	}
	snprintf(out_regno, REG_REGNO_LEN + 1, "%s", PQgetvalue(r, 0, 0));
	snprintf(out_csrf, 24, "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	return 0;
}

int reg_store_session_purge(rs_db *db, int idle_s, int *out_n)
{
	char idle[16];
	snprintf(idle, sizeof idle, "%d", idle_s);
	const char *p[] = { idle };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_session_purge",
	                    "WITH d AS (DELETE FROM registry.sessions WHERE expires_at <= now() "
	                    "OR last_seen_at <= now() - make_interval(secs => $1::int) RETURNING 1) SELECT count(*) FROM d",
	                    1, p);
	if (rc != 0)
		return rc;
	*out_n = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return 0;
}

int reg_store_session_delete(rs_db *db, const unsigned char h[32])
{
	char hex[65];
	rs_hex_encode(hex, h, 32);
	const char *p[] = { hex };
	return rs_db_exec(NULL, db, "reg_session_delete",
	                  "DELETE FROM registry.sessions WHERE token_sha256 = decode($1, 'hex')", 1, p);
}

int reg_store_live_scan(rs_db *db, int (*fn)(void *ctx, const struct reg_live_row *row), void *ctx)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_live_scan",
	                    "SELECT g.regno, g.valid_from::text, g.valid_until::text, g.status, coalesce(c.email, ''), "
	                    "coalesce(c.lang, 'ja'), g.reg_date::text, g.exam_result_ref, coalesce(g.exam_pass_date::text, '') "
	                    "FROM registry.registrants g LEFT JOIN registry.contacts c "
	                    "USING (regno) WHERE g.status IN ('active', 'suspended') ORDER BY g.regno", 0, NULL);
	if (rc != 0)
		return rc;
	int n = PQntuples(r);
	struct reg_live_row row;
	for (int i = 0; i < n && rc == 0; i++) {
		memset(&row, 0, sizeof row);
		snprintf(row.regno, sizeof row.regno, "%s", PQgetvalue(r, i, 0));
		snprintf(row.valid_from, sizeof row.valid_from, "%s", PQgetvalue(r, i, 1));
		snprintf(row.valid_until, sizeof row.valid_until, "%s", PQgetvalue(r, i, 2));
		enum reg_status st = REG_ST_ACTIVE;
		(void)reg_status_parse(&st, PQgetvalue(r, i, 3));
		row.status = st;
		snprintf(row.email, sizeof row.email, "%s", PQgetvalue(r, i, 4));
		snprintf(row.lang, sizeof row.lang, "%s", PQgetvalue(r, i, 5));
		snprintf(row.reg_date, sizeof row.reg_date, "%s", PQgetvalue(r, i, 6));
		snprintf(row.exam_result_ref, sizeof row.exam_result_ref, "%s", PQgetvalue(r, i, 7));
		snprintf(row.exam_pass_date, sizeof row.exam_pass_date, "%s", PQgetvalue(r, i, 8));
		rc = fn(ctx, &row);
	}
	PQclear(r);
	return rc;
}

/* ---- TOTP secrets sealed at rest (issue 17, sec3) ---- */

int reg_store_totp_each(rs_db *db, int (*fn)(void *arg, rs_db *db, const char *regno, const char *stored), void *arg)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_totp_each",
	                    "SELECT regno, totp_secret FROM registry.accounts ORDER BY regno FOR UPDATE", 0, NULL);
	if (rc != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		rc = fn(arg, db, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
	PQclear(r);
	return rc;
}

int reg_store_totp_set(rs_db *db, const char *regno, const char *sealed)
{
	const char *p[] = { regno, sealed };
	return rs_db_exec(NULL, db, "reg_totp_set", "UPDATE registry.accounts SET totp_secret = $2 WHERE regno = $1", 2,
	                  p);
}

int reg_store_totp_constraint(rs_db *db, int *out_validated)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_totp_constraint",
	                    "SELECT convalidated FROM pg_constraint WHERE conrelid = to_regclass('registry.accounts') "
	                    "AND conname = 'accounts_totp_secret_sealed'", 0, NULL);
	if (rc != 0)
		return rc;
	int found = PQntuples(r) == 1;
	*out_validated = found && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return found ? 0 : RS_ENOTFOUND;
}

int reg_store_totp_validate(rs_db *db)
{
	return rs_db_exec_plain(db, "ALTER TABLE registry.accounts VALIDATE CONSTRAINT accounts_totp_secret_sealed");
}

int reg_store_totp_key_ids(rs_db *db, int (*fn)(void *arg, const char *id), void *arg)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_totp_key_ids",
	                    "SELECT DISTINCT substr(totp_secret, 4, 8) FROM registry.accounts WHERE totp_secret LIKE 's1.%'",
	                    0, NULL);
	if (rc != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		rc = fn(arg, PQgetvalue(r, i, 0));
	PQclear(r);
	return rc;
}
