package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

// forEachDialect runs fn as a subtest on SQLite and on PostgreSQL; the PostgreSQL one skips
// when no server is configured.
func forEachDialect(t *testing.T, fn func(t *testing.T, postgres bool)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, false) })
	t.Run("postgres", func(t *testing.T) { fn(t, true) })
}

// testNow is a fixed time with milliseconds, as the store keeps them.
var testNow = time.Date(2030, time.July, 1, 12, 30, 45, 123_000_000, time.UTC)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func mustDo(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func testTenant() model.Tenant {
	id := model.NewID()
	return model.Tenant{ID: id, Name: "tenant-" + id, SigningAlg: model.AlgES256, CreatedAt: testNow}
}

// countRows returns the number of rows of a table.
func countRows(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	mustDo(t, s.reader().queryRow(testContext(t), "SELECT COUNT(*) FROM "+table).Scan(&n), "count "+table)
	return n
}
