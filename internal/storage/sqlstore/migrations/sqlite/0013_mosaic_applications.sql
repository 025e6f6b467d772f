-- Latchkey schema 13: the rest of Mosaic's Applications API.
--
-- Applications gain a logo, who created them, and a profile (service providers, the
-- authenticator hub settings, a login URI) kept as given.
ALTER TABLE applications ADD COLUMN logo TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN profile TEXT NOT NULL DEFAULT '{}';

-- Clients gain their type (web or native) and the absolute lifetime of a refresh token family.
ALTER TABLE clients ADD COLUMN client_type TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN max_refresh_rotate INTEGER NOT NULL DEFAULT 0;

-- Resources gain refresh token lifetimes and an update time, which starts as the creation.
ALTER TABLE resources ADD COLUMN refresh_token_ttl INTEGER NOT NULL DEFAULT 0;
ALTER TABLE resources ADD COLUMN max_refresh_rotate INTEGER NOT NULL DEFAULT 0;
ALTER TABLE resources ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
UPDATE resources SET updated_at = created_at;

-- A refresh token carries the end of its family, which its successors inherit; 0 is none.
ALTER TABLE refresh_tokens ADD COLUMN family_expires_at INTEGER NOT NULL DEFAULT 0;

-- Signing keys gain a name and whether an administrator uploaded them.
ALTER TABLE signing_keys ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE signing_keys ADD COLUMN uploaded BOOLEAN NOT NULL DEFAULT FALSE;
