package model

import (
	"encoding/json"
	"time"
)

// Cross-device flow kinds: what the device that answers the ticket does.
const (
	CrossDeviceAuthenticate     = "authenticate"      // sign in with a passkey
	CrossDeviceRegister         = "register"          // register a passkey for a logged-in user
	CrossDeviceExternalRegister = "external_register" // register a passkey for a user a backend names
)

// Cross-device statuses, as Mosaic names them.
const (
	CrossDevicePending = "pending" // created; no device has taken it up
	CrossDeviceScanned = "scanned" // a device attached itself
	CrossDeviceSuccess = "success" // the ceremony finished and was verified
	CrossDeviceError   = "error"   // the ceremony failed
	CrossDeviceTimeout = "timeout" // the ticket expired before it ended
	CrossDeviceAborted = "aborted" // the application ended it
)

// CrossDeviceTicket is a WebAuthn ceremony begun on one device (the access device, which shows
// the ticket, say as a QR code) and carried out on another (the authenticating device). The
// ticket itself is a 256-bit random secret handed to the access device once; it is stored only
// as a keyed hash, by which the public steps find it whatever the tenant.
type CrossDeviceTicket struct {
	ID       string
	TenantID string
	AppID    string
	ClientID string
	// Admin records that a management application began the flow: the registration the
	// ticket opens acts with that application's rights, no more.
	Admin bool
	Hash  []byte // keyed hash of the ticket
	Flow  string // a CrossDevice* kind
	// UserID is the user a registration is for (empty for a new user an external
	// registration creates, and for a login, whose user the passkey names).
	UserID string
	// Username is the name the login was begun for, or the account name of a registration.
	Username       string
	ExternalUserID string
	// ApprovalData is the transaction a login approves (a flat JSON object), or nil.
	ApprovalData json.RawMessage
	Status       string
	// CeremonyID is the webauthn_session_id of the ceremony the authenticating device
	// started; a ticket starts one ceremony at most.
	CeremonyID string
	// SessionRef is the reference of the session a successful login made; SessionShown is
	// when its id was handed to a status poll, which happens once.
	SessionRef   string
	SessionShown *time.Time
	AttachedAt   *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// ExpiresAt ends the flow: after it no step but the status answers. The record is kept
	// until KeepUntil so that a late poll still reads "timeout".
	ExpiresAt time.Time
	KeepUntil time.Time
}

// Ended reports whether t can no longer move on at now.
func (t CrossDeviceTicket) Ended(now time.Time) bool {
	switch t.Status {
	case CrossDeviceSuccess, CrossDeviceError, CrossDeviceAborted, CrossDeviceTimeout:
		return true
	}
	return !now.Before(t.ExpiresAt)
}

// StatusAt is the ticket's status as seen at now: an open ticket past its expiry has timed out.
func (t CrossDeviceTicket) StatusAt(now time.Time) string {
	if (t.Status == CrossDevicePending || t.Status == CrossDeviceScanned) && !now.Before(t.ExpiresAt) {
		return CrossDeviceTimeout
	}
	return t.Status
}
