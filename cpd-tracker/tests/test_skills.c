/* Unit tests of the skill profile computation (evidence in, claims out; nothing claimed
 * without evidence), the NICE JSON reader (line and field of a bad element) and the OB 3.0
 * credential built from a profile (identifiers and names only in its alignments). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cpd_skills.h"
#include "rs_error.h"

static json_t *mapping(const char *kind, const char *key, const char *band, const char *fw, const char *ident,
                       const char *level, const char *strength)
{
	return json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s}",
	                 "evidence_kind", kind, "evidence_key", key, "min_band", band, "framework", fw, "version", "1",
	                 "ident", ident, "kind", "level", "title_en", ident, "title_ja", ident, "level_ident", level,
	                 "level_title_en", "lv", "level_title_ja", "lv", "strength", strength, "source_url",
	                 "https://example.test/", "framework_name_en", fw, "framework_name_ja", fw);
}

static json_t *maps(void)
{
	return json_pack("[o, o, o, o, o]", mapping("registration", "RISS", NULL, "itss", "L4", "L4", "authoritative"),
	                 mapping("exam_pass", "SG", NULL, "itss", "L2", "L2", "authoritative"),
	                 mapping("exam_domain", "management", "above", "ecsf", "risk", NULL, "asserted"),
	                 mapping("exam_domain", "law", "near", "ecsf", "legal", NULL, "asserted"),
	                 mapping("course", "SEC-101", NULL, "ecsf", "risk", NULL, "asserted"));
}

static json_t *evidence(const char *status, int passed)
{
	return json_pack("{s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:b, s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}, "
	                 "s:[{s:I, s:s, s:s}, {s:I, s:s, s:s}]}",
	                 "registration", "regno", "123456", "qual", "RISS", "status", status, "reg_date", "2026-10-01",
	                 "exam", "code", "SG", "ref", "exam:9", "passed", passed, "pass_date", "2026-02-10", "domains",
	                 "name", "management", "band", "above", "name", "law", "band", "below", "name", "strategy",
	                 "band", "above", "completions", "completion_id", (json_int_t)7, "course_code", "SEC-101",
	                 "completed_on", "2026-11-01", "completion_id", (json_int_t)8, "course_code", "OTHER-1",
	                 "completed_on", "2026-11-02");
}

static json_t *claim(json_t *p, const char *ident)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(p, "claims"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "ident")), ident) == 0)
			return c;
	return NULL;
}

static void test_claims_list_their_evidence(void **state)
{
	(void)state;
	json_t *ev = evidence("active", 1), *m = maps(), *p = NULL;
	assert_int_equal(cpd_skills_compute(&p, ev, m), 0);
	/* L4 (registration), L2 (exam pass), risk (management above + the course), nothing more. */
	assert_int_equal(json_array_size(json_object_get(p, "claims")), 3);
	json_t *l4 = claim(p, "L4"), *risk = claim(p, "risk");
	assert_non_null(l4);
	assert_non_null(claim(p, "L2"));
	assert_string_equal(json_string_value(json_object_get(l4, "strength")), "authoritative");
	assert_string_equal(json_string_value(json_object_get(json_object_get(l4, "level"), "ident")), "L4");
	assert_int_equal(json_array_size(json_object_get(l4, "evidence")), 1);
	assert_non_null(risk);
	json_t *re = json_object_get(risk, "evidence");
	assert_int_equal(json_array_size(re), 2); /* one claim, both items of evidence */
	assert_string_equal(json_string_value(json_object_get(json_array_get(re, 0), "key")), "management");
	assert_string_equal(json_string_value(json_object_get(json_array_get(re, 1), "ref")), "7");
	assert_true(json_is_null(json_object_get(risk, "level")));
	/* law was "below": not enough for "near"; it and the rest stay unmapped. */
	assert_null(claim(p, "legal"));
	json_t *un = json_object_get(p, "unmapped");
	assert_int_equal(json_array_size(un), 3); /* law, strategy, OTHER-1 */
	assert_string_equal(json_string_value(json_object_get(json_array_get(un, 0), "key")), "law");
	assert_string_equal(json_string_value(json_object_get(json_array_get(un, 2), "key")), "OTHER-1");
	json_decref(p);
	json_decref(ev);
	json_decref(m);
}

static void test_nothing_without_evidence(void **state)
{
	(void)state;
	json_t *m = maps(), *p = NULL;
	/* No registration, no exam, no completions: no claim at all. */
	json_t *ev = json_pack("{s:n, s:n, s:[]}", "registration", "exam", "completions");
	assert_int_equal(cpd_skills_compute(&p, ev, m), 0);
	assert_int_equal(json_array_size(json_object_get(p, "claims")), 0);
	assert_int_equal(json_array_size(json_object_get(p, "unmapped")), 0);
	json_decref(p);
	json_decref(ev);
	/* A suspended registration and a failed exam are not evidence. */
	ev = evidence("suspended", 0);
	assert_int_equal(cpd_skills_compute(&p, ev, m), 0);
	assert_null(claim(p, "L4"));
	assert_null(claim(p, "L2"));
	assert_non_null(claim(p, "risk")); /* the course completion still is */
	assert_int_equal(json_array_size(json_object_get(claim(p, "risk"), "evidence")), 1);
	json_decref(p);
	json_decref(ev);
	/* No mappings: every item of evidence unmapped, no claim. */
	json_t *none = json_array();
	ev = evidence("active", 1);
	assert_int_equal(cpd_skills_compute(&p, ev, none), 0);
	assert_int_equal(json_array_size(json_object_get(p, "claims")), 0);
	assert_int_equal(json_array_size(json_object_get(p, "unmapped")), 7);
	json_decref(p);
	json_decref(ev);
	json_decref(none);
	json_decref(m);
	assert_int_equal(cpd_skills_compute(&p, NULL, none), RS_EINVAL);
}

static void test_nice_reader_line_and_field(void **state)
{
	(void)state;
	const char *good = "{\"response\": {\"elements\": {\n"
	                   "\"documents\": [{\"doc_identifier\": \"NICE_2\", \"name\": \"NICE\", \"version\": \"2.0.0\"}],\n"
	                   "\"elements\": [\n"
	                   "{\"doc_identifier\": \"NICE_2\", \"element_type\": \"work_role\", \"element_identifier\": "
	                   "\"PD-WRL-003\", \"title\": \"Incident Response\", \"text\": \"Responsible for ...\"},\n"
	                   "{\"doc_identifier\": \"NICE_2\", \"element_type\": \"task\", \"element_identifier\": \"T0164\", "
	                   "\"title\": \"\", \"text\": \"Perform trend analysis\"}\n"
	                   "], \"relationship_types\": [], \"relationships\": []}}}";
	json_t *r = NULL;
	assert_int_equal(cpd_skills_nice_parse(&r, good, strlen(good)), 0);
	assert_string_equal(json_string_value(json_object_get(r, "version")), "2.0.0");
	json_t *els = json_object_get(r, "elements");
	assert_int_equal(json_array_size(els), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(els, 1), "title_en")), "Perform trend analysis");
	json_decref(r);
	const char *bad = "{\"documents\": [{\"doc_identifier\": \"D\", \"version\": \"1\"}],\n"
	                  "\"elements\": [\n"
	                  "{\"element_type\": \"work_role\", \"element_identifier\": \"A-1\", \"title\": \"A\"},\n"
	                  "\n"
	                  "{\"element_type\": \"Work Role\", \"element_identifier\": \"A-2\", \"title\": \"B\"}]}";
	assert_int_equal(cpd_skills_nice_parse(&r, bad, strlen(bad)), RS_EINVAL);
	assert_string_equal(rs_error_last_id(), "skills.import_field");
	assert_non_null(strstr(rs_error_last(), "line 5"));
	assert_non_null(strstr(rs_error_last(), "elements[1].element_type"));
	const char *broken = "{\"documents\": [\n{\"doc_identifier\": \"D\",\n\"version\" \"1\"}]}";
	assert_int_equal(cpd_skills_nice_parse(&r, broken, strlen(broken)), RS_EPARSE);
	assert_non_null(strstr(rs_error_last(), "line 3"));
}

static void test_ob3_alignment_holds_identifiers_and_names_only(void **state)
{
	(void)state;
	json_t *ev = evidence("active", 1), *m = maps(), *p = NULL;
	assert_int_equal(cpd_skills_compute(&p, ev, m), 0);
	json_object_set_new(p, "mapping_set", json_pack("{s:s}", "label", "set-1"));
	json_t *r = json_pack("{s:s, s:s, s:s, s:s}", "regno", "123456", "name", "技能 太郎", "name_latn", "Ginou Taro",
	                      "reg_date", "2026-10-01");
	json_t *vc = cpd_skills_ob3_credential(r, p, "https://riss.example/", "00000000-0000-4000-8000-000000000000",
	                                       "https://riss.example/statuslists/1", 42, 1800000000, 1900000000);
	assert_non_null(vc);
	json_t *subj = json_object_get(vc, "credentialSubject");
	json_t *ach = json_object_get(subj, "achievement");
	assert_string_equal(json_string_value(json_object_get(ach, "id")), "https://riss.example/skills/achievements/riss");
	assert_string_equal(json_string_value(json_object_get(ach, "version")), "set-1");
	json_t *al = json_object_get(ach, "alignment");
	assert_int_equal(json_array_size(al), 3);
	size_t i;
	json_t *a;
	json_array_foreach(al, i, a) {
		assert_null(json_object_get(a, "targetDescription"));
		assert_non_null(json_object_get(a, "targetCode"));
	}
	/* The ITSS level as the result. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(subj, "result"), 0), "value")),
	                    "L4");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(vc, "credentialStatus"), "statusListIndex")), 42);
	assert_string_equal(json_string_value(json_object_get(vc, "validFrom")), "2027-01-15T08:00:00Z");
	json_decref(vc);
	json_decref(r);
	json_decref(p);
	json_decref(ev);
	json_decref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claims_list_their_evidence),
		cmocka_unit_test(test_nothing_without_evidence),
		cmocka_unit_test(test_nice_reader_line_and_field),
		cmocka_unit_test(test_ob3_alignment_holds_identifiers_and_names_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
