-- 0057: the reminder outbox (filled by the renewal job) and every attempt to send one.
CREATE TABLE cpd.reminders (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    regno           char(6) NOT NULL CHECK (regno ~ '^[0-9]{6}$'),
    kind            text NOT NULL CHECK (kind IN ('duty', 'application', 'overdue', 'evidence')),
    deadline        date NOT NULL,
    days_before     integer NOT NULL CHECK (days_before IN (0, 30, 60, 90)),
    lang            text NOT NULL CHECK (lang IN ('ja', 'en')),
    email           text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    subject         text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
    body            text NOT NULL CHECK (length(body) BETWEEN 1 AND 8000),
    state           text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 20),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    queued_at       timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    UNIQUE (regno, kind, deadline, days_before),
    CHECK ((state = 'sent') = (sent_at IS NOT NULL)),
    CHECK ((kind IN ('overdue', 'evidence')) = (days_before = 0))
);
COMMENT ON TABLE cpd.reminders IS 'Reminder outbox: one row per (registrant, deadline, threshold), written by the renewal job in the registrant''s language; the sender marks it sent, or failed after its last retry';
COMMENT ON COLUMN cpd.reminders.kind IS 'duty: a training duty is due; application: the renewal application is due (validity end - 60 days); overdue: a duty was missed; evidence: the CPD audit asks for evidence by the deadline';
COMMENT ON COLUMN cpd.reminders.days_before IS '90, 60 or 30 days before the deadline; 0 for an overdue notice or an evidence request';
COMMENT ON COLUMN cpd.reminders.next_attempt_at IS 'earliest time of the next attempt (exponential backoff after a failure)';
CREATE INDEX reminders_due_idx ON cpd.reminders (next_attempt_at) WHERE state = 'queued';
COMMENT ON INDEX cpd.reminders_due_idx IS 'Serves the sender: queued reminders whose next attempt is due';

CREATE TABLE cpd.send_attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reminder_id  bigint NOT NULL REFERENCES cpd.reminders (id),
    at           timestamptz NOT NULL DEFAULT now(),
    ok           boolean NOT NULL,
    server       text NOT NULL CHECK (length(server) <= 300),
    detail       text NOT NULL DEFAULT '' CHECK (length(detail) <= 1000)
);
COMMENT ON TABLE cpd.send_attempts IS 'Every attempt to hand a reminder to the SMTP server: when, to which server, whether it was accepted and the server''s or the client''s message';
CREATE INDEX send_attempts_reminder_idx ON cpd.send_attempts (reminder_id, at);
COMMENT ON INDEX cpd.send_attempts_reminder_idx IS 'Serves the history of one reminder';
