// Package passkey implements passkeys.PasskeyVerifier with the go-webauthn library: it builds
// WebAuthn creation and request options and verifies registration and login responses
// (challenge, origin, relying party id, user presence and verification, signatures and
// attestation statements).
//
// It is kept apart from package auth, which owns the passkey flows, their policy and their
// storage, because go-webauthn imports net/http (for request-parsing functions Latchkey does not
// use), and the domain packages must not depend on net/http. It holds no state and no rules of
// Latchkey's: each call builds the library's configuration from the relying party it is given.
package passkey
