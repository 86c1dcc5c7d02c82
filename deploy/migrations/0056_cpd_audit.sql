-- 0056: the CPD audit: samples of registrants drawn at random, and for each the evidence
-- requested with its deadline and the outcome recorded.
CREATE TABLE cpd.audit_samples (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    drawn_at    timestamptz NOT NULL DEFAULT now(),
    drawn_by    text NOT NULL CHECK (length(drawn_by) BETWEEN 1 AND 200),
    size        integer NOT NULL CHECK (size BETWEEN 1 AND 1000),
    deadline    date NOT NULL
);
COMMENT ON TABLE cpd.audit_samples IS 'A draw of registrants at random whose training records are checked against evidence';
COMMENT ON COLUMN cpd.audit_samples.deadline IS 'the day by which evidence must be sent';

CREATE TABLE cpd.evidence_requests (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sample_id    bigint NOT NULL REFERENCES cpd.audit_samples (id),
    regno        char(6) NOT NULL CHECK (regno ~ '^[0-9]{6}$'),
    requested_at timestamptz NOT NULL DEFAULT now(),
    deadline     date NOT NULL,
    outcome      text NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'confirmed', 'not_confirmed', 'no_response')),
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    decided_at   timestamptz,
    decided_by   text CHECK (length(decided_by) <= 200),
    UNIQUE (sample_id, regno),
    CHECK ((outcome = 'pending') = (decided_at IS NULL))
);
COMMENT ON TABLE cpd.evidence_requests IS 'Evidence requested from one sampled registrant: deadline and the registrar''s outcome (confirmed, not confirmed, no response)';
CREATE INDEX evidence_requests_pending_idx ON cpd.evidence_requests (deadline) WHERE outcome = 'pending';
COMMENT ON INDEX cpd.evidence_requests_pending_idx IS 'Serves the registrar desk: evidence still awaited, nearest deadline first';
