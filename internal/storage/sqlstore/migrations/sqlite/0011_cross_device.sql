-- Latchkey schema 11: the tickets of cross-device WebAuthn flows (a login or a passkey
-- registration begun on one device and carried out on another). A ticket is found by the keyed
-- hash of its secret alone, whatever the tenant, since the public steps carry nothing else; the
-- secret itself is stored nowhere. Rows are kept until keep_until so that a late status poll
-- still reads "timeout", then garbage collected.
CREATE TABLE cross_device_tickets (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL,
    app_id           TEXT NOT NULL,
    client_id        TEXT NOT NULL DEFAULT '',
    admin            BOOLEAN NOT NULL DEFAULT FALSE,
    ticket_hash      BLOB NOT NULL,
    flow             TEXT NOT NULL,
    user_id          TEXT NOT NULL DEFAULT '',
    username         TEXT NOT NULL DEFAULT '',
    external_user_id TEXT NOT NULL DEFAULT '',
    approval_data    TEXT,
    status           TEXT NOT NULL,
    ceremony_id      TEXT NOT NULL DEFAULT '',
    session_ref      TEXT NOT NULL DEFAULT '',
    session_shown_at INTEGER,
    attached_at      INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    keep_until       INTEGER NOT NULL
);
CREATE UNIQUE INDEX cross_device_tickets_hash_key ON cross_device_tickets (ticket_hash);
CREATE INDEX cross_device_tickets_keep_idx ON cross_device_tickets (keep_until);
