package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/latchkey/latchkey/internal/model"
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
