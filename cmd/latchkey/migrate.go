package main

import (
	"context"
	"fmt"
	"io"

	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := loadConfig("migrate", "Apply the embedded database migrations and exit. The server also applies them at start.", args, stderr, nil)
	if err != nil {
		return err
	}
	store, err := sqlstore.OpenAndMigrate(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer store.Close()
	fmt.Fprintln(stdout, "database is up to date")
	return nil
}
