/* A fixed copy of the SG exam definition for the state-decoder fuzz target, so the
 * corpus states (which record the exam version) stay valid when sg.json changes. */
#ifndef CAT_FUZZ_EXAM_H
#define CAT_FUZZ_EXAM_H

static const char cat_fuzz_exam_json[] =
	"{\n"
	"  \"id\": \"SG\",\n"
	"  \"title\": \"Information Security Management Examination (情報セキュリティマネジメント試験), adaptive form\",\n"
	"  \"version\": \"2026.1\",\n"
	"  \"time_limit_minutes\": 120,\n"
	"  \"length\": { \"min\": 30, \"max\": 54 },\n"
	"  \"pretest_items\": 6,\n"
	"  \"stopping\": { \"se_target\": 0, \"ci_rule\": true, \"ci_z\": 1.96 },\n"
	"  \"estimation\": {\n"
	"    \"final\": \"eap\",\n"
	"    \"quad_points\": 61, \"quad_lo\": -6, \"quad_hi\": 6,\n"
	"    \"prior_mean\": 0, \"prior_sd\": 1,\n"
	"    \"theta_min\": -6, \"theta_max\": 6\n"
	"  },\n"
	"  \"exposure\": { \"method\": \"sympson-hetter\", \"target\": 0.25, \"randomesque_k\": 5 },\n"
	"  \"scale\": { \"cut_theta\": -0.5, \"slope\": 120, \"cut\": 600, \"min\": 0, \"max\": 1000, \"band_width\": 1.0 },\n"
	"  \"parts\": [\n"
	"    { \"name\": \"A\", \"min\": 24, \"max\": 43, \"types\": [\"mc4\"] },\n"
	"    { \"name\": \"B\", \"min\": 6, \"max\": 11, \"types\": [\"scenario\"] }\n"
	"  ],\n"
	"  \"domains\": [\n"
	"    { \"name\": \"basics\",       \"part\": \"A\", \"min\": 4, \"max\": 9, \"label\": \"Security basics and threats (情報セキュリティ全般・脅威)\" },\n"
	"    { \"name\": \"management\",   \"part\": \"A\", \"min\": 4, \"max\": 9, \"label\": \"Security management and risk (情報セキュリティ管理・リスク)\" },\n"
	"    { \"name\": \"countermeasures\", \"part\": \"A\", \"min\": 4, \"max\": 9, \"label\": \"Countermeasures (情報セキュリティ対策)\" },\n"
	"    { \"name\": \"law\",          \"part\": \"A\", \"min\": 3, \"max\": 7, \"label\": \"Law, regulation and standards (法規・基準)\" },\n"
	"    { \"name\": \"technology\",   \"part\": \"A\", \"min\": 3, \"max\": 6, \"label\": \"Technology (テクノロジ)\" },\n"
	"    { \"name\": \"it_management\",\"part\": \"A\", \"min\": 2, \"max\": 5, \"label\": \"Management (マネジメント)\" },\n"
	"    { \"name\": \"strategy\",     \"part\": \"A\", \"min\": 2, \"max\": 5, \"label\": \"Strategy (ストラテジ)\" },\n"
	"    { \"name\": \"scenario\",     \"part\": \"B\", \"min\": 6, \"max\": 11, \"label\": \"Part B scenario items (科目B)\" }\n"
	"  ]\n"
	"}\n"
	"";

#endif
