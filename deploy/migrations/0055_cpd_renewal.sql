-- 0055: renewal applications made by registrants, and the registrar's cases opened when a
-- training duty becomes overdue (they end closed or in cancellation, 取消し).
CREATE TABLE cpd.renewal_applications (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    regno         char(6) NOT NULL CHECK (regno ~ '^[0-9]{6}$'),
    valid_until   date NOT NULL,
    state         text NOT NULL DEFAULT 'submitted' CHECK (state IN ('submitted', 'approved', 'rejected')),
    submitted_at  timestamptz NOT NULL DEFAULT now(),
    submitted_by  text NOT NULL CHECK (length(submitted_by) BETWEEN 1 AND 200),
    standing      jsonb NOT NULL,
    decided_at    timestamptz,
    decided_by    text CHECK (length(decided_by) <= 200),
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    new_valid_until date,
    CHECK ((state = 'submitted') = (decided_at IS NULL)),
    CHECK ((state = 'approved') = (new_valid_until IS NOT NULL)),
    CHECK (state <> 'rejected' OR length(note) > 0)
);
COMMENT ON TABLE cpd.renewal_applications IS 'Renewal applications: accepted only when every training duty of the cycle is met (standing is the snapshot shown then); approval renews the registration and issues a new credential';
COMMENT ON COLUMN cpd.renewal_applications.regno IS 'registration number (registry.registrants, referenced loosely: the register is another module''s schema)';
COMMENT ON COLUMN cpd.renewal_applications.valid_until IS 'end of the validity the application renews';
COMMENT ON COLUMN cpd.renewal_applications.new_valid_until IS 'end of the new validity, set on approval';
CREATE UNIQUE INDEX renewal_applications_live_idx ON cpd.renewal_applications (regno, valid_until) WHERE state <> 'rejected';
COMMENT ON INDEX cpd.renewal_applications_live_idx IS 'One live application per registrant and validity (a rejected one may be followed by another)';
CREATE INDEX renewal_applications_state_idx ON cpd.renewal_applications (state, submitted_at);
COMMENT ON INDEX cpd.renewal_applications_state_idx IS 'Serves the registrar desk: applications waiting for a decision, oldest first';

CREATE TABLE cpd.cases (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    regno       char(6) NOT NULL CHECK (regno ~ '^[0-9]{6}$'),
    valid_until date NOT NULL,
    duty        text NOT NULL CHECK (length(duty) BETWEEN 1 AND 200),
    due         date NOT NULL,
    state       text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed', 'cancelled')),
    opened_at   timestamptz NOT NULL DEFAULT now(),
    decided_at  timestamptz,
    decided_by  text CHECK (length(decided_by) <= 200),
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    CHECK ((state = 'open') = (decided_at IS NULL))
);
COMMENT ON TABLE cpd.cases IS 'Overdue training duties opened by the renewal job for the registrar desk: closed (e.g. made good) or ending in cancellation of the registration';
COMMENT ON COLUMN cpd.cases.duty IS 'the first overdue duty (course kind and cycle year), as the job saw it';
COMMENT ON COLUMN cpd.cases.due IS 'the last day the duty could be met';
CREATE UNIQUE INDEX cases_one_per_cycle_idx ON cpd.cases (regno, valid_until);
COMMENT ON INDEX cpd.cases_one_per_cycle_idx IS 'One case per registrant and validity cycle: the job opens it once, however often it runs';
CREATE INDEX cases_open_idx ON cpd.cases (opened_at) WHERE state = 'open';
COMMENT ON INDEX cpd.cases_open_idx IS 'Serves the registrar desk: open cases, oldest first';

CREATE TABLE cpd.job_runs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz NOT NULL DEFAULT now(),
    runner       text NOT NULL CHECK (length(runner) BETWEEN 1 AND 200),
    as_of        date NOT NULL,
    summary      jsonb NOT NULL
);
COMMENT ON TABLE cpd.job_runs IS 'Each run of the renewal job (riss jobs run or the rissd timer) that held the advisory lock: the day it judged by and what it did';
