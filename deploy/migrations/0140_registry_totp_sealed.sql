-- 0140 (registry, second round of ranges: from 0100 each module continues at 01x0 once its
-- 00x0 range is used up): registrants' TOTP secrets sealed at rest (security, issue 17; sec3), as 0014 did for
-- staff.accounts: the new constraint applies to every row written from now on (NOT VALID
-- keeps the clear rows readable), `riss db migrate` seals them with the key file's key
-- (registry/reg_account.c reg_totp_migrate, one transaction, audited) and validates it.
ALTER TABLE registry.accounts DROP CONSTRAINT accounts_totp_secret_check;
ALTER TABLE registry.accounts ADD CONSTRAINT accounts_totp_secret_sealed
    CHECK (totp_secret ~ '^s1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{64,180}$') NOT VALID;
COMMENT ON COLUMN registry.accounts.totp_secret IS 'TOTP secret (20 bytes) sealed: s1.<key id>.<base64url(nonce|ciphertext|tag)>, AES-256-GCM under totp_key_file with the registration number as associated data';
COMMENT ON CONSTRAINT accounts_totp_secret_sealed ON registry.accounts IS 'Only sealed secrets; added NOT VALID and validated by riss db migrate once it has sealed the clear rows of before';
