/* SQL for staff accounts and sessions (web/store_staff.c). */
#ifndef WEB_STORE_STAFF_H
#define WEB_STORE_STAFF_H

#include <stdint.h>

#include "rs_db.h"

struct web_staff_account {
	int64_t id;
	char username[48];
	char display_name[128];
	char role[24];
	char centre_code[24];
	char password_hash[160];
	char totp_secret[40];     /* base32 */
	int64_t totp_last_step;
	int failed_logins;
	int locked;               /* locked_until is in the future */
	int disabled;
};

/* Create an account. RS_EEXIST when the user name is taken, RS_EINVAL on a value the
 * schema refuses. */
int web_staff_store_create(rs_db *db, const char *username, const char *display_name,
                           const char *role, const char *centre_code /* NULL */,
                           const char *password_hash, const char *totp_secret);
/* Read an account by user name, locking the row for the sign-in transaction.
 * RS_ENOTFOUND when there is none. */
int web_staff_store_get_for_login(struct web_staff_account *out, rs_db *db, const char *username);
/* Record a sign-in attempt: success resets the failure count and stores the TOTP step;
 * failure counts up and locks the account for 15 minutes at 5 failures. */
int web_staff_store_login_result(rs_db *db, int64_t id, int success, int64_t totp_step);
/* Store a session (token hash, CSRF token) valid for ttl_s seconds. */
int web_staff_store_session_new(rs_db *db, const unsigned char hash[32], int64_t account_id,
                                const char *csrf, int ttl_s);
/* Look up a live session of an enabled account. RS_ENOTFOUND when expired or unknown. */
int web_staff_store_session_get(struct web_staff_account *out, char csrf[24], rs_db *db,
                                const unsigned char hash[32]);
/* Call fn for every account, ordered by user name (hashes and secrets left empty). */
int web_staff_store_list(rs_db *db, void (*fn)(void *arg, const struct web_staff_account *a), void *arg);
int web_staff_store_session_delete(rs_db *db, const unsigned char hash[32]);

#endif
