package sqlstore

import (
	"context"

	"github.com/latchkey/latchkey/internal/model"
)

const resourceCols = "id, tenant_id, uri, name, description, access_token_ttl, refresh_token_ttl, " +
	"max_refresh_rotate, created_at, updated_at"

func scanResource(sc scanner) (model.Resource, error) {
	var r model.Resource
	var created, updated int64
	err := sc.Scan(&r.ID, &r.TenantID, &r.URI, &r.Name, &r.Description, &r.AccessTokenTTL, &r.RefreshTokenTTL,
		&r.MaxRefreshRotate, &created, &updated)
	if err != nil {
		return r, err
	}
	r.CreatedAt, r.UpdatedAt = fromMillis(created), fromMillis(updated)
	return r, nil
}

// CreateResource stores a new resource; URIs are unique within a tenant.
func (s *Store) CreateResource(ctx context.Context, r model.Resource) error {
	_, err := s.execUnique(ctx, "create resource",
		"INSERT INTO resources ("+resourceCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		r.ID, r.TenantID, r.URI, r.Name, r.Description, r.AccessTokenTTL, r.RefreshTokenTTL, r.MaxRefreshRotate,
		millis(r.CreatedAt), millis(r.UpdatedAt))
	return err
}

// GetResource returns one of the tenant's resources.
func (s *Store) GetResource(ctx context.Context, tenantID, id string) (model.Resource, error) {
	return getOwned(ctx, s.reader(), "get resource", scanResource, func(v model.Resource) string { return v.TenantID },
		"SELECT "+resourceCols+" FROM resources WHERE id = ?", tenantID, id)
}

// GetResourceByURI returns the tenant's resource with the given URI.
func (s *Store) GetResourceByURI(ctx context.Context, tenantID, uri string) (model.Resource, error) {
	return getOne(ctx, s.reader(), "get resource by uri", scanResource,
		"SELECT "+resourceCols+" FROM resources WHERE tenant_id = ? AND uri = ?", tenantID, uri)
}

// ListResources returns the tenant's resources, oldest first.
func (s *Store) ListResources(ctx context.Context, tenantID string) ([]model.Resource, error) {
	return getAll(ctx, s.reader(), "list resources", scanResource,
		"SELECT "+resourceCols+" FROM resources WHERE tenant_id = ? ORDER BY created_at, rowid", tenantID)
}

// UpdateResource applies updater to the resource atomically; its ids cannot change.
func (s *Store) UpdateResource(ctx context.Context, tenantID, id string, updater func(model.Resource) (model.Resource, error)) error {
	load := func(tx *Store) (model.Resource, error) {
		return getOne(ctx, tx.writer(), "update resource", scanResource,
			"SELECT "+resourceCols+" FROM resources WHERE tenant_id = ? AND id = ?"+tx.d.forUpdate, tenantID, id)
	}
	store := func(tx *Store, old, r model.Resource) error {
		_, err := tx.execUnique(ctx, "update resource",
			"UPDATE resources SET uri = ?, name = ?, description = ?, access_token_ttl = ?, refresh_token_ttl = ?, "+
				"max_refresh_rotate = ?, created_at = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
			r.URI, r.Name, r.Description, r.AccessTokenTTL, r.RefreshTokenTTL, r.MaxRefreshRotate,
			millis(r.CreatedAt), millis(r.UpdatedAt), old.TenantID, old.ID)
		return err
	}
	return update(ctx, s, load, updater, store)
}

// DeleteResource deletes one of the tenant's resources.
func (s *Store) DeleteResource(ctx context.Context, tenantID, id string) error {
	n, err := s.writer().execAffected(ctx, "DELETE FROM resources WHERE tenant_id = ? AND id = ?", tenantID, id)
	return mustAffect("delete resource", n, err)
}
