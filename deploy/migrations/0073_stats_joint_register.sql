-- 0073 (stats6): every dated table is protected jointly over the period lattice, not the exam
-- tables alone. The register tables (registrations, renewals, lapses and cancellations by
-- month), the CPD completions and the score distribution are now each one joint table over
-- every period, protected and audited as a whole (stats/st_lattice.c); the job keeps the
-- register's and the score distribution's as it kept the exam tables' (0072). The table is
-- renamed for what it holds; a register table's stamp is registry.stats_refresh's.
ALTER TABLE stats.exam_joint RENAME TO joint;
ALTER TABLE stats.joint DROP CONSTRAINT exam_joint_table_name_check;
ALTER TABLE stats.joint ADD CONSTRAINT joint_table_name_check CHECK (table_name ~ '^(exam|register)_[a-z_]{1,40}$');
COMMENT ON TABLE stats.joint IS
    'A statistics table''s joint table over every period of the lattice, after disclosure control and its audit, for '
    'one set of filters other than the period (written by the job, read by every release while stamp is the '
    'aggregates'')';
COMMENT ON COLUMN stats.joint.stamp IS
    'The refresh time (microseconds since the epoch) of the aggregates the figures are of: exam.stats_refresh for '
    'exam_ tables, registry.stats_refresh for register_ tables';
COMMENT ON COLUMN stats.joint.joint IS
    'groups, periods [[fiscal year (-1 = all time), period index]], cells per period and group: counts, their states, '
    'the measures'' states, the exam tables'' sum of scaled scores; register tables also live [[count, state]] '
    '(stats/st_lattice.c st_lat_protected)';
