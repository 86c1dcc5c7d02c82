-- 0058: the renewal decision mail (approved or refused) goes through the reminder outbox,
-- once per application; and the re-registration bar leaves cpd.rule_versions: the register
-- owns it (registry.bars, computed by registry/reg_register.c).
ALTER TABLE cpd.reminders ADD COLUMN application_id bigint REFERENCES cpd.renewal_applications (id);
COMMENT ON COLUMN cpd.reminders.application_id IS 'the renewal application a decision mail (renewal_approved, renewal_rejected) tells of; NULL for the other kinds';

-- 0057's checks on kind and its one-per-deadline key are replaced by the ones below.
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
             WHERE conrelid = 'cpd.reminders'::regclass AND contype IN ('c', 'u')
               AND pg_get_constraintdef(oid) LIKE '%kind%'
    LOOP
        EXECUTE format('ALTER TABLE cpd.reminders DROP CONSTRAINT %I', c.conname);
    END LOOP;
END $$;
ALTER TABLE cpd.reminders
    ADD CONSTRAINT reminders_kind_check CHECK (kind IN ('duty', 'application', 'overdue', 'evidence',
                                                        'renewal_approved', 'renewal_rejected')),
    ADD CONSTRAINT reminders_threshold_check CHECK ((kind IN ('duty', 'application')) = (days_before > 0)),
    ADD CONSTRAINT reminders_application_check CHECK ((kind IN ('renewal_approved', 'renewal_rejected'))
                                                      = (application_id IS NOT NULL));
COMMENT ON COLUMN cpd.reminders.kind IS 'duty: a training duty is due; application: the renewal application is due (validity end - 60 days); overdue: a duty was missed; evidence: the CPD audit asks for evidence by the deadline; renewal_approved / renewal_rejected: the registrar decided a renewal application (deadline: the end of the validity it renews)';
COMMENT ON COLUMN cpd.reminders.days_before IS '90, 60 or 30 days before the deadline; 0 for an overdue notice, an evidence request or a decision';
CREATE UNIQUE INDEX reminders_once_idx ON cpd.reminders (regno, kind, deadline, days_before) WHERE application_id IS NULL;
COMMENT ON INDEX cpd.reminders_once_idx IS 'Each reminder once per registrant, deadline and threshold, however often the job runs (the job''s INSERT ... ON CONFLICT DO NOTHING)';
CREATE UNIQUE INDEX reminders_decision_idx ON cpd.reminders (application_id) WHERE application_id IS NOT NULL;
COMMENT ON INDEX cpd.reminders_decision_idx IS 'One decision mail per renewal application';

ALTER TABLE cpd.rule_versions DROP COLUMN rereg_bar_years;
