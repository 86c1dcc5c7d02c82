-- 0049: the public reason of a status (issue 17, finding 8). The registrar's own words
-- (status_reason) stay in the staff views; what the register search, the verify answer and
-- the transparency log show is a code the registrar chooses from a fixed list: the ids
-- verify.status_reason.<status>.<code> of the message catalogue (common/messages/security.tsv),
-- which give its wording in Japanese and English. '' means "the status alone".
ALTER TABLE registry.registrants
    ADD COLUMN public_reason text NOT NULL DEFAULT ''
        CHECK (public_reason = '' OR (public_reason ~ '^[a-z]+\.[a-z_]{1,40}$'
               AND status IN ('suspended', 'cancelled', 'deregistered')
               AND split_part(public_reason, '.', 1) = status));
COMMENT ON COLUMN registry.registrants.public_reason IS 'Public reason code "<status>.<code>" chosen by the registrar (catalogue id verify.status_reason.<code> holds its wording), or '''' for the status alone; set with every status change, so it always belongs to the current status';
COMMENT ON COLUMN registry.registrants.status_reason IS 'The registrar''s own words for the current status: staff views only, never public';

ALTER TABLE registry.status_history
    ADD COLUMN public_reason text NOT NULL DEFAULT ''
        CHECK (public_reason = '' OR public_reason ~ '^[a-z]+\.[a-z_]{1,40}$');
COMMENT ON COLUMN registry.status_history.public_reason IS 'The public reason code chosen with this change ('''' for none); the reason column holds the registrar''s own words';
