/* item-bank: the PostgreSQL side of exam packages (bank.packages, migration 0021): storing a
 * published document, its lifecycle, and loading it verified. Every public function runs
 * its own transaction. */
#include "ib_pkg_int.h"

#include "rs_audit.h"
#include "rs_config.h"
#include "rs_util.h"
#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ib_pkg_ins {
	const struct ib_pkg_doc *doc;
	const char *actor, *role, *request_id;
	const struct ib_publish_result *res;
	long long id;
};

static int ib_pkg_ins_tx(rs_db *db, void *arg)
{
	struct ib_pkg_ins *c = arg;
	PGresult *r = NULL;
	char n[24];
	snprintf(n, sizeof n, "%zu", c->doc->n_items);
	const char *p[] = { c->doc->exam, c->doc->sha256, c->doc->doc, n, c->doc->exam_version, c->doc->bank_version,
	                    c->actor };
	int rc = rs_db_exec(&r, db, "ib_pkg_insert",
	                    "INSERT INTO bank.packages (exam, sha256, document, n_items, exam_version, bank_version, publisher) "
	                    "VALUES ($1, decode($2, 'hex'), $3, $4::int, $5, $6, $7) RETURNING id",
	                    7, p);
	if (rc)
		return rc;
	c->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	rs_db_clear(r);
	char obj[48];
	snprintf(obj, sizeof obj, "package:%lld", c->id);
	json_t *det = json_pack("{s:s, s:s, s:I, s:I, s:I, s:O, s:s, s:b, s:f}", "exam", c->doc->exam, "sha256",
	                        c->doc->sha256, "items", (json_int_t)c->res->items, "operational",
	                        (json_int_t)c->res->operational, "pretest", (json_int_t)c->res->pretest, "skipped",
	                        c->res->skipped, "bank_version", c->doc->bank_version, "exposure_feasible",
	                        c->res->feasibility.feasible, "sh_max_exposure", c->res->sh.max_exposure);
	rc = rs_audit(db, c->actor, c->role, "bank.package.publish", obj, det, c->request_id);
	json_decref(det);
	return rc;
}

int ib_package_publish(struct ib_publish_result *out, rs_db *db, const char *actor, const char *role,
                       const struct ib_publish_opts *o, const char *request_id)
{
	struct ib_itemset *set = NULL;
	struct ib_pub_item *pub = NULL;
	struct ib_pkg_doc doc = { 0 };
	size_t n = 0;
	struct cat_exam *exam = NULL;
	memset(out, 0, sizeof *out);
	if (!ib_store_role_may_read(role) || strcmp(role, "auditor") == 0 || strcmp(role, "statistician") == 0) {
		rs_error_msg("packages.not_allowed", NULL);
		return RS_EPERM;
	}
	if (cat_exam_parse(&exam, o->exam_text, o->exam_len)) {
		rs_error_msg("packages.exam_bad", cat_error_last(), NULL);
		return RS_EINVAL;
	}
	char code[CAT_ID_MAX];
	snprintf(code, sizeof code, "%s", exam->id);
	cat_exam_free(exam);
	int rc = ib_store_publishable(&pub, &n, db, code);
	if (rc)
		goto done;
	if (n == 0) {
		rs_error_msg("packages.empty", code, NULL);
		rc = RS_EINVAL;
		goto done;
	}
	/* The text and keys, read as staff (audited as an export of the bank). */
	if ((rc = ib_store_export(&set, db, actor, role, NULL, request_id)) != 0)
		goto done;
	char at[40];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if ((rc = ib_pkg_build(&doc, set, pub, n, o, actor, at, out)) != 0)
		goto done;
	struct ib_pkg_ins c = { .doc = &doc, .actor = actor, .role = role, .request_id = request_id, .res = out };
	if ((rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, ib_pkg_ins_tx, &c)) != 0)
		goto done;
	out->id = c.id;
done:
	if (rc) {
		/* keep the message: clearing the result does not touch it */
		json_decref(out->skipped);
		out->skipped = NULL;
	}
	free(doc.doc);
	free(pub);
	ib_itemset_free(set);
	return rc;
}

int ib_package_exam_definition(char **out, size_t *out_len, const char *code)
{
	const char *path = rs_config_str("exam_definition");
	char *text = NULL;
	size_t len = 0;
	if (rs_read_file(&text, &len, path, CAT_EXAM_MAX_BYTES) != 0) {
		char alt[4096];
		snprintf(alt, sizeof alt, "%s/%s", RS_SOURCE_ROOT, path);
		if (path[0] == '/' || rs_read_file(&text, &len, alt, CAT_EXAM_MAX_BYTES) != 0) {
			rs_error_msg("packages.exam_unknown", code, NULL);
			return RS_ENOTFOUND;
		}
	}
	struct cat_exam *e = NULL;
	int ok = cat_exam_parse(&e, text, len) == 0 && strcmp(e->id, code) == 0;
	cat_exam_free(e);
	if (!ok) {
		free(text);
		rs_error_msg("packages.exam_unknown", code, NULL);
		return RS_ENOTFOUND;
	}
	*out = text;
	*out_len = len;
	return 0;
}

int ib_package_publish_exam(struct ib_publish_result *out, rs_db *db, const char *actor, const char *role,
                            const char *code, int strict, const char *request_id)
{
	char *text = NULL;
	size_t len = 0;
	memset(out, 0, sizeof *out);
	int rc = ib_package_exam_definition(&text, &len, code);
	if (rc)
		return rc;
	struct ib_publish_opts o = { .exam_text = text, .exam_len = len, .strict = strict };
	rc = ib_package_publish(out, db, actor, role, &o, request_id);
	free(text);
	return rc;
}

/* The columns of a package's row as the list and the summary show them, and that row as JSON. */
#define IB_PKG_ROW_COLS                                                                                             \
	"id, exam, encode(sha256, 'hex'), n_items, "                                                                \
	"to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), state, publisher, "               \
	"to_char(activated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "                               \
	"to_char(retired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "                                 \
	"to_char(superseded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
#define IB_PKG_ROW_NCOLS 10

static json_t *ib_pkg_row(const PGresult *r, int i)
{
	json_t *row = json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s}", "id", (json_int_t)strtoll(PQgetvalue(r, i, 0), NULL, 10),
	                        "exam", PQgetvalue(r, i, 1), "sha256", PQgetvalue(r, i, 2), "items",
	                        (json_int_t)strtoll(PQgetvalue(r, i, 3), NULL, 10), "created_at", PQgetvalue(r, i, 4), "state",
	                        PQgetvalue(r, i, 5), "publisher", PQgetvalue(r, i, 6));
	json_object_set_new(row, "activated_at", PQgetisnull(r, i, 7) ? json_null() : json_string(PQgetvalue(r, i, 7)));
	json_object_set_new(row, "retired_at", PQgetisnull(r, i, 8) ? json_null() : json_string(PQgetvalue(r, i, 8)));
	json_object_set_new(row, "superseded_at", PQgetisnull(r, i, 9) ? json_null() : json_string(PQgetvalue(r, i, 9)));
	return row;
}

int ib_package_list(json_t **out, rs_db *db, const char *exam)
{
	PGresult *r = NULL;
	const char *p[] = { exam };
	int rc = rs_db_exec(&r, db, "ib_pkg_list",
	                    "SELECT " IB_PKG_ROW_COLS "FROM bank.packages WHERE ($1::text IS NULL OR exam = $1) ORDER BY id DESC",
	                    1, p);
	if (rc)
		return rc;
	json_t *a = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(a, ib_pkg_row(r, i));
	rs_db_clear(r);
	*out = json_pack("{s:o}", "packages", a);
	return 0;
}

int ib_package_load(struct ib_package **out, rs_db *db, long long id)
{
	PGresult *r = NULL;
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", id);
	const char *p[] = { ids };
	int rc = rs_db_exec(&r, db, "ib_pkg_load", "SELECT document, encode(sha256, 'hex') FROM bank.packages WHERE id = $1",
	                    1, p);
	if (rc)
		return rc;
	if (PQntuples(r) == 0) {
		rs_db_clear(r);
		rs_error_msg("packages.not_found", ids, NULL);
		return RS_ENOTFOUND;
	}
	struct ib_package *pkg = NULL;
	rc = ib_package_parse(&pkg, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0), PQgetvalue(r, 0, 1));
	rs_db_clear(r);
	if (rc)
		return rc;
	pkg->id = id;
	*out = pkg;
	return 0;
}

int ib_package_active(long long *out_id, rs_db *db, const char *exam)
{
	PGresult *r = NULL;
	const char *p[] = { exam };
	int rc = rs_db_exec(&r, db, "ib_pkg_active", "SELECT id FROM bank.packages WHERE exam = $1 AND state = 'active'", 1, p);
	if (rc)
		return rc;
	if (PQntuples(r) == 0) {
		rs_db_clear(r);
		rs_error_msg("packages.none_active", exam, NULL);
		return RS_ENOTFOUND;
	}
	*out_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	rs_db_clear(r);
	return 0;
}

int ib_package_state(char *out, rs_db *db, long long id)
{
	PGresult *r = NULL;
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", id);
	const char *p[] = { ids };
	int rc = rs_db_exec(&r, db, "ib_pkg_state", "SELECT state FROM bank.packages WHERE id = $1", 1, p);
	if (rc)
		return rc;
	if (PQntuples(r) == 0) {
		rs_db_clear(r);
		rs_error_msg("packages.not_found", ids, NULL);
		return RS_ENOTFOUND;
	}
	snprintf(out, 16, "%s", PQgetvalue(r, 0, 0));
	rs_db_clear(r);
	return 0;
}

int ib_package_compare(json_t **out, rs_db *db, long long a, long long b)
{
	struct ib_package *pa = NULL, *pb = NULL;
	int rc = ib_package_load(&pa, db, a);
	if (rc == 0)
		rc = ib_package_load(&pb, db, b);
	if (rc == 0) {
		*out = ib_pkg_compare(pa, pb);
		if (!*out)
			rc = RS_ENOMEM;
	}
	ib_package_free(pa);
	ib_package_free(pb);
	return rc;
}

struct ib_pkg_step {
	const char *actor, *role, *request_id;
	long long id;
	int activate;
	char exam[17];
};

static int ib_pkg_step_tx(rs_db *db, void *arg)
{
	struct ib_pkg_step *c = arg;
	PGresult *r = NULL;
	char ids[24], obj[48];
	snprintf(ids, sizeof ids, "%lld", c->id);
	const char *p[] = { ids };
	int rc = rs_db_exec(&r, db, "ib_pkg_lock", "SELECT exam, state FROM bank.packages WHERE id = $1 FOR UPDATE", 1, p);
	if (rc)
		return rc;
	if (PQntuples(r) == 0) {
		rs_db_clear(r);
		rs_error_msg("packages.not_found", ids, NULL);
		return RS_ENOTFOUND;
	}
	snprintf(c->exam, sizeof c->exam, "%s", PQgetvalue(r, 0, 0));
	char state[16];
	snprintf(state, sizeof state, "%s", PQgetvalue(r, 0, 1));
	rs_db_clear(r);
	r = NULL;
	if (strcmp(state, "retired") == 0 || (c->activate && strcmp(state, "published") != 0)) {
		rs_error_msg(strcmp(state, "retired") == 0      ? "packages.retired"
		             : strcmp(state, "superseded") == 0 ? "packages.superseded"
		                                                : "packages.already_active",
		             ids, NULL);
		return RS_ESTATE;
	}
	if (c->activate) {
		/* The exam's active package is superseded first, so at most one is active. It is not
		 * retired: the windows that name it keep admitting sittings on it. */
		const char *pe[] = { c->exam, c->actor };
		rc = rs_db_exec(&r, db, "ib_pkg_supersede",
		                "UPDATE bank.packages SET state = 'superseded', superseded_at = now(), superseded_by = $2 "
		                "WHERE exam = $1 AND state = 'active' RETURNING id",
		                2, pe);
		if (rc)
			return rc;
		for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
			snprintf(obj, sizeof obj, "package:%s", PQgetvalue(r, i, 0));
			json_t *det = json_pack("{s:s, s:I}", "exam", c->exam, "by", (json_int_t)c->id);
			rc = rs_audit(db, c->actor, c->role, "bank.package.supersede", obj, det, c->request_id);
			json_decref(det);
		}
		rs_db_clear(r);
		r = NULL;
		if (rc)
			return rc;
	}
	const char *pu[] = { ids, c->actor };
	rc = rs_db_exec(&r, db, c->activate ? "ib_pkg_activate" : "ib_pkg_retire",
	                c->activate ? "UPDATE bank.packages SET state = 'active', activated_at = now(), activated_by = $2 WHERE id = $1"
	                            : "UPDATE bank.packages SET state = 'retired', retired_at = now(), retired_by = $2 WHERE id = $1",
	                2, pu);
	rs_db_clear(r);
	if (rc)
		return rc;
	snprintf(obj, sizeof obj, "package:%lld", c->id);
	json_t *det = json_pack("{s:s}", "exam", c->exam);
	rc = rs_audit(db, c->actor, c->role, c->activate ? "bank.package.activate" : "bank.package.retire", obj, det,
	              c->request_id);
	json_decref(det);
	return rc;
}

static int ib_pkg_step(rs_db *db, const char *actor, const char *role, long long id, int activate, const char *request_id)
{
	if (!ib_store_role_may_read(role) || strcmp(role, "auditor") == 0 || strcmp(role, "statistician") == 0) {
		rs_error_msg("packages.not_allowed", NULL);
		return RS_EPERM;
	}
	if (activate) {
		/* Never activate what could not be served. */
		struct ib_package *pkg = NULL;
		int rc = ib_package_load(&pkg, db, id);
		ib_package_free(pkg);
		if (rc)
			return rc;
	}
	struct ib_pkg_step c = { .actor = actor, .role = role, .request_id = request_id, .id = id, .activate = activate };
	return rs_db_tx(db, RS_DB_READ_COMMITTED, 3, ib_pkg_step_tx, &c);
}

int ib_package_activate(rs_db *db, const char *actor, const char *role, long long id, const char *request_id)
{
	return ib_pkg_step(db, actor, role, id, 1, request_id);
}

int ib_package_retire(rs_db *db, const char *actor, const char *role, long long id, const char *request_id)
{
	return ib_pkg_step(db, actor, role, id, 0, request_id);
}

struct ib_pkg_read {
	const char *actor, *role, *request_id;
	long long id;
	int with_keys;
};

static int ib_pkg_read_audit_tx(rs_db *db, void *arg)
{
	struct ib_pkg_read *c = arg;
	char obj[48];
	snprintf(obj, sizeof obj, "package:%lld", c->id);
	json_t *det = json_pack("{s:b}", "keys", c->with_keys);
	int rc = rs_audit(db, c->actor, c->role, "bank.package.read", obj, det, c->request_id);
	json_decref(det);
	return rc;
}

int ib_package_read(json_t **out, rs_db *db, const char *actor, const char *role, long long id, int with_keys,
                    const char *request_id)
{
	if (!actor || !actor[0] || strncmp(actor, "candidate:", 10) == 0 || !ib_store_role_may_read(role)) {
		rs_error_msg("packages.not_allowed", NULL);
		return RS_EPERM;
	}
	struct ib_package *pkg = NULL;
	int rc = ib_package_load(&pkg, db, id);
	if (rc)
		return rc;
	/* The read is recorded before anything is returned. */
	struct ib_pkg_read c = { .actor = actor, .role = role, .request_id = request_id, .id = id, .with_keys = with_keys };
	if ((rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, ib_pkg_read_audit_tx, &c)) != 0) {
		ib_package_free(pkg);
		return rc;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < pkg->n; i++) {
		json_t *v = json_deep_copy(pkg->views[i]);
		if (with_keys)
			json_object_set_new(v, "key", json_integer(pkg->keys[i]));
		json_array_append_new(items, v);
	}
	*out = json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)id, "exam", pkg->exam, "sha256", pkg->sha256, "items", items);
	ib_package_free(pkg);
	return 0;
}

/* The package's operational and pretest items of a part (by_part) or a domain. */
static void ib_pkg_count(const struct ib_package *pkg, int by_part, const char *name, json_int_t *op, json_int_t *pre)
{
	*op = *pre = 0;
	for (size_t i = 0; i < pkg->n; i++) {
		const struct cat_bank_item *it = &pkg->bank->items[i];
		if (strcmp(by_part ? it->part : it->domain, name) != 0)
			continue;
		*op += it->status == CAT_OPERATIONAL;
		*pre += it->status == CAT_PRETEST;
	}
}

/* One count per exam domain and part (operational and pretest), from the package's bank. */
static json_t *ib_pkg_blueprint(const struct ib_package *pkg, json_t **out_parts)
{
	const struct cat_exam *e = pkg->exam_def;
	json_t *domains = json_array(), *parts = json_array();
	for (int p = 0; p < e->nparts; p++) {
		const struct cat_part *pt = &e->parts[p];
		json_int_t op, pre;
		ib_pkg_count(pkg, 1, pt->name, &op, &pre);
		json_array_append_new(parts, json_pack("{s:s, s:i, s:i, s:i, s:I, s:I}", "name", pt->name, "min", pt->min, "max",
		                                       pt->max, "trial", pt->trial, "operational", op, "pretest", pre));
	}
	for (int d = 0; d < e->ndomains; d++) {
		const struct cat_domain *dm = &e->domains[d];
		json_int_t op, pre;
		ib_pkg_count(pkg, 0, dm->name, &op, &pre);
		json_array_append_new(domains,
		                      json_pack("{s:s, s:s, s:i, s:i, s:I, s:I}", "name", dm->name, "part",
		                                dm->part >= 0 && dm->part < e->nparts ? e->parts[dm->part].name : "", "min",
		                                dm->min, "max", dm->max, "operational", op, "pretest", pre));
	}
	*out_parts = parts;
	return domains;
}

/* Sympson-Hetter k over the items, and the outcome the publisher's simulation recorded. */
static json_t *ib_pkg_exposure(const struct ib_package *pkg, const char *doc, size_t len)
{
	const struct cat_exam *e = pkg->exam_def;
	double lo = 1, hi = 0, sum = 0;
	json_int_t below = 0;
	for (size_t i = 0; i < pkg->n; i++) {
		double k = pkg->bank->items[i].sh_k;
		lo = k < lo ? k : lo;
		hi = k > hi ? k : hi;
		sum += k;
		below += k < 1.0;
	}
	json_t *x = json_pack("{s:s, s:f, s:i, s:f, s:f, s:f, s:I}", "method",
	                      e->exposure == CAT_EXPO_SH          ? "sympson-hetter"
	                      : e->exposure == CAT_EXPO_SH_COND   ? "sympson-hetter-conditional"
	                      : e->exposure == CAT_EXPO_RANDOMESQUE ? "randomesque"
	                                                           : "none",
	                      "target", e->exposure_target, "randomesque_k", e->randomesque_k, "sh_k_min", pkg->n ? lo : 0.0,
	                      "sh_k_mean", pkg->n ? sum / (double)pkg->n : 0.0, "sh_k_max", pkg->n ? hi : 0.0, "sh_k_below_1",
	                      below);
	/* The simulation's outcome is stored in the (verified) document only. */
	json_t *root = json_loadb(doc, len, 0, NULL);
	json_t *sh = json_object_get(root, "sympson_hetter");
	const char *keys[] = { "rounds", "max_exposure", "reached" };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		json_t *v = json_object_get(sh, keys[i]);
		json_object_set(x, keys[i], v ? v : json_null());
	}
	json_decref(root);
	return x;
}

int ib_package_summary(json_t **out, rs_db *db, long long id)
{
	PGresult *r = NULL;
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", id);
	const char *p[] = { ids };
	int rc = rs_db_exec(&r, db, "ib_pkg_summary",
	                    "SELECT " IB_PKG_ROW_COLS ", document, exam_version, bank_version FROM bank.packages WHERE id = $1",
	                    1, p);
	if (rc)
		return rc;
	if (PQntuples(r) == 0) {
		rs_db_clear(r);
		rs_error_msg("packages.not_found", ids, NULL);
		return RS_ENOTFOUND;
	}
	struct ib_package *pkg = NULL;
	const int c = IB_PKG_ROW_NCOLS; /* document, exam_version, bank_version follow the row */
	const char *doc = PQgetvalue(r, 0, c);
	size_t len = (size_t)PQgetlength(r, 0, c);
	if ((rc = ib_package_parse(&pkg, doc, len, PQgetvalue(r, 0, 2))) != 0) {
		rs_db_clear(r);
		return rc;
	}
	const struct cat_exam *e = pkg->exam_def;
	json_int_t op = 0, pre = 0;
	json_t *models = json_object();
	for (size_t i = 0; i < pkg->n; i++) {
		op += pkg->bank->items[i].status == CAT_OPERATIONAL;
		pre += pkg->bank->items[i].status == CAT_PRETEST;
		const char *m = cat_model_name(pkg->bank->items[i].irt.model, false);
		json_object_set_new(models, m, json_integer(json_integer_value(json_object_get(models, m)) + 1));
	}
	json_t *parts = NULL;
	json_t *domains = ib_pkg_blueprint(pkg, &parts);
	json_t *o = ib_pkg_row(r, 0);
	json_object_set_new(o, "exam_version", json_string(PQgetvalue(r, 0, c + 1)));
	json_object_set_new(o, "bank_version", json_string(PQgetvalue(r, 0, c + 2)));
	json_object_set_new(o, "operational", json_integer(op));
	json_object_set_new(o, "pretest", json_integer(pre));
	json_object_set_new(o, "models", models);
	json_object_set_new(o, "definition",
	                    json_pack("{s:s, s:s, s:i, s:i, s:i, s:i}", "title", e->title, "version", e->version,
	                              "time_limit_s", e->time_limit_s, "min_items", e->min_items, "max_items", e->max_items,
	                              "pretest_items", e->pretest_items));
	json_object_set_new(o, "parts", parts);
	json_object_set_new(o, "domains", domains);
	json_object_set_new(o, "exposure", ib_pkg_exposure(pkg, doc, len));
	rs_db_clear(r);
	ib_package_free(pkg);
	*out = o;
	return 0;
}
