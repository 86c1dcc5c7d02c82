-- 0066: schema skills — whether each framework release and each shipped row was checked
-- against the publisher's official publication (verified) or read from a secondary source
-- (a training provider's page, a blog, a document-sharing site). Shown on the pages as
-- 未検証 / unverified, like the METI pay rows. Also: the e-CF competences read from a
-- secondary source in this session (marked unverified), and SFIA's licence as the SFIA
-- Foundation's own page states it. Owned by cpd-tracker.

ALTER TABLE skills.framework_versions ADD COLUMN verified boolean NOT NULL DEFAULT false;
ALTER TABLE skills.framework_versions ADD COLUMN verified_note_en text CHECK (length(verified_note_en) BETWEEN 1 AND 400);
ALTER TABLE skills.framework_versions ADD COLUMN verified_note_ja text CHECK (length(verified_note_ja) BETWEEN 1 AND 400);
COMMENT ON COLUMN skills.framework_versions.verified IS 'true only when the release as loaded (its version label and its set of elements) was checked against the publisher''s official release; false when any of it comes from a secondary source or the release label was not checked';
COMMENT ON COLUMN skills.framework_versions.verified_note_en IS 'why a release is not verified, in English (shown with the 未検証/unverified mark)';
COMMENT ON COLUMN skills.framework_versions.verified_note_ja IS 'why a release is not verified, in Japanese';

ALTER TABLE skills.elements ADD COLUMN verified boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN skills.elements.verified IS 'true when the row (identifier, title, levels) was read on the publisher''s own publication or a government site that publishes it (NIST, CISA NICCS, IPA, ENISA, SFIA Foundation); false when read from a secondary source';
ALTER TABLE skills.element_links ADD COLUMN verified boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN skills.element_links.verified IS 'as skills.elements.verified, for a stated relation between elements';

-- Shipped rows: verified where the cited page is the publisher's (or the US government's
-- host of NICE), not where it is a secondary site.
UPDATE skills.elements SET verified = true
 WHERE source_url ~ '^https?://([a-z0-9-]+\.)*(ipa\.go\.jp|nist\.gov|niccs\.cisa\.gov|enisa\.europa\.eu|sfia-online\.org)/';
UPDATE skills.element_links SET verified = true
 WHERE source_url ~ '^https?://([a-z0-9-]+\.)*(ipa\.go\.jp|nist\.gov|niccs\.cisa\.gov|enisa\.europa\.eu|sfia-online\.org)/';

UPDATE skills.framework_versions SET
  verified_note_en = 'The levels are from IPA''s page; the exam tiers (SG level 2, RISS level 4) were read from a secondary page and a copy of IPA''s exam guidelines, not IPA''s own publication.',
  verified_note_ja = 'レベルはIPAのページによる。試験区分のレベル（SGはレベル2、支援士はレベル4）は二次資料と試験要綱の転載から読んだもので、IPAの公表資料では確認していない。'
 WHERE framework = 'itss' AND version = '3';
UPDATE skills.framework_versions SET
  verified_note_en = 'The work role identifiers and names were read on NIST and CISA NICCS pages, which describe Components v1.0.0 (March 2024); they were not checked against the v2.0.0 JSON release, and the competency areas of the release are not loaded (no page listing their identifiers was found). Load the full release with riss skills import.',
  verified_note_ja = '職務ロールの識別子と名称はNISTとCISA NICCSのページ（Components v1.0.0〔2024年3月〕の説明）で読んだもので、v2.0.0のJSONリリースでは確認していない。リリースのコンピテンシー領域は識別子を載せたページが見つからず、読み込んでいない。全体はriss skills importで読み込む。'
 WHERE framework = 'nice' AND version = '2.0.0';
UPDATE skills.framework_versions SET
  verified_note_en = 'The 12 profile titles were read from a secondary page; ENISA''s ECSF role profiles document (with the e-CF competences and levels of each profile) was not available to read, so no profile-to-e-CF link is shipped.',
  verified_note_ja = '12のプロファイル名は二次資料で読んだもの。ENISAのECSFロールプロファイル文書（各プロファイルのe-CFコンピテンスとレベルを含む）は読めなかったため、プロファイルとe-CFの対応は収録していない。'
 WHERE framework = 'ecsf' AND version = '1.0';
UPDATE skills.framework_versions SET
  verified_note_en = 'EN 16234-1 is a CEN standard not openly published; the competences and their levels were read from secondary sites that present the e-CF (one of them the 40 competences of e-CF 3.0). Only the competences read are loaded, not all 41.',
  verified_note_ja = 'EN 16234-1は公開されていないCEN規格。コンピテンスとレベルはe-CFを紹介する二次サイト（うち一つはe-CF 3.0の40コンピテンス）で読んだもの。読んだコンピテンスだけを収録し、41すべてではない。'
 WHERE framework = 'ecf' AND version = '4.0';
UPDATE skills.framework_versions SET verified = true,
  verified_note_en = NULL, verified_note_ja = NULL
 WHERE framework = 'sfia' AND version = '9';

-- SFIA's licence in the SFIA Foundation's words: external certifications or credentials need
-- a special paid licence; only the level identifiers and names are held (export_scope id_name).
UPDATE skills.frameworks SET
  licence = 'SFIA licence (SFIA Foundation): using SFIA for external certifications or credentials, or redistributing it to another organisation, is prohibited without a special paid licence; only the level identifiers and names are held and exported',
  source_url = 'https://sfia-online.org/it/about-sfia/using-and-licensing-sfia'
 WHERE code = 'sfia';

-- e-CF competences read this session on secondary sites (unverified), with the proficiency
-- levels those pages give (e-CF levels e-1..e-5 relate to EQF levels 3-8).
INSERT INTO skills.elements (version_id, ident, kind, title_en, note_en, note_ja, source_url, verified)
SELECT v.id, e.ident, 'competence', e.title, e.note_en, e.note_ja, e.url, false
FROM skills.framework_versions v, (VALUES
 ('B.2', 'Component Integration', 'proficiency levels from e-2 (the page read shows e-2 and e-3; the rest of the list was not read)', '習熟度レベルe-2から（読んだページはe-2・e-3を示す。残りは未読）',
  'http://www.e-competence-quality.com/the-european-e-competence-framework/?action=show&id=10'),
 ('B.3', 'Testing', 'proficiency levels e-1 to e-4', '習熟度レベルe-1〜e-4',
  'http://www.ens.wiki/item:ecf-b-3'),
 ('B.4', 'Solution Deployment', 'proficiency levels e-1 to e-3', '習熟度レベルe-1〜e-3',
  'http://www.e-competence-quality.com/about/?action=show&id=12'),
 ('B.6', 'Systems Engineering', 'proficiency levels from e-3 (the page read shows e-3 and e-4; the rest of the list was not read)', '習熟度レベルe-3から（読んだページはe-3・e-4を示す。残りは未読）',
  'http://www.e-competence-quality.com/the-european-e-competence-framework/?action=show&id=38'),
 ('D.2', 'ICT Quality Strategy Development', 'proficiency levels e-4, e-5', '習熟度レベルe-4・e-5',
  'http://www.e-competence-quality.com/about/?action=show&id=20'),
 ('E.9', 'IS Governance', 'proficiency levels e-4, e-5', '習熟度レベルe-4・e-5',
  'http://www.e-competence-quality.com/about/?action=show&id=36'),
 ('E.3', 'Risk Management', 'proficiency levels e-2 to e-4', '習熟度レベルe-2〜e-4',
  'http://www.e-competence-quality.com/about/?action=show&id=30'),
 ('E.6', 'ICT Quality Management', 'proficiency levels e-2 to e-4', '習熟度レベルe-2〜e-4',
  'http://www.e-competence-quality.com/the-european-e-competence-framework/?action=show&id=33'),
 ('A.4', 'Product / Service Planning', 'proficiency levels e-2 to e-4', '習熟度レベルe-2〜e-4',
  'http://www.e-competence-quality.com/about/?action=show&id=4'),
 ('D.10', 'Information and Knowledge Management', 'proficiency levels e-3 to e-5', '習熟度レベルe-3〜e-5',
  'http://www.e-competence-quality.com/the-european-e-competence-framework/?action=show&id=19'),
 ('E.2', 'Project and Portfolio Management', 'proficiency levels e-2 to e-5', '習熟度レベルe-2〜e-5',
  'http://www.e-competence-quality.com/about/?action=show&id=29'),
 ('A.5', 'Architecture Design', 'proficiency levels e-3 to e-5', '習熟度レベルe-3〜e-5',
  'http://www.e-competence-quality.com/about/?action=show&id=5'),
 ('A.9', 'Innovating', 'proficiency levels from e-4 (the page read shows e-4; the rest of the list was not read)', '習熟度レベルe-4から（読んだページはe-4を示す。残りは未読）',
  'http://www.e-competence-quality.com/the-european-e-competence-framework/?action=show&id=37')
) AS e(ident, title, note_en, note_ja, url)
WHERE v.framework = 'ecf' AND v.version = '4.0';

-- From here on every loader states verified explicitly.
ALTER TABLE skills.framework_versions ALTER COLUMN verified DROP DEFAULT;
ALTER TABLE skills.elements ALTER COLUMN verified DROP DEFAULT;
ALTER TABLE skills.element_links ALTER COLUMN verified DROP DEFAULT;
