package token

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// Token types for the "typ" header.
const (
	TypeJWT         = "JWT"
	TypeAccessToken = "at+jwt" // RFC 9068
)

// Sign signs claims as a JWT of type "JWT" with the tenant's signing key. See SignTyped.
func (m *Manager) Sign(ctx context.Context, tenantID string, claims any) (string, error) {
	return m.SignTyped(ctx, tenantID, TypeJWT, claims)
}

// SignTyped signs claims, which must marshal to a JSON object, with the tenant's signing key;
// the header carries kid, alg and typ. The tenant's id is set as "tid" and the issuer as "iss"
// when claims lack them, and claims naming another tenant or issuer are refused: verification
// finds keys by tid and accepts only this issuer. A tenant without keys of its own signs with the deployment's keys, which are created
// on first use.
func (m *Manager) SignTyped(ctx context.Context, tenantID, typ string, claims any) (string, error) {
	if tenantID == "" || tenantID == Deployment {
		return "", errors.New("sign token: no tenant")
	}
	payload, err := m.payload(tenantID, claims)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	key, err := m.signingKey(ctx, tenantID)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	priv, err := key.signer()
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.SignatureAlgorithm(key.alg), Key: jose.JSONWebKey{Key: priv, KeyID: key.id}},
		(&jose.SignerOptions{}).WithType(jose.ContentType(typ)),
	)
	if err != nil {
		return "", fmt.Errorf("sign token: new signer: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return jws.CompactSerialize()
}

// signingKey returns the key to sign a tenant's token with, from the node's snapshot: the very
// snapshot whose document the node serves, so the key is published by this node before or
// as it first signs with it. When no key exists yet (a new deployment), the deployment's keys
// are created.
func (m *Manager) signingKey(ctx context.Context, tenantID string) (*signingKey, error) {
	s, _, err := m.current(ctx)
	if err != nil {
		return nil, err
	}
	if k := s.signing[tenantID]; k != nil {
		return k, nil
	}
	// A tenant with keys of its own surely exists; one that shares the deployment's keys is
	// looked up (a cached read), so no token is signed for a tenant that does not exist.
	if _, err := m.store.GetTenant(ctx, tenantID); err != nil {
		return nil, fmt.Errorf("get tenant: %w", err)
	}
	if k := s.signerFor(tenantID); k != nil {
		return k, nil
	}
	if err := m.EnsureDeploymentKeys(ctx); err != nil {
		return nil, err
	}
	if s, _, err = m.current(ctx); err != nil {
		return nil, err
	}
	if k := s.signerFor(tenantID); k != nil {
		return k, nil
	}
	return nil, fmt.Errorf("tenant %s has no signing key", tenantID)
}

// payload marshals claims with tid and iss filled in. Raw JSON inside the claims (custom data
// as stored) is decoded and encoded again, so a signed token never carries duplicate keys,
// which parsers resolve differently, or invalid UTF-8; numbers go through json.Number so that
// large integers survive unchanged. Claims made only of maps, slices and plain values, and
// Typed claims, are marshalled once after that (see fast.go); anything else is marshalled,
// decoded and marshalled again, which normalises it whatever it holds.
func (m *Manager) payload(tenantID string, claims any) ([]byte, error) {
	if raw, ok, err := m.fastPayload(tenantID, claims); ok || err != nil {
		return raw, err
	}
	raw, err := json.Marshal(claims)
	if err != nil {
		return nil, fmt.Errorf("marshal claims: %w", err)
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, errors.New("claims must marshal to a JSON object")
	}
	if err := setClaim(obj, "tid", tenantID); err != nil {
		return nil, err
	}
	if err := setClaim(obj, "iss", m.issuer); err != nil {
		return nil, err
	}
	return json.Marshal(obj)
}

func setClaim(obj map[string]any, name, want string) error {
	v, ok := obj[name]
	if !ok || v == "" {
		obj[name] = want
		return nil
	}
	if v != want {
		return claimMismatch(name, v, want)
	}
	return nil
}

// claimMismatch is the error of claims that name another tenant or issuer than the signing.
func claimMismatch(name string, got any, want string) error {
	return fmt.Errorf("claim %q is %v, want %q", name, got, want)
}
