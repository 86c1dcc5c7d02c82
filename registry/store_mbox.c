/* registry: SQL of the confirmed e-mail addresses (registry.mboxes, migration 0043). */
#include "store.h"

#include "rs_error.h"
#include "rs_pgarr.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int reg_store_mbox_state(rs_db *db, int *out_count, int *out_present, int *out_confirmed, const char *regno,
                         const char *address)
{
	const char *p[] = { regno, address };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_mbox_state",
	                    "SELECT count(*), count(*) FILTER (WHERE address = $2), "
	                    "count(*) FILTER (WHERE address = $2 AND confirmed_at IS NOT NULL) "
	                    "FROM registry.mboxes WHERE regno = $1", 2, p);
	if (rc != 0)
		return rc;
	*out_count = atoi(PQgetvalue(r, 0, 0));
	*out_present = atoi(PQgetvalue(r, 0, 1)) > 0;
	*out_confirmed = atoi(PQgetvalue(r, 0, 2)) > 0;
	PQclear(r);
	return 0;
}

int reg_store_mbox_pending(rs_db *db, const char *regno, const char *address, const char *sha1, const char *code_hex,
                           int hours)
{
	char h[16];
	snprintf(h, sizeof h, "%d", hours);
	const char *p[] = { regno, address, sha1, code_hex, h };
	return rs_db_exec(NULL, db, "reg_mbox_pending",
	                  "INSERT INTO registry.mboxes (regno, address, mbox_sha1, code_sha256, code_expires_at) "
	                  "VALUES ($1, $2, $3, decode($4, 'hex'), now() + make_interval(hours => $5::int)) "
	                  "ON CONFLICT (regno, address) DO UPDATE SET code_sha256 = excluded.code_sha256, "
	                  "code_expires_at = excluded.code_expires_at, failed_attempts = 0 "
	                  "WHERE registry.mboxes.confirmed_at IS NULL", 5, p);
}

int reg_store_mbox_by_code(rs_db *db, char out_address[REG_EMAIL_MAX], const char *regno, const char *code_hex,
                           int attempts)
{
	char at[16];
	snprintf(at, sizeof at, "%d", attempts);
	const char *p[] = { regno, code_hex, at };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_mbox_by_code",
	                    "SELECT address FROM registry.mboxes WHERE regno = $1 AND code_sha256 = decode($2, 'hex') "
	                    "AND code_expires_at > now() AND failed_attempts < $3::int FOR UPDATE", 3, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		rs_error_set("no such code");
		return RS_ENOTFOUND;
	}
	snprintf(out_address, REG_EMAIL_MAX, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

int reg_store_mbox_failed(rs_db *db, const char *regno, int attempts)
{
	char at[16];
	snprintf(at, sizeof at, "%d", attempts);
	const char *p[] = { regno, at };
	return rs_db_exec(NULL, db, "reg_mbox_failed",
	                  "UPDATE registry.mboxes SET failed_attempts = least(failed_attempts + 1, $2::int) "
	                  "WHERE regno = $1 AND confirmed_at IS NULL", 2, p);
}

int reg_store_mbox_taken(rs_db *db, int *out_taken, const char *regno, const char *address)
{
	const char *p[] = { regno, address };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_mbox_taken",
	                    "SELECT 1 FROM registry.mboxes WHERE address = $2 AND confirmed_at IS NOT NULL "
	                    "AND regno <> $1", 2, p);
	if (rc != 0)
		return rc;
	*out_taken = PQntuples(r) > 0;
	PQclear(r);
	return 0;
}

int reg_store_mbox_confirm(rs_db *db, const char *regno, const char *address)
{
	const char *p[] = { regno, address };
	return rs_db_exec(NULL, db, "reg_mbox_confirm",
	                  "UPDATE registry.mboxes SET confirmed_at = now(), code_sha256 = NULL, code_expires_at = NULL, "
	                  "failed_attempts = 0 WHERE regno = $1 AND address = $2", 2, p);
}

int reg_store_mbox_delete(rs_db *db, int *out_n, const char *regno, const char *address)
{
	const char *p[] = { regno, address };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "reg_mbox_delete",
	                    "DELETE FROM registry.mboxes WHERE regno = $1 AND address = $2 RETURNING 1", 2, p);
	if (rc != 0)
		return rc;
	*out_n = PQntuples(r);
	PQclear(r);
	return 0;
}

int reg_store_mbox_list(json_t **out, rs_db *db, const char *regno)
{
	const char *p[] = { regno };
	return rs_db_json(out, db, "reg_mbox_list",
	                  "SELECT coalesce(json_agg(json_build_object('address', address, 'state', "
	                  "CASE WHEN confirmed_at IS NULL THEN 'pending' ELSE 'confirmed' END, "
	                  "'added_at', to_char(added_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	                  "'confirmed_at', to_char(confirmed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	                  "'mbox_sha1sum', mbox_sha1) ORDER BY added_at, address), '[]') "
	                  "FROM registry.mboxes WHERE regno = $1", 1, p);
}

int reg_store_mbox_resolve(char (*out_regno)[REG_REGNO_LEN + 1], rs_db *db, const char *const *addr,
                           const char *const *sha1, size_t n)
{
	struct rs_pgarr cols[2] = { 0 };
	for (size_t i = 0; i < n; i++) {
		rs_pgarr_add(&cols[0], addr[i]);
		rs_pgarr_add(&cols[1], sha1[i]);
	}
	const char *a = rs_pgarr_end(&cols[0]), *h = rs_pgarr_end(&cols[1]);
	PGresult *r = NULL;
	int rc = a && h ? 0 : RS_ENOMEM;
	if (rc == 0) {
		const char *p[] = { a, h };
		rc = rs_db_exec(&r, db, "reg_mbox_resolve",
		                "SELECT k.i, m.regno FROM unnest($1::text[]) WITH ORDINALITY AS k(a, i) "
		                "JOIN registry.mboxes m ON m.address = k.a AND m.confirmed_at IS NOT NULL "
		                "UNION ALL "
		                "SELECT k.i, m.regno FROM unnest($2::text[]) WITH ORDINALITY AS k(h, i) "
		                "JOIN registry.mboxes m ON m.mbox_sha1 = k.h AND m.confirmed_at IS NOT NULL", 2, p);
	} else {
		rs_error_set("out of memory");
	}
	rs_pgarr_free(cols, 2);
	if (rc != 0)
		return rc;
	for (int k = 0; k < PQntuples(r); k++) {
		long long i = atoll(PQgetvalue(r, k, 0));
		if (i >= 1 && (size_t)i <= n)
			snprintf(out_regno[i - 1], REG_REGNO_LEN + 1, "%s", PQgetvalue(r, k, 1));
	}
	PQclear(r);
	return 0;
}
