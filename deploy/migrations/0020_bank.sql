-- 0020: the item bank (schema bank): items and scenarios with their Japanese and English text,
-- lifecycle with who/when for every step, enemy pairs, parameter history, exposure counts and
-- stored responses for calibration. Item text and keys are secret: only item-bank/store*.c
-- reads them, for staff, and writes an audit.events row for every read.
CREATE SCHEMA bank;
COMMENT ON SCHEMA bank IS 'Item bank: item content, lifecycle, calibration history, responses';

CREATE TABLE bank.exams (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9]{1,16}$'),
    title       text CHECK (title IS NULL OR length(title) <= 200),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE bank.exams IS 'Exam codes the bank holds items for, with the title of the item file (meta record) they came from';

CREATE TABLE bank.scenarios (
    id          text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    version     integer NOT NULL CHECK (version BETWEEN 1 AND 1000000),
    exam        text NOT NULL REFERENCES bank.exams (code),
    title_ja    text NOT NULL CHECK (octet_length(title_ja) BETWEEN 1 AND 256),
    title_en    text NOT NULL CHECK (octet_length(title_en) BETWEEN 1 AND 256),
    passage_ja  text NOT NULL CHECK (octet_length(passage_ja) BETWEEN 1 AND 16384),
    passage_en  text NOT NULL CHECK (octet_length(passage_en) BETWEEN 1 AND 16384),
    author      text NOT NULL CHECK (length(author) BETWEEN 1 AND 64),
    reviewer    text CHECK (reviewer IS NULL OR (length(reviewer) BETWEEN 1 AND 64 AND reviewer <> author)),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE bank.scenarios IS 'Case passages shared by several part-B items (secret, staff-only, reads audited)';

CREATE TABLE bank.items (
    id              text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    version         integer NOT NULL CHECK (version BETWEEN 1 AND 1000000),
    exam            text NOT NULL REFERENCES bank.exams (code),
    status          text NOT NULL CHECK (status IN ('draft', 'review', 'pretest', 'operational', 'retired')),
    type            text NOT NULL CHECK (type IN ('single_choice')),
    domain          text NOT NULL CHECK (domain IN ('basics', 'management', 'measures', 'law', 'technology',
                                                    'it_management', 'strategy')),
    part            text NOT NULL CHECK (part IN ('A', 'B')),
    scenario_id     text REFERENCES bank.scenarios (id),
    stem_ja         text NOT NULL CHECK (octet_length(stem_ja) BETWEEN 1 AND 4096),
    stem_en         text NOT NULL CHECK (octet_length(stem_en) BETWEEN 1 AND 4096),
    options_ja      text[] NOT NULL CHECK (cardinality(options_ja) = 4 AND array_position(options_ja, NULL) IS NULL),
    options_en      text[] NOT NULL CHECK (cardinality(options_en) = 4 AND array_position(options_en, NULL) IS NULL),
    key             smallint NOT NULL CHECK (key BETWEEN 0 AND 3),
    rationale_ja    text NOT NULL CHECK (octet_length(rationale_ja) BETWEEN 1 AND 4096),
    rationale_en    text NOT NULL CHECK (octet_length(rationale_en) BETWEEN 1 AND 4096),
    author          text NOT NULL CHECK (length(author) BETWEEN 1 AND 64),
    reviewer        text CHECK (reviewer IS NULL OR (length(reviewer) BETWEEN 1 AND 64 AND reviewer <> author)),
    exposure_count  bigint NOT NULL DEFAULT 0 CHECK (exposure_count >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((part = 'B') = (scenario_id IS NOT NULL)),
    CHECK (status IN ('draft', 'review') OR reviewer IS NOT NULL)
);
COMMENT ON TABLE bank.items IS 'Current version of every item: text (ja/en), key, classification, status, exposure count (secret, staff-only, reads audited)';
CREATE INDEX items_status_idx ON bank.items (exam, status);
COMMENT ON INDEX bank.items_status_idx IS 'Serves riss bank publish and export --status: items of one exam in given states';

CREATE TABLE bank.item_versions (
    item_id     text NOT NULL REFERENCES bank.items (id),
    version     integer NOT NULL CHECK (version >= 1),
    line        text NOT NULL CHECK (octet_length(line) BETWEEN 2 AND 65537),
    actor       text NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (item_id, version)
);
COMMENT ON TABLE bank.item_versions IS 'Every version of every item as its canonical JSON line (docs/item-format.md), kept when a new version replaces it';

CREATE TABLE bank.enemies (
    item_a      text NOT NULL REFERENCES bank.items (id),
    item_b      text NOT NULL REFERENCES bank.items (id),
    PRIMARY KEY (item_a, item_b),
    CHECK (item_a < item_b)
);
COMMENT ON TABLE bank.enemies IS 'Enemy pairs (symmetric, stored once with item_a < item_b): never on the same exam';
CREATE INDEX enemies_b_idx ON bank.enemies (item_b);
COMMENT ON INDEX bank.enemies_b_idx IS 'Serves enemy lookups and deletes from the item_b side';

-- Lifecycle: the legal steps, and one row per step taken (who and when).
CREATE TABLE bank.lifecycle_steps (
    from_status text NOT NULL,
    to_status   text NOT NULL,
    PRIMARY KEY (from_status, to_status),
    CHECK (from_status <> to_status)
);
COMMENT ON TABLE bank.lifecycle_steps IS 'The legal lifecycle steps draft -> review -> pretest -> operational -> retired (plus sending back and retiring early)';
INSERT INTO bank.lifecycle_steps VALUES
    ('draft', 'review'), ('review', 'draft'), ('review', 'pretest'), ('pretest', 'review'),
    ('pretest', 'operational'), ('operational', 'retired'),
    ('draft', 'retired'), ('review', 'retired'), ('pretest', 'retired');

CREATE TABLE bank.transitions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id     text NOT NULL REFERENCES bank.items (id),
    from_status text,
    to_status   text NOT NULL CHECK (to_status IN ('draft', 'review', 'pretest', 'operational', 'retired')),
    actor       text NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    at          timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (from_status, to_status) REFERENCES bank.lifecycle_steps (from_status, to_status)
);
COMMENT ON TABLE bank.transitions IS 'One row per lifecycle step of an item (from_status NULL: the item entered the bank); who and when';
CREATE INDEX transitions_item_idx ON bank.transitions (item_id, at);
COMMENT ON INDEX bank.transitions_item_idx IS 'Serves the lifecycle history of one item';

-- A status change on bank.items must be a legal step and must be recorded in bank.transitions
-- by the same transaction (the store writes the row first, then updates the item).
CREATE FUNCTION bank.check_status_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF NOT EXISTS (SELECT 1 FROM bank.lifecycle_steps WHERE from_status = OLD.status AND to_status = NEW.status) THEN
            RAISE EXCEPTION 'illegal lifecycle step % -> % for item %', OLD.status, NEW.status, OLD.id
                USING ERRCODE = 'check_violation';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM bank.transitions WHERE item_id = NEW.id AND from_status = OLD.status
                       AND to_status = NEW.status AND at = now()) THEN
            RAISE EXCEPTION 'status change of item % is not recorded in bank.transitions', OLD.id
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER items_status_change BEFORE UPDATE OF status ON bank.items
    FOR EACH ROW EXECUTE FUNCTION bank.check_status_change();

-- Calibration runs and the parameter history they produce.
CREATE TABLE bank.calibration_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source      text NOT NULL CHECK (source IN ('import', 'calibration')),
    model       text NOT NULL CHECK (model IN ('rasch', '1pl', '2pl', '3pl')),
    loglik      double precision,
    iterations  integer CHECK (iterations IS NULL OR iterations >= 0),
    converged   boolean,
    n_persons   bigint CHECK (n_persons IS NULL OR n_persons >= 0),
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
    actor       text NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    at          timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE bank.calibration_runs IS 'One row per calibration run (or per import that brought parameters), with fit and convergence history in detail';

CREATE TABLE bank.item_params (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id      bigint NOT NULL REFERENCES bank.calibration_runs (id),
    item_id     text NOT NULL REFERENCES bank.items (id),
    model       text NOT NULL CHECK (model IN ('rasch', '1pl', '2pl', '3pl')),
    a           double precision NOT NULL CHECK (a > 0 AND a <= 20),
    b           double precision NOT NULL CHECK (b BETWEEN -20 AND 20),
    c           double precision NOT NULL CHECK (c >= 0 AND c < 1),
    se_a        double precision CHECK (se_a IS NULL OR se_a >= 0),
    se_b        double precision CHECK (se_b IS NULL OR se_b >= 0),
    se_c        double precision CHECK (se_c IS NULL OR se_c >= 0),
    fixed       boolean NOT NULL DEFAULT false,
    active      boolean NOT NULL DEFAULT false,
    UNIQUE (run_id, item_id),
    CHECK (model = '3pl' OR c = 0)
);
COMMENT ON TABLE bank.item_params IS 'Parameter history: each run''s estimates with standard errors; at most one active row per item';
CREATE UNIQUE INDEX item_params_active_idx ON bank.item_params (item_id) WHERE active;
COMMENT ON INDEX bank.item_params_active_idx IS 'Enforces one active parameter set per item and serves publish/export lookups of it';

CREATE TABLE bank.responses (
    person      text NOT NULL CHECK (length(person) BETWEEN 1 AND 200 AND person !~ '[[:cntrl:]]'),
    item_id     text NOT NULL REFERENCES bank.items (id),
    score       smallint NOT NULL CHECK (score IN (0, 1)),
    option      smallint CHECK (option IS NULL OR option BETWEEN 0 AND 3),
    at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person, item_id)
);
COMMENT ON TABLE bank.responses IS 'Scored responses (person = exam session) for calibration with riss calibrate --from-db';
CREATE INDEX responses_item_idx ON bank.responses (item_id);
COMMENT ON INDEX bank.responses_item_idx IS 'Serves per-item counts and calibration of a subset of items';
