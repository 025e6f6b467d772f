package token

import (
	"context"
	"fmt"
	"slices"

	jose "github.com/go-jose/go-jose/v4"
)

// JWKS returns the public keys of every tenant: validating, signing and disabled keys still
// within the maximum token lifetime. Publishing all tenants' keys under one issuer is safe:
// tokens carry their tenant (tid) and audience, and verification looks keys up by tenant.
// The set is cached like the keys themselves.
func (m *Manager) JWKS(ctx context.Context) (jose.JSONWebKeySet, error) {
	if c := m.jwks.Load(); c != nil && m.fresh(c.loadedAt) {
		return jose.JSONWebKeySet{Keys: slices.Clone(c.keys)}, nil
	}
	m.jwksMu.Lock()
	defer m.jwksMu.Unlock()
	if c := m.jwks.Load(); c != nil && m.fresh(c.loadedAt) {
		return jose.JSONWebKeySet{Keys: slices.Clone(c.keys)}, nil
	}
	now := m.now()
	tenants, err := m.store.ListTenants(ctx)
	if err != nil {
		return jose.JSONWebKeySet{}, fmt.Errorf("jwks: list tenants: %w", err)
	}
	keys := []jose.JSONWebKey{}
	for _, t := range tenants {
		ks, _, err := m.tenantKeys(ctx, t.ID)
		if err != nil {
			return jose.JSONWebKeySet{}, fmt.Errorf("jwks: %w", err)
		}
		keys = append(keys, ks.jwks...)
	}
	m.jwks.Store(&cachedJWKS{loadedAt: now, keys: keys})
	return jose.JSONWebKeySet{Keys: slices.Clone(keys)}, nil
}

// TenantJWKS returns the published keys of one tenant; a tenant without keys, or unknown, has
// an empty set.
func (m *Manager) TenantJWKS(ctx context.Context, tenantID string) (jose.JSONWebKeySet, error) {
	ks, _, err := m.tenantKeys(ctx, tenantID)
	if err != nil {
		return jose.JSONWebKeySet{}, fmt.Errorf("tenant jwks: %w", err)
	}
	return jose.JSONWebKeySet{Keys: append([]jose.JSONWebKey{}, ks.jwks...)}, nil
}
