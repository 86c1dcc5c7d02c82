/* item-bank: recording what an analysis (DIF, parameter drift) found per item, so that the
 * pool health statistics can count the items currently flagged (ib_store.h). */
#include "ib_store.h"

#include "rs_audit.h"
#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ib_an_rec {
	const char *kind, *description, *actor;
	const char *ids_arr, *flags_arr;
	size_t n;
	long long run_id;
	size_t recorded;
};

/* A PostgreSQL text[] literal of strs[0..n), every element quoted. malloc'd, NULL on ENOMEM. */
static char *ib_an_array(const char *const *strs, size_t n)
{
	size_t cap = 3;
	for (size_t i = 0; i < n; i++)
		cap += 2 * strlen(strs[i]) + 3;
	char *out = malloc(cap), *p = out;
	if (!out)
		return NULL;
	*p++ = '{';
	for (size_t i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		*p++ = '"';
		for (const char *s = strs[i]; *s; s++) {
			if (*s == '"' || *s == '\\')
				*p++ = '\\';
			*p++ = *s;
		}
		*p++ = '"';
	}
	*p++ = '}';
	*p = '\0';
	return out;
}

static int ib_an_tx(rs_db *db, void *arg)
{
	struct ib_an_rec *c = arg;
	PGresult *r = NULL;
	const char *p1[] = { c->kind, c->description, c->actor };
	int rc = rs_db_exec(&r, db, "ib_an_run",
	                    "INSERT INTO bank.analysis_runs (kind, description, recorded_by) VALUES ($1, $2, $3) RETURNING id",
	                    3, p1);
	if (rc != 0)
		return rc;
	char run[24];
	snprintf(run, sizeof run, "%s", PQgetvalue(r, 0, 0));
	c->run_id = atoll(run);
	PQclear(r);
	/* Items the bank does not hold (a data file may carry others) are left out and counted. */
	const char *p2[] = { run, c->ids_arr, c->flags_arr };
	rc = rs_db_exec(&r, db, "ib_an_results",
	                "INSERT INTO bank.analysis_results (run_id, item_id, flag) SELECT $1::bigint, t.i, t.f "
	                "FROM unnest($2::text[], $3::text[]) AS t(i, f) JOIN bank.items b ON b.id = t.i "
	                "ON CONFLICT DO NOTHING RETURNING item_id", 3, p2);
	if (rc != 0)
		return rc;
	c->recorded = (size_t)PQntuples(r);
	PQclear(r);
	json_t *d = json_pack("{s:s, s:I, s:I, s:I}", "kind", c->kind, "run", (json_int_t)c->run_id, "items",
	                      (json_int_t)c->n, "recorded", (json_int_t)c->recorded);
	rc = rs_audit(db, c->actor, "psychometrician", "bank.analysis.record", "bank", d, NULL);
	json_decref(d);
	return rc;
}

int ib_store_analysis_record(long long *out_run_id, size_t *out_recorded, rs_db *db, const char *actor,
                             const char *kind, const char *description, const char *const *item_ids,
                             const char *const *flags, size_t n)
{
	static const char *const ok[] = { "", "B", "C", "DRIFT-b", "DRIFT-a", "DRIFT-ab" };
	if (!kind || (strcmp(kind, "dif") != 0 && strcmp(kind, "drift") != 0)) {
		rs_error_set("analysis kind is dif or drift");
		return RS_EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < sizeof ok / sizeof ok[0] && strcmp(flags[i], ok[k]) != 0)
			k++;
		if (k == sizeof ok / sizeof ok[0]) {
			rs_error_set("item %s: unknown flag '%s'", item_ids[i], flags[i]);
			return RS_EINVAL;
		}
	}
	struct ib_an_rec c = { .kind = kind, .description = description ? description : "", .actor = actor, .n = n };
	char *ids = ib_an_array(item_ids, n), *fl = ib_an_array(flags, n);
	int rc = ids && fl ? 0 : RS_ENOMEM;
	if (rc == 0) {
		c.ids_arr = ids;
		c.flags_arr = fl;
		rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, ib_an_tx, &c);
	} else {
		rs_error_set("out of memory");
	}
	free(ids);
	free(fl);
	if (rc == 0) {
		*out_run_id = c.run_id;
		*out_recorded = c.recorded;
	}
	return rc;
}
