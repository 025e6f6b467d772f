// Package passkeys is sign-in by WebAuthn passkey: registration by a backend (external) or by
// the signed-in user (self-service), login with a named or discoverable credential, the
// management of a user's passkeys, and cross-device flows, where a login or registration begun
// on one device is carried out on another. Passkeys are bound to the relying party and
// application they were registered under. The protocol work (options, attestation and
// assertion verification) is a PasskeyVerifier's, implemented outside the domain by package
// passkey; logins run through the core's pipeline (package auth).
package passkeys
