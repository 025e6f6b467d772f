package passkeys

import (
	"encoding/json"
	"time"

	"github.com/latchkey/latchkey/internal/auth"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// PasskeyVerifier does the WebAuthn protocol work of the passkey flows: it builds the options a
// browser passes to navigator.credentials, and parses and verifies what the authenticator
// answered (challenge, origin, relying party id, user presence and, when required,
// verification, signatures and attestation statements). It keeps no state: what it must
// remember between a ceremony's start and finish it returns as opaque state, which Passkeys
// stores with the ceremony.
//
// Package passkey implements it with a WebAuthn library. The interface keeps that library out
// of this package, which must not depend on net/http.
type PasskeyVerifier interface {
	// RegistrationOptions returns PublicKeyCredentialCreationOptions (JSON, binary values in
	// base64url) for user, excluding the credentials in exclude.
	RegistrationOptions(rp RelyingParty, user PasskeyUser, exclude []StoredPasskey) (options json.RawMessage, state []byte, err error)
	// VerifyRegistration verifies an attestation response (the JSON of
	// PublicKeyCredential.toJSON()) against the state of its ceremony.
	VerifyRegistration(rp RelyingParty, state []byte, user PasskeyUser, response []byte) (NewPasskey, error)
	// LoginOptions returns PublicKeyCredentialRequestOptions for a login by the user with
	// the given handle, allowing the credentials in allow; a nil handle starts a login with
	// a discoverable credential, where the authenticator names the user.
	LoginOptions(rp RelyingParty, handle []byte, allow []StoredPasskey) (options json.RawMessage, state []byte, err error)
	// ReadAssertion parses an assertion response without verifying it, to learn which
	// credential and user it claims.
	ReadAssertion(response []byte) (Assertion, error)
	// VerifyAssertion verifies an assertion by the user with the given handle, who owns the
	// credentials in owned (one of which must have made it).
	VerifyAssertion(rp RelyingParty, state []byte, handle []byte, owned []StoredPasskey, response []byte) (VerifiedAssertion, error)
}

// RelyingParty is what one ceremony needs of an application's webauthn_api preferences.
type RelyingParty struct {
	ID               string        `json:"id"`
	Name             string        `json:"name"`
	Origins          []string      `json:"origins"`
	UserVerification string        `json:"user_verification"` // a model.UV* value
	Attestation      string        `json:"attestation"`       // a model.Attestation* value
	Timeout          time.Duration `json:"timeout"`
}

// PasskeyUser is the user entity of a registration. Handle is the WebAuthn user handle:
// Latchkey uses the user's id, which is random and reveals nothing about the person.
type PasskeyUser struct {
	Handle      []byte
	Name        string
	DisplayName string
}

// StoredPasskey is a registered credential as verification needs it.
type StoredPasskey struct {
	ID         []byte
	PublicKey  []byte // COSE_Key
	SignCount  uint32
	AAGUID     []byte
	Transports []string
	Flags      byte // the authenticator data flags last seen
	// AttestationType and AttestationFormat are those verified at registration.
	AttestationType   string
	AttestationFormat string
}

// NewPasskey is a verified registration.
type NewPasskey struct {
	StoredPasskey
	Attachment        string // platform or cross-platform, when the client said
	AttestationObject []byte
	ClientDataJSON    []byte
}

// Assertion is what an assertion claims before it is verified.
type Assertion struct {
	CredentialID []byte
	UserHandle   []byte // empty when the authenticator did not return one
}

// VerifiedAssertion is the outcome of a verified assertion: the authenticator data's counter
// and flags, for the sign-count and policy checks that are Latchkey's.
type VerifiedAssertion struct {
	SignCount uint32
	Flags     byte
}

// Authenticator data flags (WebAuthn §6.1).
const (
	flagUserPresent    = 0x01
	flagUserVerified   = 0x04
	flagBackupEligible = 0x08
	flagBackupState    = 0x10
)

// Service runs passkey registration and login for the Service. It is separate from Service
// because it needs a PasskeyVerifier, which lives outside this package.
type Service struct {
	s     *auth.Service
	store Store
	v     PasskeyVerifier
}

// New returns the passkey flows of s, verified by v.
func New(s *auth.Service, v PasskeyVerifier) *Service {
	return &Service{s: s, store: s.Store(), v: v}
}

// Ceremony timeouts, in seconds (Mosaic's range and default for the authentication start).
const (
	minCeremonyTimeout     = 30
	maxCeremonyTimeout     = 600
	defaultCeremonyTimeout = 300
	// maxPasskeysPerUser bounds the credentials one user can register, so that a script
	// cannot grow a user's allowCredentials list without end.
	maxPasskeysPerUser = 25
	// maxEncodedResult bounds webauthn_encoded_result; real ones are a few kilobytes.
	maxEncodedResult = 64 << 10
)

// PasskeyCeremony is a started ceremony: its id, to pass back with the result, and the options
// for navigator.credentials.create or get.
type PasskeyCeremony struct {
	SessionID string
	Options   json.RawMessage
	// Origins are the web origins the ceremony may run in: those a browser calling the
	// public start directly may read the answer from (CORS).
	Origins []string
}

// Error codes of the passkey flows. Mosaic publishes none for WebAuthn beyond the common ones,
// so these are Latchkey's, in Mosaic's style.
const (
	CodeWebAuthnSession    = "auth_webauthn_session_invalid"
	CodeWebAuthnRegister   = "auth_webauthn_registration_failed"
	CodeWebAuthnNotAllowed = "auth_webauthn_authenticator_not_allowed"
	CodeWebAuthnExists     = "auth_webauthn_credential_exists"
	CodeWebAuthnLimit      = "auth_webauthn_credential_limit"
	CodeWebAuthnNotFound   = "webauthn_credential_not_found"
	CodePreferencesMissing = "auth_login_preferences_missing"
)

var (
	errCeremonyInvalid = fault.New(fault.Invalid, CodeWebAuthnSession, "webauthn_session_id names no open ceremony of this application: it is unknown, already used, or of another kind")
	errCeremonyExpired = fault.New(fault.Invalid, CodeWebAuthnSession, "the WebAuthn ceremony has expired; start a new one")
	// errPasskeyInvalid answers every failed passkey login alike, whether the credential is
	// unknown or its assertion wrong, so that a login reveals nothing; the audit event
	// records the reason.
	errPasskeyInvalid  = fault.New(fault.Invalid, fault.CodeInvalidCredentials, "passkey authentication failed")
	errPasskeyExists   = fault.New(fault.Conflict, CodeWebAuthnExists, "this passkey is already registered")
	errPasskeyLimit    = fault.New(fault.Conflict, CodeWebAuthnLimit, "the user has the maximum number of passkeys (%d); delete one first", maxPasskeysPerUser)
	errPasskeyNotFound = fault.New(fault.NotFound, CodeWebAuthnNotFound, "passkey not found")
	errNoRelyingParty  = fault.New(fault.Forbidden, CodePreferencesMissing, "WebAuthn is not configured for this application: set webauthn_api.rpId in its login preferences")
	errUserNotActive   = fault.New(fault.Forbidden, fault.CodeUserNotActive, "user is not active")
	errPasskeyUserGone = fault.New(fault.NotFound, fault.CodeUserNotFound, "user not found")
)

// errRegistration is a registration whose response failed verification, with the reason.
func errRegistration(reason string) *fault.Error {
	return fault.New(fault.Invalid, CodeWebAuthnRegister, "passkey registration could not be verified: %s", reason)
}

// errNotAllowed is a credential the application's policy refuses.
func errNotAllowed(reason string) *fault.Error {
	return fault.New(fault.Forbidden, CodeWebAuthnNotAllowed, "this authenticator is not allowed: %s", reason)
}

// relyingParty returns the WebAuthn settings of app for a ceremony of the given timeout.
func relyingParty(app model.Application, timeoutSeconds int) (RelyingParty, model.WebAuthnPreferences, error) {
	w := app.Preferences.Normalized().WebAuthn
	if w.RPID == "" {
		return RelyingParty{}, w, errNoRelyingParty
	}
	name := w.RPName
	if name == "" {
		name = app.Name
	}
	if name == "" {
		name = w.RPID
	}
	return RelyingParty{
		ID: w.RPID, Name: name, Origins: w.RPWebOrigins, UserVerification: w.UserVerification,
		Attestation: w.AttestationType, Timeout: time.Duration(timeoutSeconds) * time.Second,
	}, w, nil
}

// ceremonyTimeout checks a requested timeout in seconds and returns the one to use.
func ceremonyTimeout(t int) (int, []string) {
	switch {
	case t == 0:
		return defaultCeremonyTimeout, nil
	case t < minCeremonyTimeout || t > maxCeremonyTimeout:
		return 0, []string{"timeout must be between 30 and 600 seconds"}
	}
	return t, nil
}
