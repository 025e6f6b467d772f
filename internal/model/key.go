package model

import "time"

// Signing key statuses. A key is created validating (published, not yet used), becomes signing,
// and is then disabled by a later rotation; a disabled key stays published until every token it
// signed has expired, then is deleted.
const (
	KeyValidating = "validating"
	KeySigning    = "signing"
	KeyDisabled   = "disabled"
)

// SigningKey is one of a tenant's token-signing keys. The private key is stored encrypted under
// the deployment's master key; the public key is a JWK.
type SigningKey struct {
	ID         string // the JWK "kid"
	TenantID   string
	Algorithm  string
	Status     string
	PublicJWK  []byte
	PrivateEnc []byte // AES-GCM sealed PKCS#8 DER
	// Name is the label an administrator gave the key; empty for keys made by rotation.
	Name string
	// Uploaded is set for a key an administrator brought (its private half given to
	// Latchkey) rather than one Latchkey generated.
	Uploaded  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}
