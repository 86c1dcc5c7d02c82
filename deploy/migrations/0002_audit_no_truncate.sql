-- 0002: the audit trail refuses TRUNCATE too (row triggers of 0001 cannot see it), so it is
-- append-only even for the owner role that runs migrations.
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON audit.events
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
