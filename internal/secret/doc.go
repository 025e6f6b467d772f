// Package secret owns Latchkey's use of the deployment's master key and of randomness: it
// derives purpose-bound subkeys from the master key, computes the keyed hashes under which
// client secrets, refresh tokens and one-time codes are stored, seals data at rest (token
// signing keys) with AES-256-GCM, and generates every random credential Latchkey hands out.
//
// Nothing here touches storage; callers store the hashes and sealed bytes it returns.
package secret
