-- 0067 (issue 15): the agency's counts of specialists per framework claim, computed by the job.
-- Counting every live registration's skill profile at request time did not answer within
-- 300 s at 100,000 registrants (one profile = several statements). The job (riss stats
-- refresh, riss jobs run, rissd's timer) now counts them in bulk and keeps the result here;
-- the statistics table skills_by_claim, GET /api/v1/skills/claims and riss skills claims read
-- it. fingerprint is a hash of every input of the profiles (live registrations, accepted
-- completions, the newest mapping set and its element titles): a refresh whose inputs hash
-- the same only restamps computed_at. Owned by cpd-tracker (cpd-tracker/store_skills.c).
CREATE TABLE skills.claim_counts (
    one         boolean PRIMARY KEY DEFAULT true CHECK (one),
    fingerprint bigint NOT NULL,
    computed_at timestamptz NOT NULL,
    counts      jsonb NOT NULL
);
COMMENT ON TABLE skills.claim_counts IS
    'One row: every live registration''s skill profile counted per claim ({computed_at, registrations, mapping_set, '
    'claims}), as of computed_at (cpd_skills_claim_counts_refresh; raw counts: the statistics layer suppresses)';
COMMENT ON COLUMN skills.claim_counts.fingerprint IS 'FNV-1a hash of the profiles'' inputs when counted';
