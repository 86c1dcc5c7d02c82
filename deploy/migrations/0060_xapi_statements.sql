-- 0060: the xAPI 1.0.3 statement store of the Learning Record Store (cpd-tracker,
-- cpd-tracker/xapi_store.c): statements as the LRS stored them (immutable; only the voided
-- flag turns on once), attachment contents by hash, and what each completion-like
-- statement became for the CPD tracker. xapi-stmt owns 0060-0061.
CREATE SCHEMA xapi;
COMMENT ON SCHEMA xapi IS 'xAPI Learning Record Store: statements, attachments and their outcome as CPD completions (cpd-tracker)';

CREATE TABLE xapi.statements (
    provider_id     bigint NOT NULL REFERENCES cpd.providers (id),
    id              uuid NOT NULL,
    seq             bigint GENERATED ALWAYS AS IDENTITY,
    stored          timestamptz NOT NULL,
    verb_id         text NOT NULL CHECK (length(verb_id) BETWEEN 1 AND 2048),
    activity_id     text CHECK (length(activity_id) <= 2048),
    registration    uuid,
    target_id       uuid,
    is_voiding      boolean NOT NULL,
    voided          boolean NOT NULL DEFAULT false,
    agents          text[] NOT NULL,
    rel_agents      text[] NOT NULL,
    rel_activities  text[] NOT NULL,
    body            text NOT NULL CHECK (length(body) <= 1048576),
    PRIMARY KEY (provider_id, id),
    CHECK (NOT is_voiding OR target_id IS NOT NULL)
);
COMMENT ON TABLE xapi.statements IS 'Statements a provider''s LMS sent (one provider''s credentials see only its own); immutable apart from voided, which a voiding statement turns on once';
COMMENT ON COLUMN xapi.statements.provider_id IS 'The provider whose xAPI credentials sent it; statement ids are unique per provider';
COMMENT ON COLUMN xapi.statements.seq IS 'Order of storing: the order of GET answers and the position of `more` paging';
COMMENT ON COLUMN xapi.statements.stored IS 'When the LRS stored it (the statement''s "stored")';
COMMENT ON COLUMN xapi.statements.activity_id IS 'The object''s id when the object is an Activity (the activity filter)';
COMMENT ON COLUMN xapi.statements.target_id IS 'The id a StatementRef object names (for a voiding statement: the statement it voids)';
COMMENT ON COLUMN xapi.statements.is_voiding IS 'The verb is http://adlnet.gov/expapi/verbs/voided';
COMMENT ON COLUMN xapi.statements.voided IS 'A voiding statement targets it: it is left out of queries and found only by voidedStatementId';
COMMENT ON COLUMN xapi.statements.agents IS 'Inverse functional identifiers of the actor and of an Agent/Group object (the agent filter), as "mbox:..", "sha1:..", "openid:..", "account:<homePage> <name>"';
COMMENT ON COLUMN xapi.statements.rel_agents IS 'agents plus the authority, instructor, team and a SubStatement''s agents (related_agents=true)';
COMMENT ON COLUMN xapi.statements.rel_activities IS 'The object activity, the context activities and a SubStatement''s (related_activities=true)';
COMMENT ON COLUMN xapi.statements.body IS 'The statement as stored (JSON text with id, stored, authority and version set): the answer of format=exact';
CREATE UNIQUE INDEX statements_seq_idx ON xapi.statements (provider_id, seq);
COMMENT ON INDEX xapi.statements_seq_idx IS 'Serves GET /xapi/statements without filters, in either order, and `more` paging';
CREATE INDEX statements_verb_idx ON xapi.statements (provider_id, verb_id, seq);
COMMENT ON INDEX xapi.statements_verb_idx IS 'Serves the verb filter';
CREATE INDEX statements_activity_idx ON xapi.statements (provider_id, activity_id, seq) WHERE activity_id IS NOT NULL;
COMMENT ON INDEX xapi.statements_activity_idx IS 'Serves the activity filter without related_activities';
CREATE INDEX statements_registration_idx ON xapi.statements (provider_id, registration, seq) WHERE registration IS NOT NULL;
COMMENT ON INDEX xapi.statements_registration_idx IS 'Serves the registration filter';
CREATE INDEX statements_agents_idx ON xapi.statements USING gin (rel_agents);
COMMENT ON INDEX xapi.statements_agents_idx IS 'Serves the agent filter (agents is a subset of rel_agents, checked after)';
CREATE INDEX statements_activities_idx ON xapi.statements USING gin (rel_activities);
COMMENT ON INDEX xapi.statements_activities_idx IS 'Serves the activity filter with related_activities=true';
CREATE INDEX statements_target_idx ON xapi.statements (provider_id, target_id) WHERE target_id IS NOT NULL;
COMMENT ON INDEX xapi.statements_target_idx IS 'Finds the statements that reference a statement (voiding)';

CREATE FUNCTION xapi.statements_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'xapi.statements are immutable' USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.voided AND NOT OLD.voided AND (NEW.provider_id, NEW.id, NEW.seq, NEW.stored, NEW.body)
           IS NOT DISTINCT FROM (OLD.provider_id, OLD.id, OLD.seq, OLD.stored, OLD.body) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'xapi.statements are immutable (only voided may turn on)' USING ERRCODE = 'check_violation';
END $$;
COMMENT ON FUNCTION xapi.statements_immutable() IS 'Keeps statements immutable: no delete, and the only update sets voided once';
CREATE TRIGGER statements_immutable BEFORE UPDATE OR DELETE ON xapi.statements
    FOR EACH ROW EXECUTE FUNCTION xapi.statements_immutable();

CREATE TABLE xapi.attachments (
    provider_id   bigint NOT NULL REFERENCES cpd.providers (id),
    sha2          text NOT NULL CHECK (sha2 ~ '^[0-9a-f]{56}$|^[0-9a-f]{64}$|^[0-9a-f]{96}$|^[0-9a-f]{128}$'),
    content_type  text NOT NULL CHECK (length(content_type) BETWEEN 1 AND 255),
    content       bytea NOT NULL CHECK (length(content) <= 16777216),
    stored        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, sha2)
);
COMMENT ON TABLE xapi.attachments IS 'Attachment contents sent with statements (multipart/mixed), once per provider and hash; statements name them by sha2';
COMMENT ON COLUMN xapi.attachments.sha2 IS 'Lower-case hex SHA-2 of the content, as the attachment''s sha2 and the part''s X-Experience-API-Hash';

CREATE TABLE xapi.outcomes (
    provider_id    bigint NOT NULL,
    statement_id   uuid NOT NULL,
    outcome        text NOT NULL CHECK (outcome IN ('credited', 'unmatched', 'voided')),
    reason         text NOT NULL DEFAULT '' CHECK (reason = '' OR reason ~ '^[a-z_.]{1,80}$'),
    completion_id  bigint REFERENCES cpd.completions (id),
    at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, statement_id),
    FOREIGN KEY (provider_id, statement_id) REFERENCES xapi.statements (provider_id, id),
    CHECK ((outcome = 'unmatched') = (reason <> '')),
    CHECK (outcome = 'unmatched' OR completion_id IS NOT NULL)
);
COMMENT ON TABLE xapi.outcomes IS 'What a completed/passed statement became: a CPD completion (credited; voided when a voiding statement voided it) or nothing (unmatched, with the catalogue id of the reason), shown to the provider';
COMMENT ON COLUMN xapi.outcomes.reason IS 'Catalogue id saying why it matched no completion (xapi.unmatched.*, cpd.record.*)';
COMMENT ON COLUMN xapi.outcomes.completion_id IS 'The completion it became (cpd.completions, via xapi, provider_record_id = statement id)';
CREATE INDEX outcomes_unmatched_idx ON xapi.outcomes (provider_id, at DESC) WHERE outcome = 'unmatched';
COMMENT ON INDEX xapi.outcomes_unmatched_idx IS 'Serves the provider desk''s list of unmatched statements, newest first';
