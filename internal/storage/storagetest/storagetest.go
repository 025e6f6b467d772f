package storagetest

import (
	"testing"

	"github.com/latchkey/latchkey/internal/storage"
)

// NewStoreFunc returns a fresh, empty, migrated store. It should register its own cleanup.
type NewStoreFunc = func(t *testing.T) storage.Store

// RunTests runs the conformance suite; newStore returns a fresh, empty, migrated store.
func RunTests(t *testing.T, newStore func(t *testing.T) storage.Store) {
	t.Helper()
}

// RunConcurrencyTests runs the tests that race goroutines against one store.
func RunConcurrencyTests(t *testing.T, newStore func(t *testing.T) storage.Store) {
	t.Helper()
}
