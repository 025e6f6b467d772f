package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

const groupCols = "id, tenant_id, name, description, custom_data, created_at, updated_at"

func scanGroup(sc scanner) (model.Group, error) {
	var g model.Group
	var data sql.NullString
	var created, updated int64
	if err := sc.Scan(&g.ID, &g.TenantID, &g.Name, &g.Description, &data, &created, &updated); err != nil {
		return g, err
	}
	g.CustomData = rawFromNull(data)
	g.CreatedAt, g.UpdatedAt = fromMillis(created), fromMillis(updated)
	return g, nil
}

// CreateGroup stores a new group; names are unique within a tenant.
func (s *Store) CreateGroup(ctx context.Context, g model.Group) error {
	_, err := s.execUnique(ctx, "create group",
		"INSERT INTO user_groups ("+groupCols+") VALUES (?, ?, ?, ?, ?, ?, ?)",
		g.ID, g.TenantID, g.Name, g.Description, rawOrNull(g.CustomData), millis(g.CreatedAt), millis(g.UpdatedAt))
	return err
}

// GetGroup returns one of the tenant's groups.
func (s *Store) GetGroup(ctx context.Context, tenantID, id string) (model.Group, error) {
	return getOwned(ctx, s.reader(), "get group", scanGroup, func(v model.Group) string { return v.TenantID },
		"SELECT "+groupCols+" FROM user_groups WHERE id = ?", tenantID, id)
}

// ListGroups returns the tenant's groups, oldest first.
func (s *Store) ListGroups(ctx context.Context, tenantID string) ([]model.Group, error) {
	return getAll(ctx, s.reader(), "list groups", scanGroup,
		"SELECT "+groupCols+" FROM user_groups WHERE tenant_id = ? ORDER BY created_at, rowid", tenantID)
}

// UpdateGroup applies updater to the group atomically; its ids cannot change.
func (s *Store) UpdateGroup(ctx context.Context, tenantID, id string, updater func(model.Group) (model.Group, error)) error {
	load := func(tx *Store) (model.Group, error) {
		return getOne(ctx, tx.writer(), "update group", scanGroup,
			"SELECT "+groupCols+" FROM user_groups WHERE tenant_id = ? AND id = ?"+tx.d.forUpdate, tenantID, id)
	}
	store := func(tx *Store, old, g model.Group) error {
		_, err := tx.execUnique(ctx, "update group",
			"UPDATE user_groups SET name = ?, description = ?, custom_data = ?, created_at = ?, updated_at = ? "+
				"WHERE tenant_id = ? AND id = ?",
			g.Name, g.Description, rawOrNull(g.CustomData), millis(g.CreatedAt), millis(g.UpdatedAt), old.TenantID, old.ID)
		return err
	}
	return update(ctx, s, load, updater, store)
}

// DeleteGroup deletes a group with its memberships.
func (s *Store) DeleteGroup(ctx context.Context, tenantID, id string) error {
	return s.inOwnTx(ctx, func(tx *Store) error {
		w := tx.writer()
		n, err := w.execAffected(ctx, "DELETE FROM user_groups WHERE tenant_id = ? AND id = ?", tenantID, id)
		if err := mustAffect("delete group", n, err); err != nil {
			return err
		}
		_, err = w.exec(ctx, "DELETE FROM group_users WHERE tenant_id = ? AND group_id = ?", tenantID, id)
		return errf("delete group: members", err)
	})
}

// AddGroupUsers adds members to a group; existing members stay as they are.
func (s *Store) AddGroupUsers(ctx context.Context, tenantID, groupID string, userIDs []string, at time.Time) error {
	return s.inOwnTx(ctx, func(tx *Store) error {
		for _, id := range userIDs {
			_, err := tx.writer().exec(ctx,
				"INSERT INTO group_users (tenant_id, group_id, user_id, created_at) VALUES (?, ?, ?, ?) "+
					"ON CONFLICT (tenant_id, group_id, user_id) DO NOTHING",
				tenantID, groupID, id, millis(at))
			if err != nil {
				return errf("add group user", err)
			}
		}
		return nil
	})
}

// RemoveGroupUser ends one membership.
func (s *Store) RemoveGroupUser(ctx context.Context, tenantID, groupID, userID string) error {
	n, err := s.writer().execAffected(ctx,
		"DELETE FROM group_users WHERE tenant_id = ? AND group_id = ? AND user_id = ?", tenantID, groupID, userID)
	return mustAffect("remove group user", n, err)
}

// ListGroupUsers returns the ids of a group's members in the order they joined.
func (s *Store) ListGroupUsers(ctx context.Context, tenantID, groupID string) ([]string, error) {
	return getAll(ctx, s.reader(), "list group users", func(sc scanner) (string, error) {
		var id string
		err := sc.Scan(&id)
		return id, err
	}, "SELECT user_id FROM group_users WHERE tenant_id = ? AND group_id = ? ORDER BY created_at, rowid", tenantID, groupID)
}

// ListUserGroups returns the groups a user belongs to, in one statement.
func (s *Store) ListUsersGroupIDs(ctx context.Context, tenantID string, userIDs []string) (map[string][]string, error) {
	query := "SELECT m.user_id, m.group_id FROM group_users m " +
		"JOIN user_groups g ON g.tenant_id = m.tenant_id AND g.id = m.group_id " +
		"WHERE m.tenant_id = ? AND m.user_id IN (" + placeholders(appUserBatch) + ") ORDER BY g.created_at, g.rowid"
	type membership struct{ user, group string }
	scan := func(sc scanner) (membership, error) {
		var m membership
		err := sc.Scan(&m.user, &m.group)
		return m, err
	}
	out := map[string][]string{}
	for _, ids := range idBatches(userIDs) {
		list, err := getAll(ctx, s.reader(), "list users' groups", scan, query, append([]any{tenantID}, ids...)...)
		if err != nil {
			return nil, err
		}
		for _, m := range list {
			out[m.user] = append(out[m.user], m.group)
		}
	}
	return out, nil
}

func (s *Store) ListUserGroups(ctx context.Context, tenantID, userID string) ([]model.Group, error) {
	return getAll(ctx, s.reader(), "list user groups", scanGroup,
		"SELECT g.id, g.tenant_id, g.name, g.description, g.custom_data, g.created_at, g.updated_at "+
			"FROM group_users m JOIN user_groups g ON g.tenant_id = m.tenant_id AND g.id = m.group_id "+
			"WHERE m.tenant_id = ? AND m.user_id = ? ORDER BY g.created_at, g.rowid", tenantID, userID)
}
