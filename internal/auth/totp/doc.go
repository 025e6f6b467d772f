// Package totp is sign-in by time-based one-time password (RFC 6238) and by recovery code:
// enrolling, confirming, listing and deleting a user's authenticators, a logged-in user's
// registration of their own, generating recovery codes, logging in with either, and the
// signing of transactions with an OCRA challenge (RFC 6287) answered by the authenticator. Secrets are sealed under the master key; a login checks
// every confirmed authenticator and accepts a step only once. Logins run through the core's
// pipeline (package auth): lockouts and failure counts, the session and tokens, audit and, for
// names that are nobody's, stand-in credentials that make the check take as long.
package totp
