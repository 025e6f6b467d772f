package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

const credentialCols = "id, tenant_id, user_id, type, lookup_key, name, secret, data, created_at, " +
	"updated_at, last_used_at, app_id, rp_id"

func scanCredential(sc scanner) (model.Credential, error) {
	var c model.Credential
	var lookup, data sql.NullString
	var created, updated int64
	var lastUsed sql.NullInt64
	err := sc.Scan(&c.ID, &c.TenantID, &c.UserID, &c.Type, &lookup, &c.Name, &c.Secret, &data,
		&created, &updated, &lastUsed, &c.AppID, &c.RPID)
	if err != nil {
		return c, err
	}
	c.LookupKey, c.Data = lookup.String, rawFromNull(data)
	c.CreatedAt, c.UpdatedAt, c.LastUsedAt = fromMillis(created), fromMillis(updated), fromNullMillis(lastUsed)
	return c, nil
}

// CreateCredential stores a new credential; its lookup key, when set, is unique within the
// tenant and type.
func (s *Store) CreateCredential(ctx context.Context, c model.Credential) error {
	_, err := s.execUnique(ctx, "create credential",
		"INSERT INTO credentials ("+credentialCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		c.ID, c.TenantID, c.UserID, c.Type, nullIfEmpty(c.LookupKey), c.Name, c.Secret, rawOrNull(c.Data),
		millis(c.CreatedAt), millis(c.UpdatedAt), millisOrNull(c.LastUsedAt), c.AppID, c.RPID)
	return err
}

// GetCredential returns one of the tenant's credentials.
func (s *Store) GetCredential(ctx context.Context, tenantID, id string) (model.Credential, error) {
	return getOwned(ctx, s.reader(), "get credential", scanCredential, func(v model.Credential) string { return v.TenantID },
		"SELECT "+credentialCols+" FROM credentials WHERE id = ?", tenantID, id)
}

// GetCredentialByLookup finds one of the tenant's credentials by type and lookup key; an
// empty key matches none.
func (s *Store) GetCredentialByLookup(ctx context.Context, tenantID, typ, lookupKey string) (model.Credential, error) {
	if lookupKey == "" {
		return model.Credential{}, fmt.Errorf("get credential by lookup key: %w", storage.ErrNotFound)
	}
	return getOne(ctx, s.reader(), "get credential by lookup key", scanCredential,
		"SELECT "+credentialCols+" FROM credentials WHERE tenant_id = ? AND type = ? AND lookup_key = ?",
		tenantID, typ, lookupKey)
}

// ListCredentials returns a user's credentials of one type, or of every type when typ is
// empty, oldest first with ties in insertion order.
func (s *Store) ListCredentials(ctx context.Context, tenantID, userID, typ string) ([]model.Credential, error) {
	query := "SELECT " + credentialCols + " FROM credentials WHERE tenant_id = ? AND user_id = ?"
	args := []any{tenantID, userID}
	if typ != "" {
		query += " AND type = ?"
		args = append(args, typ)
	}
	return getAll(ctx, s.reader(), "list credentials", scanCredential,
		query+" ORDER BY created_at, rowid", args...)
}

// UpdateCredential applies updater to the credential atomically; its id, tenant and user
// cannot change. Moving it to a lookup key another credential holds fails with a
// *storage.DuplicateError and changes nothing.
func (s *Store) UpdateCredential(ctx context.Context, tenantID, id string, updater func(model.Credential) (model.Credential, error)) error {
	load := func(tx *Store) (model.Credential, error) {
		return getOne(ctx, tx.writer(), "update credential", scanCredential,
			"SELECT "+credentialCols+" FROM credentials WHERE tenant_id = ? AND id = ?"+tx.d.forUpdate, tenantID, id)
	}
	store := func(tx *Store, old, c model.Credential) error {
		_, err := tx.execUnique(ctx, "update credential",
			"UPDATE credentials SET type = ?, lookup_key = ?, name = ?, secret = ?, data = ?, created_at = ?, "+
				"updated_at = ?, last_used_at = ?, app_id = ?, rp_id = ? WHERE tenant_id = ? AND id = ?",
			c.Type, nullIfEmpty(c.LookupKey), c.Name, c.Secret, rawOrNull(c.Data), millis(c.CreatedAt),
			millis(c.UpdatedAt), millisOrNull(c.LastUsedAt), c.AppID, c.RPID, old.TenantID, old.ID)
		return err
	}
	return update(ctx, s, load, updater, store)
}

// DeleteCredential deletes one of the tenant's credentials.
func (s *Store) DeleteCredential(ctx context.Context, tenantID, id string) error {
	n, err := s.writer().execAffected(ctx, "DELETE FROM credentials WHERE tenant_id = ? AND id = ?", tenantID, id)
	return mustAffect("delete credential", n, err)
}
