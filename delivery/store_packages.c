/* The exam windows that name an exam package (exam.windows.package_id, migration 0034), for
 * the psychometrician's package desk, and the retirement of a package that no open window
 * still names. */
#include "dlv_int.h"

#include "ib_package.h"
#include "rs_error.h"

#include <libpq-fe.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dlv_package_windows(json_t **out, rs_db *db, const char *exam)
{
	dlv_slug_set(NULL);
	PGresult *r = NULL;
	const char *p[] = { exam };
	int rc = rs_db_exec(&r, db, "dlv_pkg_windows",
		"SELECT coalesce(json_agg(json_build_object('id', id, 'exam', exam_code, 'name', name, 'opens_on', opens_on,"
		" 'closes_on', closes_on, 'package', package_id,"
		" 'open', closes_on >= (now() AT TIME ZONE 'Asia/Tokyo')::date) ORDER BY opens_on, id), '[]')"
		" FROM exam.windows WHERE package_id IS NOT NULL AND ($1::text IS NULL OR exam_code = $1)", 1, p);
	if (rc != 0)
		return rc;
	json_t *list = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	PQclear(r);
	if (!list)
		return RS_EINTERNAL;
	*out = json_pack("{s:o}", "windows", list);
	return 0;
}

int dlv_package_retire(rs_db *db, const struct dlv_actor *who, int64_t package)
{
	dlv_slug_set(NULL);
	char pk[24];
	snprintf(pk, sizeof pk, "%" PRId64, package);
	const char *p[] = { pk };
	PGresult *r = NULL;
	/* A window that has not closed would admit its next sitting on a retired package. */
	int rc = rs_db_exec(&r, db, "dlv_pkg_in_use",
		"SELECT id, name FROM exam.windows WHERE package_id = $1::bigint"
		" AND closes_on >= (now() AT TIME ZONE 'Asia/Tokyo')::date ORDER BY opens_on, id LIMIT 1", 1, p);
	if (rc != 0)
		return rc;
	if (PQntuples(r) > 0) {
		dlv_slug_set("conflict");
		rs_error_msg("pkgdesk.in_use", pk, PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 0), NULL);
		PQclear(r);
		return RS_ESTATE;
	}
	PQclear(r);
	return ib_package_retire(db, who->actor, who->role, package, who->request_id);
}
