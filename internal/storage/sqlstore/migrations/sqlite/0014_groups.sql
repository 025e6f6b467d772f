-- Latchkey schema 14: user groups. A group is a tenant's named set of users with custom data the tenant
-- attaches to it; names are unique within a tenant. Memberships are kept in their own table,
-- read by group (the group's users) and by user (the groups a token's claims name).
CREATE TABLE user_groups (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    custom_data TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX user_groups_name_key ON user_groups (tenant_id, name);

CREATE TABLE group_users (
    tenant_id  TEXT NOT NULL,
    group_id   TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, group_id, user_id)
);
CREATE INDEX group_users_user_idx ON group_users (tenant_id, user_id);
