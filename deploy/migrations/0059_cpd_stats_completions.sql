-- 0059: accepted completions per month, provider and course kind for the agency's statistics
-- (issue 15, stats7). The table cpd_completions read every accepted completion on each request
-- (about 300 ms at 300,000 completions, over the dashboard's 100 ms); it now reads this view,
-- refreshed by the job with the other aggregates (riss stats refresh, riss jobs run), and says
-- as of when (cpd.stats_refresh), like every other table.
CREATE MATERIALIZED VIEW cpd.stats_completions AS
SELECT date_trunc('month', c.completed_on)::date AS month, c.provider_id,
       count(*) FILTER (WHERE co.kind = 'online') AS online,
       count(*) FILTER (WHERE co.kind = 'practical') AS practical
  FROM cpd.completions c JOIN cpd.courses co ON co.id = c.course_id
 WHERE c.state = 'accepted'
 GROUP BY 1, 2;
COMMENT ON MATERIALIZED VIEW cpd.stats_completions IS
    'Accepted completions per month, provider and course kind for the statistics tables (cpd-tracker/store_stats.c); refreshed by the job';
CREATE UNIQUE INDEX stats_completions_key ON cpd.stats_completions (month, provider_id);
COMMENT ON INDEX cpd.stats_completions_key IS 'Serves the statistics query and REFRESH ... CONCURRENTLY';

CREATE TABLE cpd.stats_refresh (
    one          boolean PRIMARY KEY DEFAULT true CHECK (one),
    refreshed_at timestamptz NOT NULL
);
COMMENT ON TABLE cpd.stats_refresh IS 'When cpd.stats_completions was last refreshed (one row): the as-of time of the completions table';
-- The view was filled just now: that is its first refresh.
INSERT INTO cpd.stats_refresh (one, refreshed_at) VALUES (true, now());
