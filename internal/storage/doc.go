// Package storage defines the one interface through which Latchkey keeps its state, and the
// sentinel errors every backend returns. Backends live in subpackages (sqlstore) and prove
// themselves against the shared conformance suite in storagetest.
//
// The package imports only model: domain code depends on this interface, never on a driver.
package storage
