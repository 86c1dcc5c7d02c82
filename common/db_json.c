/* common: a query whose answer is one JSON value (json_agg, json_build_object) as a jansson
 * value, for the store files' list readers. */
#include "rs_db.h"
#include "rs_error.h"

#include <jansson.h>
#include <libpq-fe.h>

int rs_db_json(json_t **out, rs_db *db, const char *name, const char *sql, int nparams, const char *const *params)
{
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, name, sql, nparams, params);
	if (rc != 0)
		return rc;
	json_t *v = PQntuples(r) == 1 && PQnfields(r) >= 1 ? json_loads(PQgetvalue(r, 0, 0), JSON_DECODE_ANY, NULL) : NULL;
	PQclear(r);
	if (!v) {
		rs_error_set("the query %s answered no JSON value", name);
		return RS_EINTERNAL;
	}
	*out = v;
	return 0;
}
