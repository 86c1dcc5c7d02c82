-- 0072 (stats4): the exam tables' protected joint tables, computed by the job. Every period's
-- release of an exam table is a slice of one joint table over the period lattice, protected
-- (primary and secondary suppression) and audited as a whole (stats/st_tables.c, st_joint);
-- at 1,000,000 results that took seconds on a first request of a sparse slice. The job
-- (riss stats refresh, riss jobs run, rissd's timer) now protects each exam table for the
-- filter values the dashboard offers (none, each centre, each prefecture with data) right
-- after it refreshes exam.stats_cube and keeps them here under the cube's stamp: a request is
-- one read. A stored table is used only while its stamp is the cube's (stats/st_store.c).
-- IF NOT EXISTS: the stats schema is the statistics layer's (stats/), other branches of
-- issue 15 may create it too.
CREATE SCHEMA IF NOT EXISTS stats;
COMMENT ON SCHEMA stats IS 'The statistics layer''s own data (stats/): disclosure-controlled tables computed by the job';

CREATE TABLE stats.exam_joint (
    table_name  text NOT NULL CHECK (table_name ~ '^exam_[a-z_]{1,40}$'),
    exam        text NOT NULL CHECK (length(exam) <= 16),
    centre      text NOT NULL CHECK (length(centre) <= 32),
    prefecture  text NOT NULL CHECK (prefecture = '' OR prefecture ~ '^[0-9]{2}$'),
    k           bigint NOT NULL CHECK (k >= 1),
    allow_zero  boolean NOT NULL,
    stamp       bigint NOT NULL,
    figures     bigint NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    joint       jsonb NOT NULL,
    PRIMARY KEY (table_name, exam, centre, prefecture, k, allow_zero)
);
COMMENT ON TABLE stats.exam_joint IS
    'An exam table''s joint table over every period of the lattice, after disclosure control and its audit, for one '
    'set of filters other than the period (written by the job, read by every release while stamp is the cube''s)';
COMMENT ON COLUMN stats.exam_joint.exam IS 'Exam filter ('''' = all exams)';
COMMENT ON COLUMN stats.exam_joint.centre IS 'Centre filter ('''' = all centres)';
COMMENT ON COLUMN stats.exam_joint.prefecture IS 'Candidate prefecture filter, JIS X 0401 ('''' = all)';
COMMENT ON COLUMN stats.exam_joint.k IS 'The rules it was protected under: threshold stats_k';
COMMENT ON COLUMN stats.exam_joint.allow_zero IS 'The rules it was protected under: stats_allow_zero';
COMMENT ON COLUMN stats.exam_joint.stamp IS
    'exam.stats_refresh.refreshed_at (microseconds since the epoch) of the cube the figures are of';
COMMENT ON COLUMN stats.exam_joint.figures IS
    'A 64-bit hash of the month figures it was computed from: a refresh that leaves them as they were only restamps it';
COMMENT ON COLUMN stats.exam_joint.joint IS
    'groups, periods [[fiscal year (-1 = all time), period index]], cells per period and group: counts, their states, '
    'the measures'' states, the sum of scaled scores (stats/st_tables.c st_joint_json)';
