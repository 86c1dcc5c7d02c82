-- 0070: partial aggregates for the agency's statistics (issue 15), so that every dashboard
-- query reads a few thousand pre-summed rows instead of a million results. Each cube lives in
-- the schema of the module that owns its data and is read only by that module's store
-- (delivery/store_stats.c, registry/store_stats.c); the job refreshes them (riss stats
-- refresh, riss jobs run) and records when, so every released figure says how fresh it is.
-- Date ranges are whole months (the published tables are monthly; a day-level range would
-- let one figure be differenced out of two releases).

-- Age bands of the published tables, top-coded at 60 (keys: catalogue stats.age.<key>).
CREATE FUNCTION exam.stats_age_band(age integer) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE WHEN age < 20 THEN 'u20' WHEN age < 30 THEN '20_29' WHEN age < 40 THEN '30_39'
                WHEN age < 50 THEN '40_49' WHEN age < 60 THEN '50_59' ELSE '60p' END;
COMMENT ON FUNCTION exam.stats_age_band(integer) IS 'Age band of the statistics tables: u20, 20_29, ..., 50_59, 60p (top-coded)';

-- One row per (month, exam, centre, candidate prefecture, dimension, value): applicants
-- (bookings not cancelled), examinees (results), passers, the sum and sum of squares of the
-- scaled score and its histogram in bands of 100. prefecture '*' is the roll-up over all
-- prefectures; '' = not answered. dim 'all' has value ''; the others: window (id), age
-- (band), occupation, industry, employer, attempt (first | retake: an earlier result of
-- the candidate for the exam on an earlier day).
CREATE MATERIALIZED VIEW exam.stats_cube AS
WITH firsts AS (
    -- The first day each candidate sat each exam: a booking on a later day is a retake.
    SELECT b.candidate_id, w.exam_code, min(b.sit_on) AS first_day
      FROM exam.bookings b JOIN exam.windows w ON w.id = b.window_id
      JOIN exam.sessions s ON s.booking_id = b.id JOIN exam.results r ON r.session_id = s.id
     GROUP BY b.candidate_id, w.exam_code
), f AS (
    SELECT date_trunc('month', b.sit_on)::date AS month, w.exam_code, b.centre_code,
           coalesce(c.prefecture, '') AS prefecture, b.window_id::text AS window_id,
           exam.stats_age_band(exam.age_on(c.birth_date, b.sit_on)) AS age_band,
           coalesce(c.occupation, '') AS occupation, coalesce(c.industry, '') AS industry,
           coalesce(c.employer_type, '') AS employer,
           CASE WHEN fa.first_day < b.sit_on THEN 'retake' ELSE 'first' END AS attempt,
           r.session_id IS NOT NULL AS sat, coalesce(r.passed, false) AS passed, r.scaled
      FROM exam.bookings b
      JOIN exam.windows w ON w.id = b.window_id
      JOIN exam.candidates c ON c.id = b.candidate_id
      LEFT JOIN exam.sessions s ON s.booking_id = b.id
      LEFT JOIN exam.results r ON r.session_id = s.id
      LEFT JOIN firsts fa ON fa.candidate_id = b.candidate_id AND fa.exam_code = w.exam_code
     WHERE b.status <> 'cancelled'
), d AS (
    SELECT f.*, v.dim, v.value FROM f CROSS JOIN LATERAL (VALUES
        ('all', ''), ('window', f.window_id), ('age', f.age_band), ('occupation', f.occupation),
        ('industry', f.industry), ('employer', f.employer), ('attempt', f.attempt)) AS v (dim, value)
)
SELECT month, exam_code, centre_code, coalesce(prefecture, '*') AS prefecture, dim, value,
       count(*) AS applicants, count(*) FILTER (WHERE sat) AS examinees, count(*) FILTER (WHERE passed) AS passers,
       coalesce(sum(scaled), 0)::float8 AS sum_scaled, coalesce(sum(scaled::float8 * scaled), 0) AS sumsq_scaled,
       ARRAY[count(*) FILTER (WHERE scaled < 100), count(*) FILTER (WHERE scaled >= 100 AND scaled < 200),
             count(*) FILTER (WHERE scaled >= 200 AND scaled < 300), count(*) FILTER (WHERE scaled >= 300 AND scaled < 400),
             count(*) FILTER (WHERE scaled >= 400 AND scaled < 500), count(*) FILTER (WHERE scaled >= 500 AND scaled < 600),
             count(*) FILTER (WHERE scaled >= 600 AND scaled < 700), count(*) FILTER (WHERE scaled >= 700 AND scaled < 800),
             count(*) FILTER (WHERE scaled >= 800 AND scaled < 900), count(*) FILTER (WHERE scaled >= 900)]::bigint[] AS hist
  FROM d
 GROUP BY GROUPING SETS ((month, exam_code, centre_code, prefecture, dim, value), (month, exam_code, centre_code, dim, value));
COMMENT ON MATERIALIZED VIEW exam.stats_cube IS
    'Partial aggregates of bookings and results for the statistics tables (delivery/store_stats.c); refreshed by the job; prefecture * = all prefectures';
CREATE UNIQUE INDEX stats_cube_key ON exam.stats_cube (dim, prefecture, month, exam_code, centre_code, value);
COMMENT ON INDEX exam.stats_cube_key IS
    'Serves every statistics query (one dimension, all or one prefecture, a range of months) and REFRESH ... CONCURRENTLY';

CREATE TABLE exam.stats_refresh (
    one        boolean PRIMARY KEY DEFAULT true CHECK (one),
    refreshed_at timestamptz NOT NULL
);
COMMENT ON TABLE exam.stats_refresh IS 'When exam.stats_cube was last refreshed (one row): the as-of time of every exam statistic';

-- The register: one row per (kind, month, dimension, value, prefecture). kind live = on the
-- register now (active or suspended; month = first of the registration month), new = a
-- registration (month of reg_date), renewal / lapse / cancellation = a status_history event
-- in that month (renewed, lapsed, cancelled). Dimensions: all, reg_date, age (today, in
-- bands), industry, pass_year, prefecture's roll-up as above.
CREATE FUNCTION registry.stats_age_band(age integer) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE WHEN age < 20 THEN 'u20' WHEN age < 30 THEN '20_29' WHEN age < 40 THEN '30_39'
                WHEN age < 50 THEN '40_49' WHEN age < 60 THEN '50_59' ELSE '60p' END;
COMMENT ON FUNCTION registry.stats_age_band(integer) IS 'Age band of the statistics tables (as exam.stats_age_band)';

CREATE MATERIALIZED VIEW registry.stats_cube AS
WITH r AS (
    SELECT regno, status, reg_date, coalesce(prefecture, '') AS prefecture, coalesce(industry, '') AS industry,
           extract(year FROM exam_pass_date)::integer::text AS pass_year,
           registry.stats_age_band(registry.age_on(date_of_birth, (now() AT TIME ZONE 'Asia/Tokyo')::date)) AS age_band
      FROM registry.registrants
), e AS (
    SELECT 'live' AS kind, date_trunc('month', r.reg_date)::date AS month, r.* FROM r WHERE r.status IN ('active', 'suspended')
    UNION ALL
    SELECT 'new', date_trunc('month', r.reg_date)::date, r.* FROM r
    UNION ALL
    SELECT CASE WHEN h.reason = 'renewed' THEN 'renewal' WHEN h.new_status = 'lapsed' THEN 'lapse' ELSE 'cancellation' END,
           date_trunc('month', h.at AT TIME ZONE 'Asia/Tokyo')::date, r.*
      FROM registry.status_history h JOIN r ON r.regno = h.regno
     WHERE h.reason = 'renewed' OR h.new_status IN ('lapsed', 'cancelled')
), d AS (
    SELECT e.*, v.dim, v.value FROM e CROSS JOIN LATERAL (VALUES
        ('all', ''), ('reg_date', e.reg_date::text), ('age', e.age_band), ('industry', e.industry),
        ('pass_year', e.pass_year)) AS v (dim, value)
)
SELECT kind, month, coalesce(prefecture, '*') AS prefecture, dim, value, count(*) AS n
  FROM d
 GROUP BY GROUPING SETS ((kind, month, prefecture, dim, value), (kind, month, dim, value));
COMMENT ON MATERIALIZED VIEW registry.stats_cube IS
    'Partial aggregates of the register for the statistics tables (registry/store_stats.c); refreshed by the job; prefecture * = all';
CREATE UNIQUE INDEX stats_cube_key ON registry.stats_cube (dim, prefecture, kind, month, value);
COMMENT ON INDEX registry.stats_cube_key IS 'Serves every register statistics query and REFRESH ... CONCURRENTLY';

CREATE TABLE registry.stats_refresh (
    one        boolean PRIMARY KEY DEFAULT true CHECK (one),
    refreshed_at timestamptz NOT NULL
);
COMMENT ON TABLE registry.stats_refresh IS 'When registry.stats_cube was last refreshed (one row): the as-of time of every register statistic';
