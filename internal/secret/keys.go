package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
)

// MasterKeySize is the length in bytes of a master key.
const MasterKeySize = 32

// HKDF info strings. Each purpose gets its own subkey so that a hash computed for one kind of
// credential can never be replayed as another, and so that the sealing key is never used for
// hashing.
const (
	infoClientSecret = "latchkey client secret"
	infoRefreshToken = "latchkey refresh token"
	infoCode         = "latchkey one-time code"
	infoSealing      = "latchkey signing key encryption"
	infoSuccessor    = "latchkey refresh token successor"
)

// Keys holds the subkeys derived from a master key. It is safe for concurrent use.
type Keys struct {
	clientSecret []byte
	refreshToken []byte
	code         []byte
	successor    []byte
	aead         cipher.AEAD
}

// NewKeys derives the subkeys of a 32-byte master key.
func NewKeys(master []byte) (*Keys, error) {
	if len(master) != MasterKeySize {
		return nil, fmt.Errorf("master key must be %d bytes, got %d", MasterKeySize, len(master))
	}
	derive := func(info string) ([]byte, error) {
		// The master key is already uniformly random, so no salt is needed.
		return hkdf.Key(sha256.New, master, nil, info, 32)
	}
	var k Keys
	var err error
	if k.clientSecret, err = derive(infoClientSecret); err != nil {
		return nil, fmt.Errorf("derive client secret key: %w", err)
	}
	if k.refreshToken, err = derive(infoRefreshToken); err != nil {
		return nil, fmt.Errorf("derive refresh token key: %w", err)
	}
	if k.code, err = derive(infoCode); err != nil {
		return nil, fmt.Errorf("derive code key: %w", err)
	}
	if k.successor, err = derive(infoSuccessor); err != nil {
		return nil, fmt.Errorf("derive successor key: %w", err)
	}
	sealKey, err := derive(infoSealing)
	if err != nil {
		return nil, fmt.Errorf("derive sealing key: %w", err)
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, fmt.Errorf("create cipher: %w", err)
	}
	if k.aead, err = cipher.NewGCMWithRandomNonce(block); err != nil {
		return nil, fmt.Errorf("create GCM: %w", err)
	}
	return &k, nil
}

// HashClientSecret returns the keyed hash under which a client secret is stored. Client
// secrets are long random strings, so a fast keyed hash resists guessing as well as a slow
// password hash would, at a fraction of the cost per token request.
func (k *Keys) HashClientSecret(s string) []byte {
	return mac(k.clientSecret, nil, s)
}

// HashRefreshToken returns the keyed hash under which a refresh token is stored.
func (k *Keys) HashRefreshToken(s string) []byte {
	return mac(k.refreshToken, nil, s)
}

// SuccessorRefreshToken derives the refresh token that replaces parent at rotation. Deriving it
// (rather than drawing it at random) lets concurrent refreshes of one token all receive the
// same successor without the successor ever being stored in the clear: only a holder of the
// parent token and of the server's key can compute it.
func (k *Keys) SuccessorRefreshToken(parent string) string {
	return RefreshTokenPrefix + base64.RawURLEncoding.EncodeToString(mac(k.successor, nil, parent))
}

// HashCode returns the keyed hash of a one-time code. The scope (the code's record id, say)
// is bound into the hash, so two records holding the same short code store different hashes
// and a hash cannot be matched against a table of all codes computed once.
func (k *Keys) HashCode(scope, code string) []byte {
	return mac(k.code, []byte(scope), code)
}

// SessionRefPrefix starts every session reference.
const SessionRefPrefix = "sr_"

// SessionRef returns a session's reference: a keyed hash of its id (120 bits of HMAC-SHA256,
// base64url), under which the session is stored and by which tokens, introspection, audit
// events and administrators name it. A session id signs its user in (silent login, SSO), so
// it is kept only by the backends that received it at login; the reference can be shown and
// stored anywhere, since without the server's key it cannot be turned back into the id.
func (k *Keys) SessionRef(id string) string {
	return SessionRefPrefix + base64.RawURLEncoding.EncodeToString(mac(k.code, []byte("session-ref"), id)[:15])
}

// mac computes HMAC-SHA256 over a length-prefixed scope followed by the value, so that no
// (scope, value) pair can collide with another by moving bytes across the boundary.
func mac(key, scope []byte, value string) []byte {
	h := hmac.New(sha256.New, key)
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(scope)))
	h.Write(n[:])
	h.Write(scope)
	h.Write([]byte(value))
	return h.Sum(nil)
}

// ErrOpen reports that sealed data failed authentication: it was altered, sealed under
// another key, or opened with other additional data.
var ErrOpen = errors.New("sealed data failed authentication")

// Seal encrypts plaintext with AES-256-GCM under a random nonce, which it prefixes to the
// result. additionalData is authenticated but not stored: Open needs the same bytes, which
// binds the ciphertext to the record it belongs to.
func (k *Keys) Seal(plaintext, additionalData []byte) ([]byte, error) {
	return k.aead.Seal(nil, nil, plaintext, additionalData), nil
}

// Open decrypts what Seal returned, given the same additional data.
func (k *Keys) Open(sealed, additionalData []byte) ([]byte, error) {
	if len(sealed) < k.aead.Overhead() {
		return nil, fmt.Errorf("open: %w: too short", ErrOpen)
	}
	out, err := k.aead.Open(nil, nil, sealed, additionalData)
	if err != nil {
		return nil, fmt.Errorf("open: %w", ErrOpen)
	}
	return out, nil
}
