-- The admin portal's own records.
--
-- admin_settings holds, per tenant, the sign-in methods the portal offers its administrators
-- (a JSON list); a tenant without a row offers the defaults.
-- admin_invites are invitations to become an administrator: each is a one-time link stored
-- as a keyed hash, which ends when accepted, revoked or expired.
CREATE TABLE admin_settings (
    tenant_id       TEXT PRIMARY KEY,
    signin_methods  TEXT NOT NULL DEFAULT '[]',
    updated_at      INTEGER NOT NULL
);

CREATE TABLE admin_invites (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL,
    email            TEXT NOT NULL,
    token_hash       BLOB NOT NULL,
    invited_by       TEXT NOT NULL,
    invited_by_email TEXT NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    accepted_at      INTEGER,
    accepted_by      TEXT NOT NULL DEFAULT '',
    revoked_at       INTEGER
);
CREATE INDEX admin_invites_tenant ON admin_invites (tenant_id, created_at);

-- operator_links sign the deployment's operator in to the portal's operator pages (creating
-- tenants): a one-time link printed by latchkey init, stored as a keyed hash. Once redeemed,
-- the link's row is the operator's session, until ended_at (sign-out) or its time limits.
CREATE TABLE operator_links (
    id          TEXT PRIMARY KEY,
    token_hash  BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    redeemed_at INTEGER,
    ended_at    INTEGER
);
