package model

import "time"

// Sign-in methods the admin portal can offer a tenant's administrators.
const (
	AdminSignInEmailCode       = "email_code"
	AdminSignInPasskey         = "passkey"
	AdminSignInPasswordAndTOTP = "password_totp"
)

// AdminSettings are a tenant's settings of the admin portal.
type AdminSettings struct {
	TenantID string
	// SignInMethods are the methods the portal offers (AdminSignIn* values), at least one.
	SignInMethods []string
	UpdatedAt     time.Time
}

// AdminInvite invites someone, by email address, to become an administrator of a tenant. Its
// link carries a secret that is stored only as a keyed hash; it works once, until ExpiresAt,
// unless revoked.
type AdminInvite struct {
	ID             string
	TenantID       string
	Email          string
	TokenHash      []byte
	InvitedBy      string // the inviting administrator's user id
	InvitedByEmail string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	AcceptedAt     *time.Time
	AcceptedBy     string // the user who accepted it
	RevokedAt      *time.Time
}

// Open reports whether the invite can still be accepted at now.
func (i AdminInvite) Open(now time.Time) bool {
	return i.AcceptedAt == nil && i.RevokedAt == nil && now.Before(i.ExpiresAt)
}

// OperatorLink is a one-time link that signs the deployment's operator in to the portal's
// operator pages. Once redeemed it is the operator's session until ended (signed out).
type OperatorLink struct {
	ID         string
	TokenHash  []byte
	CreatedAt  time.Time
	ExpiresAt  time.Time
	RedeemedAt *time.Time
	EndedAt    *time.Time
}
