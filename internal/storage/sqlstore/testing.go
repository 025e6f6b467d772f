package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// PostgresDSNEnv names the environment variable that points tests at a PostgreSQL server.
const PostgresDSNEnv = "LATCHKEY_TEST_POSTGRES_DSN"

// NewTestStore returns a migrated, empty store for a test: a SQLite file in a temporary
// directory, or with postgres a fresh schema of the server in LATCHKEY_TEST_POSTGRES_DSN (the
// test is skipped when it is unset). The store is closed, and the schema dropped, when the test
// ends.
func NewTestStore(t testing.TB, postgres bool) *Store {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "latchkey.db")
	if postgres {
		dsn = TestPostgresDSN(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := OpenAndMigrate(ctx, dsn)
	if err != nil {
		t.Fatalf("open test store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestPostgresDSN creates an empty schema on the server in LATCHKEY_TEST_POSTGRES_DSN, drops it
// when the test ends, and returns a DSN whose search_path is that schema. It skips the test when
// the variable is unset.
func TestPostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresDSNEnv)
	if base == "" {
		t.Skip("set " + PostgresDSNEnv + " to run the PostgreSQL tests")
	}
	u, err := url.Parse(base)
	if err != nil || !IsPostgres(base) {
		t.Fatalf("%s must be a postgres:// URL", PostgresDSNEnv)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "lk_test_" + hex.EncodeToString(b[:])

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("connect to postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() { dropSchema(t, base, schema) })

	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func dropSchema(t testing.TB, dsn, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Errorf("connect to postgres: %v", err)
		return
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
		t.Errorf("drop test schema %s: %v", schema, err)
	}
}

// TestRowsContaining counts the rows of table in which some text or binary column contains
// s, for tests that check what a database read would yield (a credential stored in the clear,
// say).
func (s *Store) TestRowsContaining(t testing.TB, table, needle string) int {
	t.Helper()
	rows, err := s.r.QueryContext(context.Background(), "SELECT * FROM "+table)
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	n := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		for _, v := range vals {
			var text string
			switch x := v.(type) {
			case string:
				text = x
			case []byte:
				text = string(x)
			}
			if text != "" && strings.Contains(text, needle) {
				n++
				break
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	return n
}
