-- 0001: the audit trail every module writes to. Never edit a landed migration: add a new one.
CREATE SCHEMA audit;
COMMENT ON SCHEMA audit IS 'Append-only audit trail of staff and system actions';

CREATE TABLE audit.events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    role        text NOT NULL CHECK (length(role) BETWEEN 1 AND 40),
    action      text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.]{1,79}$'),
    object      text NOT NULL DEFAULT '' CHECK (length(object) <= 200),
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
    request_id  text NOT NULL DEFAULT '' CHECK (length(request_id) <= 64)
);
COMMENT ON TABLE audit.events IS 'One row per audited action (who, as which role, did what to which object); rows are never updated or deleted';
CREATE INDEX events_object_idx ON audit.events (object, at);
COMMENT ON INDEX audit.events_object_idx IS 'Serves the auditors'' query: history of one object in time order';

-- The trail is append-only: updates and deletes are refused by the database itself.
CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit.events is append-only';
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON audit.events
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
