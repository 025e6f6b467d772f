package model

// WebAuthn audit event types.
const (
	// EventWebAuthnRegistration records a passkey registration, successful or refused.
	EventWebAuthnRegistration = "webauthn.registration"
	// EventWebAuthnCloneWarning records an assertion whose signature counter did not advance
	// past the stored one: two authenticators may hold the same key, so the login is refused.
	EventWebAuthnCloneWarning = "webauthn.clone_warning"
)
