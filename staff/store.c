/* SQL of the staff module: accounts, sign-in backoff, unknown-name failures, sessions. */
#include "sf_store.h"

#include "rs_encode.h"
#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sf_store_next_id(rs_db *db, int64_t *out_id)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "sf_next_id", "SELECT nextval(pg_get_serial_sequence('staff.accounts', 'id'))", 0,
	                    NULL);
	if (rc != 0)
		return rc;
	*out_id = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

int sf_store_create(rs_db *db, int64_t id, const char *username, const char *display_name, const char *role,
                    const char *centre_code, const char *password_hash, const char *totp_sealed)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *p[] = { ids, username, display_name, role, centre_code, password_hash, totp_sealed };
	int rc = rs_db_exec(NULL, db, "sf_create",
	                    "INSERT INTO staff.accounts (id, username, display_name, role, centre_code, password_hash, "
	                    "totp_secret) OVERRIDING SYSTEM VALUE VALUES ($1::bigint, $2, $3, $4, $5, $6, $7)", 7, p);
	if (rc == RS_EEXIST)
		rs_error_set("user name '%s' is already taken", username);
	return rc;
}

int sf_store_totp_each(rs_db *db, int (*fn)(void *arg, rs_db *db, int64_t id, const char *stored), void *arg)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "sf_totp_each",
	                    "SELECT id, totp_secret FROM staff.accounts ORDER BY id FOR UPDATE", 0, NULL);
	if (rc != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		rc = fn(arg, db, atoll(PQgetvalue(r, i, 0)), PQgetvalue(r, i, 1));
	PQclear(r);
	return rc;
}

int sf_store_totp_set(rs_db *db, int64_t id, const char *sealed)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *p[] = { ids, sealed };
	return rs_db_exec(NULL, db, "sf_totp_set", "UPDATE staff.accounts SET totp_secret = $2 WHERE id = $1::bigint", 2,
	                  p);
}

int sf_store_totp_constraint(rs_db *db, int *out_validated)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "sf_totp_constraint",
	                    "SELECT convalidated FROM pg_constraint WHERE conrelid = 'staff.accounts'::regclass "
	                    "AND conname = 'accounts_totp_secret_sealed'", 0, NULL);
	if (rc != 0)
		return rc;
	int found = PQntuples(r) == 1;
	*out_validated = found && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return found ? 0 : RS_ENOTFOUND;
}

int sf_store_totp_validate(rs_db *db)
{
	return rs_db_exec_plain(db, "ALTER TABLE staff.accounts VALIDATE CONSTRAINT accounts_totp_secret_sealed");
}

/* Columns 0..6 of every account query. */
#define SF_COLS "a.id, a.username, a.display_name, a.role, coalesce(a.centre_code, ''), a.disabled, " \
	"EXISTS (SELECT 1 FROM staff.sign_in_backoff b WHERE b.account_id = a.id AND b.wait_until > now())"

static void sf_store_row(struct sf_account *a, PGresult *r, int i)
{
	memset(a, 0, sizeof *a);
	a->id = atoll(PQgetvalue(r, i, 0));
	snprintf(a->username, sizeof a->username, "%s", PQgetvalue(r, i, 1));
	snprintf(a->display_name, sizeof a->display_name, "%s", PQgetvalue(r, i, 2));
	snprintf(a->role, sizeof a->role, "%s", PQgetvalue(r, i, 3));
	snprintf(a->centre_code, sizeof a->centre_code, "%s", PQgetvalue(r, i, 4));
	a->disabled = PQgetvalue(r, i, 5)[0] == 't';
	a->backoff = PQgetvalue(r, i, 6)[0] == 't';
}

/* The sign-in columns of the account a, for client $2. */
#define SF_LOGIN_COLS SF_COLS ", a.password_hash, a.totp_secret, a.totp_last_step, " \
	"EXISTS (SELECT 1 FROM staff.sign_in_backoff b WHERE b.account_id = a.id AND b.client = $2 " \
	"AND b.wait_until > now())"

int sf_store_login_get(struct sf_store_login *out, rs_db *db, const char *username, const char *client)
{
	return sf_store_login_get_by(out, db, username, 0, client);
}

int sf_store_login_get_by(struct sf_store_login *out, rs_db *db, const char *username, int64_t id, const char *client)
{
	PGresult *r = NULL;
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *p[] = { username ? username : ids, client };
	int rc = username ? rs_db_exec(&r, db, "sf_login_get", "SELECT " SF_LOGIN_COLS
	                               " FROM staff.accounts a WHERE a.username = $1", 2, p)
	                  : rs_db_exec(&r, db, "sf_login_get_id", "SELECT " SF_LOGIN_COLS
	                               " FROM staff.accounts a WHERE a.id = $1::bigint", 2, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		rs_error_set("no such account");
		return RS_ENOTFOUND;
	}
	memset(out, 0, sizeof *out);
	sf_store_row(&out->a, r, 0);
	snprintf(out->password_hash, sizeof out->password_hash, "%s", PQgetvalue(r, 0, 7));
	snprintf(out->totp_secret, sizeof out->totp_secret, "%s", PQgetvalue(r, 0, 8));
	out->totp_last_step = atoll(PQgetvalue(r, 0, 9));
	out->waiting = PQgetvalue(r, 0, 10)[0] == 't';
	PQclear(r);
	return 0;
}

/* The failure count after one more failure (a row 15 minutes quiet starts again). */
#define SF_NEXT "(CASE WHEN b.last_failed_at < now() - interval '15 minutes' THEN 1 ELSE b.failures + 1 END)"

int sf_store_failure(int *out_failures, rs_db *db, int64_t account_id, const char *client)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)account_id);
	const char *p[] = { ids, client };
	PGresult *r = NULL;
	/* The 3rd failure in a row waits 15 s, each further one twice as long, at most 15 min;
	 * a row whose last failure is 15 minutes old starts again (the wait has expired). */
	int rc = rs_db_exec(&r, db, "sf_failure",
		"INSERT INTO staff.sign_in_backoff AS b (account_id, client, failures, last_failed_at, wait_until) "
		"VALUES ($1::bigint, $2, 1, now(), now()) ON CONFLICT (account_id, client) DO UPDATE SET "
		"failures = " SF_NEXT ", last_failed_at = now(), "
		"wait_until = CASE WHEN " SF_NEXT " >= 3 THEN now() + least(interval '15 seconds' * "
		"power(2, least(" SF_NEXT " - 3, 10)), interval '15 minutes') ELSE now() END RETURNING b.failures", 2, p);
	if (rc != 0)
		return rc;
	*out_failures = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : 1;
	PQclear(r);
	return 0;
}

/* Take TOTP step steps for account ids (RS_ECONFLICT when not newer than the last one: a
 * replayed code), setting the password hash too when hash is not NULL. */
static int sf_store_take_step(rs_db *db, const char *ids, const char *steps, const char *hash)
{
	const char *p[] = { ids, steps, hash };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "sf_totp_step",
	                    "UPDATE staff.accounts SET totp_last_step = $2::bigint, password_hash = coalesce($3, password_hash) "
	                    "WHERE id = $1::bigint AND totp_last_step < $2::bigint RETURNING id", 3, p);
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

int sf_store_success(rs_db *db, int64_t account_id, const char *client, int64_t totp_step)
{
	char ids[24], steps[24];
	snprintf(ids, sizeof ids, "%lld", (long long)account_id);
	snprintf(steps, sizeof steps, "%lld", (long long)totp_step);
	int rc = sf_store_take_step(db, ids, steps, NULL);
	if (rc != 0)
		return rc;
	const char *q[] = { ids, client };
	return rs_db_exec(NULL, db, "sf_backoff_clear",
	                  "DELETE FROM staff.sign_in_backoff WHERE account_id = $1::bigint AND client = $2", 2, q);
}

int sf_store_password_set(int *out_ended, rs_db *db, int64_t account_id, const char *hash, int64_t totp_step,
                          const char *client, const unsigned char keep[32])
{
	char ids[24], steps[24], hex[68] = "\\x";
	snprintf(ids, sizeof ids, "%lld", (long long)account_id);
	snprintf(steps, sizeof steps, "%lld", (long long)totp_step);
	rs_hex_encode(hex + 2, keep, 32);
	PGresult *r = NULL;
	int rc = sf_store_take_step(db, ids, steps, hash);
	if (rc != 0)
		return rc;
	const char *q[] = { ids, hex };
	rc = rs_db_exec(&r, db, "sf_sessions_end_others",
	                "WITH d AS (DELETE FROM staff.sessions WHERE account_id = $1::bigint AND token_hash <> $2::bytea "
	                "RETURNING 1) SELECT count(*) FROM d", 2, q);
	if (rc != 0)
		return rc;
	*out_ended = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	const char *c[] = { ids, client };
	return rs_db_exec(NULL, db, "sf_backoff_clear",
	                  "DELETE FROM staff.sign_in_backoff WHERE account_id = $1::bigint AND client = $2", 2, c);
}

int sf_store_unknown(int *out_attempts, rs_db *db, const char *client)
{
	const char *p[] = { client };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "sf_unknown",
	                    "INSERT INTO staff.unknown_sign_in_failures AS u (hour, client, attempts) "
	                    "VALUES (date_trunc('hour', now()), $1, 1) ON CONFLICT (hour, client) "
	                    "DO UPDATE SET attempts = u.attempts + 1 RETURNING u.attempts", 1, p);
	if (rc != 0)
		return rc;
	*out_attempts = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : 1;
	PQclear(r);
	return 0;
}

int sf_store_purge(int *out_n, rs_db *db, int64_t cutoff)
{
	char c[24];
	snprintf(c, sizeof c, "%lld", (long long)cutoff);
	const char *p[] = { c };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "sf_purge",
	                    "WITH b AS (DELETE FROM staff.sign_in_backoff WHERE last_failed_at < to_timestamp($1::bigint) "
	                    "AND wait_until < to_timestamp($1::bigint) RETURNING 1), "
	                    "u AS (DELETE FROM staff.unknown_sign_in_failures WHERE hour < to_timestamp($1::bigint) RETURNING 1) "
	                    "SELECT (SELECT count(*) FROM b) + (SELECT count(*) FROM u)", 1, p);
	if (rc != 0)
		return rc;
	*out_n = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return 0;
}

int sf_store_session_new(rs_db *db, const unsigned char hash[32], int64_t account_id, const char *csrf, int ttl_s)
{
	char hex[68] = "\\x", ids[24], ttl[16];
	rs_hex_encode(hex + 2, hash, 32);
	snprintf(ids, sizeof ids, "%lld", (long long)account_id);
	snprintf(ttl, sizeof ttl, "%d", ttl_s);
	const char *p[] = { hex, ids, csrf, ttl };
	return rs_db_exec(NULL, db, "sf_session_new",
	                  "INSERT INTO staff.sessions (token_hash, account_id, csrf, expires_at) "
	                  "VALUES ($1::bytea, $2::bigint, $3, now() + make_interval(secs => $4::int))", 4, p);
}

int sf_store_session_get(struct sf_account *out, char csrf[24], rs_db *db, const unsigned char hash[32], int idle_s,
                         int step_up_s)
{
	char hex[68] = "\\x", idle[16], touch[16], window[16];
	rs_hex_encode(hex + 2, hash, 32);
	snprintf(idle, sizeof idle, "%d", idle_s);
	snprintf(touch, sizeof touch, "%d", idle_s / 10 < 60 ? (idle_s / 10 > 0 ? idle_s / 10 : 1) : 60);
	snprintf(window, sizeof window, "%d", step_up_s);
	const char *p[] = { hex, idle, touch, window };
	PGresult *r = NULL;
	/* A live session (within its lifetime, used within the idle timeout, account enabled)
	 * counts as used now; last_seen_at is written only when a tenth of the timeout (at most a
	 * minute) old, so not every request writes. */
	int rc = rs_db_exec(&r, db, "sf_session_get",
	                    "WITH s AS (SELECT " SF_COLS ", s.csrf, s.last_seen_at < now() - make_interval(secs => $3::int) "
	                    "AS stale, s.step_up_at > now() - make_interval(secs => $4::int) AS fresh FROM staff.sessions s JOIN staff.accounts a ON a.id = s.account_id "
	                    "WHERE s.token_hash = $1::bytea AND s.expires_at > now() "
	                    "AND s.last_seen_at > now() - make_interval(secs => $2::int) AND NOT a.disabled), "
	                    "t AS (UPDATE staff.sessions SET last_seen_at = now() WHERE token_hash = $1::bytea "
	                    "AND (SELECT stale FROM s)) SELECT * FROM s", 4, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		rs_error_set("session expired or unknown");
		return RS_ENOTFOUND;
	}
	sf_store_row(out, r, 0);
	snprintf(csrf, 24, "%s", PQgetvalue(r, 0, 7));
	out->stepped_up = PQgetvalue(r, 0, 9)[0] == 't';
	PQclear(r);
	return 0;
}

int sf_store_step_up(rs_db *db, int64_t account_id, const unsigned char hash[32], int64_t totp_step,
                     const char *client)
{
	char ids[24], steps[24], hex[68] = "\\x";
	snprintf(ids, sizeof ids, "%lld", (long long)account_id);
	snprintf(steps, sizeof steps, "%lld", (long long)totp_step);
	rs_hex_encode(hex + 2, hash, 32);
	int rc = sf_store_take_step(db, ids, steps, NULL);
	if (rc != 0)
		return rc;
	const char *p[] = { hex, ids };
	PGresult *r = NULL;
	rc = rs_db_exec(&r, db, "sf_step_up", "UPDATE staff.sessions SET step_up_at = now() "
	                "WHERE token_hash = $1::bytea AND account_id = $2::bigint RETURNING 1", 2, p);
	if (rc != 0)
		return rc;
	int n = PQntuples(r);
	PQclear(r);
	if (n != 1) {
		rs_error_set("session expired or unknown");
		return RS_ENOTFOUND;
	}
	const char *c[] = { ids, client };
	return rs_db_exec(NULL, db, "sf_backoff_clear",
	                  "DELETE FROM staff.sign_in_backoff WHERE account_id = $1::bigint AND client = $2", 2, c);
}

int sf_store_session_purge(int *out_n, rs_db *db, int idle_s)
{
	char idle[16];
	snprintf(idle, sizeof idle, "%d", idle_s);
	const char *p[] = { idle };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "sf_session_purge",
	                    "WITH d AS (DELETE FROM staff.sessions WHERE expires_at <= now() "
	                    "OR last_seen_at <= now() - make_interval(secs => $1::int) RETURNING 1) SELECT count(*) FROM d",
	                    1, p);
	if (rc != 0)
		return rc;
	*out_n = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return 0;
}

int sf_store_session_delete(rs_db *db, const unsigned char hash[32])
{
	char hex[68] = "\\x";
	rs_hex_encode(hex + 2, hash, 32);
	const char *p[] = { hex };
	return rs_db_exec(NULL, db, "sf_session_del", "DELETE FROM staff.sessions WHERE token_hash = $1::bytea", 1, p);
}

int sf_store_list(rs_db *db, void (*fn)(void *arg, const struct sf_account *a), void *arg)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "sf_list", "SELECT " SF_COLS " FROM staff.accounts a ORDER BY a.username", 0, NULL);
	if (rc != 0)
		return rc;
	for (int i = 0; i < PQntuples(r); i++) {
		struct sf_account a;
		sf_store_row(&a, r, i);
		fn(arg, &a);
	}
	PQclear(r);
	return 0;
}

int sf_store_totp_key_ids(rs_db *db, int (*fn)(void *arg, const char *id), void *arg)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "sf_totp_key_ids",
	                    "SELECT DISTINCT substr(totp_secret, 4, 8) FROM staff.accounts WHERE totp_secret LIKE 's1.%'",
	                    0, NULL);
	if (rc != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		rc = fn(arg, PQgetvalue(r, i, 0));
	PQclear(r);
	return rc;
}

/* ---- operators' acts (admin.c) ---- */

int sf_store_account_lock(struct sf_account *out, rs_db *db, const char *username)
{
	PGresult *r = NULL;
	const char *p[] = { username };
	int rc = rs_db_exec(&r, db, "sf_account_lock",
	                    "SELECT " SF_COLS " FROM staff.accounts a WHERE a.username = $1 FOR UPDATE OF a", 1, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		rs_error_set("no staff account '%s'", username);
		return RS_ENOTFOUND;
	}
	sf_store_row(out, r, 0);
	PQclear(r);
	return 0;
}

int sf_store_disabled_set(rs_db *db, int64_t id, int disabled)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *p[] = { ids, disabled ? "true" : "false" };
	return rs_db_exec(NULL, db, "sf_disabled_set", "UPDATE staff.accounts SET disabled = $2::boolean WHERE id = $1::bigint",
	                  2, p);
}

int sf_store_role_set(rs_db *db, int64_t id, const char *role, const char *centre_code)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *p[] = { ids, role, centre_code };
	return rs_db_exec(NULL, db, "sf_role_set",
	                  "UPDATE staff.accounts SET role = $2, centre_code = $3 WHERE id = $1::bigint", 3, p);
}

int sf_store_totp_reset(rs_db *db, int64_t id, const char *sealed)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *p[] = { ids, sealed };
	return rs_db_exec(NULL, db, "sf_totp_reset",
	                  "UPDATE staff.accounts SET totp_secret = $2, totp_last_step = 0 WHERE id = $1::bigint", 2, p);
}

int sf_store_sessions_end(int *out_n, rs_db *db, int64_t id)
{
	PGresult *r = NULL;
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *p[] = { ids };
	int rc = rs_db_exec(&r, db, "sf_sessions_end",
	                    "WITH d AS (DELETE FROM staff.sessions WHERE account_id = $1::bigint RETURNING 1) "
	                    "SELECT count(*) FROM d", 1, p);
	if (rc != 0)
		return rc;
	*out_n = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}
