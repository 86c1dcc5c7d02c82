-- 0048: a registrant's sign-in backoff per account AND client address, as staff have since
-- 0011 (issue 17, finding 6): with one count per account anyone who knew a registration
-- number could make its holder wait; now only the address that failed waits.
CREATE TABLE registry.sign_in_backoff (
    regno          char(6) NOT NULL REFERENCES registry.accounts (regno) ON DELETE CASCADE,
    client         text NOT NULL CHECK (length(client) <= 47),
    failures       integer NOT NULL CHECK (failures > 0),
    last_failed_at timestamptz NOT NULL,
    wait_until     timestamptz NOT NULL,
    PRIMARY KEY (regno, client)
);
COMMENT ON TABLE registry.sign_in_backoff IS 'Failed /me sign-ins in a row, per account and client address (as trusted_proxies resolve it); from the 3rd failure that address waits 15 s, doubling up to 15 min, before the account''s password is checked again. A success from the address deletes its row; a row whose last failure is 15 minutes old starts again at 1; the renewal job deletes rows 7 days quiet';
COMMENT ON COLUMN registry.sign_in_backoff.client IS 'Client address text ("" when rissd did not know it)';
COMMENT ON COLUMN registry.sign_in_backoff.wait_until IS 'Before this moment the address''s attempts on the account are refused (after a dummy Argon2 verify, so the refusal takes as long as a check)';

ALTER TABLE registry.accounts DROP COLUMN failed_logins, DROP COLUMN locked_until;
COMMENT ON TABLE registry.accounts IS 'A registrant''s sign-in for /me: Argon2id password hash and TOTP secret (base32); failures make the failing address wait (registry.sign_in_backoff)';

-- Sessions end after session_idle_timeout seconds without use (ASVS 3.3.2), besides their
-- absolute lifetime (expires_at); the renewal job deletes ended ones.
ALTER TABLE registry.sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
COMMENT ON COLUMN registry.sessions.last_seen_at IS 'Last request seen on the session (kept to within a tenth of the idle timeout, so not every request writes); older than session_idle_timeout means ended';
CREATE INDEX sessions_expires_idx ON registry.sessions (expires_at);
COMMENT ON INDEX registry.sessions_expires_idx IS 'Serves the renewal job''s purge of ended sessions';
