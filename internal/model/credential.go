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
	// AppID is the application whose call added the credential (a management application's
	// for one an administrator added); empty for one stored before Latchkey recorded it.
	AppID string
	// RPID is the WebAuthn relying party id a passkey was registered under: a login under
	// any other refuses it, since an authenticator an attacker controls can sign for any
	// relying party. Empty for passkeys stored before Latchkey recorded it; their first
	// login binds them from the attestation stored with them.
	RPID string
}
