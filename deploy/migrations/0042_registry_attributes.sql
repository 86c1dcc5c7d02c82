-- 0042: what the agency collects from a registrant at application for registration, for its
-- published statistics (docs/attributes.md): prefecture of residence (JIS X 0401 code),
-- occupation, industry of the employer (Japan Standard Industrial Classification Rev. 14,
-- division letter) and employer type — the same coded lists as exam.candidates (0037).
-- The application carries them; registration copies them to the registrant. All are
-- voluntary statistical answers (任意回答), so NULL means "not answered"; age is never
-- stored twice: registry.age_on(date_of_birth, day). For aggregate tables only, never
-- published for a single person (they are not in published_fields and never on the
-- public register or the credential).
CREATE FUNCTION registry.age_on(birth date, on_day date) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (extract(year FROM on_day) - extract(year FROM birth)
            - CASE WHEN (extract(month FROM on_day), extract(day FROM on_day))
                        < (extract(month FROM birth), extract(day FROM birth)) THEN 1 ELSE 0 END)::integer;
COMMENT ON FUNCTION registry.age_on(date, date) IS
    'Age in completed years on on_day of a person born on birth (29 February birthdays count on 1 March in common years)';

ALTER TABLE registry.applications
    ADD COLUMN prefecture char(2) CHECK (prefecture ~ '^(0[1-9]|[1-3][0-9]|4[0-7])$'),
    ADD COLUMN occupation text CHECK (occupation IN (
        'it_planning', 'it_development', 'it_operations', 'it_infrastructure', 'it_security', 'it_pm',
        'it_audit', 'it_sales', 'it_other', 'sales', 'office', 'research', 'other', 'student', 'not_employed')),
    ADD COLUMN industry char(1) CHECK (industry ~ '^[A-T]$'),
    ADD COLUMN employer_type text CHECK (employer_type IN (
        'private', 'government', 'public_corp', 'education', 'self_employed', 'none'));
COMMENT ON COLUMN registry.applications.prefecture IS
    'Prefecture of residence, JIS X 0401 code 01-47; voluntary: NULL = not answered';
COMMENT ON COLUMN registry.applications.occupation IS
    'Occupation code (labels attr.occupation.<code>); voluntary: NULL = not answered';
COMMENT ON COLUMN registry.applications.industry IS
    'Industry of the employer, JSIC Rev. 14 division A-T (labels attr.industry.<letter>); voluntary: NULL = not answered or no employer';
COMMENT ON COLUMN registry.applications.employer_type IS
    'Kind of employer (labels attr.employer.<code>); voluntary: NULL = not answered';

ALTER TABLE registry.registrants
    ADD COLUMN prefecture char(2) CHECK (prefecture ~ '^(0[1-9]|[1-3][0-9]|4[0-7])$'),
    ADD COLUMN occupation text CHECK (occupation IN (
        'it_planning', 'it_development', 'it_operations', 'it_infrastructure', 'it_security', 'it_pm',
        'it_audit', 'it_sales', 'it_other', 'sales', 'office', 'research', 'other', 'student', 'not_employed')),
    ADD COLUMN industry char(1) CHECK (industry ~ '^[A-T]$'),
    ADD COLUMN employer_type text CHECK (employer_type IN (
        'private', 'government', 'public_corp', 'education', 'self_employed', 'none'));
COMMENT ON COLUMN registry.registrants.prefecture IS
    'Prefecture of residence, JIS X 0401 code 01-47, copied from the application at registration; voluntary: NULL = not answered. Never published for a single person';
COMMENT ON COLUMN registry.registrants.occupation IS
    'Occupation code (labels attr.occupation.<code>), from the application; voluntary: NULL = not answered. Never published for a single person';
COMMENT ON COLUMN registry.registrants.industry IS
    'Industry of the employer, JSIC Rev. 14 division A-T, from the application; voluntary: NULL = not answered. Never published for a single person';
COMMENT ON COLUMN registry.registrants.employer_type IS
    'Kind of employer (labels attr.employer.<code>), from the application; voluntary: NULL = not answered. Never published for a single person';

CREATE INDEX registrants_reg_date_idx ON registry.registrants (reg_date);
COMMENT ON INDEX registry.registrants_reg_date_idx IS 'Serves the statistics: registrations per registration date';

-- One row per registrant with what the statistics group by. Read-only.
CREATE VIEW registry.registrant_facts AS
SELECT r.regno, r.status, r.reg_date, r.valid_from, r.valid_until, r.renewal_count, r.exam_pass_date,
       extract(year FROM r.exam_pass_date)::integer AS pass_year,
       registry.age_on(r.date_of_birth, r.reg_date) AS age_at_registration,
       registry.age_on(r.date_of_birth, (now() AT TIME ZONE 'Asia/Tokyo')::date) AS age_today,
       r.prefecture, r.occupation, r.industry, r.employer_type
  FROM registry.registrants r;
COMMENT ON VIEW registry.registrant_facts IS
    'Statistics input: each registrant with status, dates, pass year, age (at registration and today in Japan) and attributes; no names, no date of birth; never published row by row';
