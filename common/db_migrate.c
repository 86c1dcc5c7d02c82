/* The migration runner: numbered SQL files applied once each, in order, with checksums. */
#include "rs_db.h"
#include "rs_encode.h"
#include "rs_error.h"
#include "rs_log.h"
#include "rs_util.h"

#include <dirent.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RS_MIGRATION_MAX_FILES 1000
#define RS_MIGRATION_MAX_BYTES (8 << 20)

struct rs_migration {
	int version;
	char name[256];
};

static int rs_migration_cmp(const void *a, const void *b)
{
	const struct rs_migration *x = a, *y = b;
	return (x->version > y->version) - (x->version < y->version);
}

/* List NNNN_name.sql files sorted by number; duplicate numbers are an error. */
static int rs_migration_list(struct rs_migration **out, int *count, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		rs_error_set("cannot open the migrations folder '%s'", dir);
		return RS_EIO;
	}
	struct rs_migration *list = calloc(RS_MIGRATION_MAX_FILES, sizeof *list);
	int n = 0, rc = 0;
	struct dirent *e;
	if (!list) {
		rc = RS_ENOMEM;
		goto done;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 9 || strcmp(e->d_name + len - 4, ".sql") != 0)
			continue;
		int v = 0, digits = 0;
		while (digits < 4 && e->d_name[digits] >= '0' && e->d_name[digits] <= '9')
			v = v * 10 + (e->d_name[digits++] - '0');
		if (digits != 4 || e->d_name[4] != '_' || len >= sizeof list[0].name) {
			rs_error_set("migration file '%s' is not named NNNN_name.sql", e->d_name);
			rc = RS_EINVAL;
			goto done;
		}
		if (n == RS_MIGRATION_MAX_FILES) {
			rs_error_set("more than %d migration files", RS_MIGRATION_MAX_FILES);
			rc = RS_ETOOBIG;
			goto done;
		}
		list[n].version = v;
		memcpy(list[n].name, e->d_name, len + 1);
		n++;
	}
	qsort(list, (size_t)n, sizeof *list, rs_migration_cmp);
	for (int i = 1; i < n; i++) {
		if (list[i].version == list[i - 1].version) {
			rs_error_set("migrations '%s' and '%s' share a number", list[i - 1].name, list[i].name);
			rc = RS_EINVAL;
			goto done;
		}
	}
	*out = list;
	*count = n;
	list = NULL;
done:
	free(list);
	closedir(d);
	return rc;
}

static void rs_sha256_hex(char out[65], const char *data, size_t len)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	rs_hex_encode(out, md, 32);
}

static int rs_migration_ensure_table(rs_db *db)
{
	return rs_db_exec_plain(db,
		"CREATE TABLE IF NOT EXISTS public.schema_migrations ("
		" version integer PRIMARY KEY,"
		" name text NOT NULL,"
		" checksum text NOT NULL CHECK (length(checksum) = 64),"
		" applied_at timestamptz NOT NULL DEFAULT now())");
}

/* Recorded checksum of a version into out (empty when not applied). */
static int rs_migration_recorded(rs_db *db, int version, char out[65])
{
	char v[16];
	snprintf(v, sizeof v, "%d", version);
	const char *params[] = { v };
	PGresult *res = NULL;
	int rc = rs_db_exec(&res, db, "rs_migration_recorded",
	                    "SELECT checksum FROM public.schema_migrations WHERE version = $1::int", 1, params);
	if (rc != 0)
		return rc;
	out[0] = '\0';
	if (PQntuples(res) == 1)
		snprintf(out, 65, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

static int rs_migration_read(char **sql, size_t *len, char sum[65], const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int rc = rs_read_file(sql, len, path, RS_MIGRATION_MAX_BYTES);
	if (rc == 0)
		rs_sha256_hex(sum, *sql, *len);
	return rc;
}

int rs_migrate(rs_db *db, const char *dir, int *applied)
{
	struct rs_migration *list = NULL;
	int n = 0, done_count = 0;
	int rc = rs_migration_list(&list, &n, dir);
	if (rc != 0)
		return rc;
	/* One runner at a time: a session-level advisory lock around the whole run. */
	rc = rs_db_exec_plain(db, "SELECT pg_advisory_lock(72617373)");
	if (rc != 0)
		goto done;
	rc = rs_migration_ensure_table(db);
	for (int i = 0; rc == 0 && i < n; i++) {
		char recorded[65], sum[65];
		char *sql = NULL;
		size_t len = 0;
		rc = rs_migration_read(&sql, &len, sum, dir, list[i].name);
		if (rc == 0)
			rc = rs_migration_recorded(db, list[i].version, recorded);
		if (rc == 0 && recorded[0]) {
			if (strcmp(recorded, sum) != 0) {
				rs_error_set("migration %s was changed after it was applied (checksum differs); "
				             "landed migrations are never edited: add a new one", list[i].name);
				rc = RS_ESCHEMA;
			}
			free(sql);
			continue;
		}
		if (rc == 0) {
			rc = rs_db_exec_plain(db, "BEGIN");
			if (rc == 0) {
				PGresult *res = PQexec(rs_db_pg(db), sql);
				if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
					char msg[300];
					snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(res));
					msg[strcspn(msg, "\n")] = '\0';
					rs_error_set("migration %s failed and was rolled back: %s", list[i].name, msg);
					rc = RS_EDB;
				}
				PQclear(res);
			}
			if (rc == 0) {
				char v[16];
				snprintf(v, sizeof v, "%d", list[i].version);
				const char *params[] = { v, list[i].name, sum };
				rc = rs_db_exec(NULL, db, "rs_migration_record",
				                "INSERT INTO public.schema_migrations (version, name, checksum) "
				                "VALUES ($1::int, $2, $3)", 3, params);
			}
			if (rc == 0)
				rc = rs_db_exec_plain(db, "COMMIT");
			if (rc != 0) {
				PGresult *r = PQexec(rs_db_pg(db), "ROLLBACK");
				PQclear(r);
			} else {
				rs_info("applied migration %s", list[i].name);
				done_count++;
			}
		}
		free(sql);
	}
	{
		PGresult *r = PQexec(rs_db_pg(db), "SELECT pg_advisory_unlock(72617373)");
		PQclear(r);
	}
done:
	free(list);
	if (applied)
		*applied = done_count;
	return rc;
}

int rs_migrate_check(rs_db *db, const char *dir)
{
	struct rs_migration *list = NULL;
	int n = 0;
	int rc = rs_migration_list(&list, &n, dir);
	if (rc != 0)
		return rc;
	PGresult *res = NULL;
	rc = rs_db_exec(&res, db, "rs_migration_exists",
	                "SELECT to_regclass('public.schema_migrations') IS NOT NULL", 0, NULL);
	if (rc != 0)
		goto done;
	int has_table = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	for (int i = 0; i < n; i++) {
		char recorded[65] = "";
		if (has_table) {
			rc = rs_migration_recorded(db, list[i].version, recorded);
			if (rc != 0)
				goto done;
		}
		if (!recorded[0]) {
			rs_error_set("database schema is out of date: migration %s is not applied "
			             "(run 'riss db migrate')", list[i].name);
			rc = RS_ESCHEMA;
			goto done;
		}
	}
done:
	free(list);
	return rc;
}
