-- 0051: completions keep the two foreign keys that say something of their own, and drop two
-- that cost a row lock per record. The provider is implied: (course_id, provider_id) must be
-- one of the provider's courses, and every course has its provider. The registrant is
-- registry's row: cpd asks registry through its public reg_registrants_exist in the
-- logging transaction (registrants are never deleted, only their status changes), so the
-- cross-schema key only added a FOR KEY SHARE lock on registry.registrants per record —
-- MultiXacts when several providers log for the same people at once.
ALTER TABLE cpd.completions DROP CONSTRAINT completions_provider_id_fkey;
ALTER TABLE cpd.completions DROP CONSTRAINT completions_regno_fkey;
COMMENT ON COLUMN cpd.completions.regno IS 'Registration number of the registrant who completed the course; checked through registry''s public reg_registrants_exist in the logging transaction (no cross-schema key: registry owns its rows)';
COMMENT ON COLUMN cpd.completions.provider_id IS 'The provider that logged the record; a provider''s own by the key (course_id, provider_id) -> cpd.courses';
