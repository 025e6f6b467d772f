package token

import (
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
// finds keys by tid and accepts only this issuer. A tenant without keys gets them on first use.
func (m *Manager) SignTyped(ctx context.Context, tenantID, typ string, claims any) (string, error) {
	if tenantID == "" {
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

func (m *Manager) signingKey(ctx context.Context, tenantID string) (*signingKey, error) {
	ks, _, err := m.tenantKeys(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if ks.signing != nil {
		return ks.signing, nil
	}
	if err := m.EnsureKeys(ctx, tenantID); err != nil {
		return nil, err
	}
	if ks, _, err = m.tenantKeys(ctx, tenantID); err != nil {
		return nil, err
	}
	if ks.signing == nil {
		return nil, fmt.Errorf("tenant %s has no signing key", tenantID)
	}
	return ks.signing, nil
}

// payload marshals claims with tid and iss filled in. The claims' own JSON is kept byte for
// byte (large integers survive unchanged) and missing claims are appended to it, which costs
// a fraction of decoding the whole object and encoding it again.
func (m *Manager) payload(tenantID string, claims any) ([]byte, error) {
	raw, err := json.Marshal(claims)
	if err != nil {
		return nil, fmt.Errorf("marshal claims: %w", err)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, errors.New("claims must marshal to a JSON object")
	}
	var extra []byte
	rebuild := false
	for _, c := range [...]struct{ name, want string }{{"tid", tenantID}, {"iss", m.issuer}} {
		have, ok := obj[c.name]
		if ok && string(have) != `""` {
			var v string
			if err := json.Unmarshal(have, &v); err != nil || v != c.want {
				return nil, fmt.Errorf("claim %q is %s, want %q", c.name, have, c.want)
			}
			continue
		}
		val, err := json.Marshal(c.want)
		if err != nil {
			return nil, err
		}
		// Present but empty, the claim is replaced, which needs the object encoded again.
		rebuild = rebuild || ok
		obj[c.name] = val
		extra = append(append(append(extra, `,"`...), c.name...), `":`...)
		extra = append(extra, val...)
	}
	switch {
	case rebuild:
		return json.Marshal(obj)
	case extra == nil:
		return raw, nil
	}
	// raw is a compact object from json.Marshal: it ends in '}', and is "{}" when empty.
	out := make([]byte, 0, len(raw)+len(extra))
	out = append(out, raw[:len(raw)-1]...)
	if len(raw) == 2 {
		extra = extra[1:]
	}
	return append(append(out, extra...), '}'), nil
}
