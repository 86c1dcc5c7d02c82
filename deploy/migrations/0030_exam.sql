-- 0030: exam delivery at test centres: scheduling (windows, centres, candidates, bookings),
-- sittings with the engine's replay inputs, one row per answer, results and the retake rule.
CREATE SCHEMA exam;
COMMENT ON SCHEMA exam IS 'Exam delivery: scheduling, sittings, responses and results (module delivery/)';

CREATE TABLE exam.rules (
    exam_code    text PRIMARY KEY CHECK (exam_code ~ '^[A-Z0-9]{1,16}$'),
    retake_days  integer NOT NULL DEFAULT 30 CHECK (retake_days BETWEEN 0 AND 3650)
);
COMMENT ON TABLE exam.rules IS 'Per-exam delivery rules; retake_days = days a candidate waits after a sitting before the next one';
INSERT INTO exam.rules (exam_code, retake_days) VALUES ('SG', 30);

CREATE TABLE exam.centres (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{1,31}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    prefecture  text NOT NULL CHECK (length(prefecture) BETWEEN 1 AND 20),
    seats       integer NOT NULL CHECK (seats BETWEEN 1 AND 1000),
    created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE exam.centres IS 'Test centres; proctors belong to one centre by its code';

CREATE TABLE exam.windows (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    exam_code   text NOT NULL REFERENCES exam.rules (exam_code),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    opens_on    date NOT NULL,
    closes_on   date NOT NULL,
    CHECK (closes_on >= opens_on),
    UNIQUE (exam_code, name)
);
COMMENT ON TABLE exam.windows IS 'Exam windows: date ranges in which bookings for an exam may be sat';

CREATE TABLE exam.candidates (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name_kanji   text NOT NULL CHECK (length(name_kanji) BETWEEN 1 AND 100),
    name_kana    text NOT NULL CHECK (length(name_kana) BETWEEN 1 AND 100),
    name_romaji  text NOT NULL CHECK (name_romaji ~ '^[A-Za-z][A-Za-z .''-]{0,99}$'),
    birth_date   date NOT NULL CHECK (birth_date BETWEEN '1900-01-01' AND '2100-01-01'),
    email        text NOT NULL CHECK (email ~ '^[^@\s]{1,64}@[^@\s]{1,190}$'),
    phone        text NOT NULL DEFAULT '' CHECK (phone ~ '^[0-9+() -]{0,24}$'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (email, birth_date)
);
COMMENT ON TABLE exam.candidates IS 'People who book exams: names in kanji, kana and romaji, date of birth, contact';

CREATE TABLE exam.bookings (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    candidate_id   bigint NOT NULL REFERENCES exam.candidates (id),
    window_id      bigint NOT NULL REFERENCES exam.windows (id),
    centre_code    text NOT NULL REFERENCES exam.centres (code),
    sit_on         date NOT NULL,
    starts_at      time NOT NULL,
    status         text NOT NULL DEFAULT 'booked'
                   CHECK (status IN ('booked', 'admitted', 'sitting', 'finished', 'ended', 'cancelled', 'no_show')),
    extra_minutes  integer NOT NULL DEFAULT 0 CHECK (extra_minutes BETWEEN 0 AND 240),
    large_text     boolean NOT NULL DEFAULT false,
    high_contrast  boolean NOT NULL DEFAULT false,
    identity_checked_by text CHECK (length(identity_checked_by) <= 200),
    identity_checked_at timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (candidate_id, sit_on)
);
COMMENT ON TABLE exam.bookings IS 'A candidate booked to sit an exam at a centre on a day; accommodations approved in advance';
CREATE INDEX bookings_centre_day_idx ON exam.bookings (centre_code, sit_on, starts_at);
COMMENT ON INDEX exam.bookings_centre_day_idx IS 'Serves the proctor console: the day''s bookings at one centre';

CREATE TABLE exam.sessions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    booking_id       bigint NOT NULL UNIQUE REFERENCES exam.bookings (id),
    exam_code        text NOT NULL,
    exam_version     text NOT NULL CHECK (exam_version ~ '^[0-9a-f]{16}$'),
    bank_version     text NOT NULL CHECK (bank_version ~ '^[0-9a-f]{16}$'),
    seed             bigint NOT NULL,
    seat             text NOT NULL CHECK (length(seat) BETWEEN 1 AND 16),
    status           text NOT NULL DEFAULT 'admitted'
                     CHECK (status IN ('admitted', 'running', 'paused', 'finished', 'ended')),
    time_limit_s     integer NOT NULL CHECK (time_limit_s BETWEEN 60 AND 86400),
    extra_s          integer NOT NULL DEFAULT 0 CHECK (extra_s BETWEEN 0 AND 86400),
    used_ms          bigint NOT NULL DEFAULT 0 CHECK (used_ms >= 0),
    answered         integer NOT NULL DEFAULT 0 CHECK (answered BETWEEN 0 AND 1000),
    last_engine_s    integer NOT NULL DEFAULT 0 CHECK (last_engine_s >= 0),
    running_since    timestamptz,
    token_hash       bytea UNIQUE CHECK (length(token_hash) = 32),
    workstation_hash bytea CHECK (length(workstation_hash) = 32),
    admit_code_hash  bytea UNIQUE CHECK (length(admit_code_hash) = 32),
    admit_expires    timestamptz,
    end_reason       text CHECK (length(end_reason) <= 500),
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    CHECK ((status = 'running') = (running_since IS NOT NULL))
);
COMMENT ON TABLE exam.sessions IS 'One sitting: the engine replay inputs (exam and bank version, seed), the server clock (used_ms + time since running_since), pause state and the workstation binding; tokens only as SHA-256';
COMMENT ON COLUMN exam.sessions.token_hash IS 'SHA-256 of the 256-bit riss_exam cookie value';
COMMENT ON COLUMN exam.sessions.workstation_hash IS 'SHA-256 of the riss_ws cookie of the workstation the proctor admitted to';

CREATE TABLE exam.responses (
    session_id   bigint NOT NULL REFERENCES exam.sessions (id),
    position     integer NOT NULL CHECK (position BETWEEN 0 AND 999),
    item_id      text NOT NULL CHECK (length(item_id) BETWEEN 1 AND 64),
    choice       smallint NOT NULL CHECK (choice BETWEEN 0 AND 3),
    score        smallint NOT NULL CHECK (score IN (0, 1)),
    engine_elapsed_s integer NOT NULL CHECK (engine_elapsed_s >= 0),
    answered_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, position)
);
COMMENT ON TABLE exam.responses IS 'One row per answer, committed before the next item is sent; (session, position) unique so a resend is idempotent; engine_elapsed_s is what the engine saw, for bit-exact replay';

CREATE TABLE exam.results (
    session_id    bigint PRIMARY KEY REFERENCES exam.sessions (id),
    candidate_id  bigint NOT NULL REFERENCES exam.candidates (id),
    exam_code     text NOT NULL,
    scaled        integer NOT NULL CHECK (scaled BETWEEN 0 AND 1000),
    passed        boolean NOT NULL,
    complete      boolean NOT NULL,
    theta         double precision NOT NULL,
    se            double precision NOT NULL,
    stop_reason   text NOT NULL CHECK (length(stop_reason) BETWEEN 1 AND 40),
    operational   integer NOT NULL CHECK (operational >= 0),
    pretest       integer NOT NULL CHECK (pretest >= 0),
    domains       jsonb NOT NULL,
    registered    boolean NOT NULL DEFAULT false,
    finished_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE exam.results IS 'Final result of a sitting; passed results are what the registry registers later (registered flips when it does)';
CREATE INDEX results_candidate_idx ON exam.results (candidate_id, finished_at);
COMMENT ON INDEX exam.results_candidate_idx IS 'Serves the retake rule: a candidate''s last sitting';
