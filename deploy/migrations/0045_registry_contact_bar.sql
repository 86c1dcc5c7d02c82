-- 0045: how to reach a registrant (e-mail address, language of mail and pages) and the
-- 2-year bar on registering again after a registration was cancelled (取消し).
CREATE TABLE registry.contacts (
    regno       char(6) PRIMARY KEY REFERENCES registry.registrants (regno),
    email       text CHECK (email IS NULL OR (length(email) BETWEEN 3 AND 254 AND email ~ '^[^@\s<>]+@[^@\s<>]+$')),
    lang        text NOT NULL DEFAULT 'ja' CHECK (lang IN ('ja', 'en')),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE registry.contacts IS 'How a registrant is reached: e-mail address for reminders (NULL: none known) and the language of mail and self-service pages';
COMMENT ON COLUMN registry.contacts.lang IS 'ja (default) or en: the language reminders are written in';

CREATE TABLE registry.bars (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    regno          char(6) NOT NULL REFERENCES registry.registrants (regno),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    date_of_birth  date NOT NULL,
    cancelled_on   date NOT NULL,
    barred_until   date NOT NULL,
    reason         text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    CHECK (barred_until = (cancelled_on + interval '2 years')::date)
);
COMMENT ON TABLE registry.bars IS 'Registrations cancelled (取消し): the person (kanji name and date of birth) may not be registered again before barred_until (cancellation + 2 years)';
COMMENT ON COLUMN registry.bars.barred_until IS 'first day on which a new registration of the person is allowed again';
CREATE INDEX bars_person_idx ON registry.bars (date_of_birth, name);
COMMENT ON INDEX registry.bars_person_idx IS 'Serves the bar check when an application is made or registered: same date of birth and name';
