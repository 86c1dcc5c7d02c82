-- 0047: the 2-year bar after 取消し is counted by the Civil Code (art. 140/143) in one place,
-- reg_bar_allowed_from (registry/reg_register.c), which writes barred_until; 0045's check
-- held PostgreSQL's interval arithmetic (one day short, and wrong from 29 February).
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
             WHERE conrelid = 'registry.bars'::regclass AND contype = 'c'
               AND pg_get_constraintdef(oid) LIKE '%barred_until%'
    LOOP
        EXECUTE format('ALTER TABLE registry.bars DROP CONSTRAINT %I', c.conname);
    END LOOP;
END $$;
ALTER TABLE registry.bars ADD CONSTRAINT bars_after_cancellation_check CHECK (barred_until > cancelled_on);

-- A one-off correction of the rows 0045's rule wrote (the same dates reg_bar_allowed_from
-- gives: the period starts the next day; a 29 February start has no corresponding day).
UPDATE registry.bars SET barred_until =
    CASE WHEN to_char(cancelled_on + 1, 'MM-DD') = '02-29'
         THEN ((cancelled_on + 1) + interval '2 years')::date + 1
         ELSE ((cancelled_on + 1) + interval '2 years')::date END;

COMMENT ON TABLE registry.bars IS 'Registrations cancelled (取消し): the person (kanji name and date of birth) may not be registered again before barred_until (2 years counted by the Civil Code, reg_bar_allowed_from)';
COMMENT ON COLUMN registry.bars.barred_until IS 'first day on which a new registration of the person is allowed again (written by reg_bar_allowed_from)';
