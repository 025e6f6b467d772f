package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

func TestMigrateStatus(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "sub", "latchkey.db")
		code, _, stderr := runCapture(t, "migrate", "--status", "--database", db)
		if code != 1 || !strings.Contains(stderr, "no database at "+db) {
			t.Fatalf("status of a missing file: status %d, stderr %q", code, stderr)
		}
		if _, err := os.Stat(filepath.Dir(db)); err == nil {
			t.Fatal("migrate --status created the database's directory")
		}
		checkMigrateStatus(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		checkMigrateStatus(t, sqlstore.TestPostgresDSN(t))
	})
}

// checkMigrateStatus reads the status of a database whose file or schema exists, migrates it,
// and reads it again.
func checkMigrateStatus(t *testing.T, dsn string) {
	t.Helper()
	if sqlstore.IsPostgres(dsn) {
		code, stdout, stderr := runCapture(t, "migrate", "--status", "--database", dsn)
		if code != 0 || strings.Contains(stdout, "applied ") || !strings.Contains(stdout, "pending  0001_init.sql") ||
			!strings.Contains(stdout, "migrations pending") {
			t.Fatalf("status of an empty schema: status %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	}
	if code, _, stderr := runCapture(t, "migrate", "--database", dsn); code != 0 {
		t.Fatalf("migrate: status %d, stderr:\n%s", code, stderr)
	}
	code, stdout, stderr := runCapture(t, "migrate", "--status", "--database", dsn)
	if code != 0 || strings.Contains(stdout, "pending") || !strings.Contains(stdout, "applied  0001_init.sql") ||
		!strings.Contains(stdout, "up to date") {
		t.Fatalf("status after migrating: status %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	lines := strings.Count(stdout, "applied  ")
	store, err := sqlstore.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	states, err := store.MigrationStatus(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if lines != len(states) || lines < 9 {
		t.Fatalf("status lists %d applied migrations, the store knows %d:\n%s", lines, len(states), stdout)
	}
}
