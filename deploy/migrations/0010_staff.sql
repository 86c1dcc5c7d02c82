-- 0010: agency staff accounts (Argon2id + TOTP) and their sign-in sessions.
CREATE SCHEMA staff;
COMMENT ON SCHEMA staff IS 'Agency staff: accounts, roles and sign-in sessions';

CREATE TABLE staff.accounts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username        text NOT NULL UNIQUE CHECK (username ~ '^[a-z][a-z0-9_.-]{2,39}$'),
    display_name    text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    role            text NOT NULL CHECK (role IN ('proctor', 'registrar', 'psychometrician', 'statistician', 'auditor')),
    centre_code     text CHECK (centre_code ~ '^[A-Z0-9-]{3,20}$'),
    password_hash   text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    totp_secret     text NOT NULL CHECK (totp_secret ~ '^[A-Z2-7]{32}$'),
    totp_last_step  bigint NOT NULL DEFAULT 0,
    failed_logins   integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until    timestamptz,
    disabled        boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (role <> 'proctor' OR centre_code IS NOT NULL)
);
COMMENT ON TABLE staff.accounts IS 'One row per staff member; proctors belong to one test centre. Passwords as Argon2id PHC strings, TOTP secrets in base32';

CREATE TABLE staff.sessions (
    token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    account_id  bigint NOT NULL REFERENCES staff.accounts(id) ON DELETE CASCADE,
    csrf        text NOT NULL CHECK (length(csrf) = 22),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
COMMENT ON TABLE staff.sessions IS 'Signed-in staff sessions, keyed by SHA-256 of the cookie token (the token itself is never stored)';
CREATE INDEX sessions_expiry_idx ON staff.sessions (expires_at);
COMMENT ON INDEX staff.sessions_expiry_idx IS 'Serves the purge of expired sessions';
