/* cpd-tracker: skill profiles over the database — evidence gathered from the register, the
 * exam result and the accepted completions, mapped by the newest mapping set; publication;
 * framework and mapping imports; the agency's counts; the OB 3.0 export signed through
 * riss-signd. The rules are in skills_profile.c (pure); the SQL in store_skills.c. */
#include "cpd_skills.h"
#include "store_skills.h"

#include "dlv.h"
#include "reg_account.h"
#include "reg_register.h"
#include "reg_workflow.h"
#include "rs_audit.h"
#include "rs_encode.h"
#include "rs_error.h"
#include "rs_json.h"

#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------- the profile ---------- */

/* now as ISO 8601 UTC, to the second. */
static void cpd_sk_iso(char at[32], int64_t now)
{
	time_t tt = (time_t)now;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(at, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}


/* The evidence of a registration: its fields, the exam result it names and its accepted
 * completions (comps, taken over; NULL: read them). */
static int cpd_sk_evidence_from(json_t **out, rs_db *db, const char *regno, enum reg_status status,
                                const char *reg_date, const char *exam_ref, const char *pass_date, json_t *comps)
{
	json_t *reg = json_pack("{s:s, s:s, s:s, s:s}", "regno", regno, "qual", "RISS", "status", reg_status_name(status),
	                        "reg_date", reg_date);
	json_t *exam = json_null();
	if (strncmp(exam_ref, "exam:", 5) == 0) {
		char *end = NULL;
		long long sid = strtoll(exam_ref + 5, &end, 10);
		json_t *ex = NULL;
		if (end && *end == '\0' && sid > 0) {
			int rc = dlv_result_evidence(&ex, db, sid);
			if (rc != 0 && rc != RS_ENOTFOUND) {
				json_decref(reg);
				json_decref(comps);
				return rc;
			}
		}
		if (ex) {
			json_decref(exam);
			exam = json_pack("{s:O, s:s, s:O, s:s, s:O}", "code", json_object_get(ex, "exam_code"), "ref", exam_ref,
			                 "passed", json_object_get(ex, "passed"), "pass_date",
			                 pass_date[0] ? pass_date : json_string_value(json_object_get(ex, "pass_date")), "domains",
			                 json_object_get(ex, "domains"));
			json_decref(ex);
		}
	}
	int rc = comps ? 0 : cpd_sk_store_completions(db, &comps, regno);
	if (rc != 0) {
		json_decref(reg);
		json_decref(exam);
		return rc;
	}
	*out = json_pack("{s:o, s:o, s:o}", "registration", reg, "exam", exam, "completions", comps);
	return *out ? 0 : RS_ENOMEM;
}

/* The evidence of registrant r: registration, exam result, accepted completions. */
static int cpd_sk_evidence(json_t **out, rs_db *db, const struct reg_registrant *r)
{
	return cpd_sk_evidence_from(out, db, r->regno, r->status, r->reg_date, r->exam_result_ref, r->exam_pass_date,
	                            NULL);
}

/* The profile of r with mapping set set_id (0: newest), in the caller's transaction. */
static int cpd_sk_profile_of(json_t **out, rs_db *db, const struct reg_registrant *r, int64_t set_id, int64_t now)
{
	json_t *ev = NULL, *set = NULL, *maps = NULL, *fws = NULL, *pay = NULL, *p = NULL;
	int rc = cpd_sk_evidence(&ev, db, r);
	if (rc == 0)
		rc = cpd_sk_store_mappings(db, &set, &maps, set_id);
	if (rc == 0)
		rc = cpd_skills_compute(&p, ev, maps);
	if (rc == 0)
		rc = cpd_sk_store_frameworks(db, &fws);
	if (rc == 0)
		rc = cpd_sk_store_pay(db, &pay);
	int published = 0;
	if (rc == 0)
		rc = cpd_sk_store_published(db, &published, r->regno);
	if (rc != 0)
		goto done;
	/* Only the releases the claims use, and the pay beside their frameworks (plus the
	 * occupation rows that belong to no framework). */
	json_t *used = json_array(), *paid = json_array();
	size_t i, j;
	json_t *f, *c;
	json_array_foreach(fws, i, f) {
		json_array_foreach(json_object_get(p, "claims"), j, c)
			if (json_equal(json_object_get(c, "framework"), json_object_get(f, "code")) &&
			    json_equal(json_object_get(c, "version"), json_object_get(f, "version"))) {
				json_array_append(used, f);
				break;
			}
	}
	json_array_foreach(pay, i, f) {
		json_t *fw = json_object_get(f, "framework");
		int keep = json_is_null(fw) || !fw;
		json_array_foreach(json_object_get(p, "claims"), j, c)
			keep |= json_equal(json_object_get(c, "framework"), fw);
		if (keep)
			json_array_append(paid, f);
	}
	char at[32];
	cpd_sk_iso(at, now);
	json_object_set_new(p, "regno", json_string(r->regno));
	json_object_set_new(p, "status", json_string(reg_status_name(r->status)));
	json_object_set_new(p, "computed_at", json_string(at));
	json_object_set_new(p, "published", json_boolean(published));
	json_object_set(p, "mapping_set", set);
	json_object_set_new(p, "frameworks", used);
	json_object_set_new(p, "pay", paid);
	*out = p;
	p = NULL;
done:
	json_decref(ev);
	json_decref(set);
	json_decref(maps);
	json_decref(fws);
	json_decref(pay);
	json_decref(p);
	return rc;
}

struct cpd_sk_profile_arg {
	const char *regno;
	int64_t now;
	int public_only;
	json_t *out;
};

static int cpd_sk_profile_tx(rs_db *db, void *arg)
{
	struct cpd_sk_profile_arg *a = arg;
	struct reg_registrant r;
	int rc = reg_registrant_get(db, &r, a->regno);
	if (rc != 0)
		return rc;
	if (a->public_only) {
		int pub = 0;
		if ((rc = cpd_sk_store_published(db, &pub, a->regno)) != 0)
			return rc;
		if (!pub) {
			rs_error_msg("skills.not_published", NULL);
			return RS_ENOTFOUND;
		}
	}
	json_decref(a->out);
	a->out = NULL;
	return cpd_sk_profile_of(&a->out, db, &r, 0, a->now);
}

static int cpd_sk_profile_run(json_t **out, rs_db *db, const char *regno, int public_only, int64_t now)
{
	if (!reg_regno_valid(regno)) {
		rs_error_msg("reg.regno_invalid", NULL);
		return RS_EINVAL;
	}
	struct cpd_sk_profile_arg a = { .regno = regno, .now = now, .public_only = public_only };
	int rc = rs_db_tx(db, RS_DB_REPEATABLE_READ, 3, cpd_sk_profile_tx, &a);
	if (rc != 0) {
		json_decref(a.out);
		return rc;
	}
	*out = a.out;
	return 0;
}

int cpd_skills_profile(json_t **out, rs_db *db, const char *regno, int64_t now)
{
	return cpd_sk_profile_run(out, db, regno, 0, now);
}

int cpd_skills_profile_public(json_t **out, rs_db *db, const char *regno, int staff, int64_t now)
{
	return cpd_sk_profile_run(out, db, regno, !staff, now);
}

struct cpd_sk_publish_arg {
	const char *regno, *by, *rid;
	int publish;
};

static int cpd_sk_publish_tx(rs_db *db, void *arg)
{
	struct cpd_sk_publish_arg *a = arg;
	struct reg_registrant r;
	int rc = reg_registrant_get(db, &r, a->regno);
	if (rc == 0)
		rc = cpd_sk_store_publish_set(db, a->regno, a->publish);
	if (rc == 0) {
		char obj[32];
		snprintf(obj, sizeof obj, "registrant:%s", a->regno);
		json_t *d = json_pack("{s:b}", "publish", a->publish);
		rc = rs_audit(db, a->by, "registrant", "skills.profile.publish", obj, d, a->rid);
		json_decref(d);
	}
	return rc;
}

int cpd_skills_publish(rs_db *db, const char *regno, int publish, const char *by, const char *request_id)
{
	if (!reg_regno_valid(regno)) {
		rs_error_msg("reg.regno_invalid", NULL);
		return RS_EINVAL;
	}
	struct cpd_sk_publish_arg a = { .regno = regno, .by = by, .rid = request_id, .publish = publish != 0 };
	return rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_sk_publish_tx, &a);
}

/* ---------- imports ---------- */

struct cpd_sk_import_arg {
	const char *framework, *source_url, *by;
	json_t *rel;
	int verified;
	int64_t version_id;
};

static int cpd_sk_import_tx(rs_db *db, void *arg)
{
	struct cpd_sk_import_arg *a = arg;
	char scope[16];
	int rc = cpd_sk_store_framework_scope(db, scope, a->framework);
	if (rc != 0)
		return rc;
	json_t *els = json_object_get(a->rel, "elements");
	if (strcmp(scope, "full") != 0) {
		/* SFIA: identifiers and names only, never the statements. */
		size_t i;
		json_t *e;
		json_array_foreach(els, i, e) json_object_del(e, "body_en");
	}
	const char *ver = json_string_value(json_object_get(a->rel, "version"));
	rc = cpd_sk_store_version_insert(db, &a->version_id, a->framework, ver, ver, a->source_url, a->verified, a->by);
	if (rc == RS_EEXIST)
		rs_error_msg("skills.import_exists", a->framework, ver, NULL);
	if (rc != 0)
		return rc;
	char *text = rs_json_dump(els);
	if (!text)
		return RS_ENOMEM;
	rc = cpd_sk_store_elements_insert(db, a->version_id, text, a->source_url, a->verified);
	free(text);
	if (rc == RS_EEXIST)
		rs_error_msg("skills.import_duplicate", NULL);
	if (rc != 0)
		return rc;
	char obj[96];
	snprintf(obj, sizeof obj, "framework:%s:%s", a->framework, ver);
	json_t *d = json_pack("{s:s, s:I, s:b}", "source_url", a->source_url, "elements", (json_int_t)json_array_size(els),
	                      "verified", a->verified);
	rc = rs_audit(db, a->by, "registrar", "skills.framework.import", obj, d, NULL);
	json_decref(d);
	return rc;
}

int cpd_skills_import(json_t **out, rs_db *db, const char *framework, const char *source_url, int verified,
                      const char *text, size_t len, const char *by)
{
	if (!source_url || (strncmp(source_url, "https://", 8) != 0 && strncmp(source_url, "http://", 7) != 0)) {
		rs_error_msg("skills.import_source", NULL);
		return RS_EINVAL;
	}
	json_t *rel = NULL;
	int rc = cpd_skills_nice_parse(&rel, text, len);
	if (rc != 0)
		return rc;
	struct cpd_sk_import_arg a = { .framework = framework, .source_url = source_url, .by = by, .rel = rel,
	                                .verified = verified != 0 };
	rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_sk_import_tx, &a);
	if (rc == 0)
		*out = json_pack("{s:s, s:O, s:I, s:b}", "framework", framework, "version", json_object_get(rel, "version"),
		                 "elements", (json_int_t)json_array_size(json_object_get(rel, "elements")), "verified",
		                 verified != 0);
	json_decref(rel);
	return rc;
}

struct cpd_sk_map_arg {
	const json_t *doc;
	const char *by;
	int64_t id;
	size_t n;
};

static int cpd_sk_map_tx(rs_db *db, void *arg)
{
	struct cpd_sk_map_arg *a = arg;
	json_t *prev = NULL, *pmaps = NULL;
	int rc = cpd_sk_store_mappings(db, &prev, &pmaps, 0);
	if (rc != 0)
		return rc;
	int64_t prev_id = json_is_object(prev) ? json_integer_value(json_object_get(prev, "id")) : 0;
	json_decref(prev);
	json_decref(pmaps);
	const char *url = json_string_value(json_object_get(a->doc, "document_url"));
	rc = cpd_sk_store_set_insert(db, &a->id, json_string_value(json_object_get(a->doc, "label")),
	                             json_string_value(json_object_get(a->doc, "asserted_by")),
	                             json_string_value(json_object_get(a->doc, "asserted_by_ja")),
	                             json_string_value(json_object_get(a->doc, "document")), url && url[0] ? url : NULL,
	                             json_string_value(json_object_get(a->doc, "asserted_on")), a->by);
	if (rc == RS_EEXIST)
		rs_error_msg("skills.map_exists", json_string_value(json_object_get(a->doc, "label")), NULL);
	if (rc == RS_EINVAL)
		rs_error_msg("skills.map_field", "mapping set", NULL);
	if (rc == 0 && prev_id > 0)
		rc = cpd_sk_store_set_copy(db, a->id, prev_id);
	size_t i;
	json_t *m;
	a->n = 0;
	json_array_foreach(json_object_get(a->doc, "mappings"), i, m) {
		if (rc != 0)
			break;
		const char *mb = json_string_value(json_object_get(m, "min_band"));
		const char *lv = json_string_value(json_object_get(m, "level"));
		const char *su = json_string_value(json_object_get(m, "source_url"));
		rc = cpd_sk_store_mapping_insert(db, a->id, json_string_value(json_object_get(m, "evidence_kind")),
		                                 json_string_value(json_object_get(m, "evidence_key")), mb,
		                                 json_string_value(json_object_get(m, "framework")),
		                                 json_string_value(json_object_get(m, "version")),
		                                 json_string_value(json_object_get(m, "ident")), lv,
		                                 json_string_value(json_object_get(m, "strength")), su);
		if (rc == RS_EINVAL && rs_error_last_id() == NULL) {
			char f[32];
			snprintf(f, sizeof f, "mappings[%zu]", i);
			rs_error_msg("skills.map_field", f, NULL);
		}
		a->n++;
	}
	if (rc == 0) {
		char obj[96];
		snprintf(obj, sizeof obj, "mapping_set:%lld", (long long)a->id);
		rc = rs_audit(db, a->by, "registrar", "skills.mapping_set.load", obj, NULL, NULL);
	}
	return rc;
}

int cpd_skills_map_load(json_t **out, rs_db *db, const char *text, size_t len, const char *by)
{
	json_t *doc = NULL;
	int rc = rs_json_parse(&doc, text, len, CPD_SKILLS_MAP_MAX);
	if (rc != 0)
		return rc;
	static const char *const req[] = { "label", "asserted_by", "document", "asserted_on" };
	for (size_t i = 0; i < 4; i++)
		if (!json_is_string(json_object_get(doc, req[i]))) {
			rs_error_msg("skills.map_field", req[i], NULL);
			json_decref(doc);
			return RS_EINVAL;
		}
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(doc, "mappings"), i, m) {
		static const char *const mreq[] = { "evidence_kind", "evidence_key", "framework", "version", "ident",
			                            "strength" };
		for (size_t k = 0; k < 6; k++)
			if (!json_is_string(json_object_get(m, mreq[k]))) {
				char f[64];
				snprintf(f, sizeof f, "mappings[%zu].%s", i, mreq[k]);
				rs_error_msg("skills.map_field", f, NULL);
				json_decref(doc);
				return RS_EINVAL;
			}
	}
	if (!json_is_array(json_object_get(doc, "mappings"))) {
		rs_error_msg("skills.map_field", "mappings", NULL);
		json_decref(doc);
		return RS_EINVAL;
	}
	struct cpd_sk_map_arg a = { .doc = doc, .by = by };
	rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_sk_map_tx, &a);
	if (rc == 0)
		*out = json_pack("{s:I, s:O, s:I}", "id", (json_int_t)a.id, "label", json_object_get(doc, "label"),
		                 "mappings", (json_int_t)a.n);
	json_decref(doc);
	return rc;
}

/* ---------- the agency view ---------- */

/* Every live registration's profile counted per claim. Counting one profile at a time took
 * several statements each (the registrant, its completions, the mapping set, the frameworks,
 * the pay rows, its publication): at 100,000 registrants no request answered. Now: the live
 * registrations and every registrant's completions in one statement each, the mapping set
 * once, one statement per registrant for its exam result; the job keeps the counts
 * (skills.claim_counts, 0067) and requests read them. */

struct cpd_sk_reg {
	char regno[REG_REGNO_LEN + 1];
	char reg_date[11], exam_ref[REG_REF_MAX], pass_date[11];
	char *comps; /* JSON array text, NULL when none */
};

struct cpd_sk_count_arg {
	int64_t now;
	int keep;                 /* 1: the job's refresh (store the counts), 0: count for the caller */
	struct cpd_sk_reg *regs;
	size_t n, cap;
	long long fingerprint;
	int unchanged;            /* keep = 1: the inputs hash as the kept counts' did */
	json_t *out;
};

static void cpd_sk_regs_free(struct cpd_sk_count_arg *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->regs[i].comps);
	free(a->regs);
	a->regs = NULL;
	a->n = a->cap = 0;
}

static int cpd_sk_count_row(void *ctx, const struct reg_live_row *row)
{
	struct cpd_sk_count_arg *a = ctx;
	if (row->status != REG_ST_ACTIVE)
		return 0;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 1024;
		struct cpd_sk_reg *g = realloc(a->regs, cap * sizeof *g);
		if (!g)
			return RS_ENOMEM;
		a->regs = g;
		a->cap = cap;
	}
	struct cpd_sk_reg *g = &a->regs[a->n++];
	memset(g, 0, sizeof *g);
	snprintf(g->regno, sizeof g->regno, "%s", row->regno);
	snprintf(g->reg_date, sizeof g->reg_date, "%s", row->reg_date);
	snprintf(g->exam_ref, sizeof g->exam_ref, "%s", row->exam_result_ref);
	snprintf(g->pass_date, sizeof g->pass_date, "%s", row->exam_pass_date);
	return 0;
}

static int cpd_sk_cmp_reg(const void *x, const void *y)
{
	return strcmp(((const struct cpd_sk_reg *)x)->regno, ((const struct cpd_sk_reg *)y)->regno);
}

static int cpd_sk_count_comps(void *ctx, const char *regno, const char *json)
{
	struct cpd_sk_count_arg *a = ctx;
	struct cpd_sk_reg key;
	snprintf(key.regno, sizeof key.regno, "%s", regno);
	struct cpd_sk_reg *g = a->n ? bsearch(&key, a->regs, a->n, sizeof *a->regs, cpd_sk_cmp_reg) : NULL;
	if (!g)
		return 0; /* not a live active registration */
	free(g->comps);
	g->comps = strdup(json);
	return g->comps ? 0 : RS_ENOMEM;
}

static void cpd_sk_fnv(unsigned long long *h, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		*h = (*h ^ *p) * 1099511628211ull;
	*h = (*h ^ 0xff) * 1099511628211ull; /* separator: "ab","c" is not "a","bc" */
}

static long long cpd_sk_inputs_hash(const struct cpd_sk_count_arg *a, const json_t *set, const json_t *maps)
{
	unsigned long long h = 14695981039346656037ull;
	for (size_t i = 0; i < a->n; i++) {
		const struct cpd_sk_reg *g = &a->regs[i];
		cpd_sk_fnv(&h, g->regno);
		cpd_sk_fnv(&h, g->reg_date);
		cpd_sk_fnv(&h, g->exam_ref);
		cpd_sk_fnv(&h, g->pass_date);
		cpd_sk_fnv(&h, g->comps ? g->comps : "");
	}
	char *s1 = json_dumps(set, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	char *s2 = json_dumps(maps, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	cpd_sk_fnv(&h, s1 ? s1 : "");
	cpd_sk_fnv(&h, s2 ? s2 : "");
	free(s1);
	free(s2);
	return (long long)(h >> 1); /* a bigint */
}

/* Count the profiles of a->regs with mapping set set (maps) into a->out. */
static int cpd_sk_count_all(struct cpd_sk_count_arg *a, rs_db *db, json_t *set, json_t *maps)
{
	json_t *counts = json_object();
	int rc = counts ? 0 : RS_ENOMEM;
	size_t regs = 0;
	for (size_t i = 0; rc == 0 && i < a->n; i++) {
		const struct cpd_sk_reg *g = &a->regs[i];
		json_error_t je;
		json_t *comps = g->comps ? json_loads(g->comps, 0, &je) : json_array();
		json_t *ev = NULL, *p = NULL;
		if (!comps) {
			rs_error_set("skills: unreadable JSON from the database");
			rc = RS_EINTERNAL;
			break;
		}
		rc = cpd_sk_evidence_from(&ev, db, g->regno, REG_ST_ACTIVE, g->reg_date, g->exam_ref, g->pass_date, comps);
		if (rc == 0)
			rc = cpd_skills_compute(&p, ev, maps);
		json_decref(ev);
		if (rc != 0)
			break;
		regs++;
		size_t j;
		json_t *c;
		json_array_foreach(json_object_get(p, "claims"), j, c) {
			json_t *lv = json_object_get(c, "level");
			const char *lvi = json_is_object(lv) ? json_string_value(json_object_get(lv, "ident")) : "";
			char key[256];
			snprintf(key, sizeof key, "%s|%s|%s|%s", json_string_value(json_object_get(c, "framework")),
			         json_string_value(json_object_get(c, "version")), json_string_value(json_object_get(c, "ident")),
			         lvi ? lvi : "");
			json_t *e = json_object_get(counts, key);
			if (!e) {
				e = json_pack("{s:O, s:O, s:O, s:s?, s:O, s:O, s:i}", "framework", json_object_get(c, "framework"),
				              "version", json_object_get(c, "version"), "ident", json_object_get(c, "ident"),
				              "level_ident", lvi && lvi[0] ? lvi : NULL, "title_en", json_object_get(c, "title_en"),
				              "title_ja", json_object_get(c, "title_ja"), "count", 0);
				json_object_set_new(counts, key, e);
			}
			json_object_set_new(e, "count", json_integer(json_integer_value(json_object_get(e, "count")) + 1));
		}
		json_decref(p);
	}
	if (rc == 0) {
		json_t *claims = json_array();
		const char *k;
		json_t *v;
		json_object_foreach(counts, k, v) json_array_append(claims, v);
		char at[32];
		cpd_sk_iso(at, a->now);
		a->out = json_pack("{s:s, s:I, s:O, s:o}", "computed_at", at, "registrations", (json_int_t)regs,
		                   "mapping_set", set, "claims", claims);
		rc = a->out ? 0 : RS_ENOMEM;
	}
	json_decref(counts);
	return rc;
}

static int cpd_sk_count_tx(rs_db *db, void *arg)
{
	struct cpd_sk_count_arg *a = arg;
	cpd_sk_regs_free(a);
	json_decref(a->out);
	a->out = NULL;
	a->unchanged = 0;
	json_t *set = NULL, *maps = NULL, *kept = NULL;
	int rc = reg_live_scan(db, cpd_sk_count_row, a);
	if (rc == 0) {
		if (a->n > 1)
			qsort(a->regs, a->n, sizeof *a->regs, cpd_sk_cmp_reg);
		rc = cpd_sk_store_completions_scan(db, cpd_sk_count_comps, a);
	}
	if (rc == 0)
		rc = cpd_sk_store_mappings(db, &set, &maps, 0);
	long long kept_fp = 0;
	if (rc == 0 && a->keep) {
		a->fingerprint = cpd_sk_inputs_hash(a, set, maps);
		rc = cpd_sk_store_counts_get(db, &kept, &kept_fp);
	}
	char at[32];
	cpd_sk_iso(at, a->now);
	if (rc == 0 && a->keep && kept && kept_fp == a->fingerprint) {
		a->unchanged = 1;
		rc = cpd_sk_store_counts_restamp(db, at);
	} else if (rc == 0) {
		rc = cpd_sk_count_all(a, db, set, maps);
		if (rc == 0 && a->keep) {
			char *text = json_dumps(a->out, JSON_COMPACT);
			rc = text ? cpd_sk_store_counts_put(db, a->fingerprint, at, text) : RS_ENOMEM;
			free(text);
		}
	}
	json_decref(kept);
	json_decref(set);
	json_decref(maps);
	return rc;
}

int cpd_skills_claim_counts(json_t **out, rs_db *db, int64_t now)
{
	/* The job's counts when it has kept them: a read. */
	json_t *kept = NULL;
	int rc = cpd_sk_store_counts_get(db, &kept, NULL);
	if (rc != 0 || kept) {
		*out = kept;
		return rc;
	}
	/* Never counted by the job yet (a new installation): counted now, not kept (a read
	 * changes nothing). */
	struct cpd_sk_count_arg a = { .now = now };
	rc = rs_db_tx(db, RS_DB_REPEATABLE_READ, 3, cpd_sk_count_tx, &a);
	if (rc == 0) {
		*out = a.out;
		a.out = NULL;
	}
	json_decref(a.out);
	cpd_sk_regs_free(&a);
	return rc;
}

int cpd_skills_claim_counts_refresh(int *out_counted, rs_db *db, int64_t now)
{
	struct cpd_sk_count_arg a = { .now = now, .keep = 1 };
	int rc = rs_db_tx(db, RS_DB_REPEATABLE_READ, 3, cpd_sk_count_tx, &a);
	if (rc == 0 && out_counted)
		*out_counted = !a.unchanged;
	json_decref(a.out);
	cpd_sk_regs_free(&a);
	return rc;
}

/* ---------- Open Badges 3.0 export ---------- */

struct cpd_sk_ob3_arg {
	const char *regno, *by;
	const struct reg_issuer *issuer;
	int64_t now;
	char *jwt;
};

static char *cpd_sk_b64(const char *s, size_t n)
{
	char *o = malloc(rs_b64url_len(n) + 1);
	if (o)
		rs_b64url_encode(o, (const unsigned char *)s, n);
	return o;
}

static int cpd_sk_ob3_tx(rs_db *db, void *arg)
{
	struct cpd_sk_ob3_arg *a = arg;
	free(a->jwt);
	a->jwt = NULL;
	struct reg_registrant r;
	int rc = reg_registrant_get(db, &r, a->regno);
	if (rc != 0)
		return rc;
	if (r.status != REG_ST_ACTIVE) {
		rs_error_msg("skills.ob3_not_active", a->regno, reg_status_name(r.status), NULL);
		return RS_ESTATE;
	}
	/* The registration's live credential: its status entry is the OB3 credential's too. */
	json_t *show = NULL;
	if ((rc = reg_wf_show(&show, db, a->regno, a->now)) != 0)
		return rc;
	int list_id = -1;
	int64_t idx = 0, exp = 0;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(show, "credentials"), i, c) {
		int64_t e = json_integer_value(json_object_get(c, "exp"));
		if (e > a->now && json_integer_value(json_object_get(c, "status")) == 0) {
			list_id = (int)json_integer_value(json_object_get(c, "list_id"));
			idx = json_integer_value(json_object_get(c, "status_idx"));
			exp = e;
			break;
		}
	}
	json_decref(show);
	if (list_id < 0) {
		rs_error_msg("skills.ob3_no_credential", a->regno, NULL);
		return RS_ENOTFOUND;
	}
	json_t *p = NULL;
	if ((rc = cpd_sk_profile_of(&p, db, &r, 0, a->now)) != 0)
		return rc;
	unsigned char rnd[16];
	if (RAND_bytes(rnd, sizeof rnd) != 1) {
		json_decref(p);
		rs_error_set("no random bytes for the credential id");
		return RS_ECRYPTO;
	}
	rnd[6] = (unsigned char)((rnd[6] & 0x0f) | 0x40);
	rnd[8] = (unsigned char)((rnd[8] & 0x3f) | 0x80);
	char hex[33], uuid[37];
	rs_hex_encode(hex, rnd, 16);
	snprintf(uuid, sizeof uuid, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
	char uri[REG_URI_MAX];
	reg_statuslist_uri(uri, sizeof uri, a->issuer->base_url, list_id);
	json_t *rv = json_pack("{s:s, s:s, s:s, s:s}", "regno", r.regno, "name", r.name, "name_latn", r.name_latn,
	                       "reg_date", r.reg_date);
	json_t *vc = cpd_skills_ob3_credential(rv, p, a->issuer->base_url, uuid, uri, idx, a->now, exp);
	int64_t set_id = json_integer_value(json_object_get(json_object_get(p, "mapping_set"), "id"));
	json_decref(rv);
	json_decref(p);
	if (!vc)
		return RS_ENOMEM;
	/* VC-JWT: the credential is the payload, with the registered claims beside it. */
	char jti[48];
	snprintf(jti, sizeof jti, "urn:uuid:%s", uuid);
	json_object_set_new(vc, "iss", json_string(a->issuer->base_url));
	json_object_set_new(vc, "sub", json_string(r.regno));
	json_object_set_new(vc, "jti", json_string(jti));
	json_object_set_new(vc, "iat", json_integer(a->now));
	json_object_set_new(vc, "nbf", json_integer(a->now));
	json_object_set_new(vc, "exp", json_integer(exp));
	json_object_set_new(vc, "status", json_pack("{s:{s:I, s:s}}", "status_list", "idx", (json_int_t)idx, "uri", uri));
	char *payload = json_dumps(vc, JSON_COMPACT);
	json_decref(vc);
	json_t *hdr = json_pack("{s:s, s:s, s:s}", "alg", "EdDSA", "kid", a->issuer->kid, "typ", "vc+jwt");
	char *htext = json_dumps(hdr, JSON_COMPACT);
	json_decref(hdr);
	char *h64 = htext ? cpd_sk_b64(htext, strlen(htext)) : NULL;
	char *p64 = payload ? cpd_sk_b64(payload, strlen(payload)) : NULL;
	free(htext);
	free(payload);
	char *tok = NULL;
	if (!h64 || !p64 || !(tok = malloc(strlen(h64) + strlen(p64) + 2 + rs_b64url_len(CERT_SIG_LEN) + 1))) {
		rc = RS_ENOMEM;
		goto out;
	}
	size_t pos = (size_t)sprintf(tok, "%s.%s", h64, p64);
	unsigned char sig[CERT_SIG_LEN];
	if ((rc = a->issuer->signer->sign(a->issuer->signer->ctx, sig, a->issuer->kid, (const unsigned char *)tok,
	                                  pos)) != 0)
		goto out;
	tok[pos++] = '.';
	rs_b64url_encode(tok + pos, sig, CERT_SIG_LEN);
	unsigned char sha[32];
	char shahex[65];
	SHA256((const unsigned char *)tok, strlen(tok), sha);
	rs_hex_encode(shahex, sha, 32);
	if ((rc = cpd_sk_store_ob3_insert(db, r.regno, uuid, a->issuer->kid, list_id, idx, set_id, shahex, a->now, exp,
	                                  a->by)) != 0)
		goto out;
	char obj[32];
	snprintf(obj, sizeof obj, "registrant:%s", r.regno);
	json_t *d = json_pack("{s:s, s:s}", "credential", jti, "kid", a->issuer->kid);
	rc = rs_audit(db, a->by, "registrant", "skills.ob3.export", obj, d, NULL);
	json_decref(d);
out:
	free(h64);
	free(p64);
	if (rc == 0)
		a->jwt = tok;
	else
		free(tok);
	return rc;
}

int cpd_skills_ob3_export(char **out_jwt, rs_db *db, const char *regno, const struct reg_issuer *issuer,
                          int64_t now, const char *by)
{
	if (!reg_regno_valid(regno)) {
		rs_error_msg("reg.regno_invalid", NULL);
		return RS_EINVAL;
	}
	if (!issuer->kid || !issuer->kid[0]) {
		rs_error_msg("reg.no_issuer_key", NULL);
		return RS_ESTATE;
	}
	struct cpd_sk_ob3_arg a = { .regno = regno, .by = by, .issuer = issuer, .now = now };
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, cpd_sk_ob3_tx, &a);
	if (rc != 0) {
		free(a.jwt);
		return rc;
	}
	*out_jwt = a.jwt;
	return 0;
}
