-- 0015: a staff member sees their own signed-in sessions and can end the others (ASVS 3.3.4;
-- issue 17). The address a session signed in from helps them tell their devices apart.
ALTER TABLE staff.sessions ADD COLUMN client text NOT NULL DEFAULT '' CHECK (length(client) <= 64);
COMMENT ON COLUMN staff.sessions.client IS 'Client address the session signed in from (as trusted_proxies resolve it; "" when unknown or before migration 0015); shown to the account''s owner only';
