// Package passwords is sign-in by password and everything that sets one: registration and
// replacement by a backend (with imports of other systems' hashes), change by the signed-in
// user, and reset by a code or link sent by email or SMS or returned to the backend. Hashing
// is package password's (argon2id, run in a pool shared fairly between tenants); the rules of
// a password's life (complexity, history, expiry, temporary passwords, lockouts) are here.
// Unknown names are checked against a dummy hash, so that they take as long as real ones.
package passwords
