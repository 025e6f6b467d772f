package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var status bool
	cfg, _, err := loadConfig("migrate", "Apply the embedded database migrations and exit. The server also applies them at start.\nWith --status, change nothing: list the migrations applied to the configured database and those pending.", args, stderr, func(fs *flagSet) {
		fs.BoolVar(&status, "status", false, "print applied and pending migrations; apply none")
	})
	if err != nil {
		return err
	}
	if status {
		return migrationStatus(ctx, cfg.Database, stdout)
	}
	store, err := sqlstore.OpenAndMigrate(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer store.Close()
	fmt.Fprintln(stdout, "database is up to date")
	return nil
}

// migrationStatus prints every migration of the database at dsn, applied or pending, and
// those a newer Latchkey applied. It creates nothing: a SQLite file that does not exist is
// reported rather than made.
func migrationStatus(ctx context.Context, dsn string, stdout io.Writer) error {
	if !sqlstore.IsPostgres(dsn) {
		if _, err := os.Stat(dsn); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("no database at %s: latchkey migrate or serve creates it", dsn)
		}
	}
	store, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	states, err := store.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	var pending, unknown int
	for _, m := range states {
		switch {
		case m.Unknown:
			unknown++
			fmt.Fprintf(stdout, "applied  %-40s %s  unknown to this version\n", m.Name, m.AppliedAt.Format(time.RFC3339))
		case m.Pending():
			pending++
			fmt.Fprintf(stdout, "pending  %s\n", m.Name)
		default:
			fmt.Fprintf(stdout, "applied  %-40s %s\n", m.Name, m.AppliedAt.Format(time.RFC3339))
		}
	}
	switch {
	case unknown > 0:
		fmt.Fprintf(stdout, "\n%d migrations were applied by a newer Latchkey than this one; migrations go forward only, so run that version (or restore a backup taken before the upgrade).\n", unknown)
	case pending > 0:
		fmt.Fprintf(stdout, "\n%d of %d migrations pending: latchkey migrate (or serve) applies them.\n", pending, len(states))
	default:
		fmt.Fprintf(stdout, "\nup to date: %d migrations applied.\n", len(states))
	}
	return nil
}
