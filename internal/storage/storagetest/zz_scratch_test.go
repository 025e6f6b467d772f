package storagetest_test

import (
	"testing"

	"github.com/latchkey/latchkey/internal/storage"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
	"github.com/latchkey/latchkey/internal/storage/storagetest"
)

func TestScratchSQLite(t *testing.T) {
	storagetest.RunTests(t, func(t *testing.T) storage.Store { return sqlstore.NewTestStore(t, false) })
	storagetest.RunConcurrencyTests(t, func(t *testing.T) storage.Store { return sqlstore.NewTestStore(t, false) })
}

func TestScratchPostgres(t *testing.T) {
	storagetest.RunTests(t, func(t *testing.T) storage.Store { return sqlstore.NewTestStore(t, true) })
	storagetest.RunConcurrencyTests(t, func(t *testing.T) storage.Store { return sqlstore.NewTestStore(t, true) })
}
