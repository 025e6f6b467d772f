package sqlstore

import (
	"os"
	"testing"

	"github.com/latchkey/latchkey/internal/storage"
	"github.com/latchkey/latchkey/internal/storage/storagetest"
)

func newSQLite(t *testing.T) storage.Store { return NewTestStore(t, false) }

func newPostgres(t *testing.T) storage.Store { return NewTestStore(t, true) }

func TestSQLite(t *testing.T) {
	storagetest.RunTests(t, newSQLite)
	storagetest.RunConcurrencyTests(t, newSQLite)
}

func TestPostgres(t *testing.T) {
	if os.Getenv(PostgresDSNEnv) == "" {
		t.Skip("set " + PostgresDSNEnv + " to run the PostgreSQL tests")
	}
	storagetest.RunTests(t, newPostgres)
	storagetest.RunConcurrencyTests(t, newPostgres)
}
