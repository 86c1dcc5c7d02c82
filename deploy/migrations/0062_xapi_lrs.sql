-- 0062: the Learning Record Store's frame (xAPI 1.0.3): providers' xAPI credentials, the
-- documents of the State, Activity Profile and Agent Profile resources, and the Activity
-- definitions merged from statements. The statements themselves are in 0060-0061.
CREATE SCHEMA IF NOT EXISTS xapi;
COMMENT ON SCHEMA xapi IS 'xAPI 1.0.3 Learning Record Store (module cpd-tracker): statements, documents, activities, credentials';

CREATE TABLE xapi.credentials (
    username        text PRIMARY KEY CHECK (username ~ '^rxu_[0-9a-f]{16}$'),
    provider_id     bigint NOT NULL REFERENCES cpd.providers (id),
    password_sha256 bytea NOT NULL CHECK (length(password_sha256) = 32),
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz
);
COMMENT ON TABLE xapi.credentials IS 'HTTP Basic credentials of a provider''s LMS for /xapi/; the password is 256 random bits, so its SHA-256 alone is kept (no slow hash needed)';
COMMENT ON COLUMN xapi.credentials.username IS 'rxu_ + 64 random bits in hex; issued with the provider (riss provider add)';
COMMENT ON COLUMN xapi.credentials.password_sha256 IS 'SHA-256 of the password (rxp_ + 43 base64url characters)';
COMMENT ON COLUMN xapi.credentials.revoked_at IS 'set when the credential stops working (a new one was issued)';
CREATE UNIQUE INDEX credentials_live_idx ON xapi.credentials (provider_id) WHERE revoked_at IS NULL;
COMMENT ON INDEX xapi.credentials_live_idx IS 'At most one live credential per provider';

CREATE TABLE xapi.documents (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id   bigint NOT NULL REFERENCES cpd.providers (id),
    kind          text NOT NULL CHECK (kind IN ('state', 'activity_profile', 'agent_profile')),
    activity_id   text NOT NULL DEFAULT '' CHECK (length(activity_id) <= 2048),
    agent_key     text NOT NULL DEFAULT '' CHECK (length(agent_key) <= 2100),
    registration  uuid,
    doc_id        text NOT NULL CHECK (length(doc_id) BETWEEN 1 AND 1024),
    content_type  text NOT NULL CHECK (length(content_type) BETWEEN 1 AND 200),
    content       bytea NOT NULL,
    etag          char(40) NOT NULL CHECK (etag ~ '^[0-9a-f]{40}$'),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'agent_profile') = (activity_id = '')),
    CHECK ((kind = 'activity_profile') = (agent_key = '')),
    CHECK (kind = 'state' OR registration IS NULL)
);
COMMENT ON TABLE xapi.documents IS 'Documents of the xAPI State, Activity Profile and Agent Profile resources, one row per document key, each provider''s own';
COMMENT ON COLUMN xapi.documents.kind IS 'state (activity, agent, registration, stateId); activity_profile (activity, profileId); agent_profile (agent, profileId)';
COMMENT ON COLUMN xapi.documents.agent_key IS 'the agent''s inverse functional identifier as one string (mbox:..., mbox_sha1sum:..., openid:..., account:<homePage> <name>); empty for activity profiles';
COMMENT ON COLUMN xapi.documents.doc_id IS 'stateId or profileId';
COMMENT ON COLUMN xapi.documents.etag IS 'SHA-1 of content in hex, sent quoted as the ETag';
COMMENT ON COLUMN xapi.documents.updated_at IS 'last change; the since parameter of a multiple-document GET compares with it';
CREATE UNIQUE INDEX documents_key_idx ON xapi.documents
    (provider_id, kind, activity_id, agent_key, COALESCE(registration, '00000000-0000-0000-0000-000000000000'), doc_id);
COMMENT ON INDEX xapi.documents_key_idx IS 'One document per key; serves single-document GET, PUT, POST and DELETE and the id lists (prefix)';

CREATE TABLE xapi.activities (
    provider_id  bigint NOT NULL REFERENCES cpd.providers (id),
    activity_id  text NOT NULL CHECK (length(activity_id) BETWEEN 1 AND 2048),
    definition   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(definition) = 'object'),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, activity_id)
);
COMMENT ON TABLE xapi.activities IS 'Activity definitions as the Activities resource answers them: merged from the statements a provider sent (language maps merged, other members replaced by the newest)';
COMMENT ON COLUMN xapi.activities.definition IS 'the merged Activity Definition object';
