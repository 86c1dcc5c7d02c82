-- 0061: public keys a training provider registered for its signed xAPI statements
-- (cpd-tracker/xapi_keys.c; `riss provider set-key`). A signed statement whose JWS header has
-- no x5c certificate is verified against these keys (the header's kid picks one); with
-- neither x5c nor a registered key the signature is not verified (only its payload).
CREATE TABLE xapi.signing_keys (
    provider_id  bigint NOT NULL REFERENCES cpd.providers (id),
    kid          text NOT NULL CHECK (kid ~ '^[A-Za-z0-9._:-]{1,128}$'),
    thumbprint   text NOT NULL CHECK (thumbprint ~ '^[A-Za-z0-9_-]{43}$'),
    spki         bytea NOT NULL CHECK (length(spki) BETWEEN 200 AND 2200),
    bits         integer NOT NULL CHECK (bits BETWEEN 2048 AND 16384),
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text NOT NULL CHECK (length(created_by) BETWEEN 1 AND 200),
    PRIMARY KEY (provider_id, kid),
    UNIQUE (provider_id, thumbprint)
);
COMMENT ON TABLE xapi.signing_keys IS 'RSA public keys a provider registered for verifying the JWS of its signed statements (RS256/RS384/RS512) when the JWS carries no x5c; at most 8 per provider';
COMMENT ON COLUMN xapi.signing_keys.kid IS 'Key id: the JWK''s kid, else its RFC 7638 thumbprint; a JWS header kid selects this key';
COMMENT ON COLUMN xapi.signing_keys.thumbprint IS 'RFC 7638 JWK SHA-256 thumbprint (base64url) of the public key';
COMMENT ON COLUMN xapi.signing_keys.spki IS 'The public key as DER SubjectPublicKeyInfo';
COMMENT ON COLUMN xapi.signing_keys.bits IS 'RSA modulus size; keys under 2048 bits are refused';
