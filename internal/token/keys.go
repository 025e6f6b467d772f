package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/sealing"
)

// publicKey is a published key as parsed from its record.
type publicKey struct {
	id    string
	owner string // the tenant it belongs to, or Deployment
	alg   string
	key   crypto.PublicKey
	jwk   jose.JSONWebKey
	raw   []byte // the stored JWK, to tell whether a reload may reuse this parse
}

// signingKey is the private half of the key a tenant signs with, opened on first use: loading
// a key set for verification or for the JWKS never needs it.
type signingKey struct {
	publicKey
	record model.SigningKey
	open   func(model.SigningKey) (crypto.Signer, error)

	once sync.Once
	priv crypto.Signer
	err  error
}

func (s *signingKey) signer() (crypto.Signer, error) {
	s.once.Do(func() { s.priv, s.err = s.open(s.record) })
	return s.priv, s.err
}

// newer reports whether a was made the signing key after b. Two signing keys coexist only
// briefly during a rotation, or after concurrent first uses on two nodes; either way the
// latest promoted one is the one to use.
func newer(a, b model.SigningKey) bool {
	if !a.UpdatedAt.Equal(b.UpdatedAt) {
		return a.UpdatedAt.After(b.UpdatedAt)
	}
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.After(b.CreatedAt)
	}
	return a.ID > b.ID
}

func parsePublic(rec model.SigningKey) (*publicKey, error) {
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(rec.PublicJWK); err != nil {
		return nil, fmt.Errorf("parse public JWK: %w", err)
	}
	if !jwk.IsPublic() {
		return nil, errors.New("stored public JWK holds a private key")
	}
	if jwk.KeyID != rec.ID || jwk.Algorithm != rec.Algorithm {
		return nil, errors.New("public JWK does not match its record")
	}
	if err := checkKeyType(rec.Algorithm, jwk.Key); err != nil {
		return nil, err
	}
	jwk.Use = "sig"
	return &publicKey{id: rec.ID, owner: rec.TenantID, alg: rec.Algorithm, key: jwk.Key, jwk: jwk, raw: rec.PublicJWK}, nil
}

// checkKeyType makes sure a key is of the type its algorithm needs, so that a token can never
// be checked with a key of another kind than the one it was made for.
func checkKeyType(alg string, key crypto.PublicKey) error {
	ok := false
	switch alg {
	case model.AlgRS256:
		_, ok = key.(*rsa.PublicKey)
	case model.AlgES256:
		var k *ecdsa.PublicKey
		k, ok = key.(*ecdsa.PublicKey)
		ok = ok && k.Curve == elliptic.P256()
	case model.AlgEdDSA:
		_, ok = key.(ed25519.PublicKey)
	default:
		return fmt.Errorf("unsupported signing algorithm %q", alg)
	}
	if !ok {
		return fmt.Errorf("key of type %T does not suit %s", key, alg)
	}
	return nil
}

// keyAD is the additional data a private key is sealed with: it binds the ciphertext to its
// tenant and key id, so a sealed key copied onto another record does not open.
func keyAD(tenantID, kid string) []byte { return sealing.SigningKeyAD(tenantID, kid) }

func (m *Manager) openPrivate(rec model.SigningKey) (crypto.Signer, error) {
	der, err := m.keys.Open(rec.PrivateEnc, keyAD(rec.TenantID, rec.ID))
	if err != nil {
		return nil, fmt.Errorf("open signing key %s: %w", rec.ID, err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("parse signing key %s: %w", rec.ID, err)
	}
	priv, ok := parsed.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("signing key %s: %T cannot sign", rec.ID, parsed)
	}
	return priv, nil
}

// signingAlg returns the algorithm new keys of the tenant use.
func signingAlg(t model.Tenant) (string, error) {
	switch t.SigningAlg {
	case "":
		return model.AlgRS256, nil
	case model.AlgRS256, model.AlgES256, model.AlgEdDSA:
		return t.SigningAlg, nil
	}
	return "", fmt.Errorf("tenant %s: unsupported signing algorithm %q", t.ID, t.SigningAlg)
}

func generate(alg string) (crypto.Signer, error) {
	switch alg {
	case model.AlgRS256:
		return rsa.GenerateKey(rand.Reader, 2048)
	case model.AlgES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case model.AlgEdDSA:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	}
	return nil, fmt.Errorf("unsupported signing algorithm %q", alg)
}

// newKeyRecord generates a key pair and returns its record, private half sealed.
func (m *Manager) newKeyRecord(tenantID, alg, status string, now time.Time) (model.SigningKey, error) {
	priv, err := generate(alg)
	if err != nil {
		return model.SigningKey{}, fmt.Errorf("generate %s key: %w", alg, err)
	}
	return m.keyRecordFor(tenantID, alg, status, priv, now)
}

// keyRecordFor returns the record of a private key, generated or uploaded: a new key id, the
// private half sealed under the key store bound to its tenant and id, and the public JWK.
func (m *Manager) keyRecordFor(tenantID, alg, status string, priv crypto.Signer, now time.Time) (model.SigningKey, error) {
	kid := model.NewID()
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return model.SigningKey{}, fmt.Errorf("marshal private key: %w", err)
	}
	sealed, err := m.keys.Seal(der, keyAD(tenantID, kid))
	if err != nil {
		return model.SigningKey{}, fmt.Errorf("seal private key: %w", err)
	}
	pub, err := jose.JSONWebKey{Key: priv.Public(), KeyID: kid, Algorithm: alg, Use: "sig"}.MarshalJSON()
	if err != nil {
		return model.SigningKey{}, fmt.Errorf("marshal public key: %w", err)
	}
	return model.SigningKey{
		ID: kid, TenantID: tenantID, Algorithm: alg, Status: status,
		PublicJWK: pub, PrivateEnc: sealed, CreatedAt: now, UpdatedAt: now,
	}, nil
}
