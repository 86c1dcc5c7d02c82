-- 0012: staff sessions end after session_idle_timeout seconds without use (ASVS 3.3.2),
-- besides their absolute lifetime (expires_at); the renewal job deletes ended ones
-- (issue 17: staff.sessions had no retention).
ALTER TABLE staff.sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
COMMENT ON COLUMN staff.sessions.last_seen_at IS 'Last request seen on the session (kept to within a tenth of the idle timeout, so not every request writes); older than session_idle_timeout means ended';
