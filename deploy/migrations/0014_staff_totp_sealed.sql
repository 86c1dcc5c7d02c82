-- 0014: TOTP secrets sealed at rest (security, issue 17; sec3). A secret is stored as
-- s1.<key id>.<base64url(nonce | AES-256-GCM ciphertext | tag)> under the key in the file
-- named by totp_key_file (never in the database), bound to the account id (common/rs_seal.h).
-- SQL cannot know the key, so this migration only changes the rule: the new constraint
-- applies to every row inserted or updated from now on (NOT VALID skips the rows already
-- there), so no new clear secret can be written; `riss db migrate` then seals the clear rows
-- left (staff/sf.c sf_totp_seal_all, in one transaction, audited) with the key it loaded, and
-- validates the constraint, after which no row in the table may be clear.
ALTER TABLE staff.accounts DROP CONSTRAINT accounts_totp_secret_check;
ALTER TABLE staff.accounts ADD CONSTRAINT accounts_totp_secret_sealed
    CHECK (totp_secret ~ '^s1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{64,180}$') NOT VALID;
COMMENT ON COLUMN staff.accounts.totp_secret IS 'TOTP secret (20 bytes) sealed: s1.<key id>.<base64url(nonce|ciphertext|tag)>, AES-256-GCM under totp_key_file with the account id as associated data';
COMMENT ON CONSTRAINT accounts_totp_secret_sealed ON staff.accounts IS 'Only sealed secrets; added NOT VALID and validated by riss db migrate once it has sealed the clear rows of before 0014';
