/* Staff accounts and sessions in schema staff. */
#include "store_staff.h"

#include "rs_encode.h"
#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int web_staff_store_create(rs_db *db, const char *username, const char *display_name,
                           const char *role, const char *centre_code,
                           const char *password_hash, const char *totp_secret)
{
	const char *p[] = { username, display_name, role, centre_code, password_hash, totp_secret };
	int rc = rs_db_exec(NULL, db, "web_staff_create",
	                    "INSERT INTO staff.accounts (username, display_name, role, centre_code, password_hash, totp_secret) "
	                    "VALUES ($1, $2, $3, $4, $5, $6)", 6, p);
	if (rc == RS_EEXIST)
		rs_error_set("user name '%s' is already taken", username);
	return rc;
}

static void web_staff_row(struct web_staff_account *a, PGresult *r)
{
	memset(a, 0, sizeof *a);
	a->id = atoll(PQgetvalue(r, 0, 0));
	snprintf(a->username, sizeof a->username, "%s", PQgetvalue(r, 0, 1));
	snprintf(a->display_name, sizeof a->display_name, "%s", PQgetvalue(r, 0, 2));
	snprintf(a->role, sizeof a->role, "%s", PQgetvalue(r, 0, 3));
	snprintf(a->centre_code, sizeof a->centre_code, "%s", PQgetvalue(r, 0, 4));
	snprintf(a->password_hash, sizeof a->password_hash, "%s", PQgetvalue(r, 0, 5));
	snprintf(a->totp_secret, sizeof a->totp_secret, "%s", PQgetvalue(r, 0, 6));
	a->totp_last_step = atoll(PQgetvalue(r, 0, 7));
	a->failed_logins = atoi(PQgetvalue(r, 0, 8));
	a->locked = PQgetvalue(r, 0, 9)[0] == 't';
	a->disabled = PQgetvalue(r, 0, 10)[0] == 't';
}

#define WEB_STAFF_COLS "a.id, a.username, a.display_name, a.role, coalesce(a.centre_code, ''), a.password_hash, " \
	"a.totp_secret, a.totp_last_step, a.failed_logins, coalesce(a.locked_until > now(), false), a.disabled"

int web_staff_store_get_for_login(struct web_staff_account *out, rs_db *db, const char *username)
{
	PGresult *r = NULL;
	const char *p[] = { username };
	int rc = rs_db_exec(&r, db, "web_staff_get_login",
	                    "SELECT " WEB_STAFF_COLS " FROM staff.accounts a WHERE a.username = $1 FOR UPDATE", 1, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		rs_error_set("no such account");
		return RS_ENOTFOUND;
	}
	web_staff_row(out, r);
	PQclear(r);
	return 0;
}

int web_staff_store_login_result(rs_db *db, int64_t id, int success, int64_t totp_step)
{
	char ids[24], steps[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	snprintf(steps, sizeof steps, "%lld", (long long)totp_step);
	const char *p[] = { ids, steps };
	if (success)
		return rs_db_exec(NULL, db, "web_staff_login_ok",
		                  "UPDATE staff.accounts SET failed_logins = 0, locked_until = NULL, "
		                  "totp_last_step = greatest(totp_last_step, $2::bigint) WHERE id = $1::bigint", 2, p);
	return rs_db_exec(NULL, db, "web_staff_login_fail",
	                  "UPDATE staff.accounts SET failed_logins = failed_logins + 1, "
	                  "locked_until = CASE WHEN failed_logins + 1 >= 5 THEN now() + interval '15 minutes' ELSE locked_until END "
	                  "WHERE id = $1::bigint", 1, p);
}

int web_staff_store_session_new(rs_db *db, const unsigned char hash[32], int64_t account_id,
                                const char *csrf, int ttl_s)
{
	char hex[68] = "\\x", ids[24], ttl[16];
	rs_hex_encode(hex + 2, hash, 32);
	snprintf(ids, sizeof ids, "%lld", (long long)account_id);
	snprintf(ttl, sizeof ttl, "%d", ttl_s);
	const char *p[] = { hex, ids, csrf, ttl };
	return rs_db_exec(NULL, db, "web_staff_session_new",
	                  "INSERT INTO staff.sessions (token_hash, account_id, csrf, expires_at) "
	                  "VALUES ($1::bytea, $2::bigint, $3, now() + make_interval(secs => $4::int))", 4, p);
}

int web_staff_store_session_get(struct web_staff_account *out, char csrf[24], rs_db *db,
                                const unsigned char hash[32])
{
	char hex[68] = "\\x";
	rs_hex_encode(hex + 2, hash, 32);
	const char *p[] = { hex };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "web_staff_session_get",
	                    "SELECT " WEB_STAFF_COLS ", s.csrf FROM staff.sessions s JOIN staff.accounts a ON a.id = s.account_id "
	                    "WHERE s.token_hash = $1::bytea AND s.expires_at > now() AND NOT a.disabled", 1, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		rs_error_set("session expired or unknown");
		return RS_ENOTFOUND;
	}
	web_staff_row(out, r);
	snprintf(csrf, 24, "%s", PQgetvalue(r, 0, 11));
	PQclear(r);
	return 0;
}

int web_staff_store_session_delete(rs_db *db, const unsigned char hash[32])
{
	char hex[68] = "\\x";
	rs_hex_encode(hex + 2, hash, 32);
	const char *p[] = { hex };
	return rs_db_exec(NULL, db, "web_staff_session_del", "DELETE FROM staff.sessions WHERE token_hash = $1::bytea", 1, p);
}

int web_staff_store_list(rs_db *db, void (*fn)(void *arg, const struct web_staff_account *a), void *arg)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "web_staff_list",
	                    "SELECT a.id, a.username, a.display_name, a.role, coalesce(a.centre_code, ''), '', '', 0, "
	                    "a.failed_logins, coalesce(a.locked_until > now(), false), a.disabled "
	                    "FROM staff.accounts a ORDER BY a.username", 0, NULL);
	if (rc != 0)
		return rc;
	for (int i = 0; i < PQntuples(r); i++) {
		struct web_staff_account a;
		memset(&a, 0, sizeof a);
		a.id = atoll(PQgetvalue(r, i, 0));
		snprintf(a.username, sizeof a.username, "%s", PQgetvalue(r, i, 1));
		snprintf(a.display_name, sizeof a.display_name, "%s", PQgetvalue(r, i, 2));
		snprintf(a.role, sizeof a.role, "%s", PQgetvalue(r, i, 3));
		snprintf(a.centre_code, sizeof a.centre_code, "%s", PQgetvalue(r, i, 4));
		a.failed_logins = atoi(PQgetvalue(r, i, 8));
		a.locked = PQgetvalue(r, i, 9)[0] == 't';
		a.disabled = PQgetvalue(r, i, 10)[0] == 't';
		fn(arg, &a);
	}
	PQclear(r);
	return 0;
}
