package sqlstore

import (
	"context"

	"github.com/latchkey/latchkey/internal/model"
)

const clientCols = "id, tenant_id, app_id, name, description, secret_hash, redirect_uris, resource_ids, " +
	"default_custom_claims, access_token_ttl, refresh_token_ttl, session_expiration, token_epoch, client_type, " +
	"max_refresh_rotate, role_ids, custom_permissions, created_at, updated_at"

// clientReadCols are clientCols and the stamp, which only triggers write (migration 22).
const clientReadCols = clientCols + ", stamp"

func scanClient(sc scanner) (model.Client, error) {
	var c model.Client
	var redirects, resources, claims, roles, custom string
	var created, updated int64
	err := sc.Scan(&c.ID, &c.TenantID, &c.AppID, &c.Name, &c.Description, &c.SecretHash,
		&redirects, &resources, &claims, &c.AccessTokenTTL, &c.RefreshTokenTTL,
		&c.SessionExpiration, &c.TokenEpoch, &c.ClientType, &c.MaxRefreshRotate, &roles, &custom, &created, &updated, &c.Stamp)
	if err != nil {
		return c, err
	}
	for _, f := range []struct {
		text string
		into *[]string
	}{{redirects, &c.RedirectURIs}, {resources, &c.ResourceIDs}, {claims, &c.DefaultCustomClaims}, {roles, &c.RoleIDs}, {custom, &c.CustomPermissions}} {
		if err := fromJSONText(f.text, f.into); err != nil {
			return c, err
		}
	}
	c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
	return c, nil
}

// clientValues returns the columns of c written after its id, tenant id and application id.
func clientValues(c model.Client) ([]any, error) {
	var texts [5]string
	for i, list := range [][]string{c.RedirectURIs, c.ResourceIDs, c.DefaultCustomClaims, c.RoleIDs, c.CustomPermissions} {
		t, err := jsonText(list)
		if err != nil {
			return nil, err
		}
		texts[i] = t
	}
	return []any{c.Name, c.Description, c.SecretHash, texts[0], texts[1], texts[2],
		c.AccessTokenTTL, c.RefreshTokenTTL, c.SessionExpiration, c.TokenEpoch, c.ClientType, c.MaxRefreshRotate,
		texts[3], texts[4], millis(c.CreatedAt), millis(c.UpdatedAt)}, nil
}

// CreateClient stores a new client.
func (s *Store) CreateClient(ctx context.Context, c model.Client) error {
	vals, err := clientValues(c)
	if err != nil {
		return errf("create client", err)
	}
	_, err = s.execUnique(ctx, "create client",
		"INSERT INTO clients ("+clientCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		append([]any{c.ID, c.TenantID, c.AppID}, vals...)...)
	return err
}

// GetClient returns the client with the given id, whatever its tenant.
func (s *Store) GetClient(ctx context.Context, id string) (model.Client, error) {
	return getOne(ctx, s.reader(), "get client", scanClient,
		"SELECT "+clientReadCols+" FROM clients WHERE id = ?", id)
}

// ClientStamp returns the stamp of the client with the given id, whatever its tenant.
func (s *Store) ClientStamp(ctx context.Context, id string) (int64, error) {
	return getOne(ctx, s.reader(), "get client stamp", func(sc scanner) (int64, error) {
		var stamp int64
		return stamp, sc.Scan(&stamp)
	}, "SELECT stamp FROM clients WHERE id = ?", id)
}

// ListClients returns an application's clients, oldest first; with an empty appID, every
// client of the tenant.
func (s *Store) ListClients(ctx context.Context, tenantID, appID string) ([]model.Client, error) {
	if appID == "" {
		return getAll(ctx, s.reader(), "list clients", scanClient,
			"SELECT "+clientReadCols+" FROM clients WHERE tenant_id = ? ORDER BY created_at, rowid", tenantID)
	}
	return getAll(ctx, s.reader(), "list clients", scanClient,
		"SELECT "+clientReadCols+" FROM clients WHERE tenant_id = ? AND app_id = ? ORDER BY created_at, rowid",
		tenantID, appID)
}

// UpdateClient applies updater to the client atomically; its ids cannot change.
func (s *Store) UpdateClient(ctx context.Context, tenantID, id string, updater func(model.Client) (model.Client, error)) error {
	load := func(tx *Store) (model.Client, error) {
		return getOne(ctx, tx.writer(), "update client", scanClient,
			"SELECT "+clientReadCols+" FROM clients WHERE tenant_id = ? AND id = ?"+tx.d.forUpdate, tenantID, id)
	}
	store := func(tx *Store, old, c model.Client) error {
		vals, err := clientValues(c)
		if err != nil {
			return errf("update client", err)
		}
		_, err = tx.execUnique(ctx, "update client",
			"UPDATE clients SET name = ?, description = ?, secret_hash = ?, redirect_uris = ?, "+
				"resource_ids = ?, default_custom_claims = ?, access_token_ttl = ?, refresh_token_ttl = ?, "+
				"session_expiration = ?, token_epoch = ?, client_type = ?, max_refresh_rotate = ?, role_ids = ?, custom_permissions = ?, created_at = ?, "+
				"updated_at = ? WHERE tenant_id = ? AND id = ?",
			append(vals, old.TenantID, old.ID)...)
		return err
	}
	return update(ctx, s, load, updater, store)
}

// DeleteClient deletes one of the tenant's clients.
func (s *Store) DeleteClient(ctx context.Context, tenantID, id string) error {
	n, err := s.writer().execAffected(ctx, "DELETE FROM clients WHERE tenant_id = ? AND id = ?", tenantID, id)
	return mustAffect("delete client", n, err)
}
