/* registry: the register itself — registrants, their status, the fields they publish, the
 * date rules of registration and validity, and public register search. */
#ifndef REG_REGISTER_H
#define REG_REGISTER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "rs_db.h"

#define REG_REGNO_LEN 6
#define REG_NAME_MAX 400         /* bytes of a name field (100 characters of UTF-8) */
#define REG_REF_MAX 101
#define REG_REASON_MAX 501
#define REG_PUBLIC_REASON_MAX 64

enum reg_status {
	REG_ST_ACTIVE = 0,
	REG_ST_SUSPENDED,
	REG_ST_LAPSED,
	REG_ST_CANCELLED,
	REG_ST_DEREGISTERED,
};

/* Published-field bits (the registration number and status are always public). */
enum reg_pub {
	REG_PUB_NAME = 1 << 0,
	REG_PUB_NAME_KANA = 1 << 1,
	REG_PUB_NAME_LATN = 1 << 2,
	REG_PUB_REG_DATE = 1 << 3,
	REG_PUB_VALID_UNTIL = 1 << 4,
	REG_PUB_RENEWAL_COUNT = 1 << 5,
	REG_PUB_EXAM_PASS_DATE = 1 << 6,
};
#define REG_PUB_DEFAULT (REG_PUB_NAME | REG_PUB_NAME_LATN | REG_PUB_REG_DATE | REG_PUB_VALID_UNTIL)

/* One registrant as stored. Dates are YYYY-MM-DD. */
struct reg_registrant {
	char regno[REG_REGNO_LEN + 1];
	char name[REG_NAME_MAX];       /* kanji */
	char name_kana[REG_NAME_MAX];
	char name_latn[REG_NAME_MAX];  /* romaji */
	char date_of_birth[11];        /* never published, never on a credential */
	char exam_result_ref[REG_REF_MAX];
	char exam_pass_date[11];
	char reg_date[11];
	char valid_from[11];           /* start of the current 3-year validity */
	char valid_until[11];          /* last day of the current validity */
	int renewal_count;
	enum reg_status status;
	char status_reason[REG_REASON_MAX];   /* the registrar's words: staff views only */
	unsigned published;            /* reg_pub bits */
	char public_reason[REG_PUBLIC_REASON_MAX];  /* "<status>.<code>" chosen by the registrar, or "" */
};

/* "active", "suspended", ...; never NULL. */
const char *reg_status_name(enum reg_status s);
/* True when a registration may go from status from to status to by a registrar's action:
 * suspend (active), reinstate (suspended), cancel and deregister (active, suspended, lapsed);
 * lapse (active, suspended) is the sweep's. */
int reg_status_change_ok(enum reg_status from, enum reg_status to);
/* Parse a status name. Returns 0 or RS_EINVAL. */
int reg_status_parse(enum reg_status *out, const char *s);
/* True when code is a public reason a registrar may give for a change to status to: "<status
 * name>.<word>" (to suspended, cancelled or deregistered) with its wording in the message
 * catalogue as verify.status_reason.<code>. The catalogue's entries are the fixed list (one
 * place: the desk offers the same ids). */
int reg_public_reason_ok(enum reg_status to, const char *code);

/* Published-field names ("name", "name_kana", ...) <-> bits. */
const char *reg_pub_name(unsigned bit);
/* Parse a JSON array of field names into bits. Returns 0 or RS_EINVAL naming the field. */
int reg_pub_parse(unsigned *out, const json_t *arr);
/* A PostgreSQL text[] literal ("{name,name_latn}") of the bits into out (cap bytes). */
void reg_pub_pg_array(char *out, size_t cap, unsigned bits);
/* Parse a PostgreSQL text[] literal into bits (unknown names ignored). */
unsigned reg_pub_from_pg(const char *text);

/* True when s is a 6-digit registration number other than 000000. */
int reg_regno_valid(const char *s);
/* True when s is a real calendar date YYYY-MM-DD. */
int reg_date_valid(const char *s);
/* The first registration date (1 April or 1 October) on or after date. Returns 0 or
 * RS_EINVAL. */
int reg_next_reg_date(char out[11], const char *date);
/* True when date is 1 April or 1 October. */
int reg_is_reg_date(const char *date);
/* Last day of a 3-year validity starting at from: from + 3 years - 1 day. */
int reg_validity_end(char out[11], const char *from);
/* The re-registration bar after 取消し lasts this many years. */
#define REG_BAR_YEARS 2
/* The first day a person whose registration was cancelled (取消し) on cancelled_on may be
 * registered again: REG_BAR_YEARS counted by the Civil Code (art. 140: from the next day;
 * art. 141/143: the period ends the day before the corresponding day, or at the end of the
 * month when there is no such day), so the bar ends on that day and registration is
 * allowed the day after. Returns 0 or RS_EINVAL. The one place the bar's length and
 * arithmetic live: registry.bars stores what it gives. */
int reg_bar_allowed_from(char out[11], const char *cancelled_on);
/* The credential exp for a validity ending on valid_until: the end of that day in Japan
 * (00:00 JST of the next day), as Unix seconds. Returns 0 or RS_EINVAL. */
int reg_validity_exp(int64_t *out, const char *valid_until);
/* Today's date in Japan (UTC+9) for Unix time now. */
void reg_today_jst(char out[11], int64_t now);

/* Colour of the registration card by renewal count: "green" (first registration),
 * "blue" (renewed once), "gold" (renewed twice or more). */
const char *reg_card_colour(int renewal_count);
/* The status a person sees on today (YYYY-MM-DD, JST): "pending" for an active registration
 * whose registration date has not come yet (it is in force only from that date), else the
 * stored status's name. */
const char *reg_status_effective(const struct reg_registrant *r, const char *today);
/* The public view of a registrant on today: regno, status (effective), status_reason (when
 * not active: the public reason code, else the status's name; never the registrar's words)
 * and the published fields only. Caller owns it. */
json_t *reg_registrant_public_json(const struct reg_registrant *r, const char *today);
/* The registrar's view: every field, the effective status and the actions the registrar may
 * take on today (reg_actions_json). Caller owns it. */
json_t *reg_registrant_full_json(const struct reg_registrant *r, const char *today);
/* A row of the registrar's list: numbers, names, dates, status and effective status. */
json_t *reg_registrant_list_json(const struct reg_registrant *r, const char *today);
/* The registrar's actions valid for r on today, as a JSON array of names: "issue" (active,
 * validity not over), "suspend", "reinstate", "cancel", "deregister" (reg_status_change_ok),
 * "renew" (inside the renewal window, reg_renewal_period). Caller owns it. */
json_t *reg_actions_json(const struct reg_registrant *r, const char *today);

/* Read one registrant. Returns 0, RS_ENOTFOUND or a database error. */
int reg_registrant_get(rs_db *db, struct reg_registrant *out, const char *regno);
/* Which of n registration numbers are on the register (any status), in one query:
 * out_known[i] = 1 when regnos[i] is. Malformed numbers are simply unknown. Returns 0 or
 * a database error. */
int reg_registrants_exist(rs_db *db, unsigned char *out_known, const char *const *regnos, size_t n);
/* The same with each one's registration date (YYYY-MM-DD; "" for a number not on the
 * register), for cpd-tracker's hold rule. Returns 0 or a database error. */
int reg_registrants_reg_dates(rs_db *db, char (*out)[11], const char *const *regnos, size_t n);

#define REG_SEARCH_MAX 50
#define REG_SEARCH_Q_MAX 100
/* A checked search text (its normalisation is the database's: registry.search_key). */
struct reg_search_q {
	char text[REG_SEARCH_Q_MAX + 1];
};
/* Parse search input (len bytes, not necessarily NUL-terminated): spaces and tabs around it
 * dropped; 1..REG_SEARCH_Q_MAX bytes of well-formed UTF-8 without control characters.
 * Returns 0 or RS_EINVAL with one clear line (catalogue reg.search_*). */
int reg_search_parse(struct reg_search_q *out, const char *q, size_t len);
/* Public register search: q is a registration number (exact) or the start of any part of a
 * published name (kanji, kana, romaji), both as registry.search_key normalises them
 * (full-width, hiragana/katakana, spaces and case do not matter). At most limit
 * (<= REG_SEARCH_MAX) results, public views on the day of now. *out is a JSON array the
 * caller owns. Returns 0, RS_EINVAL or a database error. */
int reg_register_search(json_t **out, rs_db *db, const char *q, int limit, int64_t now);

#endif
