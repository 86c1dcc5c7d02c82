/* Writing audit events. */
#include "rs_audit.h"
#include "rs_json.h"

#include <stdlib.h>

int rs_audit(rs_db *db, const char *actor, const char *role, const char *action,
             const char *object, const json_t *detail, const char *request_id)
{
	char *d = detail ? rs_json_dump(detail) : NULL;
	const char *params[] = { actor, role, action, object ? object : "", d ? d : "{}",
	                         request_id ? request_id : "" };
	int rc = rs_db_exec(NULL, db, "rs_audit_insert",
	                    "INSERT INTO audit.events (actor, role, action, object, detail, request_id) "
	                    "VALUES ($1, $2, $3, $4, $5::jsonb, $6)", 6, params);
	free(d);
	return rc;
}
