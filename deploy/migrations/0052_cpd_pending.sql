-- 0052: completions that cannot be credited automatically but are not plainly wrong are
-- received and held (state pending) for the agency's CPD desk, with the reasons (holds).
-- The rule that decides the holds is cpd-tracker's (cpd_completion_holds in cpd_rules.c);
-- the schema only keeps the codes and their consistency with the state.
ALTER TABLE cpd.completions
    ADD COLUMN holds text[] NOT NULL DEFAULT '{}'
        CHECK (holds <@ ARRAY['not_designated', 'outside_approval', 'hours_short', 'before_registration']::text[]),
    ADD CONSTRAINT completions_pending_has_holds CHECK (state <> 'pending' OR cardinality(holds) > 0);
COMMENT ON COLUMN cpd.completions.holds IS 'Why the record was held for the CPD desk when it arrived (not_designated: a private practical course not designated 特定講習 for that fiscal year; outside_approval: completed outside the provider''s approval period; hours_short: fewer hours than the course; before_registration: completed before the registration date). Empty for a record credited at once. Kept after the desk''s decision: on an accepted record these are the checks the desk waived';
COMMENT ON CONSTRAINT completions_pending_has_holds ON cpd.completions IS 'A pending record always says why it waits';
CREATE INDEX completions_pending_idx ON cpd.completions (received_at, id) WHERE state = 'pending';
COMMENT ON INDEX cpd.completions_pending_idx IS 'Serves the CPD desk''s list of pending records, oldest first';
