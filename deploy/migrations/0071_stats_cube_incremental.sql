-- 0071 (stats3): the exam statistics cube refreshed incrementally. At 1,000,000 results a
-- REFRESH MATERIALIZED VIEW CONCURRENTLY of 0070's cube recomputed every month and then
-- compared old and new row by row (it had not finished after 20 minutes on two busy cores).
-- The cube is now a table of the same columns: writes to bookings, results and candidates
-- note the months they change (exam.stats_dirty, statement-level triggers), and the job
-- recomputes only the months from the earliest noted one on (later months too: a changed
-- result can turn a later sitting of the same candidate into a retake). A first refresh
-- (no exam.stats_refresh row yet) recomputes everything. delivery/store_stats.c.

-- Replace the cube's months from since on (NULL = every month) with 0070's figures. One pass
-- over bookings, results and candidates into a temporary table of one row per booking, then
-- one hash aggregation per dimension and the roll-up over prefectures from the cube's own
-- rows: 0070's single GROUPING SETS query sorted 7.8 million expanded rows instead.
CREATE FUNCTION exam.stats_cube_refill(since date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    d record;
BEGIN
    DELETE FROM exam.stats_cube WHERE since IS NULL OR month >= since;
    DROP TABLE IF EXISTS pg_temp.stats_f;
    CREATE TEMP TABLE stats_f ON COMMIT DROP AS
    WITH firsts AS (
        -- The first day each candidate sat each exam: a booking on a later day is a retake.
        -- Every month (since NULL): one aggregation over all results. A few months: an index
        -- probe per booking instead (below), so the job's refresh does not read every result.
        SELECT b.candidate_id, w.exam_code, min(b.sit_on) AS first_day
          FROM exam.bookings b JOIN exam.windows w ON w.id = b.window_id
          JOIN exam.sessions s ON s.booking_id = b.id JOIN exam.results r ON r.session_id = s.id
         WHERE since IS NULL
         GROUP BY b.candidate_id, w.exam_code
    )
    SELECT date_trunc('month', b.sit_on)::date AS month, w.exam_code, b.centre_code,
           coalesce(c.prefecture, '')::text AS prefecture, b.window_id::text AS window_id,
           exam.stats_age_band(exam.age_on(c.birth_date, b.sit_on)) AS age_band,
           coalesce(c.occupation, '') AS occupation, coalesce(c.industry, '')::text AS industry,
           coalesce(c.employer_type, '') AS employer,
           CASE WHEN since IS NULL THEN CASE WHEN fa.first_day < b.sit_on THEN 'retake' ELSE 'first' END
                WHEN EXISTS (SELECT 1 FROM exam.bookings b2 JOIN exam.windows w2 ON w2.id = b2.window_id
                               JOIN exam.sessions s2 ON s2.booking_id = b2.id JOIN exam.results r2 ON r2.session_id = s2.id
                              WHERE b2.candidate_id = b.candidate_id AND b2.sit_on < b.sit_on AND w2.exam_code = w.exam_code)
                THEN 'retake' ELSE 'first' END AS attempt,
           r.session_id IS NOT NULL AS sat, coalesce(r.passed, false) AS passed, r.scaled,
           CASE WHEN r.scaled >= 900 THEN 9 ELSE r.scaled / 100 END AS band  -- NULL without a result
      FROM exam.bookings b
      JOIN exam.windows w ON w.id = b.window_id
      JOIN exam.candidates c ON c.id = b.candidate_id
      LEFT JOIN exam.sessions s ON s.booking_id = b.id
      LEFT JOIN exam.results r ON r.session_id = s.id
      LEFT JOIN firsts fa ON fa.candidate_id = b.candidate_id AND fa.exam_code = w.exam_code
     WHERE b.status <> 'cancelled' AND (since IS NULL OR b.sit_on >= since);
    ANALYZE pg_temp.stats_f;
    FOR d IN SELECT * FROM (VALUES ('all', ''''''), ('window', 'window_id'), ('age', 'age_band'),
                                   ('occupation', 'occupation'), ('industry', 'industry'),
                                   ('employer', 'employer'), ('attempt', 'attempt')) AS v (dim, col) LOOP
        EXECUTE format(
            'INSERT INTO exam.stats_cube SELECT month, exam_code, centre_code, prefecture, %L, %s, count(*), '
            'count(*) FILTER (WHERE sat), count(*) FILTER (WHERE passed), coalesce(sum(scaled), 0)::float8, '
            'coalesce(sum(scaled::float8 * scaled), 0), ARRAY[count(*) FILTER (WHERE band = 0), '
            'count(*) FILTER (WHERE band = 1), count(*) FILTER (WHERE band = 2), count(*) FILTER (WHERE band = 3), '
            'count(*) FILTER (WHERE band = 4), count(*) FILTER (WHERE band = 5), count(*) FILTER (WHERE band = 6), '
            'count(*) FILTER (WHERE band = 7), count(*) FILTER (WHERE band = 8), count(*) FILTER (WHERE band = 9)] '
            'FROM pg_temp.stats_f GROUP BY month, exam_code, centre_code, prefecture%s', d.dim, d.col,
            CASE WHEN d.dim = 'all' THEN '' ELSE ', ' || d.col END);
    END LOOP;
    -- prefecture * = the sum over the prefectures (not answered included).
    INSERT INTO exam.stats_cube
    SELECT month, exam_code, centre_code, '*', dim, value, sum(applicants), sum(examinees), sum(passers),
           sum(sum_scaled), sum(sumsq_scaled),
           ARRAY[sum(hist[1]), sum(hist[2]), sum(hist[3]), sum(hist[4]), sum(hist[5]), sum(hist[6]), sum(hist[7]),
                 sum(hist[8]), sum(hist[9]), sum(hist[10])]::bigint[]
      FROM exam.stats_cube WHERE since IS NULL OR month >= since
     GROUP BY month, exam_code, centre_code, dim, value;
    DROP TABLE pg_temp.stats_f;
END $$;
COMMENT ON FUNCTION exam.stats_cube_refill(date) IS
    'Recomputes exam.stats_cube for the bookings on or after since (NULL = all): the job, from the earliest dirty month';

DROP MATERIALIZED VIEW exam.stats_cube;
CREATE TABLE exam.stats_cube (
    month        date NOT NULL,
    exam_code    text NOT NULL,
    centre_code  text NOT NULL,
    prefecture   text NOT NULL,
    dim          text NOT NULL,
    value        text NOT NULL,
    applicants   bigint NOT NULL CHECK (applicants >= 0),
    examinees    bigint NOT NULL CHECK (examinees >= 0 AND examinees <= applicants),
    passers      bigint NOT NULL CHECK (passers >= 0 AND passers <= examinees),
    sum_scaled   float8 NOT NULL,
    sumsq_scaled float8 NOT NULL,
    hist         bigint[] NOT NULL CHECK (cardinality(hist) = 10),
    CHECK (month = date_trunc('month', month)::date)
);
COMMENT ON TABLE exam.stats_cube IS
    'Partial aggregates of bookings and results for the statistics tables (delivery/store_stats.c): one row per '
    '(month, exam, centre, candidate prefecture, dimension, value); prefecture * = all prefectures, '''' = not answered; '
    'rebuilt by the job from the earliest month in exam.stats_dirty on';
COMMENT ON COLUMN exam.stats_cube.dim IS 'all (value ''''), window (id), age (band), occupation, industry, employer, attempt (first | retake)';
COMMENT ON COLUMN exam.stats_cube.applicants IS 'Bookings not cancelled';
COMMENT ON COLUMN exam.stats_cube.examinees IS 'Bookings with a result';
COMMENT ON COLUMN exam.stats_cube.sum_scaled IS 'Sum of the scaled scores (the mean is sum_scaled / examinees)';
COMMENT ON COLUMN exam.stats_cube.sumsq_scaled IS 'Sum of the squared scaled scores (for the standard deviation)';
COMMENT ON COLUMN exam.stats_cube.hist IS 'Examinees per band of 100 scaled points: 0-99, 100-199, ..., 900-1000';
SELECT exam.stats_cube_refill(NULL);
CREATE UNIQUE INDEX stats_cube_key ON exam.stats_cube (dim, prefecture, month, exam_code, centre_code, value);
COMMENT ON INDEX exam.stats_cube_key IS
    'Serves every statistics query (one dimension, all or one prefecture, a range of months)';
CREATE INDEX stats_cube_month_idx ON exam.stats_cube (month);
COMMENT ON INDEX exam.stats_cube_month_idx IS 'The job deletes the months it recomputes';

-- Months whose bookings or results changed since the last refresh (append-only: writers
-- never wait on the job, which deletes what it has taken).
CREATE TABLE exam.stats_dirty (
    id    bigserial PRIMARY KEY,
    month date NOT NULL
);
COMMENT ON TABLE exam.stats_dirty IS
    'Months of sittings changed since the last statistics refresh (written by triggers, consumed by the job)';

CREATE FUNCTION exam.stats_note_bookings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO exam.stats_dirty (month) SELECT DISTINCT date_trunc('month', sit_on)::date FROM new_rows;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO exam.stats_dirty (month) SELECT DISTINCT date_trunc('month', sit_on)::date FROM old_rows;
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION exam.stats_note_bookings() IS 'Notes the months of changed bookings in exam.stats_dirty';
CREATE TRIGGER bookings_stats_ins AFTER INSERT ON exam.bookings REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION exam.stats_note_bookings();
CREATE TRIGGER bookings_stats_upd AFTER UPDATE ON exam.bookings REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION exam.stats_note_bookings();
CREATE TRIGGER bookings_stats_del AFTER DELETE ON exam.bookings REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION exam.stats_note_bookings();

CREATE FUNCTION exam.stats_note_results() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO exam.stats_dirty (month)
    SELECT DISTINCT date_trunc('month', b.sit_on)::date
      FROM new_rows n JOIN exam.sessions s ON s.id = n.session_id JOIN exam.bookings b ON b.id = s.booking_id;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION exam.stats_note_results() IS 'Notes the months of new or changed results in exam.stats_dirty';
CREATE TRIGGER results_stats_ins AFTER INSERT ON exam.results REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION exam.stats_note_results();
CREATE TRIGGER results_stats_upd AFTER UPDATE ON exam.results REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION exam.stats_note_results();

-- A candidate's attributes (or birth date) change every month they sat in.
CREATE FUNCTION exam.stats_note_candidates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO exam.stats_dirty (month)
    SELECT DISTINCT date_trunc('month', b.sit_on)::date
      FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN exam.bookings b ON b.candidate_id = n.id
     WHERE (n.prefecture, n.occupation, n.industry, n.employer_type, n.birth_date)
           IS DISTINCT FROM (o.prefecture, o.occupation, o.industry, o.employer_type, o.birth_date);
    RETURN NULL;
END $$;
COMMENT ON FUNCTION exam.stats_note_candidates() IS 'Notes the months of the sittings of candidates whose statistics attributes changed';
CREATE TRIGGER candidates_stats_upd AFTER UPDATE ON exam.candidates REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION exam.stats_note_candidates();
