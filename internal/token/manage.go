package token

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"
	"unicode"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// A tenant administrator manages the tenant's own keys through the API (Mosaic's signing-keys
// operations): lists them with the deployment's shared keys, which also verify the tenant's
// tokens, creates or uploads keys, which start validating (published, signing nothing), makes
// one the signing key, renames, disables and deletes them. The deployment's keys are listed
// but only the operator changes them (latchkey keys rotate). A tenant left without a signing
// key of its own signs with the deployment's again.

// Public errors of the key operations.
var (
	errKeyNotFound = fault.New(fault.NotFound, fault.CodeNotFound, "signing key not found")
	errSharedKey   = fault.New(fault.Forbidden, fault.CodeForbidden,
		"this is one of the deployment's shared keys, which only the operator changes (latchkey keys rotate)")
)

// maxKeyName bounds a key's name.
const maxKeyName = 200

// TenantKeys returns the keys that may sign or verify a tenant's tokens, oldest first: the
// deployment's (TenantID Deployment) and the tenant's own.
func (m *Manager) TenantKeys(ctx context.Context, tenantID string) ([]model.SigningKey, error) {
	if tenantID == "" || tenantID == Deployment {
		return nil, errKeyNotFound
	}
	shared, err := m.store.ListSigningKeys(ctx, Deployment)
	if err != nil {
		return nil, fault.Wrap(err, "list signing keys")
	}
	own, err := m.store.ListSigningKeys(ctx, tenantID)
	if err != nil {
		return nil, fault.Wrap(err, "list signing keys")
	}
	return append(shared, own...), nil
}

// CreateTenantKey generates a key for the tenant in its signing algorithm. It starts
// validating: published in the JWKS, so that verifiers learn it before it signs anything.
func (m *Manager) CreateTenantKey(ctx context.Context, tenantID, name string) (model.SigningKey, error) {
	name, err := keyName(name)
	if err != nil {
		return model.SigningKey{}, err
	}
	m.lifecycle.Lock()
	defer m.lifecycle.Unlock()
	defer m.invalidate()
	alg, _, err := m.ownerState(ctx, tenantID, "")
	if err != nil {
		return model.SigningKey{}, fault.Wrap(err, "create signing key")
	}
	rec, err := m.newKeyRecord(tenantID, alg, model.KeyValidating, m.now())
	if err != nil {
		return model.SigningKey{}, fault.Wrap(err, "create signing key")
	}
	rec.Name = name
	if err := m.store.CreateSigningKey(ctx, rec); err != nil {
		return model.SigningKey{}, fault.Wrap(err, "create signing key")
	}
	return rec, nil
}

// UploadTenantKey stores a private key the administrator brings, as a JWK, for the tenant. It
// must suit the tenant's signing algorithm (an RSA key of at least 2048 bits for RS256, a
// P-256 key for ES256, an Ed25519 key for EdDSA). Its private half is sealed like a generated
// key's; it gets a key id of Latchkey's making, and starts validating.
func (m *Manager) UploadTenantKey(ctx context.Context, tenantID, name string, jwk []byte) (model.SigningKey, error) {
	name, err := keyName(name)
	if err != nil {
		return model.SigningKey{}, err
	}
	priv, err := parsePrivateJWK(jwk)
	if err != nil {
		return model.SigningKey{}, fault.Validation("jwk: " + err.Error())
	}
	m.lifecycle.Lock()
	defer m.lifecycle.Unlock()
	defer m.invalidate()
	alg, _, err := m.ownerState(ctx, tenantID, "")
	if err != nil {
		return model.SigningKey{}, fault.Wrap(err, "upload signing key")
	}
	if err := checkKeyType(alg, priv.Public()); err != nil || !strongEnough(priv) {
		return model.SigningKey{}, fault.Validation(fmt.Sprintf("jwk: the tenant signs with %s; upload a key for it%s", alg, rsaNote(alg)))
	}
	rec, err := m.keyRecordFor(tenantID, alg, model.KeyValidating, priv, m.now())
	if err != nil {
		return model.SigningKey{}, fault.Wrap(err, "upload signing key")
	}
	rec.Name, rec.Uploaded = name, true
	if err := m.store.CreateSigningKey(ctx, rec); err != nil {
		return model.SigningKey{}, fault.Wrap(err, "upload signing key")
	}
	return rec, nil
}

// KeyChange is a change to one of a tenant's keys; nil fields stay as they are.
type KeyChange struct {
	Name   *string
	Status *string // model.KeySigning, KeyValidating or KeyDisabled
}

// UpdateTenantKey renames one of the tenant's own keys or changes its status. Making it the
// signing key disables the tenant's other signing key (still published until its tokens
// expire); taking signing away from it leaves the tenant signing with the deployment's keys.
func (m *Manager) UpdateTenantKey(ctx context.Context, tenantID, id string, ch KeyChange) (model.SigningKey, error) {
	var name string
	if ch.Name != nil {
		var err error
		if name, err = keyName(*ch.Name); err != nil {
			return model.SigningKey{}, err
		}
	}
	if ch.Status != nil && *ch.Status != model.KeySigning && *ch.Status != model.KeyValidating && *ch.Status != model.KeyDisabled {
		return model.SigningKey{}, fault.Validation(fmt.Sprintf("status must be %q, %q or %q", model.KeySigning, model.KeyValidating, model.KeyDisabled))
	}
	m.lifecycle.Lock()
	defer m.lifecycle.Unlock()
	defer m.invalidate()
	alg, records, err := m.ownerState(ctx, tenantID, "")
	if err != nil {
		return model.SigningKey{}, fault.Wrap(err, "update signing key")
	}
	if _, err := m.ownKey(ctx, tenantID, id, records); err != nil {
		return model.SigningKey{}, err
	}
	now := m.now()
	var out model.SigningKey
	err = m.store.UpdateSigningKey(ctx, tenantID, id, func(k model.SigningKey) (model.SigningKey, error) {
		if ch.Status != nil && *ch.Status == model.KeySigning && k.Algorithm != alg {
			return k, fault.New(fault.Conflict, fault.CodeConflict, "this key is for %s but the tenant signs with %s", k.Algorithm, alg)
		}
		if ch.Name != nil {
			k.Name = name
		}
		if ch.Status != nil && *ch.Status != k.Status {
			// UpdatedAt is when the status last changed: it orders signing keys (newer), so
			// the one just made signing wins at once, and dates a disabled key's retirement.
			// A rename leaves it be.
			k.Status, k.UpdatedAt = *ch.Status, now
		}
		out = k
		return k, nil
	})
	if err != nil {
		return model.SigningKey{}, keyErr(err, "update signing key")
	}
	if out.Status == model.KeySigning {
		for _, k := range records {
			if k.ID != id && k.Status == model.KeySigning {
				if err := m.retire(ctx, k, ""); err != nil {
					return model.SigningKey{}, fault.Wrap(err, "update signing key")
				}
			}
		}
		return out, nil
	}
	// The tenant may be left without a signing key of its own: it signs with the deployment's.
	if err := m.ensureLocked(ctx, Deployment); err != nil {
		return model.SigningKey{}, fault.Wrap(err, "update signing key")
	}
	return out, nil
}

// DeleteTenantKey deletes one of the tenant's own keys. Tokens it signed no longer verify.
func (m *Manager) DeleteTenantKey(ctx context.Context, tenantID, id string) error {
	m.lifecycle.Lock()
	defer m.lifecycle.Unlock()
	defer m.invalidate()
	records, err := m.store.ListSigningKeys(ctx, tenantID)
	if err != nil {
		return fault.Wrap(err, "delete signing key")
	}
	if _, err := m.ownKey(ctx, tenantID, id, records); err != nil {
		return err
	}
	if err := m.store.DeleteSigningKey(ctx, tenantID, id); err != nil {
		return keyErr(err, "delete signing key")
	}
	if err := m.ensureLocked(ctx, Deployment); err != nil {
		return fault.Wrap(err, "delete signing key")
	}
	return nil
}

// ownKey finds key id among the tenant's records; a deployment key is refused, anything else
// not found.
func (m *Manager) ownKey(ctx context.Context, tenantID, id string, records []model.SigningKey) (model.SigningKey, error) {
	for _, k := range records {
		if k.ID == id {
			return k, nil
		}
	}
	shared, err := m.store.ListSigningKeys(ctx, Deployment)
	if err != nil {
		return model.SigningKey{}, fault.Wrap(err, "list signing keys")
	}
	for _, k := range shared {
		if k.ID == id {
			return model.SigningKey{}, errSharedKey
		}
	}
	return model.SigningKey{}, errKeyNotFound
}

func keyErr(err error, op string) error {
	var fe *fault.Error
	switch {
	case errors.As(err, &fe):
		return fe
	case errors.Is(err, storage.ErrNotFound):
		return errKeyNotFound.With(err)
	}
	return fault.Wrap(err, op)
}

// keyName checks a key's name: required, at most maxKeyName characters, no control characters.
func keyName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", fault.Validation("name is required")
	case len(name) > maxKeyName:
		return "", fault.Validation(fmt.Sprintf("name must be at most %d characters", maxKeyName))
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", fault.Validation("name must not contain control characters")
	}
	return name, nil
}

// parsePrivateJWK reads a private key from a JWK.
func parsePrivateJWK(raw []byte) (crypto.Signer, error) {
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil {
		return nil, errors.New("not a JSON Web Key (" + err.Error() + ")")
	}
	if jwk.IsPublic() || !jwk.Valid() {
		return nil, errors.New("must be a private key: Latchkey signs with it")
	}
	switch k := jwk.Key.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("a %T cannot sign tokens", jwk.Key)
}

// strongEnough refuses RSA keys under 2048 bits; the other types have fixed sizes checked by
// checkKeyType.
func strongEnough(priv crypto.Signer) bool {
	if k, ok := priv.(*rsa.PrivateKey); ok {
		return k.N.BitLen() >= 2048
	}
	if k, ok := priv.(*ecdsa.PrivateKey); ok {
		return k.Curve == elliptic.P256()
	}
	return true
}

func rsaNote(alg string) string {
	if alg == model.AlgRS256 {
		return " (RSA, at least 2048 bits)"
	}
	return ""
}
