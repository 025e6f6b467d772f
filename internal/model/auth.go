package model

import (
	"encoding/json"
	"time"
)

// Identifier types accepted wherever a user is named by one of their identifiers.
const (
	IdentifierEmail    = "email"
	IdentifierPhone    = "phone_number"
	IdentifierUserID   = "user_id"
	IdentifierUsername = "username"
)

// Delivery channels of a one-time code.
const (
	ChannelEmail  = "email"
	ChannelSMS    = "sms"
	ChannelDirect = "direct"
)

// Purposes of a one-time code; a code redeems only for its own purpose.
const (
	PurposeOTP       = "otp"
	PurposeMagicLink = "magic_link"
	// PurposeWebAuthnLogin and PurposeWebAuthnRegister hold a WebAuthn ceremony's challenge
	// between its start and its finish.
	PurposeWebAuthnLogin    = "webauthn_login"
	PurposeWebAuthnRegister = "webauthn_register"
	// PurposePasswordReset is a code or link that lets a user set a new password.
	PurposePasswordReset = "password_reset"
	// PurposeTOTPTransaction is a TOTP transaction signing's challenge, waiting for the code
	// the user's authenticator computes from it.
	PurposeTOTPTransaction = "totp_transaction"
)

// Authentication methods, as they appear in the `amr` claim. The first six are Mosaic's values;
// TOTP uses RFC 8176's `otp`.
const (
	AMREmailOTP  = "eotp"
	AMRMagicLink = "eml"
	AMRSMS       = "sms"
	AMRPassword  = "pwd"
	AMRWebAuthn  = "webauthn"
	AMRMFA       = "mfa"
	AMRTOTP      = "otp"
)

// OneTimeCode is a passcode or link code waiting to be redeemed. Only its keyed hash is stored.
// A code is spent when ConsumedAt is set, whether by success, by a newer send for the same
// identifier, or by too many failures.
type OneTimeCode struct {
	ID             string
	TenantID       string
	AppID          string
	ClientID       string
	UserID         string // empty when the code may create the user on success (public sign-up)
	Purpose        string
	Channel        string
	IdentifierType string
	Identifier     string // normalised identifier the code was sent for
	Destination    string // where it was delivered (email address or phone number)
	CodeHash       []byte
	RequestID      string
	// ApprovalData is the transaction the user approves by redeeming the code (a flat JSON
	// object), echoed in the ID token.
	ApprovalData json.RawMessage
	// Payload is state the code's purpose keeps until redemption (a JSON document), such as a
	// WebAuthn ceremony's session data. It is never shown to the user.
	Payload     json.RawMessage
	Failures    int
	MaxFailures int
	ExpiresAt   time.Time
	ConsumedAt  *time.Time
	CreatedAt   time.Time
}

// Lockout blocks authentication of one identifier of an application until Until.
type Lockout struct {
	TenantID string
	AppID    string
	Key      string // e.g. "otp:email:alice@example.com"
	Until    time.Time
}

// Factor is one successful authentication recorded on a session.
type Factor struct {
	Method string    `json:"method"` // an AMR* value
	At     time.Time `json:"at"`
}

// ClientAttributes describe the end user's device and the context of the request, as
// forwarded by the calling backend: Mosaic's client_attributes (user agent, IP address) and
// the device_id and org_id its calls take beside them. The last two are not part of the
// client_attributes object, so JSON leaves them out; the API reads them from their own
// fields, and sessions and audit events keep them.
type ClientAttributes struct {
	UserAgent string `json:"user_agent,omitempty"`
	IPAddress string `json:"ip_address,omitempty"`
	// DeviceID identifies the device the request comes from, as the backend names it.
	DeviceID string `json:"-"`
	// OrgID is the organization of a B2B member login: the login is refused unless the user
	// is an enabled member of it, and the session belongs to it from then on.
	OrgID string `json:"-"`
}

// Session is a backend session: created by the first authentication, carrying every factor
// added to it since. It ends when it expires, idles out, or is revoked.
type Session struct {
	ID               string
	TenantID         string
	UserID           string
	AppID            string
	ClientID         string
	Factors          []Factor
	ClientAttributes ClientAttributes
	CreatedAt        time.Time
	LastSeenAt       time.Time
	ExpiresAt        time.Time
	RevokedAt        *time.Time
	// SealedID is the session's id sealed under the master key, bound to the tenant and to ID
	// (the reference): what lets a refresh answer with the session_id the login returned while
	// a database read yields no id to sign in with. Nil for sessions begun before schema 9.
	SealedID []byte
}

// Active reports whether s can still be used at now.
func (s *Session) Active(now time.Time) bool {
	return s.Life().Active(now)
}

// Life returns the part of s that decides whether it can still be used.
func (s *Session) Life() SessionLife {
	return SessionLife{TenantID: s.TenantID, UserID: s.UserID, LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt, RevokedAt: s.RevokedAt}
}

// SessionLife is what decides whether a session can still be used, and whose it is, without
// its factors and attributes: what a check that a token's session has not ended reads.
type SessionLife struct {
	TenantID   string
	UserID     string
	LastSeenAt time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
}

// Active reports whether the session can still be used at now, idle timeout aside.
func (l SessionLife) Active(now time.Time) bool {
	return l.RevokedAt == nil && now.Before(l.ExpiresAt)
}

// RefreshToken is an opaque refresh token, stored by keyed hash. Tokens rotated from one
// another share a FamilyID so that reuse of a rotated token can revoke them all.
type RefreshToken struct {
	ID        string
	TenantID  string
	FamilyID  string
	SessionID string
	ClientID  string
	UserID    string
	TokenHash []byte
	Resource  string
	Scope     string
	ExpiresAt time.Time
	// FamilyExpiresAt is when the family ends whatever its rotations (the resource's or
	// client's max_refresh_rotate after the login); successors inherit it. Zero: no such end.
	FamilyExpiresAt time.Time
	CreatedAt       time.Time
	RotatedAt       *time.Time
	ReplacedBy      string // id of the successor once rotated
	RevokedAt       *time.Time
}
