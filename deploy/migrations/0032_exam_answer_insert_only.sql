-- 0032: an answer writes one row, in exam.responses, and nothing else. The answered count and
-- the engine clock of a running session are read from its responses (the session row is only
-- share-locked by the answer, so a pause or end by the proctor waits for it); the session row
-- records them again when the sitting finishes. Per-row work on the insert is cut: the five
-- CHECK constraints become one (PostgreSQL rebuilds every CHECK expression of the table for
-- each INSERT statement), and the foreign key to exam.sessions (one extra query per answer)
-- is replaced by what it protected: the answer statement takes the session id from the
-- session row it locks, and sessions cannot be deleted (trigger below), so no response can
-- name a missing session.
ALTER TABLE exam.responses
    DROP CONSTRAINT responses_session_id_fkey,
    DROP CONSTRAINT responses_position_check,
    DROP CONSTRAINT responses_item_id_check,
    DROP CONSTRAINT responses_choice_check,
    DROP CONSTRAINT responses_score_check,
    DROP CONSTRAINT responses_engine_elapsed_s_check,
    ADD CONSTRAINT responses_values_check CHECK (position BETWEEN 0 AND 999 AND choice BETWEEN 0 AND 3
        AND score BETWEEN 0 AND 1 AND engine_elapsed_s >= 0 AND length(item_id) BETWEEN 1 AND 64);
COMMENT ON CONSTRAINT responses_values_check ON exam.responses IS
    'position 0-999, choice 0-3, score 0 or 1, engine time not negative, item id 1-64 characters (one constraint: cheaper per insert than five)';
COMMENT ON COLUMN exam.responses.session_id IS
    'The sitting; no foreign key (cost per answer): written only from a locked exam.sessions row, and sessions are never deleted (trigger sessions_keep)';

CREATE FUNCTION exam.sessions_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'exam sessions are never deleted: their responses and results refer to them';
END
$$;
COMMENT ON FUNCTION exam.sessions_keep() IS 'Refuses DELETE and TRUNCATE on exam.sessions (stands in for the foreign key from exam.responses)';
CREATE TRIGGER sessions_keep BEFORE DELETE OR TRUNCATE ON exam.sessions
    FOR EACH STATEMENT EXECUTE FUNCTION exam.sessions_keep();

COMMENT ON COLUMN exam.sessions.answered IS
    'Responses stored when the sitting finished; while it runs the count is that of exam.responses';
COMMENT ON COLUMN exam.sessions.last_engine_s IS
    'Engine clock of the last response when the sitting finished; while it runs, max(engine_elapsed_s) of exam.responses';
COMMENT ON TABLE exam.sessions IS 'One sitting: the engine replay inputs (exam and bank version, seed), the server clock (used_ms + time since running_since), pause state and the workstation binding; tokens only as SHA-256. Not written by answers (they only share-lock the row)';
