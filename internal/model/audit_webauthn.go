package model

// WebAuthn audit event types.
const (
	// EventWebAuthnRegistration records a passkey registration, successful or refused.
	EventWebAuthnRegistration = "webauthn.registration"
	// EventWebAuthnCloneWarning records an assertion whose signature counter did not advance
	// past the stored one: two authenticators may hold the same key, so the login is refused.
	EventWebAuthnCloneWarning = "webauthn.clone_warning"
	// EventWebAuthnCrossDevice records a cross-device flow begun (details.step "begun") or
	// aborted ("aborted"), with its kind (details.flow); the ceremony that ends it is recorded
	// as any login or registration.
	EventWebAuthnCrossDevice = "webauthn.cross_device"
)
