-- Latchkey schema 3, SQLite: users' credentials (passwords, TOTP keys, recovery codes, WebAuthn
-- keys), and a payload on one-time codes for state a ceremony keeps between its steps. The new
-- column is nullable, so that codes written under earlier schemas read as before.

ALTER TABLE codes ADD COLUMN payload TEXT;

-- lookup_key is NULL when empty: the partial unique index ignores it, so credentials without
-- one never collide. user_id is not a foreign key: DeleteUser removes a user's credentials in
-- the same transaction as the user.
CREATE TABLE credentials (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    type         TEXT NOT NULL,
    lookup_key   TEXT,
    name         TEXT NOT NULL DEFAULT '',
    secret       BLOB,
    data         TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE UNIQUE INDEX credentials_lookup_key_key ON credentials (tenant_id, type, lookup_key)
    WHERE lookup_key IS NOT NULL;
CREATE INDEX credentials_user_idx ON credentials (tenant_id, user_id, type, created_at);
