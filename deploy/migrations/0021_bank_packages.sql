-- 0021: exam packages (item-bank/ib_package.h): the immutable hand-over from the bank to
-- delivery. One row per published package: the whole document and its SHA-256, checked at
-- every load. The document never changes once stored; only the state moves
-- published -> active -> retired (or published -> retired), and a row is never deleted.
CREATE TABLE bank.packages (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    exam          text NOT NULL REFERENCES bank.exams (code),
    sha256        bytea NOT NULL CHECK (octet_length(sha256) = 32),
    document      text COMPRESSION lz4 NOT NULL CHECK (octet_length(document) BETWEEN 2 AND 268435456),
    n_items       integer NOT NULL CHECK (n_items BETWEEN 1 AND 200000),
    exam_version  text NOT NULL CHECK (exam_version ~ '^[0-9a-f]{16}$'),
    bank_version  text NOT NULL CHECK (bank_version ~ '^[0-9a-f]{16}$'),
    publisher     text NOT NULL CHECK (length(publisher) BETWEEN 1 AND 200),
    created_at    timestamptz NOT NULL DEFAULT now(),
    state         text NOT NULL DEFAULT 'published' CHECK (state IN ('published', 'active', 'retired')),
    activated_at  timestamptz,
    activated_by  text CHECK (activated_by IS NULL OR length(activated_by) BETWEEN 1 AND 200),
    retired_at    timestamptz,
    retired_by    text CHECK (retired_by IS NULL OR length(retired_by) BETWEEN 1 AND 200),
    CHECK (state <> 'published' OR (activated_at IS NULL AND retired_at IS NULL)),
    CHECK (state <> 'active' OR (activated_at IS NOT NULL AND retired_at IS NULL)),
    CHECK (state <> 'retired' OR retired_at IS NOT NULL)
);
COMMENT ON TABLE bank.packages IS 'Exam packages: immutable documents (engine bank with Sympson-Hetter parameters, candidate views ja/en, keys, exam definition, publisher, time) that delivery serves; secret like the items';
COMMENT ON COLUMN bank.packages.sha256 IS 'SHA-256 of document, checked at every load: a package whose bytes do not match is never served';
COMMENT ON COLUMN bank.packages.document IS 'The package document (JSON, format riss-exam-package 1); never changed after insert; lz4 in TOAST (a node loads it whole at first use: lz4 decompresses several times faster than pglz)';
COMMENT ON COLUMN bank.packages.exam_version IS 'The engine''s hash of the exam definition in the package (hex)';
COMMENT ON COLUMN bank.packages.bank_version IS 'The engine''s hash of the engine bank in the package (hex), as a sitting''s state records it';
COMMENT ON COLUMN bank.packages.state IS 'published (may be activated), active (the exam''s package for new windows; at most one per exam), retired (superseded or withdrawn)';
CREATE UNIQUE INDEX packages_active_idx ON bank.packages (exam) WHERE state = 'active';
COMMENT ON INDEX bank.packages_active_idx IS 'At most one active package per exam; serves the active-package lookup';
CREATE INDEX packages_exam_idx ON bank.packages (exam, id DESC);
COMMENT ON INDEX bank.packages_exam_idx IS 'Serves riss exam packages (newest first per exam)';

-- The document and what describes it never change; the state only moves forward.
CREATE FUNCTION bank.packages_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'exam package % cannot be deleted (retire it)', OLD.id USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.exam IS DISTINCT FROM OLD.exam OR NEW.sha256 IS DISTINCT FROM OLD.sha256
       OR NEW.document IS DISTINCT FROM OLD.document OR NEW.n_items IS DISTINCT FROM OLD.n_items
       OR NEW.exam_version IS DISTINCT FROM OLD.exam_version OR NEW.bank_version IS DISTINCT FROM OLD.bank_version
       OR NEW.publisher IS DISTINCT FROM OLD.publisher OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        RAISE EXCEPTION 'exam package % is immutable (publish a new one to supersede it)', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.state IS DISTINCT FROM OLD.state AND NOT (
         (OLD.state = 'published' AND NEW.state IN ('active', 'retired')) OR
         (OLD.state = 'active' AND NEW.state = 'retired')) THEN
        RAISE EXCEPTION 'exam package %: % -> % is not a package step', OLD.id, OLD.state, NEW.state
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER packages_guard BEFORE UPDATE OR DELETE ON bank.packages
    FOR EACH ROW EXECUTE FUNCTION bank.packages_guard();
