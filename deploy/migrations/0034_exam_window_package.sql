-- 0034: exam packages in delivery. A window names the package (bank.packages, published and
-- verified by item-bank) its sittings use; a sitting records the package and its SHA-256 at
-- admission, so it finishes and replays on that package whatever is activated later.
-- NULL: the window (and its sittings) use the process's exam files (the transition until
-- every window names a package).
ALTER TABLE exam.windows ADD COLUMN package_id bigint CHECK (package_id IS NULL OR package_id > 0);
COMMENT ON COLUMN exam.windows.package_id IS 'The exam package (bank.packages.id) new sittings of this window use; NULL = the configured exam files';
ALTER TABLE exam.sessions ADD COLUMN package_id bigint CHECK (package_id IS NULL OR package_id > 0);
ALTER TABLE exam.sessions ADD COLUMN package_sha256 bytea CHECK (package_sha256 IS NULL OR octet_length(package_sha256) = 32);
ALTER TABLE exam.sessions ADD CONSTRAINT sessions_package_pair CHECK ((package_id IS NULL) = (package_sha256 IS NULL));
COMMENT ON COLUMN exam.sessions.package_id IS 'The exam package this sitting was admitted on (its window''s at admission); NULL = the configured exam files';
COMMENT ON COLUMN exam.sessions.package_sha256 IS 'SHA-256 of that package document at admission: the sitting is served and replayed only from a package with these bytes';
