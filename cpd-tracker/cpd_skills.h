/* cpd-tracker: skill frameworks and a specialist's skill profile — frameworks as versioned,
 * cited data (schema skills), mappings of RISS evidence to framework elements with
 * provenance, the profile computed from evidence (pure: cpd_skills_compute), its
 * publication, the agency's counts per claim, the NICE JSON importer, and the registration
 * as an Open Badges 3.0 AchievementCredential (VC-JWT, EdDSA through riss-signd). */
#ifndef CPD_SKILLS_H
#define CPD_SKILLS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "reg_issue.h"
#include "rs_db.h"

#define CPD_SKILLS_IMPORT_MAX (32u * 1024 * 1024) /* largest framework release accepted */
#define CPD_SKILLS_MAP_MAX (1024u * 1024)         /* largest mapping file accepted */

/* ---- pure ---- */

/* Band of an exam domain: "below" 0, "near" 1, "above" 2; -1 for anything else. */
int cpd_skills_band(const char *name);

/* The profile from evidence and mappings, nothing else read. evidence:
 *   {"registration": {"regno","qual","status","reg_date"} | null,
 *    "exam": {"code","ref","passed","pass_date","domains":[{"name","band"}]} | null,
 *    "completions": [{"completion_id","course_code","completed_on"}]}
 * mappings: an array of {"evidence_kind","evidence_key","min_band","framework","version",
 *   "ident","kind","title_en","title_ja","level_ident","level_title_en","level_title_ja",
 *   "strength","source_url","framework_name_en","framework_name_ja"}.
 * A registration counts only while active; an exam only when passed; a domain only at
 * min_band or better; a course per accepted completion. *out = {"claims":[{framework,
 * version, ident, kind, title_en, title_ja, level:{...}|null, strength, verified, release_verified,
 * evidence:[...]}] (verified: the mapping's "verified" — element and level checked against the
 * publisher's publication; release_verified: its "release_verified"),
 * "unmapped":[evidence items no mapping uses]}: one claim per (framework, version, element,
 * level), listing every item of evidence behind it; no claim without evidence. Caller owns
 * *out. RS_EINVAL for a malformed argument. */
int cpd_skills_compute(json_t **out, const json_t *evidence, const json_t *mappings);

/* A framework release in NIST's JSON export format (the CPRT form NICE Framework
 * Components are published in: {documents, elements, relationship_types, relationships},
 * bare or under "response": {"elements": ...}), len <= CPD_SKILLS_IMPORT_MAX bytes.
 * *out = {"version","name","elements":[{ident, kind, title_en, body_en}]}. A malformed
 * release is refused: RS_EPARSE (not JSON) or RS_EINVAL (a field), with the line and the
 * field in the recorded error (json.malformed / skills.import_field). */
int cpd_skills_nice_parse(json_t **out, const char *text, size_t len);

/* The OB 3.0 AchievementCredential (the VC, before signing) for a registrant view r
 * ({regno, name, name_latn, reg_date}), its profile p (cpd_skills_profile), the status
 * entry (uri, idx) and times. Caller owns the result. */
json_t *cpd_skills_ob3_credential(const json_t *r, const json_t *p, const char *base_url, const char *uuid,
                                  const char *status_uri, int64_t status_idx, int64_t iat, int64_t exp);

/* ---- over the database ---- */

/* The profile of regno now: evidence from the register (reg_registrant_get), the exam
 * result (delivery), the accepted completions, mapped by the newest mapping set. *out =
 * {regno, computed_at, published, mapping_set{id,label,asserted_by,document,asserted_on},
 * claims, unmapped, frameworks:[{code, version, name_en, name_ja, licence, source_url, verified,
 * verified_note_en, verified_note_ja}],
 * pay:[rows beside the claims' frameworks]}. RS_ENOTFOUND for an unknown number. */
int cpd_skills_profile(json_t **out, rs_db *db, const char *regno, int64_t now);
/* The public view: like cpd_skills_profile, but RS_ENOTFOUND unless the registrant chose
 * to publish it (staff = 1 sees every profile). */
int cpd_skills_profile_public(json_t **out, rs_db *db, const char *regno, int staff, int64_t now);
/* Publish (1) or withdraw (0) regno's profile. */
int cpd_skills_publish(rs_db *db, const char *regno, int publish, const char *by, const char *request_id);

/* Load a framework release (cpd_skills_nice_parse) as framework's new version, from
 * source_url. verified = 1 records that the file is the publisher's own release (the release
 * and its rows are then shown as verified); 0 marks them 未検証/unverified. *out = {framework,
 * version, elements, verified}. RS_EEXIST when that version is loaded. */
int cpd_skills_import(json_t **out, rs_db *db, const char *framework, const char *source_url, int verified,
                      const char *text, size_t len, const char *by);
/* A new mapping set from a mapping file (JSON: {label, asserted_by, asserted_by_ja?, document, document_url,
 * asserted_on, mappings:[{evidence_kind, evidence_key, min_band, framework, version, ident,
 * level, strength, source_url}]}), len <= CPD_SKILLS_MAP_MAX. The new set holds the newest
 * set's mappings plus the file's. *out = {id, label, mappings}. */
int cpd_skills_map_load(json_t **out, rs_db *db, const char *text, size_t len, const char *by);

/* The agency view: every active registration's profile counted per claim, as the job last
 * counted it (cpd_skills_claim_counts_refresh; counted now, and not kept, when it never
 * has). *out = {"computed_at", "registrations", "mapping_set", "claims":[{framework,
 * version, ident, level_ident, title_en, title_ja, count}]}. For the statistics module. */
int cpd_skills_claim_counts(json_t **out, rs_db *db, int64_t now);
/* The job's step: count every profile and keep the counts (skills.claim_counts) — only
 * restamped when their inputs (live registrations, accepted completions, the newest mapping
 * set) hash as they did. *out_counted (may be NULL) = 1 when counted, 0 when restamped. */
int cpd_skills_claim_counts_refresh(int *out_counted, rs_db *db, int64_t now);

/* Export regno's registration as an OB 3.0 AchievementCredential signed as a compact
 * VC-JWT (header alg EdDSA, kid, typ vc+jwt) with issuer's key through its signer. The
 * credential carries the status entry of the registration's live credential, so a
 * suspension or cancellation shows in the same status list; it is recorded in
 * skills.ob3_exports. *out_jwt is the caller's. RS_ESTATE (skills.ob3_not_active) for a
 * registration that is not active, RS_ENOTFOUND without a live credential. */
int cpd_skills_ob3_export(char **out_jwt, rs_db *db, const char *regno, const struct reg_issuer *issuer,
                          int64_t now, const char *by);

#endif
