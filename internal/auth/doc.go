// Package auth owns end-user authentication and what it produces: the client-credentials
// grant, bearer-token checks for API callers, every login method (email, SMS and direct
// one-time passcodes, magic links, passwords, TOTP, recovery codes, WebAuthn passkeys), backend
// sessions with their factors (MFA, silent login and SSO, logout), refresh-token rotation,
// introspection and revocation, send and failure limits, and the audit events of all of these.
//
// Every login follows one pattern: check the factor and count failures inside one write
// transaction that also records the session, the refresh token and the audit event, then sign
// the JWTs after the commit.
//
// It sees storage only through storage.Store, signs through the Signer interface, verifies
// passkeys through PasskeyVerifier (package passkey adapts the WebAuthn library) and hashes
// passwords with package password; it imports neither net/http nor a database driver. Users'
// identifiers are normalised by package directory; client secrets are checked by package
// tenancy through the ClientAuthenticator interface.
package auth
