package token

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// EnsureDeploymentKeys gives the deployment a signing key and a validating key if it lacks
// them (RS256 unless its keys already use another algorithm). It is idempotent. Every tenant
// without keys of its own signs with them, so creating a tenant creates no key.
func (m *Manager) EnsureDeploymentKeys(ctx context.Context) error {
	return m.ensure(ctx, Deployment)
}

// EnsureKeys gives a tenant keys of its own, a signing key and a validating key, in the
// tenant's SigningAlg (RS256 when unset), if it lacks them. From then on the tenant's tokens
// are signed with its own keys, which verify no other tenant's tokens. It is idempotent. Two
// nodes racing may both create keys; that is harmless, as every key is published and the
// latest signing key is the one used.
func (m *Manager) EnsureKeys(ctx context.Context, tenantID string) error {
	if tenantID == "" || tenantID == Deployment {
		return errors.New("ensure keys: no tenant")
	}
	return m.ensure(ctx, tenantID)
}

func (m *Manager) ensure(ctx context.Context, owner string) error {
	m.lifecycle.Lock()
	defer m.lifecycle.Unlock()
	defer m.invalidate()
	return m.ensureLocked(ctx, owner)
}

// ensureLocked is EnsureKeys for owner; the caller holds lifecycle.
func (m *Manager) ensureLocked(ctx context.Context, owner string) error {
	alg, records, err := m.ownerState(ctx, owner, "")
	if err != nil {
		return fmt.Errorf("ensure keys: %w", err)
	}
	var signing, validating bool
	for _, k := range records {
		signing = signing || k.Status == model.KeySigning
		validating = validating || k.Status == model.KeyValidating
	}
	if !signing {
		if err := m.createKey(ctx, owner, alg, model.KeySigning); err != nil {
			return fmt.Errorf("ensure keys: %w", err)
		}
	}
	if !validating {
		if err := m.createKey(ctx, owner, alg, model.KeyValidating); err != nil {
			return fmt.Errorf("ensure keys: %w", err)
		}
	}
	return nil
}

// errRotated aborts a promotion that another rotation already made.
var errRotated = fmt.Errorf("key changed by a concurrent rotation: %w", storage.ErrConflict)

// Rotate rotates a tenant's own keys: it makes the tenant's oldest validating key the signing
// key, disables the previous signing key, creates the next validating key, and deletes disabled
// keys older than the maximum token lifetime. A tenant without keys of its own gets them, and
// signs with them at once. If the tenant's SigningAlg changed since the validating key was
// made, that key is deleted and a new key of the new algorithm signs at once; other nodes find
// it by its unknown kid. Rotate returns an error wrapping storage.ErrConflict when a rotation
// on another node got there first.
func (m *Manager) Rotate(ctx context.Context, tenantID string) error {
	if tenantID == "" || tenantID == Deployment {
		return errors.New("rotate keys: no tenant")
	}
	m.lifecycle.Lock()
	defer m.lifecycle.Unlock()
	defer m.invalidate()
	return m.rotateLocked(ctx, tenantID, "")
}

// RotateDeployment rotates the deployment's keys as Rotate does a tenant's, switching them to
// alg when it is set and differs, and deletes every owner's disabled keys older than the
// maximum token lifetime (those of tenants that went back to the deployment's keys included).
func (m *Manager) RotateDeployment(ctx context.Context, alg string) error {
	if alg != "" {
		if _, err := signingAlg(model.Tenant{SigningAlg: alg}); err != nil {
			return fmt.Errorf("rotate keys: %w", err)
		}
	}
	m.lifecycle.Lock()
	defer m.lifecycle.Unlock()
	defer m.invalidate()
	if err := m.rotateLocked(ctx, Deployment, alg); err != nil {
		return err
	}
	all, err := m.store.ListAllSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("rotate keys: list signing keys: %w", err)
	}
	for _, k := range all {
		if k.Status == model.KeyDisabled && k.TenantID != Deployment {
			if err := m.retire(ctx, k, k.Algorithm); err != nil {
				return fmt.Errorf("rotate keys: %w", err)
			}
		}
	}
	return nil
}

// ShareKeys makes a tenant sign with the deployment's keys again: its own signing key is
// disabled (still published until the tokens it signed expire) and its validating key, which
// signed nothing, deleted.
func (m *Manager) ShareKeys(ctx context.Context, tenantID string) error {
	if tenantID == "" || tenantID == Deployment {
		return errors.New("share keys: no tenant")
	}
	m.lifecycle.Lock()
	defer m.lifecycle.Unlock()
	defer m.invalidate()
	if _, err := m.store.GetTenant(ctx, tenantID); err != nil {
		return fmt.Errorf("share keys: get tenant: %w", err)
	}
	// The deployment's keys exist before the tenant's stop signing.
	if err := m.ensureLocked(ctx, Deployment); err != nil {
		return fmt.Errorf("share keys: %w", err)
	}
	records, err := m.store.ListSigningKeys(ctx, tenantID)
	if err != nil {
		return fmt.Errorf("share keys: list signing keys: %w", err)
	}
	for _, k := range records {
		if err := m.retire(ctx, k, ""); err != nil {
			return fmt.Errorf("share keys: %w", err)
		}
	}
	return nil
}

// OwnKeyTenants returns the ids of the tenants that sign with keys of their own.
func (m *Manager) OwnKeyTenants(ctx context.Context) ([]string, error) {
	all, err := m.store.ListAllSigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	var out []string
	for _, k := range all {
		if k.TenantID != Deployment && k.Status == model.KeySigning && !slices.Contains(out, k.TenantID) {
			out = append(out, k.TenantID)
		}
	}
	return out, nil
}

// rotateLocked is Rotate for owner; the caller holds lifecycle.
func (m *Manager) rotateLocked(ctx context.Context, owner, wantAlg string) error {
	alg, records, err := m.ownerState(ctx, owner, wantAlg)
	if err != nil {
		return fmt.Errorf("rotate keys: %w", err)
	}
	now := m.now()

	// Promote first: at every step the owner has a signing key.
	next := ""
	for _, k := range records {
		if k.Status == model.KeyValidating && k.Algorithm == alg {
			next = k.ID
			break
		}
	}
	if next == "" {
		rec, err := m.newKeyRecord(owner, alg, model.KeySigning, now)
		if err != nil {
			return fmt.Errorf("rotate keys: %w", err)
		}
		if err := m.store.CreateSigningKey(ctx, rec); err != nil {
			return fmt.Errorf("rotate keys: create signing key: %w", err)
		}
		next = rec.ID
	} else {
		err := m.store.UpdateSigningKey(ctx, owner, next, func(k model.SigningKey) (model.SigningKey, error) {
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
	if err := m.createKey(ctx, owner, alg, model.KeyValidating); err != nil {
		return fmt.Errorf("rotate keys: %w", err)
	}
	return nil
}

// retire moves a key that is not the new signing key one step towards deletion. A validating
// key not of alg (any validating key when alg is empty) never signed anything and goes at once.
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
	case k.Status == model.KeyValidating && (alg == "" || k.Algorithm != alg),
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

// ownerState returns the algorithm owner's new keys use and its stored keys. A tenant's
// algorithm is its SigningAlg; the deployment's is wantAlg when set, else that of its newest
// signing key, else RS256.
func (m *Manager) ownerState(ctx context.Context, owner, wantAlg string) (string, []model.SigningKey, error) {
	alg := wantAlg
	if owner != Deployment {
		t, err := m.store.GetTenant(ctx, owner)
		if err != nil {
			return "", nil, fmt.Errorf("get tenant: %w", err)
		}
		if alg, err = signingAlg(t); err != nil {
			return "", nil, err
		}
	}
	records, err := m.store.ListSigningKeys(ctx, owner)
	if err != nil {
		return "", nil, fmt.Errorf("list signing keys: %w", err)
	}
	if alg == "" {
		alg = model.AlgRS256
		var newest *model.SigningKey
		for i := range records {
			if records[i].Status == model.KeySigning && (newest == nil || newer(records[i], *newest)) {
				newest = &records[i]
			}
		}
		if newest != nil {
			alg = newest.Algorithm
		}
	}
	return alg, records, nil
}

func (m *Manager) createKey(ctx context.Context, owner, alg, status string) error {
	rec, err := m.newKeyRecord(owner, alg, status, m.now())
	if err != nil {
		return err
	}
	if err := m.store.CreateSigningKey(ctx, rec); err != nil {
		return fmt.Errorf("create %s key: %w", status, err)
	}
	return nil
}
