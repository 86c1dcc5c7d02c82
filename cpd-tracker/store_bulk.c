/* Bulk load of demo completions (cpd_bulk.h): one multi-row insert. */
#include "cpd_bulk.h"

#include "rs_audit.h"
#include "rs_error.h"
#include "rs_pgarr.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

struct cpd_bulk_arg {
	const struct cpd_bulk_completion *c;
	size_t n, inserted;
};

static int cpd_bulk_tx(rs_db *db, void *varg)
{
	struct cpd_bulk_arg *a = varg;
	struct rs_pgarr col[4];
	memset(col, 0, sizeof col);
	for (size_t i = 0; i < a->n; i++) {
		rs_pgarr_add(&col[0], a->c[i].regno);
		rs_pgarr_add(&col[1], a->c[i].course_code);
		rs_pgarr_add(&col[2], a->c[i].completed_on);
		rs_pgarr_add(&col[3], a->c[i].record_id);
	}
	const char *p[4];
	int rc = 0;
	for (int k = 0; k < 4; k++)
		if (!(p[k] = rs_pgarr_end(&col[k])))
			rc = RS_ENOMEM;
	PGresult *r = NULL;
	if (rc == 0)
		rc = rs_db_exec(&r, db, "cpd_bulk_completions",
			"WITH ins AS (INSERT INTO cpd.completions (provider_id, provider_record_id, regno, course_id, completed_on,"
			" hours, via, state, received_at, posted_at)"
			" SELECT c.provider_id, u.rec, u.regno, c.id, u.d, c.hours, 'api', 'accepted',"
			" u.d + time '18:00', u.d + time '18:00'"
			" FROM unnest($1::text[], $2::text[], $3::date[], $4::text[]) AS u(regno, code, d, rec)"
			" JOIN cpd.courses c ON c.code = u.code"
			" ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*) FROM ins", 4, p);
	rs_pgarr_free(col, 4);
	if (rc != 0)
		return rc;
	a->inserted = (size_t)strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	json_t *detail = json_pack("{s:I}", "completions", (json_int_t)a->inserted);
	rc = rs_audit(db, "system:demo", "system", "cpd.demo.load", "cpd:demo", detail, NULL);
	json_decref(detail);
	return rc;
}

int cpd_bulk_load(size_t *out_inserted, rs_db *db, const struct cpd_bulk_completion *c, size_t n)
{
	struct cpd_bulk_arg a = { .c = c, .n = n };
	int rc = n ? rs_db_tx(db, RS_DB_READ_COMMITTED, 1, cpd_bulk_tx, &a) : 0;
	if (rc == 0)
		*out_inserted = a.inserted;
	return rc;
}
