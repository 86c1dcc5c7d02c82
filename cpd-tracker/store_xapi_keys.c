/* cpd-tracker: SQL of providers' signing keys for signed xAPI statements (xapi.signing_keys, 0061). */
#include "store_lrs.h"

#include "rs_encode.h"
#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cpd_store_lrs_key_count(rs_db *db, int *out_n, int64_t provider_id)
{
	char pid[24];
	snprintf(pid, sizeof pid, "%lld", (long long)provider_id);
	const char *p[] = { pid };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_lrs_key_count",
	                    "SELECT count(*) FROM xapi.signing_keys WHERE provider_id = $1::bigint", 1, p);
	if (rc != 0)
		return rc;
	*out_n = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

int cpd_store_lrs_key_put(rs_db *db, int64_t provider_id, const char *kid, const char *thumbprint,
                          const unsigned char *spki, size_t spki_len, int bits, const char *by)
{
	char pid[24], nb[16];
	char *hex = malloc(2 * spki_len + 1);
	if (!hex) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	rs_hex_encode(hex, spki, spki_len);
	snprintf(pid, sizeof pid, "%lld", (long long)provider_id);
	snprintf(nb, sizeof nb, "%d", bits);
	const char *p[] = { pid, kid, thumbprint, hex, nb, by };
	int rc = rs_db_exec(NULL, db, "cpd_lrs_key_put",
	                    "INSERT INTO xapi.signing_keys (provider_id, kid, thumbprint, spki, bits, created_by) "
	                    "VALUES ($1::bigint, $2, $3, decode($4, 'hex'), $5::int, $6)", 6, p);
	free(hex);
	return rc;
}

int cpd_store_lrs_key_delete(rs_db *db, int *out_n, int64_t provider_id, const char *kid)
{
	char pid[24];
	snprintf(pid, sizeof pid, "%lld", (long long)provider_id);
	const char *p[] = { pid, kid };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_lrs_key_delete",
	                    "DELETE FROM xapi.signing_keys WHERE provider_id = $1::bigint AND kid = $2 RETURNING 1", 2, p);
	if (rc != 0)
		return rc;
	*out_n = PQntuples(r);
	PQclear(r);
	return 0;
}

int cpd_store_lrs_key_list(rs_db *db, json_t **out, int64_t provider_id)
{
	char pid[24];
	snprintf(pid, sizeof pid, "%lld", (long long)provider_id);
	const char *p[] = { pid };
	return rs_db_json(out, db, "cpd_lrs_key_list",
	                  "SELECT coalesce(json_agg(json_build_object('kid', kid, 'thumbprint', thumbprint, 'bits', bits, "
	                  "'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	                  "'created_by', created_by) ORDER BY created_at, kid), '[]') "
	                  "FROM xapi.signing_keys WHERE provider_id = $1::bigint", 1, p);
}

int cpd_store_lrs_key_each(rs_db *db, int64_t provider_id,
                           int (*fn)(void *ctx, const char *kid, const unsigned char *spki, size_t len), void *ctx)
{
	char pid[24];
	snprintf(pid, sizeof pid, "%lld", (long long)provider_id);
	const char *p[] = { pid };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "cpd_lrs_key_each",
	                    "SELECT kid, encode(spki, 'hex') FROM xapi.signing_keys WHERE provider_id = $1::bigint "
	                    "ORDER BY created_at DESC", 1, p);
	if (rc != 0)
		return rc;
	unsigned char der[2200];
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		const char *hex = PQgetvalue(r, i, 1);
		size_t n = strlen(hex) / 2;
		if (n > sizeof der)
			continue;
		for (size_t k = 0; k < n; k++) {
			unsigned v = 0;
			sscanf(hex + 2 * k, "%2x", &v);
			der[k] = (unsigned char)v;
		}
		rc = fn(ctx, PQgetvalue(r, i, 0), der, n);
	}
	PQclear(r);
	return rc;
}
