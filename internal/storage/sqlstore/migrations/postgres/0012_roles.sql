-- Latchkey schema 12: application roles with their permissions, and the users they are assigned to.
-- A role's name is unique within its application; permissions are kept as a JSON array of
-- strings. Assignments are keyed by role and user, so that assigning twice changes nothing.
CREATE TABLE roles (
    rowid BIGINT GENERATED ALWAYS AS IDENTITY,
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    app_id       TEXT NOT NULL,
    name         TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    permissions  TEXT NOT NULL DEFAULT '[]',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX roles_name_key ON roles (tenant_id, app_id, name);

CREATE TABLE role_assignments (
    tenant_id   TEXT NOT NULL,
    app_id      TEXT NOT NULL,
    role_id     TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    assigned_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, role_id, user_id)
);
-- A login reads a user's roles in one application.
CREATE INDEX role_assignments_user_idx ON role_assignments (tenant_id, app_id, user_id);

-- Deleting a user or an application takes their assignments (and the application's roles)
-- with them, whichever path deletes them.
CREATE FUNCTION latchkey_roles_user_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM role_assignments WHERE tenant_id = OLD.tenant_id AND user_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER role_assignments_user_gone AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION latchkey_roles_user_gone();
CREATE FUNCTION latchkey_roles_app_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM role_assignments WHERE tenant_id = OLD.tenant_id AND app_id = OLD.id;
    DELETE FROM roles WHERE tenant_id = OLD.tenant_id AND app_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER roles_app_gone AFTER DELETE ON applications
    FOR EACH ROW EXECUTE FUNCTION latchkey_roles_app_gone();
