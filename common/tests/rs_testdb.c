/* Scratch databases for store tests: create, migrate a chosen subset, drop. */
#include "rs_testdb.h"

#include "rs_db.h"
#include "rs_error.h"

#include <dirent.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *rs_testdb_url(void)
{
	const char *url = getenv("RISS_TEST_PG_URL");
	if (!url || !url[0]) {
		fprintf(stderr, "RISS_TEST_PG_URL is not set: run through ./deploy/dev test\n");
		exit(77);
	}
	return url;
}

static void rs_testdb_name(char *out, size_t len, const char *tag)
{
	snprintf(out, len, "riss_scratch_%s_%d", tag, (int)getpid());
}

/* Run one statement on the maintenance database. */
static int rs_testdb_admin(const char *sql)
{
	char admin[1200];
	snprintf(admin, sizeof admin, "%s dbname=postgres", rs_testdb_url());
	PGconn *c = PQconnectdb(admin);
	int rc = 0;
	if (PQstatus(c) != CONNECTION_OK) {
		rs_error_set("cannot reach the test PostgreSQL: %s", PQerrorMessage(c));
		rc = RS_EUNAVAIL;
	} else {
		PGresult *r = PQexec(c, sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			rs_error_set("%s: %s", sql, PQresultErrorMessage(r));
			rc = RS_EDB;
		}
		PQclear(r);
	}
	PQfinish(c);
	return rc;
}

static int rs_testdb_wanted(const char *file, const char *const *prefixes)
{
	for (size_t i = 0; prefixes && prefixes[i]; i++)
		if (strncmp(file, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

/* A temporary folder of links to the wanted migration files; removed by the caller. */
static int rs_testdb_migrations(char *dir, size_t len, const char *const *prefixes)
{
	snprintf(dir, len, "/tmp/riss-testdb-mig-XXXXXX");
	if (!mkdtemp(dir)) {
		rs_error_set("cannot create a temporary migrations folder");
		return RS_EIO;
	}
	DIR *d = opendir(RS_SOURCE_ROOT "/deploy/migrations");
	if (!d) {
		rs_error_set("cannot open deploy/migrations");
		return RS_EIO;
	}
	int rc = 0;
	for (struct dirent *e; rc == 0 && (e = readdir(d)) != NULL;) {
		if (!rs_testdb_wanted(e->d_name, prefixes))
			continue;
		char src[600], dst[600];
		snprintf(src, sizeof src, "%s/deploy/migrations/%s", RS_SOURCE_ROOT, e->d_name);
		snprintf(dst, sizeof dst, "%s/%s", dir, e->d_name);
		if (symlink(src, dst) != 0) {
			rs_error_set("cannot link migration %s", e->d_name);
			rc = RS_EIO;
		}
	}
	closedir(d);
	return rc;
}

static void rs_testdb_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		char p[600];
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

int rs_testdb_create(char *conninfo, size_t len, const char *tag, const char *const *prefixes)
{
	char name[96], sql[200], dir[64] = "";
	rs_testdb_name(name, sizeof name, tag);
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
	int rc = rs_testdb_admin(sql);
	if (rc == 0) {
		snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
		rc = rs_testdb_admin(sql);
	}
	if (rc != 0)
		return rc;
	snprintf(conninfo, len, "%s dbname=%s", rs_testdb_url(), name);
	rs_db *db = NULL;
	int applied = 0;
	rc = rs_testdb_migrations(dir, sizeof dir, prefixes);
	if (rc == 0)
		rc = rs_db_open(&db, conninfo);
	if (rc == 0)
		rc = rs_migrate(db, dir, &applied);
	rs_db_close(db);
	if (dir[0])
		rs_testdb_rmdir(dir);
	return rc;
}

void rs_testdb_drop(const char *tag)
{
	char name[96], sql[200];
	rs_testdb_name(name, sizeof name, tag);
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
	(void)rs_testdb_admin(sql);
}
