// Package passkeytest is a software WebAuthn authenticator and browser for tests: it answers
// the creation and request options Latchkey hands out the way navigator.credentials.create
// and get would, with ECDSA P-256 keys, attestation "none" or "packed" self attestation, and
// a signature counter, and it can be told to misbehave (another origin or relying party id, no
// user verification, a counter that goes backwards) so that every check can be exercised.
package passkeytest
