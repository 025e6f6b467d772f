package sqlstore

import (
	"context"

	"github.com/latchkey/latchkey/internal/model"
)

const tenantCols = "id, name, signing_alg, webhook_url, webhook_secret, default_language, created_at"

func scanTenant(sc scanner) (model.Tenant, error) {
	var t model.Tenant
	var created int64
	if err := sc.Scan(&t.ID, &t.Name, &t.SigningAlg, &t.WebhookURL, &t.WebhookSecret, &t.DefaultLanguage, &created); err != nil {
		return t, err
	}
	t.CreatedAt = fromMillis(created)
	return t, nil
}

// CreateTenant stores a new tenant; names are unique across the deployment.
func (s *Store) CreateTenant(ctx context.Context, t model.Tenant) error {
	_, err := s.execUnique(ctx, "create tenant",
		"INSERT INTO tenants ("+tenantCols+") VALUES (?, ?, ?, ?, ?, ?, ?)",
		t.ID, t.Name, t.SigningAlg, t.WebhookURL, t.WebhookSecret, t.DefaultLanguage, millis(t.CreatedAt))
	return err
}

// GetTenant returns the tenant with the given id.
func (s *Store) GetTenant(ctx context.Context, id string) (model.Tenant, error) {
	return getOne(ctx, s.reader(), "get tenant", scanTenant,
		"SELECT "+tenantCols+" FROM tenants WHERE id = ?", id)
}

// GetTenantByName returns the tenant with the given name.
func (s *Store) GetTenantByName(ctx context.Context, name string) (model.Tenant, error) {
	return getOne(ctx, s.reader(), "get tenant by name", scanTenant,
		"SELECT "+tenantCols+" FROM tenants WHERE name = ?", name)
}

// ListTenants returns every tenant, oldest first.
func (s *Store) ListTenants(ctx context.Context) ([]model.Tenant, error) {
	return getAll(ctx, s.reader(), "list tenants", scanTenant,
		"SELECT "+tenantCols+" FROM tenants ORDER BY created_at, rowid")
}

// UpdateTenant applies updater to the tenant atomically; its id cannot change.
func (s *Store) UpdateTenant(ctx context.Context, id string, updater func(model.Tenant) (model.Tenant, error)) error {
	load := func(tx *Store) (model.Tenant, error) {
		return getOne(ctx, tx.writer(), "update tenant", scanTenant,
			"SELECT "+tenantCols+" FROM tenants WHERE id = ?"+tx.d.forUpdate, id)
	}
	store := func(tx *Store, old, t model.Tenant) error {
		_, err := tx.execUnique(ctx, "update tenant",
			"UPDATE tenants SET name = ?, signing_alg = ?, webhook_url = ?, webhook_secret = ?, default_language = ?, created_at = ? "+
				"WHERE id = ?",
			t.Name, t.SigningAlg, t.WebhookURL, t.WebhookSecret, t.DefaultLanguage, millis(t.CreatedAt), old.ID)
		return err
	}
	return update(ctx, s, load, updater, store)
}
