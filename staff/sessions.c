/* A staff member's own sessions: the list and "sign out everywhere else" (ASVS 3.3.4;
 * issue 17). SQL in store.c. */
#include "sf.h"
#include "sf_store.h"

#include "rs_audit.h"
#include "rs_config.h"

#include <jansson.h>

int sf_sessions_list(rs_db *db, int64_t account_id, const unsigned char current[32],
                     void (*fn)(void *arg, const struct sf_session_info *s), void *arg)
{
	return sf_store_sessions_list(db, account_id, current, (int)rs_config_int("session_idle_timeout"), fn, arg);
}

struct sf_end_others {
	int64_t id;
	const unsigned char *keep;
	const char *actor, *role, *request_id;
	int n;
};

static int sf_end_others_body(rs_db *db, void *arg)
{
	struct sf_end_others *t = arg;
	int rc = sf_store_sessions_end(&t->n, db, t->id, t->keep);
	if (rc != 0)
		return rc;
	json_t *d = json_pack("{s:i}", "sessions_ended", t->n);
	rc = rs_audit(db, t->actor, t->role, "staff.sessions.ended_others", "", d, t->request_id);
	json_decref(d);
	return rc;
}

int sf_sessions_end_others(rs_db *db, int64_t account_id, const unsigned char keep[32], const char *actor,
                           const char *role, const char *request_id, int *out_n)
{
	struct sf_end_others t = { .id = account_id, .keep = keep, .actor = actor, .role = role, .request_id = request_id };
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, sf_end_others_body, &t);
	if (rc == 0 && out_n)
		*out_n = t.n;
	return rc;
}
