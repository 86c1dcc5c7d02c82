/* cpd-tracker: the skill profile from evidence and mappings (pure), and the Open Badges 3.0
 * AchievementCredential built from a profile. Nothing here reads the database. */
#include "cpd_skills.h"

#include "rs_error.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int cpd_skills_band(const char *name)
{
	if (!name)
		return -1;
	if (strcmp(name, "below") == 0)
		return 0;
	if (strcmp(name, "near") == 0)
		return 1;
	if (strcmp(name, "above") == 0)
		return 2;
	return -1;
}

static const char *cpd_sk_str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* The claim for mapping m in claims (created when new). */
static json_t *cpd_sk_claim(json_t *claims, const json_t *m)
{
	const char *fw = cpd_sk_str(m, "framework"), *ver = cpd_sk_str(m, "version"), *id = cpd_sk_str(m, "ident"),
	           *lv = cpd_sk_str(m, "level_ident");
	size_t i;
	json_t *c;
	json_array_foreach(claims, i, c) {
		json_t *l = json_object_get(c, "level");
		const char *clv = l ? cpd_sk_str(l, "ident") : "";
		if (strcmp(cpd_sk_str(c, "framework"), fw) == 0 && strcmp(cpd_sk_str(c, "version"), ver) == 0 &&
		    strcmp(cpd_sk_str(c, "ident"), id) == 0 && strcmp(clv, lv) == 0) {
			if (strcmp(cpd_sk_str(m, "strength"), "authoritative") == 0)
				json_object_set_new(c, "strength", json_string("authoritative"));
			return c;
		}
	}
	c = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[]}", "framework", fw, "framework_name_en",
	              cpd_sk_str(m, "framework_name_en"), "framework_name_ja", cpd_sk_str(m, "framework_name_ja"),
	              "version", ver, "ident", id, "kind", cpd_sk_str(m, "kind"), "title_en", cpd_sk_str(m, "title_en"),
	              "strength", cpd_sk_str(m, "strength"), "source_url", cpd_sk_str(m, "source_url"), "title_ja",
	              cpd_sk_str(m, "title_ja"), "evidence");
	if (!c)
		return NULL;
	/* Whether the element (and its level) and the release were checked against the
	 * publisher's publication: the pages mark the claim 未検証/unverified otherwise. */
	json_object_set_new(c, "verified", json_boolean(json_is_true(json_object_get(m, "verified"))));
	json_object_set_new(c, "release_verified", json_boolean(json_is_true(json_object_get(m, "release_verified"))));
	if (lv[0])
		json_object_set_new(c, "level", json_pack("{s:s, s:s, s:s}", "ident", lv, "title_en",
		                                          cpd_sk_str(m, "level_title_en"), "title_ja",
		                                          cpd_sk_str(m, "level_title_ja")));
	else
		json_object_set_new(c, "level", json_null());
	json_array_append_new(claims, c);
	return c;
}

/* Every mapping of kind/key (and, for a domain, band) adds item to its claim; 1 when one did. */
static int cpd_sk_apply(json_t *claims, const json_t *mappings, const char *kind, const char *key, int band,
                        const json_t *item)
{
	int used = 0;
	size_t i;
	json_t *m;
	json_array_foreach(mappings, i, m) {
		if (strcmp(cpd_sk_str(m, "evidence_kind"), kind) != 0 || strcmp(cpd_sk_str(m, "evidence_key"), key) != 0)
			continue;
		if (strcmp(kind, "exam_domain") == 0 && band < cpd_skills_band(cpd_sk_str(m, "min_band")))
			continue;
		json_t *c = cpd_sk_claim(claims, m);
		if (!c)
			return -1;
		json_array_append_new(json_object_get(c, "evidence"), json_deep_copy(item));
		used = 1;
	}
	return used;
}

int cpd_skills_compute(json_t **out, const json_t *evidence, const json_t *mappings)
{
	if (!json_is_object(evidence) || !json_is_array(mappings)) {
		rs_error_set("skills: evidence must be an object and mappings an array");
		return RS_EINVAL;
	}
	json_t *claims = json_array(), *unmapped = json_array();
	int rc = 0;
	/* The registration, while active. */
	const json_t *reg = json_object_get(evidence, "registration");
	if (json_is_object(reg) && strcmp(cpd_sk_str(reg, "status"), "active") == 0 && cpd_sk_str(reg, "qual")[0]) {
		json_t *item = json_pack("{s:s, s:s, s:s, s:s}", "kind", "registration", "key", cpd_sk_str(reg, "qual"), "ref",
		                         cpd_sk_str(reg, "regno"), "date", cpd_sk_str(reg, "reg_date"));
		int u = cpd_sk_apply(claims, mappings, "registration", cpd_sk_str(reg, "qual"), 0, item);
		if (u == 0)
			json_array_append(unmapped, item);
		json_decref(item);
		if (u < 0)
			rc = RS_ENOMEM;
	}
	/* The exam: a pass, and each domain at its band. */
	const json_t *ex = json_object_get(evidence, "exam");
	if (rc == 0 && json_is_object(ex) && json_is_true(json_object_get(ex, "passed"))) {
		const char *code = cpd_sk_str(ex, "code"), *ref = cpd_sk_str(ex, "ref"), *date = cpd_sk_str(ex, "pass_date");
		json_t *item = json_pack("{s:s, s:s, s:s, s:s}", "kind", "exam_pass", "key", code, "ref", ref, "date", date);
		int u = cpd_sk_apply(claims, mappings, "exam_pass", code, 0, item);
		if (u == 0)
			json_array_append(unmapped, item);
		json_decref(item);
		size_t i;
		json_t *d;
		json_array_foreach(json_object_get(ex, "domains"), i, d) {
			if (u < 0)
				break;
			const char *name = cpd_sk_str(d, "name"), *band = cpd_sk_str(d, "band");
			int b = cpd_skills_band(band);
			if (!name[0] || b < 0)
				continue;
			item = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", "exam_domain", "key", name, "band", band, "ref", ref,
			                 "date", date);
			u = cpd_sk_apply(claims, mappings, "exam_domain", name, b, item);
			if (u == 0)
				json_array_append(unmapped, item);
			json_decref(item);
		}
		if (u < 0)
			rc = RS_ENOMEM;
	}
	/* Each accepted completion. */
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(evidence, "completions"), i, c) {
		if (rc != 0)
			break;
		const char *code = cpd_sk_str(c, "course_code");
		if (!code[0])
			continue;
		char id[24];
		snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(c, "completion_id")));
		json_t *item = json_pack("{s:s, s:s, s:s, s:s}", "kind", "course", "key", code, "ref", id, "date",
		                         cpd_sk_str(c, "completed_on"));
		int u = cpd_sk_apply(claims, mappings, "course", code, 0, item);
		if (u == 0)
			json_array_append(unmapped, item);
		json_decref(item);
		if (u < 0)
			rc = RS_ENOMEM;
	}
	if (rc != 0) {
		json_decref(claims);
		json_decref(unmapped);
		rs_error_set("out of memory");
		return rc;
	}
	*out = json_pack("{s:o, s:o}", "claims", claims, "unmapped", unmapped);
	return *out ? 0 : RS_ENOMEM;
}

/* ---------- Open Badges 3.0 ---------- */

static void cpd_sk_iso(char out[32], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

json_t *cpd_skills_ob3_credential(const json_t *r, const json_t *p, const char *base_url, const char *uuid,
                                  const char *status_uri, int64_t status_idx, int64_t iat, int64_t exp)
{
	char from[32], until[32], id[80], ach[600], awarded[40], sid[600], rd[640];
	cpd_sk_iso(from, iat);
	cpd_sk_iso(until, exp);
	snprintf(id, sizeof id, "urn:uuid:%s", uuid);
	size_t n = strlen(base_url);
	while (n > 0 && base_url[n - 1] == '/')
		n--;
	snprintf(ach, sizeof ach, "%.*s/skills/achievements/riss", (int)n, base_url);
	snprintf(rd, sizeof rd, "%s#itss-level", ach);
	snprintf(awarded, sizeof awarded, "%sT00:00:00+09:00", cpd_sk_str(r, "reg_date"));
	snprintf(sid, sizeof sid, "%s#%lld", status_uri, (long long)status_idx);
	json_t *align = json_array(), *results = json_array();
	const char *itss_level = NULL;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(p, "claims"), i, c) {
		const json_t *lv = json_object_get(c, "level");
		char name[700], fwk[300], ttype[64];
		const char *lv_ident = json_is_object(lv) ? cpd_sk_str(lv, "ident") : "";
		if (lv_ident[0] && strcmp(lv_ident, cpd_sk_str(c, "ident")) != 0)
			snprintf(name, sizeof name, "%s (%s)", cpd_sk_str(c, "title_en"), cpd_sk_str(lv, "title_en"));
		else
			snprintf(name, sizeof name, "%s", cpd_sk_str(c, "title_en"));
		snprintf(fwk, sizeof fwk, "%s %s", cpd_sk_str(c, "framework_name_en"), cpd_sk_str(c, "version"));
		snprintf(ttype, sizeof ttype, "ext:%s", cpd_sk_str(c, "kind"));
		/* Identifier, name, framework and link only: no statement text leaves the system
		 * (SFIA's licence allows no more, and the others need no more). */
		json_t *a = json_pack("{s:[s], s:s, s:s, s:s, s:s, s:s}", "type", "Alignment", "targetName", name, "targetUrl",
		                      cpd_sk_str(c, "source_url"), "targetCode", cpd_sk_str(c, "ident"), "targetFramework",
		                      fwk, "targetType", ttype);
		json_array_append_new(align, a);
		if (strcmp(cpd_sk_str(c, "framework"), "itss") == 0 && lv_ident[0])
			if (!itss_level || strcmp(lv_ident, itss_level) > 0)
				itss_level = lv_ident;
	}
	json_t *achievement = json_pack(
		"{s:s, s:[s], s:s, s:s, s:s, s:{s:s}, s:s, s:o}", "id", ach, "type", "Achievement", "achievementType",
		"License", "name", "Registered Information Security Specialist (RISS) / 情報処理安全確保支援士", "description",
		"Japan's national, name-protected qualification for information security specialists, held while the "
		"registration is active.",
		"criteria", "narrative",
		"Pass the Registered Information Security Specialist examination, register, and keep the statutory "
		"training duties.",
		"version", cpd_sk_str(json_object_get(p, "mapping_set"), "label"), "alignment", align);
	json_t *subject = json_pack("{s:[s], s:s, s:[{s:s, s:b, s:s, s:s}], s:o}", "type", "AchievementSubject",
	                            "licenseNumber", cpd_sk_str(r, "regno"), "identifier", "type", "IdentityObject",
	                            "hashed", 0, "identityHash", cpd_sk_str(r, "name_latn"), "identityType", "name",
	                            "achievement", achievement);
	if (itss_level) {
		json_object_set_new(achievement, "resultDescription",
		                    json_pack("[{s:s, s:[s], s:s, s:s}]", "id", rd, "type", "ResultDescription", "name",
		                              "ITSS level", "resultType", "ext:ITSSLevel"));
		json_array_append_new(results, json_pack("{s:[s], s:s, s:s}", "type", "Result", "resultDescription", rd,
		                                         "value", itss_level));
		json_object_set_new(subject, "result", results);
	} else {
		json_decref(results);
	}
	json_t *vc = json_pack(
		"{s:[s, s], s:s, s:[s, s], s:{s:s, s:[s], s:s}, s:s, s:s, s:s, s:s, s:o, s:{s:s, s:s, s:I, s:s}}", "@context",
		"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", "id", id,
		"type", "VerifiableCredential", "OpenBadgeCredential", "issuer", "id", base_url, "type", "Profile", "name",
		"RISS register (情報処理安全確保支援士登録簿)", "name", "Registered Information Security Specialist (RISS)",
		"validFrom", from, "validUntil", until, "awardedDate", awarded, "credentialSubject", subject,
		"credentialStatus", "id", sid, "type", "TokenStatusListEntry", "statusListIndex", (json_int_t)status_idx,
		"statusListCredential", status_uri);
	return vc;
}
