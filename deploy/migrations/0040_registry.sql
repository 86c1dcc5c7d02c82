-- 0040: the register of RISS (registrants, applications, status history), the credentials
-- issued to them, the Token Status List entries and the transparency log. Never edit a
-- landed migration: add 0041, 0042, ...
CREATE SCHEMA registry;
COMMENT ON SCHEMA registry IS 'The register of Registered Information Security Specialists, their credentials, status lists and transparency log';

-- Registration numbers are allocated from one counter row updated in the allocating
-- transaction: a rolled-back registration gives its number back, so there are no gaps,
-- and the row lock serialises concurrent registrations.
CREATE TABLE registry.regno_counter (
    id           boolean PRIMARY KEY DEFAULT true CHECK (id),
    last_number  integer NOT NULL DEFAULT 0 CHECK (last_number BETWEEN 0 AND 999999)
);
COMMENT ON TABLE registry.regno_counter IS 'One row: the last registration number allocated (numbers run 000001, 000002, ... without gaps)';
INSERT INTO registry.regno_counter (id, last_number) VALUES (true, 0);

CREATE TABLE registry.applications (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    exam_result_ref   text NOT NULL CHECK (length(exam_result_ref) BETWEEN 1 AND 100),
    exam_pass_date    date NOT NULL,
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    name_kana         text NOT NULL CHECK (length(name_kana) BETWEEN 1 AND 100),
    name_latn         text NOT NULL CHECK (name_latn ~ '^[A-Za-z][A-Za-z .''-]{0,99}$'),
    date_of_birth     date NOT NULL CHECK (date_of_birth > DATE '1900-01-01'),
    published_fields  text[] NOT NULL DEFAULT ARRAY['name', 'name_latn', 'reg_date', 'valid_until']
                      CHECK (published_fields <@ ARRAY['name', 'name_kana', 'name_latn', 'reg_date',
                             'valid_until', 'renewal_count', 'exam_pass_date']),
    state             text NOT NULL DEFAULT 'submitted'
                      CHECK (state IN ('submitted', 'approved', 'rejected', 'registered')),
    review_note       text NOT NULL DEFAULT '' CHECK (length(review_note) <= 500),
    reviewed_by       text NOT NULL DEFAULT '' CHECK (length(reviewed_by) <= 200),
    regno             char(6),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((state = 'registered') = (regno IS NOT NULL))
);
COMMENT ON TABLE registry.applications IS 'Applications for registration, each resting on a passed exam result (exam_result_ref names it loosely: exam.* may live elsewhere); submitted -> approved|rejected -> registered';
CREATE UNIQUE INDEX applications_live_exam_idx ON registry.applications (exam_result_ref)
    WHERE state <> 'rejected';
COMMENT ON INDEX registry.applications_live_exam_idx IS 'One live application per exam pass (a rejected one may be followed by another)';

CREATE TABLE registry.registrants (
    regno             char(6) PRIMARY KEY CHECK (regno ~ '^[0-9]{6}$' AND regno <> '000000'),
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    name_kana         text NOT NULL CHECK (length(name_kana) BETWEEN 1 AND 100),
    name_latn         text NOT NULL CHECK (name_latn ~ '^[A-Za-z][A-Za-z .''-]{0,99}$'),
    date_of_birth     date NOT NULL CHECK (date_of_birth > DATE '1900-01-01'),
    exam_result_ref   text NOT NULL CHECK (length(exam_result_ref) BETWEEN 1 AND 100),
    exam_pass_date    date NOT NULL,
    application_id    bigint UNIQUE REFERENCES registry.applications (id),
    reg_date          date NOT NULL
                      CHECK (extract(day FROM reg_date) = 1 AND extract(month FROM reg_date) IN (4, 10)),
    valid_from        date NOT NULL
                      CHECK (extract(day FROM valid_from) = 1 AND extract(month FROM valid_from) IN (4, 10)),
    valid_until       date NOT NULL,
    renewal_count     integer NOT NULL DEFAULT 0 CHECK (renewal_count BETWEEN 0 AND 100),
    status            text NOT NULL DEFAULT 'active'
                      CHECK (status IN ('active', 'suspended', 'lapsed', 'cancelled', 'deregistered')),
    status_reason     text NOT NULL DEFAULT '' CHECK (length(status_reason) <= 500),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    published_fields  text[] NOT NULL DEFAULT ARRAY['name', 'name_latn', 'reg_date', 'valid_until']
                      CHECK (published_fields <@ ARRAY['name', 'name_kana', 'name_latn', 'reg_date',
                             'valid_until', 'renewal_count', 'exam_pass_date']),
    created_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_until = (valid_from + interval '3 years' - interval '1 day')::date),
    CHECK (valid_from >= reg_date),
    CHECK (exam_pass_date <= reg_date)
);
COMMENT ON TABLE registry.registrants IS 'Registered specialists: 6-digit number, names, date of birth (never published), the exam pass, current 3-year validity [valid_from, valid_until], renewal count, status and the fields the person chose to publish';
CREATE INDEX registrants_name_idx ON registry.registrants (name text_pattern_ops);
COMMENT ON INDEX registry.registrants_name_idx IS 'Serves public register search by name (kanji) prefix';
CREATE INDEX registrants_name_kana_idx ON registry.registrants (name_kana text_pattern_ops);
COMMENT ON INDEX registry.registrants_name_kana_idx IS 'Serves public register search by name (kana) prefix';
CREATE INDEX registrants_name_latn_idx ON registry.registrants (lower(name_latn) text_pattern_ops);
COMMENT ON INDEX registry.registrants_name_latn_idx IS 'Serves public register search by romaji prefix, case-insensitive';
CREATE INDEX registrants_lapse_idx ON registry.registrants (valid_until) WHERE status IN ('active', 'suspended');
COMMENT ON INDEX registry.registrants_lapse_idx IS 'Serves the automatic lapse sweep: live registrations past their validity';

ALTER TABLE registry.applications ADD FOREIGN KEY (regno) REFERENCES registry.registrants (regno);

CREATE TABLE registry.status_history (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    regno       char(6) NOT NULL REFERENCES registry.registrants (regno),
    at          timestamptz NOT NULL DEFAULT now(),
    old_status  text CHECK (old_status IN ('active', 'suspended', 'lapsed', 'cancelled', 'deregistered')),
    new_status  text NOT NULL CHECK (new_status IN ('active', 'suspended', 'lapsed', 'cancelled', 'deregistered')),
    reason      text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    actor       text NOT NULL CHECK (length(actor) BETWEEN 1 AND 200)
);
COMMENT ON TABLE registry.status_history IS 'Every status a registration has had, with who set it and why (old_status NULL on registration)';
CREATE INDEX status_history_regno_idx ON registry.status_history (regno, at);
COMMENT ON INDEX registry.status_history_regno_idx IS 'Serves the registrar''s history view of one registrant';

-- IETF OAuth Token Status List: lists of >= 131,072 two-bit entries; a credential takes a
-- random free index of the open list.
CREATE TABLE registry.status_lists (
    id          integer PRIMARY KEY CHECK (id BETWEEN 1 AND 1000000),
    size        integer NOT NULL CHECK (size >= 131072 AND size % 4 = 0 AND size <= 16777216),
    used        integer NOT NULL DEFAULT 0 CHECK (used >= 0 AND used <= size),
    created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE registry.status_lists IS 'Token Status Lists (served at <base>/statuslists/<id>); the highest id is the one new credentials draw from; used counts its allocated entries';

CREATE TABLE registry.status_entries (
    list_id     integer NOT NULL REFERENCES registry.status_lists (id),
    idx         integer NOT NULL CHECK (idx >= 0),
    status      smallint NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2)),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (list_id, idx)
);
COMMENT ON TABLE registry.status_entries IS 'Allocated status list entries: 0 valid, 1 invalid (revoked), 2 suspended; unallocated entries are 0';
CREATE INDEX status_entries_set_idx ON registry.status_entries (list_id) WHERE status <> 0;
COMMENT ON INDEX registry.status_entries_set_idx IS 'Serves building a list: only the non-zero entries are read';

-- Transparency log (RFC 9162 leaves). The state row is the gapless leaf counter.
CREATE TABLE registry.tlog_state (
    id     boolean PRIMARY KEY DEFAULT true CHECK (id),
    size   bigint NOT NULL DEFAULT 0 CHECK (size >= 0)
);
COMMENT ON TABLE registry.tlog_state IS 'One row: the number of leaves in the transparency log (the next leaf index)';
INSERT INTO registry.tlog_state (id, size) VALUES (true, 0);

CREATE TABLE registry.tlog_leaves (
    idx         bigint PRIMARY KEY CHECK (idx >= 0),
    kind        text NOT NULL CHECK (kind IN ('issue', 'status')),
    data        bytea NOT NULL CHECK (length(data) BETWEEN 1 AND 8192),
    hash        bytea NOT NULL CHECK (length(hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE registry.tlog_leaves IS 'Transparency log leaves: data is canonical JSON of an issuance or a status change, hash = SHA-256(0x00 || data)';

CREATE TABLE registry.tlog_checkpoints (
    size        bigint PRIMARY KEY CHECK (size >= 0),
    root        bytea NOT NULL CHECK (length(root) = 32),
    note        text NOT NULL CHECK (length(note) <= 16384),
    created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE registry.tlog_checkpoints IS 'Signed checkpoints (C2SP signed notes) of the transparency log, one per tree size';

CREATE TABLE registry.credentials (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    regno       char(6) NOT NULL REFERENCES registry.registrants (regno),
    jws         text NOT NULL CHECK (length(jws) BETWEEN 20 AND 4096),
    jws_sha256  bytea NOT NULL UNIQUE CHECK (length(jws_sha256) = 32),
    kid         text NOT NULL CHECK (length(kid) BETWEEN 1 AND 64),
    list_id     integer NOT NULL,
    status_idx  integer NOT NULL,
    iat         bigint NOT NULL,
    exp         bigint NOT NULL CHECK (exp > iat),
    leaf_idx    bigint NOT NULL UNIQUE REFERENCES registry.tlog_leaves (idx),
    UNIQUE (list_id, status_idx),
    FOREIGN KEY (list_id, status_idx) REFERENCES registry.status_entries (list_id, idx)
);
COMMENT ON TABLE registry.credentials IS 'Credentials issued (compact JWS), each with its status list entry and the log leaf recorded in the same transaction';
CREATE INDEX credentials_regno_idx ON registry.credentials (regno, exp);
COMMENT ON INDEX registry.credentials_regno_idx IS 'Serves status changes: the live credentials of one registrant';
