// Package totp is sign-in by time-based one-time password (RFC 6238) and by recovery code:
// enrolling, confirming, listing and deleting a user's authenticators, generating recovery
// codes, and logging in with either. Secrets are sealed under the master key; a login checks
// every confirmed authenticator and accepts a step only once. Logins run through the core's
// pipeline (package auth): lockouts and failure counts, the session and tokens, audit and, for
// names that are nobody's, stand-in credentials that make the check take as long.
package totp
