package model

import (
	"encoding/json"
	"time"
)

// Credential types.
const (
	CredentialPassword = "password"
	CredentialTOTP     = "totp"
	CredentialRecovery = "recovery_code"
	CredentialWebAuthn = "webauthn"
)

// Credential is one authenticator of a user: a password, a TOTP secret, a recovery code or a
// WebAuthn public key. Secret holds what must stay secret in the form the type needs: a
// password hash (PHC string), a recovery code's keyed hash, or a TOTP key sealed under the
// master key. Data holds the type's public JSON (WebAuthn public key and sign count, TOTP
// parameters, password history and flags).
type Credential struct {
	ID       string
	TenantID string
	UserID   string
	Type     string
	// LookupKey finds a credential without knowing its user: a WebAuthn credential id, or a
	// password's login name. Unique per tenant and type when not empty.
	LookupKey  string
	Name       string // a label the user or an admin chose
	Secret     []byte
	Data       json.RawMessage
	CreatedAt  time.Time
	UpdatedAt  time.Time
	LastUsedAt *time.Time
}
