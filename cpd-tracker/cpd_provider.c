/* cpd-tracker: training providers (approval, API keys, suspension), their courses and
 * the agency's 特定講習 designations. Each change is one transaction with its audit row. */
#include "cpd.h"
#include "store.h"
#include "cpd_lrs.h"

#include "rs_audit.h"
#include "rs_encode.h"
#include "rs_error.h"
#include "rs_util.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define CPD_KEY_PREFIX "rpk_"
#define CPD_KEY_LEN 47            /* "rpk_" + 43 base64url characters (256 bits) */

int cpd_error_id(int code, const char *msg, int64_t id)
{
	char a0[24];
	snprintf(a0, sizeof a0, "%lld", (long long)id);
	rs_error_msg(msg, a0, NULL);
	return code;
}

static struct cpd_date cpd_today(void)
{
	return cpd_today_jst(rs_now_ms() / 1000);
}

/* SHA-256 of the key, in hex (what the database keeps). */
static void cpd_key_hash_hex(char out[65], const char *key)
{
	unsigned char h[32];
	unsigned int n = 0;
	EVP_Digest(key, strlen(key), h, &n, EVP_sha256(), NULL);
	rs_hex_encode(out, h, sizeof h);
}

/* A fresh key, its hash and its hint. */
static int cpd_key_new(char key[CPD_KEY_LEN + 1], char hash[65], char hint[9])
{
	unsigned char raw[32];
	int rc = rs_random_bytes(raw, sizeof raw);
	if (rc != 0)
		return rc;
	memcpy(key, CPD_KEY_PREFIX, 4);
	rs_b64url_encode(key + 4, raw, sizeof raw);
	OPENSSL_cleanse(raw, sizeof raw);
	cpd_key_hash_hex(hash, key);
	memcpy(hint, key, 8);
	hint[8] = '\0';
	return 0;
}

static int cpd_key_wellformed(const char *k)
{
	return k && strlen(k) == CPD_KEY_LEN && strncmp(k, CPD_KEY_PREFIX, 4) == 0 &&
	       strspn(k + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == CPD_KEY_LEN - 4;
}

static json_t *cpd_key_json(int64_t id, const char *key, const char *hint)
{
	return json_pack("{s:I, s:s, s:s}", "provider_id", (json_int_t)id, "api_key", key, "key_hint", hint);
}

static int cpd_text_ok(const char *v, size_t max, int required)
{
	if (!v)
		return !required;
	size_t n = strlen(v);
	if (required && n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20)
			return 0;
	return n <= max;
}

static int cpd_date_arg(const char *field, const char *v, int required)
{
	struct cpd_date d;
	if (!v && !required)
		return 0;
	if (!v || cpd_date_parse(&d, v) != 0) {
		rs_error_msg("cpd.provider.date", field, NULL);
		return RS_EINVAL;
	}
	return 0;
}

static int cpd_period_check(const char *from, const char *until)
{
	int rc = cpd_date_arg("approved_from", from, 1);
	if (rc == 0)
		rc = cpd_date_arg("approved_until", until, 0);
	if (rc != 0)
		return rc;
	if (until && strcmp(until, from) < 0) {
		rs_error_msg("cpd.provider.period", until, from, NULL);
		return RS_EINVAL;
	}
	return 0;
}

struct cpd_add_tx {
	const struct cpd_actor *who;
	const struct cpd_provider_new *p;
	const char *from;
	char key[CPD_KEY_LEN + 1], hash[65], hint[9];
	int64_t id;
	json_t *xapi;                 /* the provider's xAPI credential {username, password} */
};

static int cpd_add_body(rs_db *db, void *arg)
{
	struct cpd_add_tx *t = arg;
	int rc = cpd_store_provider_insert(db, &t->id, t->p, t->from, t->hash, t->hint, t->who->actor);
	if (rc == RS_EEXIST)
		rs_error_msg("cpd.provider.exists", t->p->name_ja, NULL);
	if (rc != 0)
		return rc;
	json_decref(t->xapi);
	t->xapi = NULL;
	if ((rc = cpd_lrs_cred_issue_in_tx(&t->xapi, db, t->id)) != 0)
		return rc;
	char obj[40];
	snprintf(obj, sizeof obj, "provider:%lld", (long long)t->id);
	json_t *d = json_pack("{s:s, s:s, s:b, s:s, s:s?, s:s}", "name_ja", t->p->name_ja, "name_en", t->p->name_en,
	                      "is_agency", t->p->is_agency, "approved_from", t->from, "approved_until", t->p->approved_until,
	                      "key_hint", t->hint);
	rc = rs_audit(db, t->who->actor, t->who->role, "cpd.provider.add", obj, d, t->who->request_id);
	json_decref(d);
	return rc;
}

int cpd_provider_add(json_t **out, rs_db *db, const struct cpd_actor *who, const struct cpd_provider_new *p)
{
	if (!cpd_text_ok(p->name_ja, 600, 1) || !cpd_text_ok(p->name_en, 200, 1)) {
		rs_error_msg("cpd.provider.name", NULL);
		return RS_EINVAL;
	}
	if (!cpd_text_ok(p->contact_name, 600, 0) || !cpd_text_ok(p->contact_email, 250, 0) ||
	    (p->contact_email && p->contact_email[0] && !strchr(p->contact_email, '@')) ||
	    !cpd_text_ok(p->contact_phone, 30, 0)) {
		rs_error_msg("cpd.provider.contact", NULL);
		return RS_EINVAL;
	}
	char today[11];
	cpd_date_format(today, cpd_today());
	struct cpd_add_tx t = { .who = who, .p = p, .from = p->approved_from ? p->approved_from : today };
	int rc = cpd_period_check(t.from, p->approved_until);
	if (rc == 0)
		rc = cpd_key_new(t.key, t.hash, t.hint);
	if (rc == 0)
		rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_add_body, &t);
	if (rc == 0 && !(*out = cpd_key_json(t.id, t.key, t.hint)))
		rc = RS_ENOMEM;
	if (rc == 0)
		json_object_set_new(*out, "xapi", t.xapi);
	else
		json_decref(t.xapi);
	OPENSSL_cleanse(t.key, sizeof t.key);
	return rc;
}

/* A change of one provider: apply(db, t) then audit action, in one transaction. */
struct cpd_change_tx {
	const struct cpd_actor *who;
	int64_t id;
	const char *action;
	const char *a, *b;                  /* arguments of the change */
	char key[CPD_KEY_LEN + 1], hash[65], hint[9];
	json_t *xapi;                       /* rotate-key: the new xAPI credential */
	int (*apply)(rs_db *db, struct cpd_change_tx *t);
};

static int cpd_change_body(rs_db *db, void *arg)
{
	struct cpd_change_tx *t = arg;
	int rc = t->apply(db, t);
	if (rc != 0)
		return rc;
	char obj[40];
	snprintf(obj, sizeof obj, "provider:%lld", (long long)t->id);
	json_t *d = json_pack("{s:s?, s:s?}", "a", t->a, "b", t->b);
	rc = rs_audit(db, t->who->actor, t->who->role, t->action, obj, d, t->who->request_id);
	json_decref(d);
	return rc;
}

static int cpd_change(json_t **out, rs_db *db, struct cpd_change_tx *t)
{
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_change_body, t);
	if (rc == RS_ENOTFOUND)
		cpd_error_id(rc, "cpd.provider.not_found", t->id);
	if (rc == 0 && out)
		rc = cpd_store_provider_json(db, out, t->id);
	return rc;
}

static int cpd_apply_key(rs_db *db, struct cpd_change_tx *t)
{
	int rc = cpd_store_provider_set_key(db, t->id, t->hash, t->hint);
	json_decref(t->xapi);
	t->xapi = NULL;
	/* The LMS's xAPI credential is replaced with the key: one leak, one remedy. */
	return rc != 0 ? rc : cpd_lrs_cred_issue_in_tx(&t->xapi, db, t->id);
}

int cpd_provider_rotate_key(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t provider_id)
{
	struct cpd_change_tx t = { .who = who, .id = provider_id, .action = "cpd.provider.rotate_key", .apply = cpd_apply_key };
	int rc = cpd_key_new(t.key, t.hash, t.hint);
	t.b = t.hint;
	if (rc == 0)
		rc = cpd_change(NULL, db, &t);
	if (rc == 0 && !(*out = cpd_key_json(provider_id, t.key, t.hint)))
		rc = RS_ENOMEM;
	if (rc == 0)
		json_object_set_new(*out, "xapi", t.xapi);
	else
		json_decref(t.xapi);
	OPENSSL_cleanse(t.key, sizeof t.key);
	return rc;
}

static int cpd_apply_state(rs_db *db, struct cpd_change_tx *t)
{
	return cpd_store_provider_set_state(db, t->id, t->a, t->b ? t->b : "");
}

int cpd_provider_suspend(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t provider_id, const char *reason)
{
	if (!reason || !reason[0] || !cpd_text_ok(reason, 1500, 1)) {
		rs_error_msg("cpd.provider.reason", NULL);
		return RS_EINVAL;
	}
	struct cpd_change_tx t = { .who = who, .id = provider_id, .action = "cpd.provider.suspend", .a = "suspended",
		.b = reason, .apply = cpd_apply_state };
	return cpd_change(out, db, &t);
}

int cpd_provider_reinstate(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t provider_id)
{
	struct cpd_change_tx t = { .who = who, .id = provider_id, .action = "cpd.provider.reinstate", .a = "active",
		.b = "", .apply = cpd_apply_state };
	return cpd_change(out, db, &t);
}

static int cpd_apply_period(rs_db *db, struct cpd_change_tx *t)
{
	return cpd_store_provider_set_period(db, t->id, t->a, t->b);
}

int cpd_provider_set_period(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t provider_id,
                            const char *from, const char *until)
{
	int rc = cpd_period_check(from, until);
	if (rc != 0)
		return rc;
	struct cpd_change_tx t = { .who = who, .id = provider_id, .action = "cpd.provider.period", .a = from, .b = until,
		.apply = cpd_apply_period };
	return cpd_change(out, db, &t);
}

int cpd_provider_list(json_t **out, rs_db *db)
{
	return cpd_store_provider_json(db, out, 0);
}

int cpd_provider_get(json_t **out, rs_db *db, int64_t provider_id)
{
	int rc = cpd_store_provider_json(db, out, provider_id);
	if (rc == RS_ENOTFOUND)
		cpd_error_id(rc, "cpd.provider.not_found", provider_id);
	return rc;
}

int cpd_provider_auth(struct cpd_principal *out, rs_db *db, const char *api_key)
{
	if (!cpd_key_wellformed(api_key)) {
		rs_error_msg("cpd.provider.key_unknown", NULL);
		return RS_EAUTH;
	}
	char hash[65];
	cpd_key_hash_hex(hash, api_key);
	int64_t id = 0;
	int agency = 0, active = 0;
	int rc = cpd_store_provider_by_key(db, &id, &agency, &active, hash);
	if (rc == RS_ENOTFOUND || (rc == 0 && !active)) {
		rs_error_msg(rc == 0 ? "cpd.provider.suspended" : "cpd.provider.key_unknown", NULL);
		return RS_EAUTH;
	}
	if (rc != 0)
		return rc;
	out->provider_id = id;
	out->is_agency = agency;
	return 0;
}

/* ---- courses ---- */

struct cpd_course_tx {
	const struct cpd_actor *who;
	int64_t provider_id, course_id;
	const char *code, *kind, *title_ja, *title_en;
	char hours[12];
	const char *years;
	int fiscal_year;
	const char *number;
};

static int cpd_course_add_body(rs_db *db, void *arg)
{
	struct cpd_course_tx *t = arg;
	int rc = cpd_store_course_insert(db, &t->course_id, t->provider_id, t->code, t->kind, t->title_ja, t->title_en,
	                                 t->hours, t->years, t->who->actor);
	if (rc == RS_EEXIST)
		rs_error_msg("cpd.course.exists", t->code, NULL);
	if (rc != 0)
		return rc;
	char obj[40];
	snprintf(obj, sizeof obj, "course:%lld", (long long)t->course_id);
	json_t *d = json_pack("{s:I, s:s, s:s}", "provider_id", (json_int_t)t->provider_id, "code", t->code, "kind", t->kind);
	rc = rs_audit(db, t->who->actor, t->who->role, "cpd.course.add", obj, d, t->who->request_id);
	json_decref(d);
	return rc;
}

int cpd_course_add(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t provider_id, const json_t *body)
{
	struct cpd_course_tx t = { .who = who, .provider_id = provider_id };
	double hours = 0;
	json_t *years = NULL;
	const char *code = NULL, *kind = NULL, *tja = NULL, *ten = NULL;
	if (!json_is_object(body)) {
		rs_error_msg("cpd.course.code", NULL);
		return RS_EINVAL;
	}
	code = json_string_value(json_object_get(body, "code"));
	kind = json_string_value(json_object_get(body, "kind"));
	tja = json_string_value(json_object_get(body, "title_ja"));
	ten = json_string_value(json_object_get(body, "title_en"));
	const json_t *h = json_object_get(body, "hours");
	years = json_object_get(body, "cycle_years");
	enum cpd_course k;
	if (!code || strlen(code) < 1 || strlen(code) > 40 ||
	    strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != strlen(code) ||
	    strchr("._-", code[0])) {
		rs_error_msg("cpd.course.code", NULL);
		return RS_EINVAL;
	}
	if (cpd_course_parse(&k, kind) != 0) {
		rs_error_msg("cpd.course.kind", NULL);
		return RS_EINVAL;
	}
	if (!cpd_text_ok(tja, 600, 1) || !cpd_text_ok(ten, 200, 1)) {
		rs_error_msg("cpd.course.titles", NULL);
		return RS_EINVAL;
	}
	hours = json_is_number(h) ? json_number_value(h) : -1;
	if (!(hours > 0 && hours <= 100) || fabs(hours * 10 - nearbyint(hours * 10)) > 1e-6) {
		rs_error_msg("cpd.course.hours", NULL);
		return RS_EINVAL;
	}
	if (!json_is_array(years) || json_array_size(years) < 1 || json_array_size(years) > CPD_YEARS_MAX) {
		rs_error_msg("cpd.course.years", NULL);
		return RS_EINVAL;
	}
	struct cpd_arr ya = { 0 };
	size_t i;
	json_t *y;
	json_array_foreach(years, i, y) {
		if (!json_is_integer(y) || json_integer_value(y) < 2016 || json_integer_value(y) > 2100) {
			cpd_arr_free(&ya);
			rs_error_msg("cpd.course.years", NULL);
			return RS_EINVAL;
		}
		cpd_arr_addf_int(&ya, json_integer_value(y));
	}
	t.code = code;
	t.kind = cpd_course_code(k);
	t.title_ja = tja;
	t.title_en = ten;
	snprintf(t.hours, sizeof t.hours, "%.1f", hours);
	t.years = cpd_arr_text(&ya);
	int rc = t.years ? rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_course_add_body, &t) : RS_ENOMEM;
	cpd_arr_free(&ya);
	if (rc == 0)
		rc = cpd_store_course_json(db, out, 0, t.course_id);
	return rc;
}

int cpd_course_list(json_t **out, rs_db *db, int64_t provider_id)
{
	return cpd_store_course_json(db, out, provider_id, 0);
}

static int cpd_designate_body(rs_db *db, void *arg)
{
	struct cpd_course_tx *t = arg;
	int practical = 0, agency = 0;
	int rc = cpd_store_course_facts(db, &practical, &agency, t->course_id);
	if (rc != 0)
		return rc;
	if (!practical || agency) {
		rs_error_msg(!practical ? "cpd.course.not_practical" : "cpd.course.agency_own", NULL);
		return RS_ESTATE;
	}
	rc = cpd_store_designation_insert(db, t->course_id, t->fiscal_year, t->number, t->who->actor);
	if (rc == RS_EEXIST)
	{
		char a0[12];
		snprintf(a0, sizeof a0, "%d", t->fiscal_year);
		rs_error_msg("cpd.course.designation_exists", a0, t->number, NULL);
	}
	if (rc != 0)
		return rc;
	char obj[40];
	snprintf(obj, sizeof obj, "course:%lld", (long long)t->course_id);
	json_t *d = json_pack("{s:i, s:s}", "fiscal_year", t->fiscal_year, "designation_no", t->number);
	rc = rs_audit(db, t->who->actor, t->who->role, "cpd.course.designate", obj, d, t->who->request_id);
	json_decref(d);
	return rc;
}

int cpd_course_designate(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t course_id, int fiscal_year,
                         const char *designation_no)
{
	if (fiscal_year < 2016 || fiscal_year > 2100) {
		rs_error_msg("cpd.course.fiscal_year", NULL);
		return RS_EINVAL;
	}
	if (!designation_no || !designation_no[0] || strlen(designation_no) > 40 ||
	    strspn(designation_no, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") != strlen(designation_no) ||
	    designation_no[0] == '-') {
		rs_error_msg("cpd.course.designation_no", NULL);
		return RS_EINVAL;
	}
	struct cpd_course_tx t = { .who = who, .course_id = course_id, .fiscal_year = fiscal_year, .number = designation_no };
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_designate_body, &t);
	if (rc == RS_ENOTFOUND)
		cpd_error_id(rc, "cpd.course.not_found", course_id);
	if (rc == 0)
		rc = cpd_store_course_json(db, out, 0, course_id);
	return rc;
}
