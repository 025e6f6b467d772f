package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

const roleGroupCols = "id, tenant_id, app_id, name, display_name, description, role_ids, created_at, updated_at"

func scanRoleGroup(sc scanner) (model.RoleGroup, error) {
	var g model.RoleGroup
	var ids string
	var created, updated int64
	if err := sc.Scan(&g.ID, &g.TenantID, &g.AppID, &g.Name, &g.DisplayName, &g.Description, &ids, &created, &updated); err != nil {
		return g, err
	}
	if err := json.Unmarshal([]byte(ids), &g.RoleIDs); err != nil {
		return g, err
	}
	if g.RoleIDs == nil {
		g.RoleIDs = []string{}
	}
	g.CreatedAt, g.UpdatedAt = fromMillis(created), fromMillis(updated)
	return g, nil
}

// CreateRoleGroup stores a new role group; names are unique within the application.
func (s *Store) CreateRoleGroup(ctx context.Context, g model.RoleGroup) error {
	_, err := s.execUnique(ctx, "create role group",
		"INSERT INTO role_groups ("+roleGroupCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		g.ID, g.TenantID, g.AppID, g.Name, g.DisplayName, g.Description, permissionsJSON(g.RoleIDs),
		millis(g.CreatedAt), millis(g.UpdatedAt))
	return err
}

// GetRoleGroup returns one of the application's role groups.
func (s *Store) GetRoleGroup(ctx context.Context, tenantID, appID, id string) (model.RoleGroup, error) {
	return getOne(ctx, s.reader(), "get role group", scanRoleGroup,
		"SELECT "+roleGroupCols+" FROM role_groups WHERE tenant_id = ? AND app_id = ? AND id = ?", tenantID, appID, id)
}

// ListRoleGroups returns the application's role groups, oldest first.
func (s *Store) ListRoleGroups(ctx context.Context, tenantID, appID string) ([]model.RoleGroup, error) {
	return getAll(ctx, s.reader(), "list role groups", scanRoleGroup,
		"SELECT "+roleGroupCols+" FROM role_groups WHERE tenant_id = ? AND app_id = ? ORDER BY created_at, rowid", tenantID, appID)
}

// SetOrgAppRoles replaces the roles and role groups the organization's members may be given in
// the application.
func (s *Store) SetOrgAppRoles(ctx context.Context, tenantID, orgID, appID string, roleIDs, groupIDs []string, at time.Time) error {
	_, err := s.writer().exec(ctx,
		"INSERT INTO org_app_roles (tenant_id, org_id, app_id, role_ids, role_group_ids, updated_at) VALUES (?, ?, ?, ?, ?, ?) "+
			"ON CONFLICT (tenant_id, org_id, app_id) DO UPDATE SET role_ids = excluded.role_ids, "+
			"role_group_ids = excluded.role_group_ids, updated_at = excluded.updated_at",
		tenantID, orgID, appID, permissionsJSON(roleIDs), permissionsJSON(groupIDs), millis(at))
	return errf("set organization roles", err)
}

// GetOrgAppRoles returns the roles and role groups set for the organization in the
// application, empty when none were.
func (s *Store) GetOrgAppRoles(ctx context.Context, tenantID, orgID, appID string) ([]string, []string, error) {
	type lists struct{ roles, groups []string }
	l, err := getOne(ctx, s.reader(), "get organization roles", func(sc scanner) (lists, error) {
		var r, g string
		var out lists
		if err := sc.Scan(&r, &g); err != nil {
			return out, err
		}
		if err := fromJSONText(r, &out.roles); err != nil {
			return out, err
		}
		return out, fromJSONText(g, &out.groups)
	}, "SELECT role_ids, role_group_ids FROM org_app_roles WHERE tenant_id = ? AND org_id = ? AND app_id = ?", tenantID, orgID, appID)
	if errors.Is(err, storage.ErrNotFound) {
		return []string{}, []string{}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return nonNilList(l.roles), nonNilList(l.groups), nil
}

func nonNilList(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
