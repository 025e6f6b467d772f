package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/latchkey/latchkey/internal/model"
)

const roleCols = "id, tenant_id, app_id, name, display_name, description, permissions, created_at, updated_at"

func scanRole(sc scanner) (model.Role, error) {
	var r model.Role
	var perms string
	var created, updated int64
	if err := sc.Scan(&r.ID, &r.TenantID, &r.AppID, &r.Name, &r.DisplayName, &r.Description, &perms, &created, &updated); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(perms), &r.Permissions); err != nil {
		return r, err
	}
	if r.Permissions == nil {
		r.Permissions = []string{}
	}
	r.CreatedAt, r.UpdatedAt = fromMillis(created), fromMillis(updated)
	return r, nil
}

func permissionsJSON(p []string) string {
	if p == nil {
		p = []string{}
	}
	b, _ := json.Marshal(p) // a []string always encodes
	return string(b)
}

// CreateRole stores a new role; names are unique within the application.
func (s *Store) CreateRole(ctx context.Context, r model.Role) error {
	_, err := s.execUnique(ctx, "create role",
		"INSERT INTO roles ("+roleCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		r.ID, r.TenantID, r.AppID, r.Name, r.DisplayName, r.Description, permissionsJSON(r.Permissions),
		millis(r.CreatedAt), millis(r.UpdatedAt))
	return err
}

// GetRole returns one of the application's roles.
func (s *Store) GetRole(ctx context.Context, tenantID, appID, id string) (model.Role, error) {
	return getOne(ctx, s.reader(), "get role", scanRole,
		"SELECT "+roleCols+" FROM roles WHERE tenant_id = ? AND app_id = ? AND id = ?", tenantID, appID, id)
}

// ListRoles returns the application's roles, oldest first.
func (s *Store) ListRoles(ctx context.Context, tenantID, appID string) ([]model.Role, error) {
	return getAll(ctx, s.reader(), "list roles", scanRole,
		"SELECT "+roleCols+" FROM roles WHERE tenant_id = ? AND app_id = ? ORDER BY created_at, rowid", tenantID, appID)
}

// UpdateRole applies updater to the role atomically; its ids cannot change.
func (s *Store) UpdateRole(ctx context.Context, tenantID, appID, id string, updater func(model.Role) (model.Role, error)) error {
	load := func(tx *Store) (model.Role, error) {
		return getOne(ctx, tx.writer(), "update role", scanRole,
			"SELECT "+roleCols+" FROM roles WHERE tenant_id = ? AND app_id = ? AND id = ?"+tx.d.forUpdate, tenantID, appID, id)
	}
	store := func(tx *Store, old, r model.Role) error {
		_, err := tx.execUnique(ctx, "update role",
			"UPDATE roles SET name = ?, display_name = ?, description = ?, permissions = ?, updated_at = ? "+
				"WHERE tenant_id = ? AND app_id = ? AND id = ?",
			r.Name, r.DisplayName, r.Description, permissionsJSON(r.Permissions), millis(r.UpdatedAt),
			old.TenantID, old.AppID, old.ID)
		return err
	}
	return update(ctx, s, load, updater, store)
}

// DeleteRole deletes the role with its assignments.
func (s *Store) DeleteRole(ctx context.Context, tenantID, appID, id string) error {
	return s.inOwnTx(ctx, func(tx *Store) error {
		w := tx.writer()
		n, err := w.execAffected(ctx, "DELETE FROM roles WHERE tenant_id = ? AND app_id = ? AND id = ?", tenantID, appID, id)
		if err := mustAffect("delete role", n, err); err != nil {
			return err
		}
		if _, err := w.exec(ctx, "DELETE FROM role_assignments WHERE tenant_id = ? AND role_id = ?", tenantID, id); err != nil {
			return errf("delete role assignments", err)
		}
		return nil
	})
}

// AssignRole records the assignment when the role exists in the application; one already
// made is left as it is. The insert selects from roles, so that a role deleted concurrently
// cannot be assigned.
func (s *Store) AssignRole(ctx context.Context, a model.RoleAssignment) error {
	n, err := s.writer().execAffected(ctx,
		"INSERT INTO role_assignments (tenant_id, app_id, role_id, user_id, assigned_at) "+
			"SELECT tenant_id, app_id, id, ?, ? FROM roles WHERE tenant_id = ? AND app_id = ? AND id = ? "+
			"ON CONFLICT (tenant_id, role_id, user_id) DO NOTHING",
		a.UserID, millis(a.AssignedAt), a.TenantID, a.AppID, a.RoleID)
	if err != nil {
		return errf("assign role", err)
	}
	if n == 0 {
		// Nothing inserted: the role is missing, or the user already has it.
		if _, err := s.GetRole(ctx, a.TenantID, a.AppID, a.RoleID); err != nil {
			return err
		}
	}
	return nil
}

// UnassignRole removes an assignment.
func (s *Store) UnassignRole(ctx context.Context, tenantID, appID, roleID, userID string) error {
	n, err := s.writer().execAffected(ctx,
		"DELETE FROM role_assignments WHERE tenant_id = ? AND app_id = ? AND role_id = ? AND user_id = ?",
		tenantID, appID, roleID, userID)
	return mustAffect("unassign role", n, err)
}

// UserRoles returns the user's roles in the application, by name.
func (s *Store) UserRoles(ctx context.Context, tenantID, appID, userID string) ([]model.Role, error) {
	return getAll(ctx, s.reader(), "user roles", scanRole,
		"SELECT r.id, r.tenant_id, r.app_id, r.name, r.display_name, r.description, r.permissions, r.created_at, r.updated_at "+
			"FROM role_assignments a JOIN roles r ON r.tenant_id = a.tenant_id AND r.id = a.role_id "+
			"WHERE a.tenant_id = ? AND a.app_id = ? AND a.user_id = ? ORDER BY r.name", tenantID, appID, userID)
}
