-- 0028: what the bank's analyses found, per item: `riss analyze dif|drift --record` stores
-- one run and, for every item it analysed, its flag ('' = analysed, not flagged). An item
-- counts as flagged by an analysis when its latest recorded result of that kind is flagged;
-- a later run that clears it supersedes the flag. The pool health table counts them.
CREATE TABLE bank.analysis_runs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('dif', 'drift')),
    description  text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    recorded_by  text NOT NULL CHECK (length(recorded_by) BETWEEN 1 AND 200),
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE bank.analysis_runs IS 'One recorded run of a bank analysis (DIF or parameter drift) over a set of items';
COMMENT ON COLUMN bank.analysis_runs.description IS 'What was compared (DIF: the grouping column and focal value; drift: the parameter files)';

CREATE TABLE bank.analysis_results (
    run_id   bigint NOT NULL REFERENCES bank.analysis_runs (id),
    item_id  text NOT NULL REFERENCES bank.items (id),
    flag     text NOT NULL CHECK (flag IN ('', 'B', 'C', 'DRIFT-b', 'DRIFT-a', 'DRIFT-ab')),
    PRIMARY KEY (run_id, item_id)
);
COMMENT ON TABLE bank.analysis_results IS 'Every item a recorded run analysed, with what it found';
COMMENT ON COLUMN bank.analysis_results.flag IS 'DIF: the ETS class B (moderate) or C (large), '''' for A; drift: DRIFT-b (difficulty), DRIFT-a (slope), DRIFT-ab (both), '''' for none';
CREATE INDEX analysis_results_item_idx ON bank.analysis_results (item_id, run_id DESC);
COMMENT ON INDEX bank.analysis_results_item_idx IS 'Serves the latest result per item and kind (pool health: items flagged by DIF or drift)';
