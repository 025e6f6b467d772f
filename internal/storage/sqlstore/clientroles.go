package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/latchkey/latchkey/internal/model"
)

const clientRoleCols = "id, tenant_id, name, description, permissions, created_at, updated_at"

func scanClientRole(sc scanner) (model.ClientRole, error) {
	var r model.ClientRole
	var perms string
	var created, updated int64
	if err := sc.Scan(&r.ID, &r.TenantID, &r.Name, &r.Description, &perms, &created, &updated); err != nil {
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

// CreateClientRole stores a tenant's new client role; names are unique within the tenant.
func (s *Store) CreateClientRole(ctx context.Context, r model.ClientRole) error {
	_, err := s.execUnique(ctx, "create client role",
		"INSERT INTO client_roles ("+clientRoleCols+") VALUES (?, ?, ?, ?, ?, ?, ?)",
		r.ID, r.TenantID, r.Name, r.Description, permissionsJSON(r.Permissions), millis(r.CreatedAt), millis(r.UpdatedAt))
	return err
}

// GetClientRole returns one of the tenant's client roles.
func (s *Store) GetClientRole(ctx context.Context, tenantID, id string) (model.ClientRole, error) {
	return getOne(ctx, s.reader(), "get client role", scanClientRole,
		"SELECT "+clientRoleCols+" FROM client_roles WHERE tenant_id = ? AND id = ?", tenantID, id)
}

// ListClientRoles returns the tenant's client roles, oldest first.
func (s *Store) ListClientRoles(ctx context.Context, tenantID string) ([]model.ClientRole, error) {
	return getAll(ctx, s.reader(), "list client roles", scanClientRole,
		"SELECT "+clientRoleCols+" FROM client_roles WHERE tenant_id = ? ORDER BY created_at, rowid", tenantID)
}

// UpdateClientRole applies updater to the role atomically; its ids cannot change.
func (s *Store) UpdateClientRole(ctx context.Context, tenantID, id string, updater func(model.ClientRole) (model.ClientRole, error)) error {
	load := func(tx *Store) (model.ClientRole, error) {
		return getOne(ctx, tx.writer(), "update client role", scanClientRole,
			"SELECT "+clientRoleCols+" FROM client_roles WHERE tenant_id = ? AND id = ?"+tx.d.forUpdate, tenantID, id)
	}
	store := func(tx *Store, old, r model.ClientRole) error {
		_, err := tx.execUnique(ctx, "update client role",
			"UPDATE client_roles SET name = ?, description = ?, permissions = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
			r.Name, r.Description, permissionsJSON(r.Permissions), millis(r.UpdatedAt), old.TenantID, old.ID)
		return err
	}
	return update(ctx, s, load, updater, store)
}

// DeleteClientRole deletes one of the tenant's client roles.
func (s *Store) DeleteClientRole(ctx context.Context, tenantID, id string) error {
	n, err := s.writer().execAffected(ctx, "DELETE FROM client_roles WHERE tenant_id = ? AND id = ?", tenantID, id)
	return mustAffect("delete client role", n, err)
}
