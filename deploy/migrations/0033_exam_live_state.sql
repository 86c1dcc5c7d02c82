-- 0033: what the candidate screen and the proctor console need to follow a sitting live.
-- A version counter on the session that every proctor action bumps (the candidate page polls
-- GET /api/v1/exam/status and reacts when it changes), the token of the workstation a
-- sitting was moved away from (so that screen can say "go to your new seat" instead of
-- falling back to the code entry), a flag for "moved, not yet resumed" for the console, and
-- the identity check as recorded: the document type and the last four characters of its
-- number (never the whole number).
ALTER TABLE exam.sessions
    ADD COLUMN version integer NOT NULL DEFAULT 0 CHECK (version >= 0),
    ADD COLUMN moved_from_hash bytea CHECK (length(moved_from_hash) = 32),
    ADD COLUMN move_pending boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN exam.sessions.version IS
    'Bumped by every proctor action on the sitting (pause, resume, extra time, end, move): the candidate screen polls it';
COMMENT ON COLUMN exam.sessions.moved_from_hash IS
    'SHA-256 of the session token the sitting had before its last approved move: that workstation is told it is no longer in use';
COMMENT ON COLUMN exam.sessions.move_pending IS
    'True from an approved move until the proctor resumes the sitting at the new seat';
CREATE INDEX sessions_moved_from_idx ON exam.sessions (moved_from_hash) WHERE moved_from_hash IS NOT NULL;
COMMENT ON INDEX exam.sessions_moved_from_idx IS 'Serves the candidate status poll of a workstation whose sitting was moved away';

ALTER TABLE exam.bookings
    ADD COLUMN identity_document text
        CHECK (identity_document IN ('driver_licence', 'my_number_card', 'passport', 'residence_card',
                                     'health_insurance', 'other')),
    ADD COLUMN identity_number_tail text CHECK (identity_number_tail ~ '^[0-9A-Za-z]{4}$'),
    ADD CONSTRAINT bookings_identity_record_check
        CHECK (identity_document IS NULL OR identity_checked_at IS NOT NULL);
COMMENT ON COLUMN exam.bookings.identity_document IS
    'Type of the photo identity document the proctor checked (NULL for checks recorded before 0033 or seeded demo data)';
COMMENT ON COLUMN exam.bookings.identity_number_tail IS
    'Last four characters of the identity document number, as the proctor read them; the full number is never stored';
