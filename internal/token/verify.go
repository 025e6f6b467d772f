package token

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Leeway is the clock skew allowed when checking exp, nbf and iat.
const Leeway = 60 * time.Second

// Verification errors. Every rejection of a token wraps ErrInvalidToken; an expired token's
// error also wraps ErrExpired. Other errors (storage failures) mean the token could not be
// checked.
var (
	ErrInvalidToken = errors.New("invalid token")
	ErrExpired      = fmt.Errorf("%w: expired", ErrInvalidToken)
)

// acceptedAlgs are the only algorithms a token may name; anything else, "none" and HMAC
// included, fails parsing.
var acceptedAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidToken}, args...)...)
}

// Verify checks a token of any tenant: the key is looked up by the token's kid among the
// published keys of the token's tenant (tid) and of the deployment, then the signature, iss,
// exp, nbf and iat are checked (exp is required). On success the claims are unmarshalled into dest when it is not nil.
func (m *Manager) Verify(ctx context.Context, raw string, dest any) error {
	return m.verify(ctx, raw, "", dest, nil)
}

// VerifyTenant is Verify that also requires the token to belong to tenantID.
func (m *Manager) VerifyTenant(ctx context.Context, raw, tenantID string, dest any) error {
	if tenantID == "" {
		return errors.New("verify token: no tenant")
	}
	return m.verify(ctx, raw, tenantID, dest, nil)
}

// verify checks raw's signature and claims; with remember, a token that passes both is put
// in it.
func (m *Manager) verify(ctx context.Context, raw, wantTenant string, dest any, remember *memo) error {
	jws, err := jose.ParseSignedCompact(raw, acceptedAlgs)
	if err != nil {
		return invalid("parse: %v", err)
	}
	header := jws.Signatures[0].Header
	if header.KeyID == "" {
		return invalid("no kid")
	}
	// The claims are decoded once, before the signature is checked: the tid only chooses the
	// key (a forged tid leads to keys that cannot verify the signature), and the registered
	// claims are trusted only once the signature over these same bytes has been verified.
	var unverified struct {
		TID string `json:"tid"`
		jwt.Claims
	}
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &unverified); err != nil {
		return invalid("claims are not a JSON object with valid registered claims")
	}
	if unverified.TID == "" {
		return invalid("no tid")
	}
	if wantTenant != "" && unverified.TID != wantTenant {
		return invalid("token of another tenant")
	}

	key, err := m.lookup(ctx, unverified.TID, header.KeyID)
	if err != nil {
		return fmt.Errorf("verify token: %w", err)
	}
	if key == nil {
		return invalid("unknown key")
	}
	if header.Algorithm != key.alg {
		return invalid("algorithm %s does not match key", header.Algorithm)
	}
	payload, err := jws.Verify(key.key)
	if err != nil {
		return invalid("bad signature")
	}
	if err := m.checkClaims(unverified.Claims, payload, dest); err != nil {
		return err
	}
	if remember != nil {
		remember.put(raw, memoEntry{tenant: unverified.TID, kid: header.KeyID, alg: key.alg, std: unverified.Claims, payload: payload})
	}
	return nil
}

// checkClaims checks the registered claims std of a verified payload against the current
// time and this issuer, then decodes the payload into dest when it is not nil.
func (m *Manager) checkClaims(std jwt.Claims, payload []byte, dest any) error {
	if std.Expiry == nil {
		return invalid("no exp")
	}
	err := std.ValidateWithLeeway(jwt.Expected{Issuer: m.issuer, Time: m.now()}, Leeway)
	switch {
	case errors.Is(err, jwt.ErrExpired):
		return ErrExpired
	case err != nil:
		return invalid("%v", err)
	}
	if dest == nil {
		return nil
	}
	if err := json.Unmarshal(payload, dest); err != nil {
		return invalid("decode claims: %v", err)
	}
	return nil
}

// lookup finds a published key that may verify a token of tenantID (see snapshot.key),
// reading the keys again if the kid is unknown to a snapshot that was not just loaded. It
// returns nil when there is no such key.
func (m *Manager) lookup(ctx context.Context, tenantID, kid string) (*publicKey, error) {
	s, loaded, err := m.current(ctx)
	if err != nil {
		return nil, err
	}
	if k := s.key(tenantID, kid); k != nil || loaded || s.byID[kid] != nil {
		return k, nil
	}
	s, err = m.reloadForKid(ctx, kid)
	if err != nil {
		return nil, err
	}
	return s.key(tenantID, kid), nil
}
