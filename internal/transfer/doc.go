// Package transfer moves a tenant's users, with everything they sign in with, out of one
// Latchkey and into another, as JSON lines: one user per line, with their profile, identifiers,
// application links, password hashes, TOTP keys, recovery-code hashes and passkeys.
//
// Sessions, refresh tokens, pending codes and audit events stay behind: they belong to the
// deployment that issued them.
//
// TOTP keys are written opened (base32) and sealed again on import under the target's master
// key, bound to the target tenant: the two deployments need not share a key, and an export file
// is therefore as secret as the users' authenticator apps. Recovery codes are stored only as
// hashes keyed by the master key and cannot be re-keyed; each line says which key they were
// hashed under, and an import under another key refuses them unless told to drop them.
//
// The package works through storage.Store alone; it imports neither HTTP nor a driver.
package transfer
