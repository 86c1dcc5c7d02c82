-- 0065: schema skills — skill frameworks as versioned data (each with its source and
-- licence; every row names its source), mappings from RISS evidence to framework elements
-- with provenance, the registrants' choice to publish their profile, the pay-by-grade table
-- and the Open Badges 3.0 exports. Owned by cpd-tracker (cpd-tracker/skills*.c, store_skills.c).
CREATE SCHEMA skills;
COMMENT ON SCHEMA skills IS 'Skill frameworks (versioned, cited), mappings of RISS evidence to them with provenance, profile publication choices, published pay statistics, Open Badges 3.0 exports';

CREATE TABLE skills.frameworks (
    code         text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,19}$'),
    name_ja      text NOT NULL CHECK (length(name_ja) BETWEEN 1 AND 200),
    name_en      text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    publisher    text NOT NULL CHECK (length(publisher) BETWEEN 1 AND 200),
    licence      text NOT NULL CHECK (length(licence) BETWEEN 1 AND 500),
    export_scope text NOT NULL CHECK (export_scope IN ('full', 'id_name')),
    source_url   text NOT NULL CHECK (source_url ~ '^https?://')
);
COMMENT ON TABLE skills.frameworks IS 'A skill framework, its publisher, its licence as the publisher states it, and the URL the licence and the framework are read from';
COMMENT ON COLUMN skills.frameworks.export_scope IS 'full: statements may be shown and exported; id_name: only identifiers and names may leave the system (SFIA: its licence forbids redistribution in a credentialing product without a licence)';

CREATE TABLE skills.framework_versions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    framework    text NOT NULL REFERENCES skills.frameworks (code),
    version      text NOT NULL CHECK (version ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'),
    released     text NOT NULL CHECK (length(released) BETWEEN 4 AND 40),
    source_url   text NOT NULL CHECK (source_url ~ '^https?://'),
    loaded_by    text NOT NULL CHECK (length(loaded_by) BETWEEN 1 AND 200),
    loaded_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (framework, version)
);
COMMENT ON TABLE skills.framework_versions IS 'One release of a framework (NICE 2.0.0, ECSF 1.0, ...); elements belong to a release, so a profile names the release it used';
COMMENT ON COLUMN skills.framework_versions.released IS 'the release date or month as the publisher gives it';
COMMENT ON COLUMN skills.framework_versions.loaded_by IS 'migration 0065 or the operator of riss skills import';

CREATE TABLE skills.elements (
    version_id   bigint NOT NULL REFERENCES skills.framework_versions (id),
    ident        text NOT NULL CHECK (ident ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,39}$'),
    kind         text NOT NULL CHECK (kind ~ '^[a-z][a-z_]{1,29}$'),
    title_en     text NOT NULL CHECK (length(title_en) BETWEEN 1 AND 300),
    title_ja     text CHECK (length(title_ja) BETWEEN 1 AND 300),
    body_en      text CHECK (length(body_en) BETWEEN 1 AND 4000),
    rank         integer CHECK (rank BETWEEN 0 AND 100),
    note_en      text CHECK (length(note_en) BETWEEN 1 AND 300),
    note_ja      text CHECK (length(note_ja) BETWEEN 1 AND 300),
    source_url   text NOT NULL CHECK (source_url ~ '^https?://'),
    PRIMARY KEY (version_id, ident)
);
COMMENT ON TABLE skills.elements IS 'An element of a framework release: work role, competency area, role profile, competence, level, exam tier, task/knowledge/skill statement (where the licence allows); each row names the page it was read from';
COMMENT ON COLUMN skills.elements.ident IS 'the publisher''s identifier (NICE PD-WRL-003, e-CF E.8, SFIA 4); ECSF publishes none, its rows use a slug of the profile title (ecsf-<slug>)';
COMMENT ON COLUMN skills.elements.rank IS 'order of a level (ITSS 1-7, e-CF 1-5, SFIA 1-7); NULL for other kinds';
COMMENT ON COLUMN skills.elements.note_en IS 'a short cited relation, e.g. the EQF levels an e-CF level relates to, the ITSS level of an exam tier';
COMMENT ON COLUMN skills.elements.body_en IS 'the statement text; NULL where the licence does not let it be shown (SFIA)';

CREATE TABLE skills.element_links (
    version_id   bigint NOT NULL REFERENCES skills.framework_versions (id),
    from_ident   text NOT NULL,
    to_framework text NOT NULL REFERENCES skills.frameworks (code),
    to_ident     text NOT NULL CHECK (length(to_ident) BETWEEN 1 AND 40),
    relation     text NOT NULL CHECK (relation ~ '^[a-z][a-z_]{1,29}$'),
    source_url   text NOT NULL CHECK (source_url ~ '^https?://'),
    PRIMARY KEY (version_id, from_ident, to_framework, to_ident, relation),
    FOREIGN KEY (version_id, from_ident) REFERENCES skills.elements (version_id, ident)
);
COMMENT ON TABLE skills.element_links IS 'Relations the publisher states between elements (an ECSF profile and its e-CF competences, a NICE work role and its competency areas, an exam tier and its ITSS level)';

CREATE TABLE skills.mapping_sets (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    label        text NOT NULL UNIQUE CHECK (label ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$'),
    asserted_by  text NOT NULL CHECK (length(asserted_by) BETWEEN 1 AND 200),
    asserted_by_ja text CHECK (length(asserted_by_ja) BETWEEN 1 AND 200),
    document     text NOT NULL CHECK (length(document) BETWEEN 1 AND 300),
    document_url text CHECK (document_url ~ '^https?://'),
    asserted_on  date NOT NULL,
    loaded_by    text NOT NULL CHECK (length(loaded_by) BETWEEN 1 AND 200),
    loaded_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON COLUMN skills.mapping_sets.asserted_by_ja IS 'the organisation''s name in Japanese, when it has one';
COMMENT ON TABLE skills.mapping_sets IS 'A versioned set of mappings as one organisation asserts them in one document on one date; sets are never edited: a change is a new set, the newest set is the one profiles use, and each profile names its set';

CREATE TABLE skills.mappings (
    set_id        bigint NOT NULL REFERENCES skills.mapping_sets (id),
    evidence_kind text NOT NULL CHECK (evidence_kind IN ('registration', 'exam_pass', 'exam_domain', 'course')),
    evidence_key  text NOT NULL CHECK (length(evidence_key) BETWEEN 1 AND 60),
    min_band      text CHECK (min_band IN ('near', 'above')),
    version_id    bigint NOT NULL,
    ident         text NOT NULL,
    level_ident   text CHECK (length(level_ident) BETWEEN 1 AND 40),
    strength      text NOT NULL CHECK (strength IN ('authoritative', 'asserted')),
    source_url    text CHECK (source_url ~ '^https?://'),
    PRIMARY KEY (set_id, evidence_kind, evidence_key, version_id, ident),
    FOREIGN KEY (version_id, ident) REFERENCES skills.elements (version_id, ident),
    CHECK ((evidence_kind = 'exam_domain') = (min_band IS NOT NULL))
);
COMMENT ON TABLE skills.mappings IS 'One mapping: evidence (an active RISS registration, an exam pass, an exam domain at a band or better, an accepted completion of a course) to a framework element, optionally at a level, with its strength';
COMMENT ON COLUMN skills.mappings.evidence_key IS 'registration: the qualification (RISS); exam_pass: the exam code (SG); exam_domain: the domain code; course: the course code in the CPD catalogue';
COMMENT ON COLUMN skills.mappings.strength IS 'authoritative: the framework''s or the exam''s publisher states it (IPA: RISS is ITSS level 4); asserted: the set''s organisation states it in its document';

CREATE TABLE skills.publication (
    regno        char(6) PRIMARY KEY CHECK (regno ~ '^[0-9]{6}$'),
    publish      boolean NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE skills.publication IS 'A registrant''s choice to publish their skill profile on the verify page and the public profile API; no row means not published (the default keeps the published fields as they were)';

CREATE TABLE skills.fx_rates (
    from_currency char(3) NOT NULL CHECK (from_currency ~ '^[A-Z]{3}$'),
    to_currency   char(3) NOT NULL CHECK (to_currency ~ '^[A-Z]{3}$'),
    on_date       date NOT NULL,
    rate          numeric(18,8) NOT NULL CHECK (rate > 0),
    source_url    text NOT NULL CHECK (source_url ~ '^https?://'),
    PRIMARY KEY (from_currency, to_currency, on_date)
);
COMMENT ON TABLE skills.fx_rates IS 'Exchange rates with their date and source: a pay figure is converted only with a rate recorded here (none are shipped, so none is converted until an operator records one)';

CREATE TABLE skills.pay (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source        text NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
    source_ja     text NOT NULL CHECK (length(source_ja) BETWEEN 1 AND 200),
    survey_year   integer NOT NULL CHECK (survey_year BETWEEN 1990 AND 2100),
    country       char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    currency      char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    statistic     text NOT NULL CHECK (statistic IN ('median', 'mean', 'p10', 'p25', 'p75', 'p90')),
    pay_kind      text NOT NULL CHECK (pay_kind IN ('earned', 'advertised')),
    period        text NOT NULL CHECK (period IN ('annual', 'hourly')),
    amount        numeric(14,2) NOT NULL CHECK (amount > 0),
    occupation    text NOT NULL CHECK (length(occupation) BETWEEN 1 AND 200),
    occupation_ja text NOT NULL CHECK (length(occupation_ja) BETWEEN 1 AND 200),
    occupation_code text CHECK (length(occupation_code) BETWEEN 1 AND 40),
    framework     text REFERENCES skills.frameworks (code),
    grade_ident   text CHECK (length(grade_ident) BETWEEN 1 AND 40),
    note_en       text CHECK (length(note_en) BETWEEN 1 AND 300),
    note_ja       text CHECK (length(note_ja) BETWEEN 1 AND 300),
    url           text NOT NULL CHECK (url ~ '^https?://'),
    verified      boolean NOT NULL,
    CHECK (grade_ident IS NULL OR framework IS NOT NULL)
);
COMMENT ON TABLE skills.pay IS 'Published pay statistics: source, survey year, currency, statistic, earned or advertised pay (never mixed in one figure), occupation code or grade, URL; verified is false for a figure read from a secondary source';
COMMENT ON COLUMN skills.pay.framework IS 'the framework whose grades the survey is by (METI 2017: ITSS); shown beside a claim of that framework';
COMMENT ON COLUMN skills.pay.grade_ident IS 'the grade the figure is for, when the survey reports by grade; NULL when it reports by occupation (then note_* says how the occupation relates to the grades)';

CREATE TABLE skills.ob3_exports (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    regno        char(6) NOT NULL CHECK (regno ~ '^[0-9]{6}$'),
    credential_uuid uuid NOT NULL UNIQUE,
    kid          text NOT NULL CHECK (length(kid) BETWEEN 1 AND 100),
    list_id      integer NOT NULL,
    status_idx   bigint NOT NULL,
    mapping_set  bigint REFERENCES skills.mapping_sets (id),
    jwt_sha256   bytea NOT NULL CHECK (length(jwt_sha256) = 32),
    iat          bigint NOT NULL,
    exp          bigint NOT NULL CHECK (exp > iat),
    exported_by  text NOT NULL CHECK (length(exported_by) BETWEEN 1 AND 200)
);
COMMENT ON TABLE skills.ob3_exports IS 'Every Open Badges 3.0 AchievementCredential exported: it carries the status entry of the registration''s live credential (list_id, status_idx), so a suspension or cancellation shows in the same status list';
CREATE INDEX ob3_exports_regno_idx ON skills.ob3_exports (regno);
COMMENT ON INDEX skills.ob3_exports_regno_idx IS 'Serves the registrant''s list of exports';

-- ---------------------------------------------------------------------------------------
-- Shipped framework data. Only what the cited pages state; the statement texts of NICE can
-- be loaded in full by riss skills import from NIST's JSON release.
INSERT INTO skills.frameworks (code, name_ja, name_en, publisher, licence, export_scope, source_url) VALUES
 ('itss', 'ITスキル標準（ITSS）', 'IT Skill Standard (ITSS)', 'IPA (Information-technology Promotion Agency, Japan) / METI',
  'Copyright IPA; levels and exam tiers are cited as facts with their source', 'full',
  'https://www.ipa.go.jp/jinzai/skill-standard/plus-it-ui/itss/index.html'),
 ('nice', 'NICEフレームワーク（NIST SP 800-181r1）', 'NICE Workforce Framework for Cybersecurity (NIST SP 800-181r1)', 'NIST',
  'Work of the U.S. Government: not subject to copyright in the United States (public domain)', 'full',
  'https://doi.org/10.6028/NIST.SP.800-181r1'),
 ('ecsf', '欧州サイバーセキュリティスキルフレームワーク（ECSF）', 'European Cybersecurity Skills Framework (ECSF)', 'ENISA',
  'ENISA publication; reproduction authorised provided the source is acknowledged', 'full',
  'https://www.enisa.europa.eu/topics/education/european-cybersecurity-skills-framework'),
 ('ecf', 'e-CF（EN 16234-1）', 'e-Competence Framework (e-CF, EN 16234-1)', 'CEN',
  'EN 16234-1 is a CEN standard (copyright CEN and its national members): identifiers and titles are cited, not the standard text', 'full',
  'https://www.ict-mastery.eu/index.php/es/subm-ecf/ecf-competence-table-es'),
 ('sfia', 'SFIA（責任レベル）', 'SFIA (levels of responsibility)', 'SFIA Foundation',
  'SFIA licence: redistribution in a credentialing product needs a licence from the SFIA Foundation; only level identifiers and names are held and exported', 'id_name',
  'https://sfia-online.org/en/sfia-9/responsibilities');

INSERT INTO skills.framework_versions (framework, version, released, source_url, loaded_by) VALUES
 ('itss', '3', '2012', 'https://www.ipa.go.jp/jinzai/skill-standard/plus-it-ui/itss/index.html', 'migration 0065'),
 ('nice', '2.0.0', '2025-03', 'https://nist.gov/news-events/news/2025/03/nice-releases-nice-framework-components-v200', 'migration 0065'),
 ('ecsf', '1.0', '2022-09', 'https://www.enisa.europa.eu/topics/education/european-cybersecurity-skills-framework', 'migration 0065'),
 ('ecf', '4.0', '2019', 'https://www.ict-mastery.eu/index.php/es/subm-ecf/ecf-competence-table-es', 'migration 0065'),
 ('sfia', '9', '2024', 'https://sfia-online.org/en/sfia-9/sfia-views/sfia-9-multi-view/sfia-eit-en-summary-chart-with-roles', 'migration 0065');

-- ITSS levels 1-7 and the exam tiers of the information-processing exams.
INSERT INTO skills.elements (version_id, ident, kind, title_en, title_ja, rank, note_en, note_ja, source_url)
SELECT v.id, e.ident, e.kind, e.title_en, e.title_ja, e.rank, e.note_en, e.note_ja, e.url
FROM skills.framework_versions v, (VALUES
 ('L1', 'level', 'ITSS level 1', 'ITSSレベル1', 1, NULL, NULL, 'https://www.ipa.go.jp/jinzai/skill-standard/plus-it-ui/itss/index.html'),
 ('L2', 'level', 'ITSS level 2', 'ITSSレベル2', 2, NULL, NULL, 'https://www.ipa.go.jp/jinzai/skill-standard/plus-it-ui/itss/index.html'),
 ('L3', 'level', 'ITSS level 3', 'ITSSレベル3', 3, NULL, NULL, 'https://www.ipa.go.jp/jinzai/skill-standard/plus-it-ui/itss/index.html'),
 ('L4', 'level', 'ITSS level 4', 'ITSSレベル4', 4, NULL, NULL, 'https://www.ipa.go.jp/jinzai/skill-standard/plus-it-ui/itss/index.html'),
 ('L5', 'level', 'ITSS level 5', 'ITSSレベル5', 5, NULL, NULL, 'https://www.ipa.go.jp/jinzai/skill-standard/plus-it-ui/itss/index.html'),
 ('L6', 'level', 'ITSS level 6', 'ITSSレベル6', 6, NULL, NULL, 'https://www.ipa.go.jp/jinzai/skill-standard/plus-it-ui/itss/index.html'),
 ('L7', 'level', 'ITSS level 7', 'ITSSレベル7', 7, NULL, NULL, 'https://www.ipa.go.jp/jinzai/skill-standard/plus-it-ui/itss/index.html'),
 ('exam-IP', 'exam_tier', 'IT Passport Examination', 'ITパスポート試験', 1, 'level 1 of the exam tiers', '試験区分のレベル1', 'https://circleken.net/2021/07/post66'),
 ('exam-SG', 'exam_tier', 'Information Security Management Examination (SG)', '情報セキュリティマネジメント試験', 2, 'level 2 of the exam tiers', '試験区分のレベル2', 'https://circleken.net/2021/07/post66'),
 ('exam-FE', 'exam_tier', 'Fundamental Information Technology Engineer Examination', '基本情報技術者試験', 2, 'level 2 of the exam tiers', '試験区分のレベル2', 'https://circleken.net/2021/07/post66'),
 ('exam-AP', 'exam_tier', 'Applied Information Technology Engineer Examination', '応用情報技術者試験', 3, 'level 3 of the exam tiers', '試験区分のレベル3', 'https://circleken.net/2021/07/post66'),
 ('exam-SC', 'exam_tier', 'Registered Information Security Specialist Examination (SC)', '情報処理安全確保支援士試験', 4, 'level 4 of the exam tiers, with the advanced exams', '高度試験と同じ試験区分のレベル4', 'https://paperzz.com/doc/5469769/%E8%A9%A6%E9%A8%93%E8%A6%81%E7%B6%B1ver3.0-%E6%83%85%E5%A0%B1%E5%87%A6%E7%90%86%E5%AE%89%E5%85%A8%E7%A2%BA%E4%BF%9D%E6%94%AF%E6%8F%B4%E5%A3%AB%E8%A9%A6%E9%A8%93'),
 ('exam-advanced', 'exam_tier', 'Advanced examinations (ST, SA, PM, NW, DB, ES, SM, AU)', '高度試験（ST・SA・PM・NW・DB・ES・SM・AU）', 4, 'level 4 of the exam tiers', '試験区分のレベル4', 'https://circleken.net/2021/07/post66')
) AS e(ident, kind, title_en, title_ja, rank, note_en, note_ja, url)
WHERE v.framework = 'itss' AND v.version = '3';

INSERT INTO skills.element_links (version_id, from_ident, to_framework, to_ident, relation, source_url)
SELECT v.id, l.f, 'itss', l.t, 'at_level', l.url
FROM skills.framework_versions v, (VALUES
 ('exam-IP', 'L1', 'https://circleken.net/2021/07/post66'),
 ('exam-SG', 'L2', 'https://circleken.net/2021/07/post66'),
 ('exam-FE', 'L2', 'https://circleken.net/2021/07/post66'),
 ('exam-AP', 'L3', 'https://circleken.net/2021/07/post66'),
 ('exam-SC', 'L4', 'https://circleken.net/2021/07/post66'),
 ('exam-advanced', 'L4', 'https://circleken.net/2021/07/post66')
) AS l(f, t, url)
WHERE v.framework = 'itss' AND v.version = '3';

-- NICE Framework Components 2.0.0: the work roles whose identifiers the cited pages show.
INSERT INTO skills.elements (version_id, ident, kind, title_en, body_en, source_url)
SELECT v.id, e.ident, 'work_role', e.title, e.body, e.url
FROM skills.framework_versions v, (VALUES
 ('OG-WRL-001', 'Communications Security (COMSEC) Management', 'Responsible for managing the Communications Security (COMSEC) resources of an organization.', 'https://nist.gov/itl/applied-cybersecurity/nice/nice-framework-work-role-videos'),
 ('OG-WRL-002', 'Cybersecurity Policy and Planning', NULL, 'https://nist.gov/itl/applied-cybersecurity/nice/nice-framework-work-role-videos'),
 ('OG-WRL-008', 'Privacy Compliance', NULL, 'https://niccs.cisa.gov/tools/nice-framework/knowledge/k0925'),
 ('OG-WRL-012', 'Security Control Assessment', NULL, 'https://niccs.cisa.gov/workforce-development/nice-framework/knowledge/k0879'),
 ('OG-WRL-013', 'Systems Authorization', NULL, 'https://niccs.cisa.gov/workforce-development/nice-framework/knowledge/k0879'),
 ('DD-WRL-002', 'Enterprise Architecture', NULL, 'https://niccs.cisa.gov/workforce-development/nice-framework/knowledge/k0879'),
 ('DD-WRL-004', 'Secure Systems Development', NULL, 'https://niccs.cisa.gov/workforce-development/nice-framework/knowledge/k0879'),
 ('DD-WRL-007', 'Systems Testing and Evaluation', NULL, 'https://niccs.cisa.gov/workforce-development/nice-framework/knowledge/k0879'),
 ('DD-WRL-008', 'Technology Research and Development', NULL, 'https://niccs.cisa.gov/tools/nice-framework/knowledge/k0925'),
 ('IO-WRL-004', 'Network Operations', NULL, 'https://niccs.cisa.gov/tools/nice-framework/knowledge/k0925'),
 ('IO-WRL-005', 'Systems Administration', NULL, 'https://niccs.cisa.gov/tools/nice-framework/knowledge/k0925'),
 ('IO-WRL-006', 'Systems Security Analysis', NULL, 'https://niccs.cisa.gov/workforce-development/nice-framework/knowledge/k0879'),
 ('PD-WRL-003', 'Incident Response', 'Responsible for investigating, analyzing, and responding to network cybersecurity incidents.', 'https://niccs.cisa.gov/workforce-development/nice-framework/work-role/incident-response'),
 ('PD-WRL-004', 'Infrastructure Support', 'Responsible for testing, implementing, deploying, maintaining, and administering infrastructure hardware and software for cybersecurity.', 'https://niccs.cisa.gov/tools/nice-framework/knowledge/k0925'),
 ('PD-WRL-006', 'Threat Analysis', NULL, 'https://niccs.cisa.gov/tools/nice-framework/knowledge/k0925')
) AS e(ident, title, body, url)
WHERE v.framework = 'nice' AND v.version = '2.0.0';

-- ECSF: the 12 role profiles (ENISA gives no identifiers: slugs of the titles).
INSERT INTO skills.elements (version_id, ident, kind, title_en, source_url)
SELECT v.id, e.ident, 'role_profile', e.title, 'https://www.unipoltech.com/en/news/eu-tackles-the-skills-problem-and-defines-cybersecurity-professionals'
FROM skills.framework_versions v, (VALUES
 ('ecsf-ciso', 'Chief Information Security Officer (CISO)'),
 ('ecsf-incident-responder', 'Cyber Incident Responder'),
 ('ecsf-legal-policy-compliance', 'Cyber Legal, Policy and Compliance Officer'),
 ('ecsf-threat-intelligence', 'Cyber Threat Intelligence Specialist'),
 ('ecsf-architect', 'Cybersecurity Architect'),
 ('ecsf-auditor', 'Cybersecurity Auditor'),
 ('ecsf-educator', 'Cybersecurity Educator'),
 ('ecsf-implementer', 'Cybersecurity Implementer'),
 ('ecsf-researcher', 'Cybersecurity Researcher'),
 ('ecsf-risk-manager', 'Cybersecurity Risk Manager'),
 ('ecsf-forensics', 'Digital Forensics Investigator'),
 ('ecsf-pentester', 'Penetration Tester')
) AS e(ident, title)
WHERE v.framework = 'ecsf' AND v.version = '1.0';

-- e-CF: proficiency levels e-1..e-5 (related to EQF levels 3 to 8) and the competences the
-- cited pages show.
INSERT INTO skills.elements (version_id, ident, kind, title_en, rank, note_en, note_ja, body_en, source_url)
SELECT v.id, e.ident, e.kind, e.title, e.rank, e.note_en, e.note_ja, e.body, e.url
FROM skills.framework_versions v, (VALUES
 ('e-1', 'level', 'e-CF level e-1 (Associate)', 1, 'EQF minimum education: A-level, vocational qualification level 2 (e-CF levels e-1..e-5 relate to EQF 3-8)', 'EQFの最低教育: Aレベル・職業資格レベル2（e-CFのe-1〜e-5はEQF 3〜8に対応）', NULL, 'https://www.ict-mastery.eu/index.php/es/subm-ecf/ecf-competence-table-es'),
 ('e-2', 'level', 'e-CF level e-2 (Professional)', 2, 'EQF minimum education: Higher National Certificate, Certificate of Higher Education', 'EQFの最低教育: HNC・高等教育修了証', NULL, 'https://www.ict-mastery.eu/index.php/es/subm-ecf/ecf-competence-table-es'),
 ('e-3', 'level', 'e-CF level e-3 (Senior Professional / Manager)', 3, 'EQF minimum education: bachelor degree, graduate diploma or certificate', 'EQFの最低教育: 学士', NULL, 'https://www.ict-mastery.eu/index.php/es/subm-ecf/ecf-competence-table-es'),
 ('e-4', 'level', 'e-CF level e-4 (Lead Professional / Senior Manager)', 4, 'EQF minimum education: master''s degree, postgraduate diploma or certificate', 'EQFの最低教育: 修士', NULL, 'https://www.ict-mastery.eu/index.php/es/subm-ecf/ecf-competence-table-es'),
 ('e-5', 'level', 'e-CF level e-5 (Principal)', 5, 'the highest e-CF level (EQF up to 8)', 'e-CFの最上位レベル（EQF 8まで）', NULL, 'https://www.ict-mastery.eu/index.php/es/subm-ecf/ecf-competence-table-es'),
 ('D.1', 'competence', 'Information Security Strategy Development', NULL, 'proficiency levels e-4, e-5', '習熟度レベルe-4・e-5', NULL, 'http://www.e-competence-quality.com/the-european-e-competence-framework/?action=show&id=18'),
 ('E.8', 'competence', 'Information Security Management', NULL, 'proficiency levels e-2 to e-4', '習熟度レベルe-2〜e-4', NULL, 'http://www.e-competence-quality.com/the-european-e-competence-framework/?action=show&id=35')
) AS e(ident, kind, title, rank, note_en, note_ja, body, url)
WHERE v.framework = 'ecf' AND v.version = '4.0';

-- SFIA 9: the seven levels of responsibility, identifier and name only.
INSERT INTO skills.elements (version_id, ident, kind, title_en, rank, source_url)
SELECT v.id, e.ident, 'level', e.title, e.rank, 'https://sfia-online.org/en/sfia-9/sfia-views/sfia-9-multi-view/sfia-eit-en-summary-chart-with-roles'
FROM skills.framework_versions v, (VALUES
 ('1', 'Follow', 1), ('2', 'Assist', 2), ('3', 'Apply', 3), ('4', 'Enable', 4),
 ('5', 'Ensure, advise', 5), ('6', 'Initiate, influence', 6), ('7', 'Set strategy, inspire, mobilise', 7)
) AS e(ident, title, rank)
WHERE v.framework = 'sfia' AND v.version = '9';

-- The authoritative mappings: IPA's exam tiers (RISS level 4; SG level 2).
INSERT INTO skills.mapping_sets (label, asserted_by, asserted_by_ja, document, document_url, asserted_on, loaded_by) VALUES
 ('ipa-exam-tiers-2016', 'IPA (Information-technology Promotion Agency, Japan)', '独立行政法人情報処理推進機構（IPA）',
  '情報処理技術者試験・情報処理安全確保支援士試験 試験要綱 Ver 3.0 (level of each exam)',
  'https://paperzz.com/doc/5469769/%E8%A9%A6%E9%A8%93%E8%A6%81%E7%B6%B1ver3.0-%E6%83%85%E5%A0%B1%E5%87%A6%E7%90%86%E5%AE%89%E5%85%A8%E7%A2%BA%E4%BF%9D%E6%94%AF%E6%8F%B4%E5%A3%AB%E8%A9%A6%E9%A8%93',
  '2016-10-21', 'migration 0065');
INSERT INTO skills.mappings (set_id, evidence_kind, evidence_key, min_band, version_id, ident, level_ident, strength, source_url)
SELECT s.id, m.kind, m.key, NULL, v.id, m.ident, m.level, 'authoritative', m.url
FROM skills.mapping_sets s, skills.framework_versions v, (VALUES
 ('registration', 'RISS', 'L4', 'L4', 'https://circleken.net/2021/07/post66'),
 ('exam_pass', 'SG', 'L2', 'L2', 'https://circleken.net/2021/07/post66')
) AS m(kind, key, ident, level, url)
WHERE s.label = 'ipa-exam-tiers-2016' AND v.framework = 'itss' AND v.version = '3';

-- Pay: BLS OEWS May 2019 for SOC 15-1212 (primary source), and METI's 2017 survey by job
-- type with the mean ITSS level of each (read from secondary sources: unverified).
INSERT INTO skills.pay (source, source_ja, survey_year, country, currency, statistic, pay_kind, period, amount,
                        occupation, occupation_ja, occupation_code, framework, grade_ident, note_en, note_ja, url, verified) VALUES
 ('U.S. BLS Occupational Employment and Wage Statistics, May 2019', '米国労働統計局 職業別雇用・賃金統計（2019年5月）', 2019, 'US', 'USD', 'median', 'earned', 'annual', 99730,
  'Information Security Analysts', '情報セキュリティアナリスト', 'SOC 15-1212', NULL, NULL, NULL, NULL, 'https://www.bls.gov/oes/2019/may/oes151212.htm', true),
 ('U.S. BLS Occupational Employment and Wage Statistics, May 2019', '米国労働統計局 職業別雇用・賃金統計（2019年5月）', 2019, 'US', 'USD', 'mean', 'earned', 'annual', 104210,
  'Information Security Analysts', '情報セキュリティアナリスト', 'SOC 15-1212', NULL, NULL, NULL, NULL, 'https://www.bls.gov/oes/2019/may/oes151212.htm', true),
 ('U.S. BLS Occupational Employment and Wage Statistics, May 2019', '米国労働統計局 職業別雇用・賃金統計（2019年5月）', 2019, 'US', 'USD', 'p90', 'earned', 'annual', 158860,
  'Information Security Analysts', '情報セキュリティアナリスト', 'SOC 15-1212', NULL, NULL, NULL, NULL, 'https://www.bls.gov/oes/2019/may/oes151212.htm', true),
 ('METI, Survey of pay in IT-related industries (2017)', '経済産業省 IT関連産業の給与等に関する実態調査（2017年）', 2017, 'JP', 'JPY', 'mean', 'earned', 'annual', 7582000,
  'IT specialist', 'IT技術スペシャリスト', NULL, 'itss', NULL, 'mean ITSS level of the respondents 3.9 (n = 202)', '回答者の平均スキル標準レベル3.9（n = 202）', 'https://real-world-evidence.org/?p=5212', false),
 ('METI, Survey of pay in IT-related industries (2017)', '経済産業省 IT関連産業の給与等に関する実態調査（2017年）', 2017, 'JP', 'JPY', 'mean', 'earned', 'annual', 7782000,
  'Senior SE / IT engineer (infrastructure design, IT architect)', '高度SE・ITエンジニア（基盤設計担当・ITアーキテクト）', NULL, 'itss', NULL, 'mean ITSS level of the respondents 4.0 (n = 418)', '回答者の平均スキル標準レベル4.0（n = 418）', 'https://real-world-evidence.org/?p=5212', false),
 ('METI, Survey of pay in IT-related industries (2017)', '経済産業省 IT関連産業の給与等に関する実態調査（2017年）', 2017, 'JP', 'JPY', 'mean', 'earned', 'annual', 9285000,
  'Consultant', 'コンサルタント', NULL, 'itss', NULL, 'mean ITSS level of the respondents 4.1 (n = 214)', '回答者の平均スキル標準レベル4.1（n = 214）', 'https://real-world-evidence.org/?p=5212', false);
