-- Latchkey schema 2, PostgreSQL: rate-limit counters, the audit log, tenants' webhooks, and
-- the transaction a one-time code approves. New columns are nullable or have defaults, so that
-- rows written under schema 1 read as before.

ALTER TABLE tenants ADD COLUMN webhook_url TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN webhook_secret BYTEA;

ALTER TABLE codes ADD COLUMN approval_data TEXT;

-- A counter is keyed by the SHA-256 of its name, so that a name of any length or content fits
-- the primary key. Nothing orders counters, hence no rowid column. Counters are updated far
-- more often than inserted: free space in each page lets an update stay on its page.
CREATE TABLE counters (
    key_hash   BYTEA PRIMARY KEY,
    count      BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
) WITH (fillfactor = 70);
CREATE INDEX counters_expires_idx ON counters (expires_at);

-- The audit log is append-only. seq orders events of the same millisecond by insertion. The
-- indexes end in seq so that a page comes straight off the index.
CREATE TABLE audit_events (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         TEXT NOT NULL,
    tenant_id  TEXT NOT NULL,
    app_id     TEXT NOT NULL DEFAULT '',
    client_id  TEXT NOT NULL DEFAULT '',
    user_id    TEXT NOT NULL DEFAULT '',
    type       TEXT NOT NULL DEFAULT '',
    method     TEXT NOT NULL DEFAULT '',
    outcome    TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    ip_address TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    details    TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX audit_events_id_key ON audit_events (id);
CREATE INDEX audit_events_tenant_idx ON audit_events (tenant_id, created_at, seq);
CREATE INDEX audit_events_user_idx ON audit_events (tenant_id, user_id, created_at, seq);
CREATE INDEX audit_events_type_idx ON audit_events (tenant_id, type, created_at, seq);
