-- 0031: room for in-page (HOT) updates of exam.sessions. Every answer updates its session
-- row (answered, last_engine_s); with free space on the page PostgreSQL updates it in place
-- without touching the table's four indexes.
ALTER TABLE exam.sessions SET (fillfactor = 50);
COMMENT ON TABLE exam.sessions IS 'One sitting: the engine replay inputs (exam and bank version, seed), the server clock (used_ms + time since running_since), pause state and the workstation binding; tokens only as SHA-256. Updated once per answer, so pages keep half their space free (fillfactor 50) for in-place updates';
