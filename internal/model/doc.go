// Package model holds Latchkey's value types: tenants, applications, clients, resources, users,
// one-time codes, sessions, refresh tokens, signing keys and outbox messages.
//
// It is the leaf of the import graph: it imports only the standard library, carries no behaviour
// beyond small helpers on the values themselves, and knows nothing of HTTP or SQL. Secrets never
// appear here in the clear; fields named *Hash hold keyed hashes computed by package secret.
package model
