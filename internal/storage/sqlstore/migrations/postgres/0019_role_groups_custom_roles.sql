-- Latchkey schema 22: role groups, named bundles of one application's roles (Mosaic's role
-- groups). The role ids are a JSON array in the order given; the name is unique within the
-- application.
CREATE TABLE role_groups (
    rowid BIGINT GENERATED ALWAYS AS IDENTITY,
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    app_id       TEXT NOT NULL,
    name         TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    role_ids     TEXT NOT NULL DEFAULT '[]',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX role_groups_name_key ON role_groups (tenant_id, app_id, name);

-- Deleting an application deletes its role groups, whichever path deletes it.
CREATE FUNCTION latchkey_role_groups_app_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM role_groups WHERE tenant_id = OLD.tenant_id AND app_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER role_groups_app_gone AFTER DELETE ON applications
    FOR EACH ROW EXECUTE FUNCTION latchkey_role_groups_app_gone();

-- A tenant's own client roles, built from the permissions of package clientroles (a JSON
-- array); the name is unique within the tenant. A client keeps, beside its role ids, the
-- permissions its tenant-defined roles grant, rewritten whenever those roles or its role list
-- change, so that checking a client token reads the client alone, as before.
CREATE TABLE client_roles (
    rowid BIGINT GENERATED ALWAYS AS IDENTITY,
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    permissions TEXT NOT NULL DEFAULT '[]',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX client_roles_name_key ON client_roles (tenant_id, name);
ALTER TABLE clients ADD COLUMN custom_permissions TEXT NOT NULL DEFAULT '[]';

-- The roles and role groups an organization's members may be given in one application
-- (Mosaic's organization roles and role groups), each a JSON array of ids in the order given.
-- Deleting the organization (sqlstore) or the application (trigger) deletes the row.
CREATE TABLE org_app_roles (
    tenant_id      TEXT NOT NULL,
    org_id         TEXT NOT NULL,
    app_id         TEXT NOT NULL,
    role_ids       TEXT NOT NULL DEFAULT '[]',
    role_group_ids TEXT NOT NULL DEFAULT '[]',
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, org_id, app_id)
);
CREATE FUNCTION latchkey_org_app_roles_app_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM org_app_roles WHERE tenant_id = OLD.tenant_id AND app_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER org_app_roles_app_gone AFTER DELETE ON applications
    FOR EACH ROW EXECUTE FUNCTION latchkey_org_app_roles_app_gone();

-- An organization's logo: an image of at most 256 KiB whose type package orgs checked from its
-- bytes (PNG or JPEG). Deleting the organization (sqlstore) deletes it.
CREATE TABLE org_logos (
    tenant_id    TEXT NOT NULL,
    org_id       TEXT NOT NULL,
    content_type TEXT NOT NULL,
    data         BYTEA NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, org_id)
);
