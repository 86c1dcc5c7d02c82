-- bank (issue 12): activating a package supersedes the exam's active one instead of retiring
-- it. A superseded package stays usable by the windows that name it (a window opened on it
-- keeps admitting sittings on the package it was planned with) and can still be given to a
-- window explicitly; retirement stays one deliberate act, refused while an open window uses
-- the package. Before, activation retired the old package while open windows kept admitting
-- sittings on it, so "retired" meant two different things.
ALTER TABLE bank.packages DROP CONSTRAINT packages_state_check;
ALTER TABLE bank.packages
    ADD COLUMN superseded_at timestamptz,
    ADD COLUMN superseded_by text CHECK (superseded_by IS NULL OR length(superseded_by) BETWEEN 1 AND 200),
    ADD CONSTRAINT packages_state_check CHECK (state IN ('published', 'active', 'superseded', 'retired')),
    ADD CONSTRAINT packages_superseded_check
        CHECK (state <> 'superseded' OR (activated_at IS NOT NULL AND superseded_at IS NOT NULL AND retired_at IS NULL));
COMMENT ON COLUMN bank.packages.state IS
    'published (may be activated), active (the exam''s package for new windows; at most one per exam), superseded (another package was activated after it; windows that name it keep it), retired (withdrawn: no window may be given it)';
COMMENT ON COLUMN bank.packages.superseded_at IS 'When another package of the exam was activated in its place';
COMMENT ON COLUMN bank.packages.superseded_by IS 'Who activated the package that superseded it';
COMMENT ON CONSTRAINT packages_superseded_check ON bank.packages IS
    'A superseded package was active once and is not retired';

-- The document and what describes it never change; the state only moves forward:
-- published -> active | retired, active -> superseded | retired, superseded -> retired.
CREATE OR REPLACE FUNCTION bank.packages_guard() RETURNS trigger LANGUAGE plpgsql AS $$
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
         (OLD.state = 'active' AND NEW.state IN ('superseded', 'retired')) OR
         (OLD.state = 'superseded' AND NEW.state = 'retired')) THEN
        RAISE EXCEPTION 'exam package %: % -> % is not a package step', OLD.id, OLD.state, NEW.state
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
