-- Latchkey schema 20: B2B organizations and their members. An organization's domains and the
-- applications it may use are JSON arrays of strings; names are unique within a tenant.
-- Memberships are read by organization and by user; a member's roles are per application.
CREATE TABLE organizations (
    rowid BIGINT GENERATED ALWAYS AS IDENTITY,
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    alias_name  TEXT NOT NULL DEFAULT '',
    domains     TEXT NOT NULL DEFAULT '[]',
    app_ids     TEXT NOT NULL DEFAULT '[]',
    enabled     BOOLEAN NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX organizations_name_key ON organizations (tenant_id, name);

CREATE TABLE org_members (
    rowid BIGINT GENERATED ALWAYS AS IDENTITY,
    tenant_id  TEXT NOT NULL,
    org_id     TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    enabled    BOOLEAN NOT NULL,
    org_admin  BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, org_id, user_id)
);
CREATE INDEX org_members_user_idx ON org_members (tenant_id, user_id);

CREATE TABLE org_member_roles (
    tenant_id  TEXT NOT NULL,
    org_id     TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    app_id     TEXT NOT NULL,
    role_id    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, org_id, user_id, app_id, role_id)
);
CREATE INDEX org_member_roles_role_idx ON org_member_roles (tenant_id, role_id);
CREATE INDEX org_member_roles_user_idx ON org_member_roles (tenant_id, user_id);

-- Deleting a user ends their memberships; deleting a role (an application's deletion deletes
-- its roles) takes it from the members who held it; whichever path deletes them.
CREATE FUNCTION latchkey_org_members_user_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM org_members WHERE tenant_id = OLD.tenant_id AND user_id = OLD.id;
    DELETE FROM org_member_roles WHERE tenant_id = OLD.tenant_id AND user_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER org_members_user_gone AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION latchkey_org_members_user_gone();
CREATE FUNCTION latchkey_org_member_roles_role_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM org_member_roles WHERE tenant_id = OLD.tenant_id AND role_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER org_member_roles_role_gone AFTER DELETE ON roles
    FOR EACH ROW EXECUTE FUNCTION latchkey_org_member_roles_role_gone();
