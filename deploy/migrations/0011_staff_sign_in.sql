-- 0011: staff sign-in without a lock anyone can set (security review, issue 17, findings 6
-- and 7): a backoff per account AND client address replaces the account-wide lock, and
-- failures for user names that do not exist are counted per hour and address instead of
-- one audit row each.
CREATE TABLE staff.sign_in_backoff (
    account_id     bigint NOT NULL REFERENCES staff.accounts(id) ON DELETE CASCADE,
    client         text NOT NULL CHECK (length(client) <= 47),
    failures       integer NOT NULL CHECK (failures > 0),
    last_failed_at timestamptz NOT NULL,
    wait_until     timestamptz NOT NULL,
    PRIMARY KEY (account_id, client)
);
COMMENT ON TABLE staff.sign_in_backoff IS 'Failed staff sign-ins in a row, per account and client address (as trusted_proxies resolve it); from the 3rd failure that address waits 15 s, doubling up to 15 min, before the account''s password is checked again. A success from the address deletes its row; a row whose last failure is 15 minutes old starts again at 1';
COMMENT ON COLUMN staff.sign_in_backoff.client IS 'Client address text ("" when rissd did not know it)';
COMMENT ON COLUMN staff.sign_in_backoff.wait_until IS 'Before this moment the address''s attempts on the account are refused (after a dummy Argon2 verify, so the refusal takes as long as a check)';

CREATE TABLE staff.unknown_sign_in_failures (
    hour     timestamptz NOT NULL CHECK (date_trunc('hour', hour) = hour),
    client   text NOT NULL CHECK (length(client) <= 47),
    attempts integer NOT NULL CHECK (attempts > 0),
    PRIMARY KEY (hour, client)
);
COMMENT ON TABLE staff.unknown_sign_in_failures IS 'Sign-in attempts for user names that do not exist, counted per hour and client address; audit.events gets a staff.login.unknown row only at the 1st, 10th, 100th, ... attempt of a row, so spraying cannot fill the audit trail';

ALTER TABLE staff.accounts DROP COLUMN failed_logins, DROP COLUMN locked_until;
