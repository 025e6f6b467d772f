-- Latchkey schema, SQLite. Times are unix milliseconds; nested values are JSON text.
-- Tables are ordinary rowid tables: queries break ties in creation time by rowid, which
-- follows insertion order (PostgreSQL has an identity column of the same name).
-- References between records are kept by the store itself, which deletes dependants in the
-- same transaction as their owner, rather than by foreign keys.

CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    signing_alg TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX tenants_name_key ON tenants (name);

CREATE TABLE applications (
    id                     TEXT PRIMARY KEY,
    tenant_id              TEXT NOT NULL,
    name                   TEXT NOT NULL DEFAULT '',
    kind                   TEXT NOT NULL DEFAULT '',
    description            TEXT NOT NULL DEFAULT '',
    redirect_uris          TEXT NOT NULL DEFAULT 'null',
    allow_public_signup    BOOLEAN NOT NULL DEFAULT FALSE,
    enumeration_protection BOOLEAN NOT NULL DEFAULT FALSE,
    preferences            TEXT NOT NULL DEFAULT '{}',
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
);
CREATE INDEX applications_tenant_idx ON applications (tenant_id, created_at);

CREATE TABLE clients (
    id                    TEXT PRIMARY KEY,
    tenant_id             TEXT NOT NULL,
    app_id                TEXT NOT NULL,
    name                  TEXT NOT NULL DEFAULT '',
    description           TEXT NOT NULL DEFAULT '',
    secret_hash           BLOB,
    redirect_uris         TEXT NOT NULL DEFAULT 'null',
    resource_ids          TEXT NOT NULL DEFAULT 'null',
    default_custom_claims TEXT NOT NULL DEFAULT 'null',
    access_token_ttl      INTEGER NOT NULL DEFAULT 0,
    refresh_token_ttl     INTEGER NOT NULL DEFAULT 0,
    session_expiration    INTEGER NOT NULL DEFAULT 0,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);
CREATE INDEX clients_app_idx ON clients (tenant_id, app_id, created_at);

CREATE TABLE resources (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL,
    uri              TEXT NOT NULL,
    name             TEXT NOT NULL DEFAULT '',
    description      TEXT NOT NULL DEFAULT '',
    access_token_ttl INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL
);
CREATE UNIQUE INDEX resources_uri_key ON resources (tenant_id, uri);

CREATE TABLE signing_keys (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    algorithm   TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT '',
    public_jwk  BLOB,
    private_enc BLOB,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX signing_keys_tenant_idx ON signing_keys (tenant_id, created_at);

-- Unique identifiers are NULL when empty: the partial unique indexes ignore them.
CREATE TABLE users (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL,
    email             TEXT,
    email_verified_at INTEGER,
    phone_number      TEXT,
    phone_verified_at INTEGER,
    username          TEXT,
    external_user_id  TEXT,
    name              TEXT NOT NULL DEFAULT '{}',
    address           TEXT NOT NULL DEFAULT '{}',
    birthday          TEXT NOT NULL DEFAULT '',
    picture           TEXT NOT NULL DEFAULT '',
    language          TEXT NOT NULL DEFAULT '',
    secondary_emails  TEXT NOT NULL DEFAULT 'null',
    secondary_phones  TEXT NOT NULL DEFAULT 'null',
    custom_data       TEXT,
    status            TEXT NOT NULL DEFAULT '',
    search_text       TEXT NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    last_auth_at      INTEGER
);
CREATE UNIQUE INDEX users_email_key ON users (tenant_id, email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX users_phone_number_key ON users (tenant_id, phone_number) WHERE phone_number IS NOT NULL;
CREATE UNIQUE INDEX users_username_key ON users (tenant_id, username) WHERE username IS NOT NULL;
CREATE UNIQUE INDEX users_external_user_id_key ON users (tenant_id, external_user_id) WHERE external_user_id IS NOT NULL;
CREATE INDEX users_created_idx ON users (tenant_id, created_at, id);

CREATE TABLE app_users (
    tenant_id       TEXT NOT NULL,
    app_id          TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    custom_app_data TEXT,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, app_id, user_id)
);
CREATE INDEX app_users_user_idx ON app_users (tenant_id, user_id);

CREATE TABLE codes (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    app_id          TEXT NOT NULL DEFAULT '',
    client_id       TEXT NOT NULL DEFAULT '',
    user_id         TEXT NOT NULL DEFAULT '',
    purpose         TEXT NOT NULL DEFAULT '',
    channel         TEXT NOT NULL DEFAULT '',
    identifier_type TEXT NOT NULL DEFAULT '',
    identifier      TEXT NOT NULL DEFAULT '',
    destination     TEXT NOT NULL DEFAULT '',
    code_hash       BLOB,
    request_id      TEXT NOT NULL DEFAULT '',
    failures        INTEGER NOT NULL DEFAULT 0,
    max_failures    INTEGER NOT NULL DEFAULT 0,
    expires_at      INTEGER NOT NULL,
    consumed_at     INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX codes_lookup_idx ON codes (tenant_id, app_id, purpose, identifier, consumed_at);
CREATE INDEX codes_expires_idx ON codes (expires_at);

CREATE TABLE lockouts (
    tenant_id    TEXT NOT NULL,
    app_id       TEXT NOT NULL,
    lock_key     TEXT NOT NULL,
    locked_until INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, app_id, lock_key)
);
CREATE INDEX lockouts_until_idx ON lockouts (locked_until);

CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL,
    user_id           TEXT NOT NULL DEFAULT '',
    app_id            TEXT NOT NULL DEFAULT '',
    client_id         TEXT NOT NULL DEFAULT '',
    factors           TEXT NOT NULL DEFAULT 'null',
    client_attributes TEXT NOT NULL DEFAULT '{}',
    created_at        INTEGER NOT NULL,
    last_seen_at      INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    revoked_at        INTEGER
);
CREATE INDEX sessions_user_idx ON sessions (tenant_id, user_id, created_at);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE refresh_tokens (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    family_id   TEXT NOT NULL DEFAULT '',
    session_id  TEXT NOT NULL DEFAULT '',
    client_id   TEXT NOT NULL DEFAULT '',
    user_id     TEXT NOT NULL DEFAULT '',
    token_hash  BLOB NOT NULL,
    resource    TEXT NOT NULL DEFAULT '',
    scope       TEXT NOT NULL DEFAULT '',
    expires_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    rotated_at  INTEGER,
    replaced_by TEXT NOT NULL DEFAULT '',
    revoked_at  INTEGER
);
CREATE UNIQUE INDEX refresh_tokens_token_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (tenant_id, user_id);
CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at);

CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL DEFAULT '',
    to_addr         TEXT NOT NULL DEFAULT '',
    from_addr       TEXT NOT NULL DEFAULT '',
    subject         TEXT NOT NULL DEFAULT '',
    text_body       TEXT NOT NULL DEFAULT '',
    html_body       TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_error      TEXT NOT NULL DEFAULT '',
    delivered_at    INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX outbox_due_idx ON outbox (delivered_at, next_attempt_at);
CREATE INDEX outbox_created_idx ON outbox (tenant_id, created_at);
