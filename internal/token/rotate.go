package token

import (
	"context"
	"errors"
	"fmt"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// EnsureKeys gives a tenant a signing key and a validating key if it lacks them, in the
// tenant's SigningAlg (RS256 when unset). It is idempotent. Two nodes racing on a new tenant
// may both create keys; that is harmless, as every key is published and the latest signing
// key is the one used.
func (m *Manager) EnsureKeys(ctx context.Context, tenantID string) error {
	m.lifecycle.Lock()
	defer m.lifecycle.Unlock()
	defer m.Invalidate(tenantID)

	alg, records, err := m.tenantState(ctx, tenantID)
	if err != nil {
		return fmt.Errorf("ensure keys: %w", err)
	}
	var signing, validating bool
	for _, k := range records {
		signing = signing || k.Status == model.KeySigning
		validating = validating || k.Status == model.KeyValidating
	}
	if !signing {
		if err := m.createKey(ctx, tenantID, alg, model.KeySigning); err != nil {
			return fmt.Errorf("ensure keys: %w", err)
		}
	}
	if !validating {
		if err := m.createKey(ctx, tenantID, alg, model.KeyValidating); err != nil {
			return fmt.Errorf("ensure keys: %w", err)
		}
	}
	return nil
}

// errRotated aborts a promotion that another rotation already made.
var errRotated = fmt.Errorf("key changed by a concurrent rotation: %w", storage.ErrConflict)

// Rotate makes the tenant's oldest validating key the signing key, disables the previous
// signing key, creates the next validating key, and deletes disabled keys older than the
// maximum token lifetime. If the tenant's SigningAlg changed since the validating key was made,
// that key is deleted and a new key of the new algorithm signs at once; other nodes find it by
// its unknown kid. Rotate returns an error wrapping storage.ErrConflict when a rotation on
// another node got there first.
func (m *Manager) Rotate(ctx context.Context, tenantID string) error {
	m.lifecycle.Lock()
	defer m.lifecycle.Unlock()
	defer m.Invalidate(tenantID)

	alg, records, err := m.tenantState(ctx, tenantID)
	if err != nil {
		return fmt.Errorf("rotate keys: %w", err)
	}
	now := m.now()

	// Promote first: at every step the tenant has a signing key.
	next := ""
	for _, k := range records {
		if k.Status == model.KeyValidating && k.Algorithm == alg {
			next = k.ID
			break
		}
	}
	if next == "" {
		rec, err := m.newKeyRecord(tenantID, alg, model.KeySigning, now)
		if err != nil {
			return fmt.Errorf("rotate keys: %w", err)
		}
		if err := m.store.CreateSigningKey(ctx, rec); err != nil {
			return fmt.Errorf("rotate keys: create signing key: %w", err)
		}
		next = rec.ID
	} else {
		err := m.store.UpdateSigningKey(ctx, tenantID, next, func(k model.SigningKey) (model.SigningKey, error) {
			if k.Status != model.KeyValidating {
				return k, errRotated
			}
			k.Status, k.UpdatedAt = model.KeySigning, now
			return k, nil
		})
		if err != nil {
			return fmt.Errorf("rotate keys: promote %s: %w", next, err)
		}
	}

	for _, k := range records {
		if k.ID == next {
			continue
		}
		if err := m.retire(ctx, k, alg); err != nil {
			return fmt.Errorf("rotate keys: %w", err)
		}
	}
	if err := m.createKey(ctx, tenantID, alg, model.KeyValidating); err != nil {
		return fmt.Errorf("rotate keys: %w", err)
	}
	return nil
}

// retire moves a key that is not the new signing key one step towards deletion.
func (m *Manager) retire(ctx context.Context, k model.SigningKey, alg string) error {
	now := m.now()
	switch {
	case k.Status == model.KeySigning:
		err := m.store.UpdateSigningKey(ctx, k.TenantID, k.ID, func(k model.SigningKey) (model.SigningKey, error) {
			if k.Status == model.KeySigning {
				k.Status, k.UpdatedAt = model.KeyDisabled, now
			}
			return k, nil
		})
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("disable %s: %w", k.ID, err)
		}
	case k.Status == model.KeyValidating && k.Algorithm != alg,
		k.Status == model.KeyDisabled && now.Sub(k.UpdatedAt) > m.maxLifetime:
		// A validating key of an abandoned algorithm never signed anything; an old disabled
		// key signed nothing still valid.
		err := m.store.DeleteSigningKey(ctx, k.TenantID, k.ID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("delete %s: %w", k.ID, err)
		}
	}
	return nil
}

func (m *Manager) tenantState(ctx context.Context, tenantID string) (string, []model.SigningKey, error) {
	t, err := m.store.GetTenant(ctx, tenantID)
	if err != nil {
		return "", nil, fmt.Errorf("get tenant: %w", err)
	}
	alg, err := signingAlg(t)
	if err != nil {
		return "", nil, err
	}
	records, err := m.store.ListSigningKeys(ctx, tenantID)
	if err != nil {
		return "", nil, fmt.Errorf("list signing keys: %w", err)
	}
	return alg, records, nil
}

func (m *Manager) createKey(ctx context.Context, tenantID, alg, status string) error {
	rec, err := m.newKeyRecord(tenantID, alg, status, m.now())
	if err != nil {
		return err
	}
	if err := m.store.CreateSigningKey(ctx, rec); err != nil {
		return fmt.Errorf("create %s key: %w", status, err)
	}
	return nil
}
