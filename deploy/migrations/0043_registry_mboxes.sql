-- 0043: e-mail addresses a registrant added at /me and confirmed with a one-time code sent to
-- the address (registry, registry/reg_mbox.c). A confirmed address identifies the registrant
-- to the Learning Record Store: a statement whose actor is mbox mailto:<address> or its
-- mbox_sha1sum credits that registrant (cpd-tracker asks through reg_mbox_resolve).
CREATE TABLE registry.mboxes (
    regno             char(6) NOT NULL REFERENCES registry.registrants (regno),
    address           text NOT NULL CHECK (length(address) BETWEEN 3 AND 254 AND address = lower(address)
                                           AND address ~ '^[^@[:space:]<>]+@[^@[:space:]<>]+$'),
    mbox_sha1         text NOT NULL CHECK (mbox_sha1 ~ '^[0-9a-f]{40}$'),
    code_sha256       bytea CHECK (length(code_sha256) = 32),
    code_expires_at   timestamptz,
    failed_attempts   integer NOT NULL DEFAULT 0 CHECK (failed_attempts BETWEEN 0 AND 5),
    added_at          timestamptz NOT NULL DEFAULT now(),
    confirmed_at      timestamptz,
    PRIMARY KEY (regno, address),
    CHECK ((confirmed_at IS NULL) = (code_sha256 IS NOT NULL)),
    CHECK ((code_sha256 IS NULL) = (code_expires_at IS NULL))
);
COMMENT ON TABLE registry.mboxes IS 'E-mail addresses a registrant added at /me (at most 5 each); confirmed ones identify the registrant in xAPI statements (actor mbox or mbox_sha1sum). Not the registrar''s contact address (registry.contacts)';
COMMENT ON COLUMN registry.mboxes.address IS 'The address in lower case, without mailto: (mbox mailto:<address> matches it case-insensitively)';
COMMENT ON COLUMN registry.mboxes.mbox_sha1 IS 'Lower-case hex SHA-1 of mailto:<address>: the xAPI mbox_sha1sum of the address';
COMMENT ON COLUMN registry.mboxes.code_sha256 IS 'SHA-256 of the one-time confirmation code mailed to the address while it is pending; NULL once confirmed';
COMMENT ON COLUMN registry.mboxes.code_expires_at IS 'The code works until then (24 hours after it was mailed)';
COMMENT ON COLUMN registry.mboxes.failed_attempts IS 'Wrong codes typed for this pending address; at 5 the code is used up and a new one must be mailed';
COMMENT ON COLUMN registry.mboxes.confirmed_at IS 'When the registrant typed (or followed) the code: from then statements with this address credit the registrant';
CREATE UNIQUE INDEX mboxes_confirmed_address_idx ON registry.mboxes (address) WHERE confirmed_at IS NOT NULL;
COMMENT ON INDEX registry.mboxes_confirmed_address_idx IS 'One registrant per confirmed address; serves reg_mbox_resolve by mbox';
CREATE UNIQUE INDEX mboxes_confirmed_sha1_idx ON registry.mboxes (mbox_sha1) WHERE confirmed_at IS NOT NULL;
COMMENT ON INDEX registry.mboxes_confirmed_sha1_idx IS 'Serves reg_mbox_resolve by mbox_sha1sum';
