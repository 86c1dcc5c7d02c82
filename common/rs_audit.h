/* The audit trail: one row in audit.events per audited action, written in the caller's
 * transaction so the action and its record commit or vanish together. */
#ifndef RS_AUDIT_H
#define RS_AUDIT_H

#include <jansson.h>

#include "rs_db.h"

/* Record that actor (e.g. "staff:tanaka", "candidate:B-0001", "system") acting as role did
 * action ("bank.item.read", lower-case dotted) to object ("item:SG-A-0001"). detail may be
 * NULL (it is not stolen). request_id may be NULL. Returns 0 or the database error. */
int rs_audit(rs_db *db, const char *actor, const char *role, const char *action,
             const char *object, const json_t *detail, const char *request_id);

#endif
