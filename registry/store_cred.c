/* registry: SQL for status lists, credentials, the transparency log and the log audit scans. */
#include "store.h"

#include "rs_encode.h"
#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decode a bytea in hex output form ("\\x..."): exactly n bytes into out. */
static int reg_store_bytea(unsigned char *out, size_t n, const char *text)
{
	if (strncmp(text, "\\x", 2) != 0 || strlen(text) != 2 + 2 * n)
		return RS_EPARSE;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(text + 2 + 2 * i, "%2x", &v) != 1)
			return RS_EPARSE;
		out[i] = (unsigned char)v;
	}
	return 0;
}

static void reg_store_hexlit(char *out, const unsigned char *in, size_t n)
{
	out[0] = '\\';
	out[1] = 'x';
	rs_hex_encode(out + 2, in, n);
}

int reg_store_status_set(rs_db *db, int list_id, int64_t idx, int status)
{
	char l[16], i[32], s[8];
	snprintf(l, sizeof l, "%d", list_id);
	snprintf(i, sizeof i, "%lld", (long long)idx);
	snprintf(s, sizeof s, "%d", status);
	const char *p[] = { l, i, s };
	return rs_db_exec(NULL, db, "reg_status_set",
	                  "UPDATE registry.status_entries SET status = $3::smallint, updated_at = now() "
	                  "WHERE list_id = $1::int AND idx = $2::int", 3, p);
}

int reg_store_list_size(rs_db *db, int *out_size, int list_id)
{
	char l[16];
	snprintf(l, sizeof l, "%d", list_id);
	const char *p[] = { l };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_list_size", "SELECT size FROM registry.status_lists WHERE id = $1::int", 1, p);
	if (rc != 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		rs_error_set("no status list %d", list_id);
		return RS_ENOTFOUND;
	}
	*out_size = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

int reg_store_list_nonzero(rs_db *db, int list_id, int (*fn)(void *ctx, int64_t idx, int status), void *ctx)
{
	char l[16];
	snprintf(l, sizeof l, "%d", list_id);
	const char *p[] = { l };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_list_nonzero",
	                    "SELECT idx, status FROM registry.status_entries WHERE list_id = $1::int AND status <> 0", 1, p);
	if (rc != 0)
		return rc;
	for (int i = 0; i < PQntuples(res) && rc == 0; i++)
		rc = fn(ctx, strtoll(PQgetvalue(res, i, 0), NULL, 10), atoi(PQgetvalue(res, i, 1)));
	PQclear(res);
	return rc;
}

int reg_store_leaf_append(rs_db *db, uint64_t *out_idx, const char *kind, const char *data)
{
	PGresult *res = NULL;
	/* The state row is the gapless counter and serialises appends until commit. */
	int rc = rs_db_exec(&res, db, "reg_tlog_next",
	                    "UPDATE registry.tlog_state SET size = size + 1 RETURNING size - 1", 0, NULL);
	if (rc != 0)
		return rc;
	uint64_t idx = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	size_t len = strlen(data);
	reg_hash h;
	reg_tlog_leaf_hash(h, data, len);
	char idxs[32], hex[2 + 2 * REG_HASH_LEN + 1];
	snprintf(idxs, sizeof idxs, "%llu", (unsigned long long)idx);
	reg_store_hexlit(hex, h, REG_HASH_LEN);
	const char *p[] = { idxs, kind, data, hex };
	rc = rs_db_exec(NULL, db, "reg_tlog_leaf_insert",
	                "INSERT INTO registry.tlog_leaves (idx, kind, data, hash) VALUES ($1::bigint, $2, "
	                "convert_to($3, 'UTF8'), $4::bytea)", 4, p);
	if (rc != 0)
		return rc;
	*out_idx = idx;
	return 0;
}

int reg_store_live_creds(rs_db *db, json_t **out, const char *regno, int64_t now)
{
	char n[32];
	snprintf(n, sizeof n, "%lld", (long long)now);
	const char *p[] = { regno, n };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_live_creds",
	                    "SELECT c.list_id, c.status_idx, s.status FROM registry.credentials c JOIN "
	                    "registry.status_entries s ON s.list_id = c.list_id AND s.idx = c.status_idx "
	                    "WHERE c.regno = $1 AND c.exp > $2::bigint ORDER BY c.id FOR UPDATE OF s", 2, p);
	if (rc != 0)
		return rc;
	json_t *arr = json_array();
	for (int i = 0; i < PQntuples(res); i++)
		json_array_append_new(arr, json_pack("{s:I, s:I, s:i}", "list_id", (json_int_t)atoi(PQgetvalue(res, i, 0)),
		                                     "idx", (json_int_t)strtoll(PQgetvalue(res, i, 1), NULL, 10),
		                                     "status", atoi(PQgetvalue(res, i, 2))));
	PQclear(res);
	*out = arr;
	return 0;
}

int reg_store_without_live_cred(rs_db *db, json_t **out_regnos, int64_t now, const char *today, int limit)
{
	char n[32], l[16];
	snprintf(n, sizeof n, "%lld", (long long)now);
	snprintf(l, sizeof l, "%d", limit);
	const char *p[] = { n, today, l };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_without_live_cred",
	                    "SELECT r.regno FROM registry.registrants r WHERE r.status = 'active' "
	                    "AND r.valid_from <= $2::date AND r.valid_until >= $2::date AND NOT EXISTS ("
	                    "SELECT 1 FROM registry.credentials c JOIN registry.status_entries s ON s.list_id = c.list_id "
	                    "AND s.idx = c.status_idx WHERE c.regno = r.regno AND c.exp > $1::bigint AND s.status = 0) "
	                    "ORDER BY r.regno LIMIT $3::int", 3, p);
	if (rc != 0)
		return rc;
	json_t *arr = json_array();
	for (int i = 0; i < PQntuples(res); i++)
		json_array_append_new(arr, json_string(PQgetvalue(res, i, 0)));
	PQclear(res);
	*out_regnos = arr;
	return 0;
}

int reg_store_tlog_size(rs_db *db, uint64_t *out)
{
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_tlog_size", "SELECT size FROM registry.tlog_state", 0, NULL);
	if (rc != 0)
		return rc;
	*out = PQntuples(res) == 1 ? strtoull(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	return 0;
}

int reg_store_tlog_hashes(rs_db *db, reg_hash **hashes, uint64_t *cap, uint64_t from, uint64_t to)
{
	char f[32], t[32];
	snprintf(f, sizeof f, "%llu", (unsigned long long)from);
	snprintf(t, sizeof t, "%llu", (unsigned long long)to);
	const char *p[] = { f, t };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_tlog_hashes",
	                    "SELECT idx, hash FROM registry.tlog_leaves WHERE idx >= $1::bigint AND idx < $2::bigint "
	                    "ORDER BY idx", 2, p);
	if (rc != 0)
		return rc;
	uint64_t want = to - from;
	if ((uint64_t)PQntuples(res) != want) {
		PQclear(res);
		rs_error_set("transparency log has a gap between leaves %llu and %llu", (unsigned long long)from,
		             (unsigned long long)to);
		return RS_EINTERNAL;
	}
	if (to > *cap) {
		uint64_t nc = *cap ? *cap : 1024;
		while (nc < to)
			nc *= 2;
		reg_hash *nh = realloc(*hashes, nc * sizeof(reg_hash));
		if (!nh) {
			PQclear(res);
			rs_error_set("out of memory for %llu log hashes", (unsigned long long)nc);
			return RS_ENOMEM;
		}
		*hashes = nh;
		*cap = nc;
	}
	for (uint64_t i = 0; i < want; i++) {
		if (strtoull(PQgetvalue(res, (int)i, 0), NULL, 10) != from + i ||
		    reg_store_bytea((*hashes)[from + i], REG_HASH_LEN, PQgetvalue(res, (int)i, 1)) != 0) {
			PQclear(res);
			rs_error_set("transparency log leaf %llu is damaged", (unsigned long long)(from + i));
			return RS_EINTERNAL;
		}
	}
	PQclear(res);
	return 0;
}

int reg_store_leaf_get(rs_db *db, char **out_data, size_t *out_len, reg_hash out_hash, uint64_t idx)
{
	char i[32];
	snprintf(i, sizeof i, "%llu", (unsigned long long)idx);
	const char *p[] = { i };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_leaf_get",
	                    "SELECT convert_from(data, 'UTF8'), hash FROM registry.tlog_leaves WHERE idx = $1::bigint", 1, p);
	if (rc != 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		rs_error_set("no log leaf %llu", (unsigned long long)idx);
		return RS_ENOTFOUND;
	}
	*out_data = strdup(PQgetvalue(res, 0, 0));
	*out_len = strlen(*out_data);
	rc = reg_store_bytea(out_hash, REG_HASH_LEN, PQgetvalue(res, 0, 1));
	PQclear(res);
	return rc;
}

int reg_store_checkpoint_latest(rs_db *db, uint64_t *out_size, char **out_note)
{
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_checkpoint_latest",
	                    "SELECT size, note FROM registry.tlog_checkpoints ORDER BY size DESC LIMIT 1", 0, NULL);
	if (rc != 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		rs_error_set("no checkpoint yet");
		return RS_ENOTFOUND;
	}
	*out_size = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	*out_note = strdup(PQgetvalue(res, 0, 1));
	PQclear(res);
	return *out_note ? 0 : RS_ENOMEM;
}

int reg_store_read_only(rs_db *db)
{
	PGresult *res = NULL;
	if (rs_db_exec(&res, db, "reg_read_only",
	               "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only')::boolean", 0, NULL) != 0)
		return 0;
	int ro = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return ro;
}

int reg_store_checkpoint_insert(rs_db *db, uint64_t size, const reg_hash root, const char *note)
{
	char s[32], hex[2 + 2 * REG_HASH_LEN + 1];
	snprintf(s, sizeof s, "%llu", (unsigned long long)size);
	reg_store_hexlit(hex, root, REG_HASH_LEN);
	const char *p[] = { s, hex, note };
	return rs_db_exec(NULL, db, "reg_checkpoint_insert",
	                  "INSERT INTO registry.tlog_checkpoints (size, root, note) VALUES ($1::bigint, $2::bytea, $3) "
	                  "ON CONFLICT (size) DO NOTHING", 3, p);
}

int reg_store_scan_leaves(rs_db *db, int (*fn)(void *ctx, const struct reg_store_leaf_row *row), void *ctx)
{
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_scan_leaves",
	                    "SELECT idx, kind, convert_from(data, 'UTF8'), hash FROM registry.tlog_leaves ORDER BY idx",
	                    0, NULL);
	if (rc != 0)
		return rc;
	for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
		struct reg_store_leaf_row r = {
			.idx = strtoull(PQgetvalue(res, i, 0), NULL, 10),
			.kind = PQgetvalue(res, i, 1),
			.data = PQgetvalue(res, i, 2),
			.data_len = (size_t)PQgetlength(res, i, 2),
		};
		if (reg_store_bytea(r.hash, REG_HASH_LEN, PQgetvalue(res, i, 3)) != 0)
			memset(r.hash, 0, sizeof r.hash);
		rc = fn(ctx, &r);
	}
	PQclear(res);
	return rc;
}

int reg_store_scan_creds(rs_db *db, int (*fn)(void *ctx, const struct reg_store_cred_row *row), void *ctx)
{
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_scan_creds",
	                    "SELECT regno, jws, kid, jws_sha256, list_id, status_idx, iat, exp, leaf_idx "
	                    "FROM registry.credentials ORDER BY id", 0, NULL);
	if (rc != 0)
		return rc;
	for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
		struct reg_store_cred_row r = {
			.regno = PQgetvalue(res, i, 0),
			.jws = PQgetvalue(res, i, 1),
			.kid = PQgetvalue(res, i, 2),
			.list_id = atoi(PQgetvalue(res, i, 4)),
			.idx = strtoll(PQgetvalue(res, i, 5), NULL, 10),
			.iat = strtoll(PQgetvalue(res, i, 6), NULL, 10),
			.exp = strtoll(PQgetvalue(res, i, 7), NULL, 10),
			.leaf_idx = strtoull(PQgetvalue(res, i, 8), NULL, 10),
		};
		if (reg_store_bytea(r.sha, 32, PQgetvalue(res, i, 3)) != 0)
			memset(r.sha, 0, sizeof r.sha);
		rc = fn(ctx, &r);
	}
	PQclear(res);
	return rc;
}

int reg_store_scan_status(rs_db *db, int (*fn)(void *ctx, int list_id, int64_t idx, int status), void *ctx)
{
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_scan_status",
	                    "SELECT list_id, idx, status FROM registry.status_entries ORDER BY list_id, idx", 0, NULL);
	if (rc != 0)
		return rc;
	for (int i = 0; i < PQntuples(res) && rc == 0; i++)
		rc = fn(ctx, atoi(PQgetvalue(res, i, 0)), strtoll(PQgetvalue(res, i, 1), NULL, 10),
		        atoi(PQgetvalue(res, i, 2)));
	PQclear(res);
	return rc;
}

int reg_store_scan_checkpoints(rs_db *db, int (*fn)(void *ctx, uint64_t size, const reg_hash root, const char *note),
                               void *ctx)
{
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_scan_checkpoints",
	                    "SELECT size, root, note FROM registry.tlog_checkpoints ORDER BY size", 0, NULL);
	if (rc != 0)
		return rc;
	for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
		reg_hash root;
		if (reg_store_bytea(root, REG_HASH_LEN, PQgetvalue(res, i, 1)) != 0)
			memset(root, 0, sizeof root);
		rc = fn(ctx, strtoull(PQgetvalue(res, i, 0), NULL, 10), root, PQgetvalue(res, i, 2));
	}
	PQclear(res);
	return rc;
}

/* ---------- batched issuance (one statement per step for a whole batch) ---------- */

/* A PostgreSQL array literal of n strings, each element quoted and escaped. NULL on OOM. */
static char *reg_store_text_array(const char *const *v, size_t n)
{
	size_t cap = 3;
	for (size_t i = 0; i < n; i++)
		cap += 2 * strlen(v[i]) + 3;
	char *s = malloc(cap), *p = s;
	if (!s)
		return NULL;
	*p++ = '{';
	for (size_t i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		*p++ = '"';
		for (const char *c = v[i]; *c; c++) {
			if (*c == '"' || *c == '\\')
				*p++ = '\\';
			*p++ = *c;
		}
		*p++ = '"';
	}
	*p++ = '}';
	*p = '\0';
	return s;
}

static char *reg_store_int_array(const int64_t *v, size_t n)
{
	char *s = malloc(3 + n * 21), *p = s;
	if (!s)
		return NULL;
	*p++ = '{';
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, i ? ",%lld" : "%lld", (long long)v[i]);
	*p++ = '}';
	*p = '\0';
	return s;
}

int reg_store_list_take_n(rs_db *db, int *out_list_id, int *out_size, int *out_granted, int want, int fill_max,
                          int new_size)
{
	char w[16], fm[16], ns[16];
	snprintf(w, sizeof w, "%d", want);
	snprintf(fm, sizeof fm, "%d", fill_max);
	snprintf(ns, sizeof ns, "%d", new_size);
	const char *p[] = { w, fm };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_list_take_n",
	                    "WITH o AS (SELECT id, used FROM registry.status_lists WHERE id = "
	                    "(SELECT max(id) FROM registry.status_lists) FOR UPDATE) "
	                    "UPDATE registry.status_lists s SET used = s.used + least($1::int, $2::int - o.used) FROM o "
	                    "WHERE s.id = o.id AND o.used < $2::int RETURNING s.id, s.size, least($1::int, $2::int - o.used)",
	                    2, p);
	if (rc != 0)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		/* No open list: start the next one (a racing issuer collides on the key and retries). */
		const char *p2[] = { ns, w, fm };
		rc = rs_db_exec(&res, db, "reg_list_new_n",
		                "INSERT INTO registry.status_lists (id, size, used) SELECT coalesce(max(id), 0) + 1, "
		                "$1::int, least($2::int, $3::int) FROM registry.status_lists RETURNING id, size, used",
		                3, p2);
		if (rc == RS_EEXIST)
			rc = RS_ECONFLICT;
		if (rc != 0)
			return rc;
	}
	*out_list_id = atoi(PQgetvalue(res, 0, 0));
	*out_size = atoi(PQgetvalue(res, 0, 1));
	*out_granted = atoi(PQgetvalue(res, 0, 2));
	PQclear(res);
	return 0;
}

static int reg_store_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int reg_store_status_alloc_many(rs_db *db, unsigned char *out_taken, int list_id, const int64_t *idx, size_t n)
{
	char l[16];
	snprintf(l, sizeof l, "%d", list_id);
	char *arr = reg_store_int_array(idx, n);
	if (!arr)
		return RS_ENOMEM;
	const char *p[] = { l, arr };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "reg_status_alloc_many",
	                    "INSERT INTO registry.status_entries (list_id, idx) SELECT $1::int, unnest($2::int[]) "
	                    "ON CONFLICT DO NOTHING RETURNING idx", 2, p);
	free(arr);
	if (rc != 0)
		return rc;
	int got = PQntuples(res);
	int64_t *ins = malloc(((size_t)got + 1) * sizeof *ins);
	if (!ins) {
		PQclear(res);
		return RS_ENOMEM;
	}
	for (int i = 0; i < got; i++)
		ins[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	PQclear(res);
	qsort(ins, (size_t)got, sizeof *ins, reg_store_cmp_i64);
	for (size_t i = 0; i < n; i++)
		out_taken[i] = bsearch(&idx[i], ins, (size_t)got, sizeof *ins, reg_store_cmp_i64) != NULL;
	free(ins);
	return 0;
}

int reg_store_leaves_append_many(rs_db *db, uint64_t *out_first, const char *kind, const char *const *data,
                                 size_t n)
{
	char cnt[32];
	snprintf(cnt, sizeof cnt, "%zu", n);
	const char *p0[] = { cnt };
	PGresult *res = NULL;
	/* The state row is the gapless counter: n indices at once, serialised until commit. */
	int rc = rs_db_exec(&res, db, "reg_tlog_next_n",
	                    "UPDATE registry.tlog_state SET size = size + $1::bigint RETURNING size - $1::bigint", 1, p0);
	if (rc != 0)
		return rc;
	uint64_t first = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	const char **hex = calloc(n ? n : 1, sizeof *hex);
	char *hbuf = malloc((n ? n : 1) * (2 * REG_HASH_LEN + 1));
	char *darr = NULL, *harr = NULL;
	if (!hex || !hbuf) {
		rc = RS_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		reg_hash h;
		reg_tlog_leaf_hash(h, data[i], strlen(data[i]));
		rs_hex_encode(hbuf + i * (2 * REG_HASH_LEN + 1), h, REG_HASH_LEN);
		hex[i] = hbuf + i * (2 * REG_HASH_LEN + 1);
	}
	darr = reg_store_text_array(data, n);
	harr = reg_store_text_array(hex, n);
	if (!darr || !harr) {
		rc = RS_ENOMEM;
		goto done;
	}
	char firsts[32];
	snprintf(firsts, sizeof firsts, "%llu", (unsigned long long)first);
	const char *p[] = { firsts, kind, darr, harr };
	rc = rs_db_exec(NULL, db, "reg_tlog_leaf_insert_many",
	                "INSERT INTO registry.tlog_leaves (idx, kind, data, hash) SELECT $1::bigint + t.o - 1, $2, "
	                "convert_to(t.d, 'UTF8'), decode(t.h, 'hex') FROM unnest($3::text[], $4::text[]) "
	                "WITH ORDINALITY AS t(d, h, o)", 4, p);
	if (rc == 0)
		*out_first = first;
done:
	free(hex);
	free(hbuf);
	free(darr);
	free(harr);
	return rc;
}

int reg_store_creds_insert_many(rs_db *db, const struct reg_store_cred_row *rows, size_t n)
{
	size_t m = n ? n : 1;
	const char **regno = calloc(m, sizeof *regno), **jws = calloc(m, sizeof *jws), **kid = calloc(m, sizeof *kid),
	           **sha = calloc(m, sizeof *sha);
	char *shabuf = malloc(m * 65);
	int64_t *lst = malloc(m * sizeof *lst), *idx = malloc(m * sizeof *idx), *iat = malloc(m * sizeof *iat),
	        *exp = malloc(m * sizeof *exp), *leaf = malloc(m * sizeof *leaf);
	char *a[9] = { 0 };
	int rc = RS_ENOMEM;
	if (!regno || !jws || !kid || !sha || !shabuf || !lst || !idx || !iat || !exp || !leaf)
		goto done;
	for (size_t i = 0; i < n; i++) {
		regno[i] = rows[i].regno;
		jws[i] = rows[i].jws;
		kid[i] = rows[i].kid;
		rs_hex_encode(shabuf + i * 65, rows[i].sha, 32);
		sha[i] = shabuf + i * 65;
		lst[i] = rows[i].list_id;
		idx[i] = rows[i].idx;
		iat[i] = rows[i].iat;
		exp[i] = rows[i].exp;
		leaf[i] = (int64_t)rows[i].leaf_idx;
	}
	a[0] = reg_store_text_array(regno, n);
	a[1] = reg_store_text_array(jws, n);
	a[2] = reg_store_text_array(sha, n);
	a[3] = reg_store_text_array(kid, n);
	a[4] = reg_store_int_array(lst, n);
	a[5] = reg_store_int_array(idx, n);
	a[6] = reg_store_int_array(iat, n);
	a[7] = reg_store_int_array(exp, n);
	a[8] = reg_store_int_array(leaf, n);
	for (int k = 0; k < 9; k++)
		if (!a[k])
			goto done;
	rc = rs_db_exec(NULL, db, "reg_cred_insert_many",
	                "INSERT INTO registry.credentials (regno, jws, jws_sha256, kid, list_id, status_idx, iat, exp, "
	                "leaf_idx) SELECT r, j, decode(h, 'hex'), k, l, i, a, e, f FROM unnest($1::text[], $2::text[], "
	                "$3::text[], $4::text[], $5::int[], $6::int[], $7::bigint[], $8::bigint[], $9::bigint[]) "
	                "AS t(r, j, h, k, l, i, a, e, f)", 9, (const char *const *)a);
done:
	for (int k = 0; k < 9; k++)
		free(a[k]);
	free(regno);
	free(jws);
	free(kid);
	free(sha);
	free(shabuf);
	free(lst);
	free(idx);
	free(iat);
	free(exp);
	free(leaf);
	return rc;
}
