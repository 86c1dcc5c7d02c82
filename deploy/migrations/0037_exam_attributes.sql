-- 0037: what the agency collects from a candidate at application, for its published
-- statistics (docs/attributes.md): prefecture of residence (JIS X 0401 code), occupation
-- (the agency's list, modelled on the job question of IPA's application form), industry of
-- the employer (Japan Standard Industrial Classification Rev. 14, division letter) and
-- employer type. Every one is a voluntary answer (任意回答): neither the Act on the
-- Promotion of Information Processing nor its ordinance makes them a condition of sitting,
-- so NULL means "not answered". Age at the exam date is not stored: it is computed from
-- exam.candidates.birth_date and the booking's day (exam.age_on). These values are for
-- aggregate tables only and are never published for a single person.
-- Also the JIS X 0401 code of each test centre's prefecture (the centre's existing
-- prefecture text stays its display name).
CREATE FUNCTION exam.age_on(birth date, on_day date) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (extract(year FROM on_day) - extract(year FROM birth)
            - CASE WHEN (extract(month FROM on_day), extract(day FROM on_day))
                        < (extract(month FROM birth), extract(day FROM birth)) THEN 1 ELSE 0 END)::integer;
COMMENT ON FUNCTION exam.age_on(date, date) IS
    'Age in completed years on on_day of a person born on birth (29 February birthdays count on 1 March in common years)';

ALTER TABLE exam.candidates
    ADD COLUMN prefecture char(2) CHECK (prefecture ~ '^(0[1-9]|[1-3][0-9]|4[0-7])$'),
    ADD COLUMN occupation text CHECK (occupation IN (
        'it_planning', 'it_development', 'it_operations', 'it_infrastructure', 'it_security', 'it_pm',
        'it_audit', 'it_sales', 'it_other', 'sales', 'office', 'research', 'other', 'student', 'not_employed')),
    ADD COLUMN industry char(1) CHECK (industry ~ '^[A-T]$'),
    ADD COLUMN employer_type text CHECK (employer_type IN (
        'private', 'government', 'public_corp', 'education', 'self_employed', 'none'));
COMMENT ON COLUMN exam.candidates.prefecture IS
    'Prefecture of residence, JIS X 0401 code 01-47 (13 = Tokyo); voluntary: NULL = not answered. As given at the latest application';
COMMENT ON COLUMN exam.candidates.occupation IS
    'Occupation code (labels attr.occupation.<code> in common/messages/attributes.tsv); voluntary: NULL = not answered. As given at the latest application';
COMMENT ON COLUMN exam.candidates.industry IS
    'Industry of the employer, Japan Standard Industrial Classification Rev. 14 division A-T (labels attr.industry.<letter>); voluntary: NULL = not answered or no employer';
COMMENT ON COLUMN exam.candidates.employer_type IS
    'Kind of employer (labels attr.employer.<code>); voluntary: NULL = not answered';

ALTER TABLE exam.centres
    ADD COLUMN prefecture_code char(2) CHECK (prefecture_code ~ '^(0[1-9]|[1-3][0-9]|4[0-7])$');
COMMENT ON COLUMN exam.centres.prefecture_code IS
    'JIS X 0401 code of the prefecture the centre is in (NULL for centres entered before 0037); prefecture stays the display name';

CREATE INDEX bookings_sit_on_idx ON exam.bookings (sit_on);
COMMENT ON INDEX exam.bookings_sit_on_idx IS 'Serves the statistics: applicants (bookings) in a date range';
CREATE INDEX results_finished_idx ON exam.results (finished_at);
COMMENT ON INDEX exam.results_finished_idx IS 'Serves the statistics: results in a date range';

-- One row per booking (an application) with what the statistics group by. Read-only.
CREATE VIEW exam.booking_facts AS
SELECT b.id AS booking_id, b.candidate_id, w.exam_code, b.window_id, b.centre_code, ce.prefecture_code AS centre_prefecture,
       b.sit_on, b.status, exam.age_on(c.birth_date, b.sit_on) AS age_at_exam,
       c.prefecture, c.occupation, c.industry, c.employer_type
  FROM exam.bookings b
  JOIN exam.candidates c ON c.id = b.candidate_id
  JOIN exam.windows w ON w.id = b.window_id
  JOIN exam.centres ce ON ce.code = b.centre_code;
COMMENT ON VIEW exam.booking_facts IS
    'Statistics input: each booking (applicant) with window, centre, day, status, age at the exam date and the candidate''s attributes; never published row by row';

-- One row per result (an examinee) with the same, the score and whether it was the first attempt.
CREATE VIEW exam.result_facts AS
SELECT r.session_id, r.candidate_id, r.exam_code, b.window_id, b.centre_code, ce.prefecture_code AS centre_prefecture,
       b.sit_on, r.finished_at, r.scaled, r.passed, r.complete,
       exam.age_on(c.birth_date, b.sit_on) AS age_at_exam,
       c.prefecture, c.occupation, c.industry, c.employer_type,
       NOT EXISTS (SELECT 1 FROM exam.results p WHERE p.candidate_id = r.candidate_id AND p.exam_code = r.exam_code
                     AND (p.finished_at, p.session_id) < (r.finished_at, r.session_id)) AS first_attempt
  FROM exam.results r
  JOIN exam.sessions s ON s.id = r.session_id
  JOIN exam.bookings b ON b.id = s.booking_id
  JOIN exam.candidates c ON c.id = r.candidate_id
  JOIN exam.centres ce ON ce.code = b.centre_code;
COMMENT ON VIEW exam.result_facts IS
    'Statistics input: each result (examinee) with window, centre, day, scaled score, pass, age at the exam date, the candidate''s attributes and first attempt (no earlier result for the exam); never published row by row';
