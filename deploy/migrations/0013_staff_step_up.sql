-- 0013: step-up for dangerous acts (security, issue 17): a staff session records when its
-- holder last confirmed a TOTP code (at sign-in, or later on POST /api/v1/staff/step-up);
-- routes marked step_up in web/routes.c need that moment to lie within step_up_window.
ALTER TABLE staff.sessions ADD COLUMN step_up_at timestamptz;
UPDATE staff.sessions SET step_up_at = created_at;
ALTER TABLE staff.sessions ALTER COLUMN step_up_at SET NOT NULL, ALTER COLUMN step_up_at SET DEFAULT now();
COMMENT ON COLUMN staff.sessions.step_up_at IS 'When the session last confirmed a fresh TOTP code (sign-in or step-up); an irreversible or high-impact act needs this within step_up_window seconds';
