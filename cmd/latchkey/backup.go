package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

const backupSummary = `Write a consistent copy of the SQLite database to FILE while servers keep running
on it (the copy is the database as of one commit). FILE must not exist. The copy
holds password hashes and sealed secrets: keep it as carefully as the database,
and keep the master key apart from it; a restored copy needs the master key it
was sealed under.

A PostgreSQL database is backed up with pg_dump instead: see docs/operations.md.

Give FILE after the flags: latchkey backup [flags] FILE`

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, rest, err := loadConfig("backup", backupSummary, args, stderr, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: latchkey backup FILE (one file, which must not exist)")
	}
	dest := rest[0]
	if sqlstore.IsPostgres(cfg.Database) {
		return sqlstore.ErrBackupPostgres
	}
	// Opening a missing file would create an empty database and back that up.
	path, _, _ := strings.Cut(strings.TrimPrefix(cfg.Database, "file:"), "?")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	// The store is opened, not migrated: a backup copies the database as it is.
	store, err := sqlstore.Open(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Backup(ctx, dest); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", cfg.Database, dest)
	return nil
}
