/* The dated tables' protected joint tables kept by the job (st_store.h; schema stats, 0072, 0073). */
#include "st_store.h"

#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

static void st_store_rules(char k[24], char stamp_s[24], const struct rs_sdc_rules *rules, long long stamp)
{
	snprintf(k, 24, "%lld", rules->k);
	snprintf(stamp_s, 24, "%lld", stamp);
}

json_t *st_store_joint_get(rs_db *db, const char *table, const char *exam, const char *centre, const char *prefecture,
                           const struct rs_sdc_rules *rules, long long stamp)
{
	char k[24], st[24];
	st_store_rules(k, st, rules, stamp);
	const char *p[] = { table, exam, centre, prefecture, k, rules->allow_zero ? "true" : "false", st };
	PGresult *r = NULL;
	if (rs_db_exec(&r, db, "st_store_get",
	               "SELECT joint::text FROM stats.joint WHERE table_name = $1 AND exam = $2 AND centre = $3 "
	               "AND prefecture = $4 AND k = $5::bigint AND allow_zero = $6::boolean AND stamp = $7::bigint",
	               7, p) != 0)
		return NULL; /* computed instead: a missing kept table is never an error */
	json_t *doc = NULL;
	if (PQntuples(r) == 1)
		doc = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	PQclear(r);
	return doc;
}

int st_store_joint_put(rs_db *db, const char *table, const char *exam, const char *centre, const char *prefecture,
                       const struct rs_sdc_rules *rules, long long stamp, long long figures, const json_t *joint)
{
	char k[24], st[24], fg[24];
	st_store_rules(k, st, rules, stamp);
	snprintf(fg, sizeof fg, "%lld", figures);
	char *text = json_dumps(joint, JSON_COMPACT);
	if (!text) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	const char *p[] = { table, exam, centre, prefecture, k, rules->allow_zero ? "true" : "false", st, text, fg };
	/* One statement, one transaction: a release reads a whole joint table or none. */
	int rc = rs_db_exec(NULL, db, "st_store_put",
	                    "INSERT INTO stats.joint (table_name, exam, centre, prefecture, k, allow_zero, stamp, joint, figures) "
	                    "VALUES ($1, $2, $3, $4, $5::bigint, $6::boolean, $7::bigint, $8::jsonb, $9::bigint) "
	                    "ON CONFLICT (table_name, exam, centre, prefecture, k, allow_zero) DO UPDATE "
	                    "SET stamp = EXCLUDED.stamp, joint = EXCLUDED.joint, figures = EXCLUDED.figures, computed_at = now()",
	                    9, p);
	free(text);
	return rc;
}

int st_store_joint_restamp(int *kept, rs_db *db, const char *table, const char *exam, const char *centre,
                           const char *prefecture, const struct rs_sdc_rules *rules, long long stamp, long long figures)
{
	char k[24], st[24], fg[24];
	st_store_rules(k, st, rules, stamp);
	snprintf(fg, sizeof fg, "%lld", figures);
	const char *p[] = { table, exam, centre, prefecture, k, rules->allow_zero ? "true" : "false", st, fg };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "st_store_restamp",
	                    "UPDATE stats.joint SET stamp = $7::bigint WHERE table_name = $1 AND exam = $2 AND centre = $3 "
	                    "AND prefecture = $4 AND k = $5::bigint AND allow_zero = $6::boolean AND figures = $8::bigint",
	                    8, p);
	*kept = rc == 0 && atoi(PQcmdTuples(r)) == 1;
	PQclear(r);
	return rc;
}

int st_store_joint_prune(rs_db *db, const char *prefix, long long stamp)
{
	char st[24];
	snprintf(st, sizeof st, "%lld", stamp);
	const char *p[] = { st, prefix };
	return rs_db_exec(NULL, db, "st_store_prune",
	                  "DELETE FROM stats.joint WHERE stamp <> $1::bigint AND starts_with(table_name, $2)", 2, p);
}
