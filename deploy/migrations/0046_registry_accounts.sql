-- 0046: registrants' self-service accounts (/me): activation by a one-time code from the
-- registrar desk, Argon2id password + TOTP, sessions kept only as hashes.
CREATE TABLE registry.accounts (
    regno            char(6) PRIMARY KEY REFERENCES registry.registrants (regno),
    password_hash    text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    totp_secret      text NOT NULL CHECK (totp_secret ~ '^[A-Z2-7]{32}$'),
    totp_last_step   bigint NOT NULL DEFAULT 0,
    failed_logins    integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until     timestamptz,
    activated_at     timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE registry.accounts IS 'A registrant''s sign-in for /me: Argon2id password hash and TOTP secret (base32); 5 failures lock it for 15 minutes';
COMMENT ON COLUMN registry.accounts.totp_last_step IS 'last TOTP time step accepted: a code is used once';

CREATE TABLE registry.activation_codes (
    regno        char(6) PRIMARY KEY REFERENCES registry.registrants (regno),
    code_sha256  bytea NOT NULL CHECK (length(code_sha256) = 32),
    created_by   text NOT NULL CHECK (length(created_by) BETWEEN 1 AND 200),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    CHECK (expires_at > created_at)
);
COMMENT ON TABLE registry.activation_codes IS 'The one-time code (only its SHA-256) a registrar prints or mails so that the registrant can activate /me; a new code replaces the old one';

CREATE TABLE registry.sessions (
    token_sha256  bytea PRIMARY KEY CHECK (length(token_sha256) = 32),
    regno         char(6) NOT NULL REFERENCES registry.accounts (regno),
    csrf          text NOT NULL CHECK (length(csrf) BETWEEN 16 AND 24),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);
COMMENT ON TABLE registry.sessions IS 'Signed-in registrant sessions (cookie riss_me): the SHA-256 of the cookie token and the CSRF token of the session';
CREATE INDEX sessions_regno_idx ON registry.sessions (regno);
COMMENT ON INDEX registry.sessions_regno_idx IS 'Serves ending every session of a registrant';
