package sqlstore

import (
	"context"

	"github.com/latchkey/latchkey/internal/model"
)

const keyCols = "id, tenant_id, algorithm, status, public_jwk, private_enc, name, uploaded, created_at, updated_at"

func scanKey(sc scanner) (model.SigningKey, error) {
	var k model.SigningKey
	var created, updated int64
	if err := sc.Scan(&k.ID, &k.TenantID, &k.Algorithm, &k.Status, &k.PublicJWK, &k.PrivateEnc, &k.Name, &k.Uploaded, &created, &updated); err != nil {
		return k, err
	}
	k.CreatedAt, k.UpdatedAt = fromMillis(created), fromMillis(updated)
	return k, nil
}

// CreateSigningKey stores a new signing key.
func (s *Store) CreateSigningKey(ctx context.Context, k model.SigningKey) error {
	_, err := s.execUnique(ctx, "create signing key",
		"INSERT INTO signing_keys ("+keyCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		k.ID, k.TenantID, k.Algorithm, k.Status, k.PublicJWK, k.PrivateEnc, k.Name, k.Uploaded, millis(k.CreatedAt), millis(k.UpdatedAt))
	return err
}

// ListSigningKeys returns the tenant's keys, oldest first.
func (s *Store) ListSigningKeys(ctx context.Context, tenantID string) ([]model.SigningKey, error) {
	return getAll(ctx, s.reader(), "list signing keys", scanKey,
		"SELECT "+keyCols+" FROM signing_keys WHERE tenant_id = ? ORDER BY created_at, rowid", tenantID)
}

// ListAllSigningKeys returns every stored key, oldest first.
func (s *Store) ListAllSigningKeys(ctx context.Context) ([]model.SigningKey, error) {
	return getAll(ctx, s.reader(), "list all signing keys", scanKey,
		"SELECT "+keyCols+" FROM signing_keys ORDER BY created_at, rowid")
}

// UpdateSigningKey applies updater to the key atomically; its ids cannot change.
func (s *Store) UpdateSigningKey(ctx context.Context, tenantID, id string, updater func(model.SigningKey) (model.SigningKey, error)) error {
	load := func(tx *Store) (model.SigningKey, error) {
		return getOne(ctx, tx.writer(), "update signing key", scanKey,
			"SELECT "+keyCols+" FROM signing_keys WHERE tenant_id = ? AND id = ?"+tx.d.forUpdate, tenantID, id)
	}
	store := func(tx *Store, old, k model.SigningKey) error {
		_, err := tx.writer().exec(ctx,
			"UPDATE signing_keys SET algorithm = ?, status = ?, public_jwk = ?, private_enc = ?, name = ?, uploaded = ?, "+
				"created_at = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
			k.Algorithm, k.Status, k.PublicJWK, k.PrivateEnc, k.Name, k.Uploaded, millis(k.CreatedAt), millis(k.UpdatedAt),
			old.TenantID, old.ID)
		return errf("update signing key", err)
	}
	return update(ctx, s, load, updater, store)
}

// DeleteSigningKey deletes one of the tenant's keys.
func (s *Store) DeleteSigningKey(ctx context.Context, tenantID, id string) error {
	n, err := s.writer().execAffected(ctx, "DELETE FROM signing_keys WHERE tenant_id = ? AND id = ?", tenantID, id)
	return mustAffect("delete signing key", n, err)
}
