package token

import (
	"context"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// JWKSDocument returns the published key set as the JSON document served at JWKSPath, and a
// strong entity tag that changes exactly when the document does. The document is serialised
// once per change of the key set and shared by every request: it lists the deployment's keys
// and those of tenants that have keys of their own (validating, signing, and disabled within
// the maximum token lifetime), so its size does not depend on how many tenants share the
// deployment's keys. The caller must not modify the returned bytes.
//
// Publishing every tenant's keys under one issuer is safe: tokens carry their tenant (tid) and
// audience, verification accepts a tenant's token only with that tenant's or the deployment's
// keys, and a relying party checks the audience it expects.
func (m *Manager) JWKSDocument(ctx context.Context) (doc []byte, etag string, err error) {
	s, _, err := m.current(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("jwks: %w", err)
	}
	return s.doc, s.etag, nil
}

// JWKS returns the published key set; see JWKSDocument.
func (m *Manager) JWKS(ctx context.Context) (jose.JSONWebKeySet, error) {
	s, _, err := m.current(ctx)
	if err != nil {
		return jose.JSONWebKeySet{}, fmt.Errorf("jwks: %w", err)
	}
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(s.keys))}
	for _, k := range s.keys {
		set.Keys = append(set.Keys, k.jwk)
	}
	return set, nil
}

// TenantJWKS returns the published keys that may verify a token of one tenant: its own keys
// and the deployment's. An unknown tenant gets the deployment's keys.
func (m *Manager) TenantJWKS(ctx context.Context, tenantID string) (jose.JSONWebKeySet, error) {
	s, _, err := m.current(ctx)
	if err != nil {
		return jose.JSONWebKeySet{}, fmt.Errorf("tenant jwks: %w", err)
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, k := range s.keys {
		if k.owner == tenantID || k.owner == Deployment {
			set.Keys = append(set.Keys, k.jwk)
		}
	}
	return set, nil
}
