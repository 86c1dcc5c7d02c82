-- 0050: continuing training (CPD): the renewal rule versions, approved training providers
-- and their API keys, their courses and 特定講習 designations, and the completion records
-- they log. Never edit a landed migration: add 0051, 0052, ... (cpd-core 0050-0054,
-- renewal/lapse work 0055-0059).
CREATE SCHEMA cpd;
COMMENT ON SCHEMA cpd IS 'Continuing training of registered specialists: rule versions, training providers, courses, completion records';

CREATE TABLE cpd.rule_versions (
    version              integer PRIMARY KEY CHECK (version >= 1),
    effective_from       date NOT NULL UNIQUE
                         CHECK (extract(day FROM effective_from) = 1 AND extract(month FROM effective_from) IN (4, 10)),
    cycle_years          smallint NOT NULL CHECK (cycle_years BETWEEN 1 AND 10),
    online_per_year      smallint NOT NULL CHECK (online_per_year BETWEEN 0 AND 2),
    practical_per_cycle  smallint NOT NULL CHECK (practical_per_cycle BETWEEN 0 AND 3),
    application_days     smallint NOT NULL CHECK (application_days BETWEEN 0 AND 365),
    action_days          smallint NOT NULL CHECK (action_days BETWEEN 0 AND 365),
    rereg_bar_years      smallint NOT NULL CHECK (rereg_bar_years BETWEEN 0 AND 10),
    note                 text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    CHECK (online_per_year * cycle_years + practical_per_cycle <= 24)
);
COMMENT ON TABLE cpd.rule_versions IS 'The renewal rules as data: a cycle starting on valid_from is judged by the version with the latest effective_from on or before that day (cpd_rules_pick); the store reads the table and passes the row to the pure rules in cpd-tracker/cpd_rules.c';
COMMENT ON COLUMN cpd.rule_versions.effective_from IS 'First cycle start (1 April or 1 October) the version applies to';
COMMENT ON COLUMN cpd.rule_versions.cycle_years IS 'Length of a validity cycle in years';
COMMENT ON COLUMN cpd.rule_versions.online_per_year IS 'Online courses required in each year of the cycle (counted from the cycle start)';
COMMENT ON COLUMN cpd.rule_versions.practical_per_cycle IS 'Practical courses (agency 実践講習 or a designated 特定講習) required once per cycle';
COMMENT ON COLUMN cpd.rule_versions.application_days IS 'The renewal application is due this many days before the validity ends; no duty can be filled after that day';
COMMENT ON COLUMN cpd.rule_versions.action_days IS 'A registrant is "action needed" when an open duty is due within this many days';
COMMENT ON COLUMN cpd.rule_versions.rereg_bar_years IS 'After a cancellation (取消し) the person may not register again for this many years';
INSERT INTO cpd.rule_versions (version, effective_from, cycle_years, online_per_year, practical_per_cycle,
                               application_days, action_days, rereg_bar_years, note)
VALUES (1, DATE '2016-10-01', 3, 1, 1, 60, 90, 2,
        '情報処理の促進に関する法律 (2016): online course every year, practical course once per 3-year cycle');

CREATE TABLE cpd.providers (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name_ja          text NOT NULL UNIQUE CHECK (length(name_ja) BETWEEN 1 AND 200),
    name_en          text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    is_agency        boolean NOT NULL DEFAULT false,
    approved_from    date NOT NULL,
    approved_until   date,
    contact_name     text NOT NULL DEFAULT '' CHECK (length(contact_name) <= 200),
    contact_email    text NOT NULL DEFAULT '' CHECK (contact_email = '' OR contact_email ~ '^[^@[:space:]]{1,100}@[^@[:space:]]{1,150}$'),
    contact_phone    text NOT NULL DEFAULT '' CHECK (contact_phone ~ '^[0-9+() -]{0,30}$'),
    state            text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'suspended')),
    state_reason     text NOT NULL DEFAULT '' CHECK (length(state_reason) <= 500),
    key_hash         bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    key_hint         text NOT NULL CHECK (key_hint ~ '^rpk_[A-Za-z0-9_-]{4}$'),
    key_created_at   timestamptz NOT NULL DEFAULT now(),
    created_by       text NOT NULL CHECK (length(created_by) BETWEEN 1 AND 200),
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (approved_until IS NULL OR approved_until >= approved_from),
    CHECK ((state = 'suspended') = (state_reason <> ''))
);
COMMENT ON TABLE cpd.providers IS 'Training providers approved by the agency (one of them the agency itself); each authenticates with an API key of which only the SHA-256 is kept';
COMMENT ON COLUMN cpd.providers.is_agency IS 'The agency''s own training arm: its practical course (実践講習) counts without a 特定講習 designation';
COMMENT ON COLUMN cpd.providers.approved_from IS 'First day of the approval; completions before it count for nothing';
COMMENT ON COLUMN cpd.providers.approved_until IS 'Last day of the approval, NULL while open-ended; completions after it count for nothing';
COMMENT ON COLUMN cpd.providers.state IS 'active, or suspended by the agency (the key is then refused); state_reason says why';
COMMENT ON COLUMN cpd.providers.key_hash IS 'SHA-256 of the API key "rpk_<43 base64url characters>" (256 random bits); the key itself is shown once and never stored';
COMMENT ON COLUMN cpd.providers.key_hint IS 'The first 8 characters of the current key, so a provider and the agency can tell keys apart';
CREATE UNIQUE INDEX providers_one_agency_idx ON cpd.providers (is_agency) WHERE is_agency;
COMMENT ON INDEX cpd.providers_one_agency_idx IS 'At most one provider is the agency itself';

CREATE TABLE cpd.courses (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id  bigint NOT NULL REFERENCES cpd.providers (id),
    code         text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'),
    kind         text NOT NULL CHECK (kind IN ('online', 'practical')),
    title_ja     text NOT NULL CHECK (length(title_ja) BETWEEN 1 AND 200),
    title_en     text NOT NULL CHECK (length(title_en) BETWEEN 1 AND 200),
    hours        numeric(4,1) NOT NULL CHECK (hours > 0 AND hours <= 100),
    cycle_years  integer[] NOT NULL
                 CHECK (cardinality(cycle_years) BETWEEN 1 AND 8 AND array_ndims(cycle_years) = 1
                        AND 2016 <= ALL (cycle_years) AND 2100 >= ALL (cycle_years)),
    created_by   text NOT NULL CHECK (length(created_by) BETWEEN 1 AND 200),
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (provider_id, code),
    UNIQUE (id, provider_id),
    UNIQUE (id, kind)
);
COMMENT ON TABLE cpd.courses IS 'Courses a provider offers; the code is the provider''s own and unique per provider';
COMMENT ON COLUMN cpd.courses.kind IS 'online (the yearly online course) or practical (実践講習 / 特定講習, once per cycle)';
COMMENT ON COLUMN cpd.courses.hours IS 'Nominal length in hours';
COMMENT ON COLUMN cpd.courses.cycle_years IS 'Fiscal years (年度, April-March, named by the starting year) in which a completion of the course counts';
COMMENT ON CONSTRAINT courses_id_provider_id_key ON cpd.courses IS 'Lets completions prove by foreign key that their course is their provider''s own';
COMMENT ON CONSTRAINT courses_id_kind_key ON cpd.courses IS 'Lets designations prove by foreign key that their course is a practical one';

CREATE TABLE cpd.designations (
    course_id       bigint NOT NULL,
    kind            text NOT NULL DEFAULT 'practical' CHECK (kind = 'practical'),
    fiscal_year     integer NOT NULL CHECK (fiscal_year BETWEEN 2016 AND 2100),
    designation_no  text NOT NULL UNIQUE CHECK (designation_no ~ '^[A-Za-z0-9][A-Za-z0-9-]{0,39}$'),
    designated_by   text NOT NULL CHECK (length(designated_by) BETWEEN 1 AND 200),
    designated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (course_id, fiscal_year),
    FOREIGN KEY (course_id, kind) REFERENCES cpd.courses (id, kind)
);
COMMENT ON TABLE cpd.designations IS 'The agency''s designation of a private provider''s practical course as a 特定講習 for one fiscal year, with the designation number';
COMMENT ON COLUMN cpd.designations.kind IS 'Always practical: with the foreign key it keeps online courses from being designated';

CREATE TABLE cpd.completions (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id         bigint NOT NULL REFERENCES cpd.providers (id),
    provider_record_id  text NOT NULL CHECK (provider_record_id ~ '^[!-~]{1,64}$'),
    regno               char(6) NOT NULL REFERENCES registry.registrants (regno),
    course_id           bigint NOT NULL,
    completed_on        date NOT NULL CHECK (completed_on >= DATE '2016-10-01'),
    hours               numeric(4,1) NOT NULL CHECK (hours > 0 AND hours <= 100),
    via                 text NOT NULL CHECK (via IN ('api', 'csv', 'xapi')),
    received_at         timestamptz NOT NULL DEFAULT now(),
    posted_at           timestamptz,
    state               text NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected', 'voided')),
    decided_by          text NOT NULL DEFAULT '' CHECK (length(decided_by) <= 200),
    decided_at          timestamptz,
    reason              text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    corrects            bigint UNIQUE REFERENCES cpd.completions (id),
    FOREIGN KEY (course_id, provider_id) REFERENCES cpd.courses (id, provider_id),
    CONSTRAINT completions_not_future CHECK (completed_on <= (received_at AT TIME ZONE 'Asia/Tokyo')::date),
    CHECK (state <> 'accepted' OR posted_at IS NOT NULL),
    CHECK (state NOT IN ('rejected', 'voided') OR (decided_by <> '' AND decided_at IS NOT NULL AND reason <> ''))
);
COMMENT ON TABLE cpd.completions IS 'Completed courses logged by providers; (provider, provider_record_id) identifies a record, so resubmission is idempotent. A correction voids the old row and adds a new one that names it in corrects: both stay as history';
COMMENT ON COLUMN cpd.completions.provider_record_id IS 'The provider''s own id of the record (printable ASCII, 1-64)';
COMMENT ON COLUMN cpd.completions.regno IS 'Registration number of the registrant who completed the course (checked through registry''s public reg_registrants_exist before insert)';
COMMENT ON COLUMN cpd.completions.course_id IS 'The course; the foreign key with provider_id makes it the provider''s own';
COMMENT ON COLUMN cpd.completions.hours IS 'Hours the registrant attended';
COMMENT ON COLUMN cpd.completions.via IS 'How the record arrived: JSON API, CSV upload or xAPI statement';
COMMENT ON COLUMN cpd.completions.received_at IS 'When rissd received the record';
COMMENT ON COLUMN cpd.completions.posted_at IS 'When the record was credited to the registrant''s duties (accepted); kept after a void';
COMMENT ON COLUMN cpd.completions.state IS 'pending (held for a check), accepted (counts for the duties the rules give it), rejected by the agency, voided by a correction';
COMMENT ON COLUMN cpd.completions.decided_by IS 'Who rejected or voided the record ("provider:3", "staff:suzuki")';
COMMENT ON COLUMN cpd.completions.reason IS 'Why it was rejected or voided';
COMMENT ON COLUMN cpd.completions.corrects IS 'The voided record this one replaces (a correction)';
COMMENT ON CONSTRAINT completions_not_future ON cpd.completions IS 'No completion dated after the day (in Japan) it was received';
CREATE UNIQUE INDEX completions_record_idx ON cpd.completions (provider_id, provider_record_id) WHERE state <> 'voided';
COMMENT ON INDEX cpd.completions_record_idx IS 'One live record per provider record id; serves the idempotency lookup of each submission';
CREATE INDEX completions_regno_idx ON cpd.completions (regno, completed_on) WHERE state = 'accepted';
COMMENT ON INDEX cpd.completions_regno_idx IS 'Serves a registrant''s standing: accepted completions by date';
CREATE INDEX completions_provider_idx ON cpd.completions (provider_id, id);
COMMENT ON INDEX cpd.completions_provider_idx IS 'Serves a provider''s list of the records it sent, newest first';
