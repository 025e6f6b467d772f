// Package password owns password credentials: hashing with argon2id, verification of the hash
// formats Latchkey imports from other systems (bcrypt, argon2i, argon2id, scrypt, PBKDF2) with
// a cap on their cost relative to the configured parameters, the bounded pool that every hash
// and verification waits in (shared fairly between tenants, so that one tenant's flood cannot
// starve the others' logins), the complexity policy with its offline list of weak passwords,
// and the credential's stored state (history, temporary flag, expiry).
//
// It is a domain package: it imports neither net/http nor a database driver, and it never
// stores anything itself. Package auth drives the flows (login, change, reset) and package
// directory registers a password when it creates a user; both reach the process-wide Hasher
// through Shared, so that one pool bounds the memory every caller's hashing may take.
package password
