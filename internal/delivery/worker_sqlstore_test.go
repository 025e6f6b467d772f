package delivery_test

import (
	"testing"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

func TestWorkerSQLite(t *testing.T) {
	testWorker(t, func(t *testing.T) (storage.Outbox, string) {
		return sqlstore.NewTestStore(t, false), model.NewID()
	})
}

// TestWorkerPostgres skips unless LATCHKEY_TEST_POSTGRES_DSN names a PostgreSQL server.
func TestWorkerPostgres(t *testing.T) {
	testWorker(t, func(t *testing.T) (storage.Outbox, string) {
		return sqlstore.NewTestStore(t, true), model.NewID()
	})
}

func sqliteOutbox(t *testing.T) (storage.Outbox, string) {
	return sqlstore.NewTestStore(t, false), model.NewID()
}

func postgresOutbox(t *testing.T) (storage.Outbox, string) {
	return sqlstore.NewTestStore(t, true), model.NewID()
}
