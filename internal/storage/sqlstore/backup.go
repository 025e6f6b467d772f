package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrBackupPostgres is Backup's answer on PostgreSQL, whose own tools copy a live database
// better than a statement could: pg_dump takes a consistent snapshot without stopping anyone.
var ErrBackupPostgres = errors.New("a PostgreSQL database is backed up with pg_dump (and restored with pg_restore), " +
	"not by latchkey: see \"Backups\" in docs/operations.md")

// Backup writes a consistent copy of a SQLite database to the new file path, while the store
// (and any other process on the same file) goes on reading and writing. VACUUM INTO reads the
// database in one read transaction, which WAL mode lets run beside the writer, so the copy is
// the database as of one commit; it is also compacted, and holds no WAL of its own.
//
// The copy is written under a temporary name beside path and renamed when complete and checked,
// so path never names a partial copy. An existing path is refused rather than replaced.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.d.postgres {
		return ErrBackupPostgres
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s already exists; a backup never replaces a file", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	tmpName := tmp.Name()
	_ = tmp.Close()
	// VACUUM INTO refuses to write over a file, even an empty one: the name was only reserved.
	if err := os.Remove(tmpName); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			_ = os.Remove(tmpName)
		}
	}()
	// The read pool's connections are query_only, which VACUUM INTO obeys for its target too
	// ("attempt to write a readonly database"), so the copy runs on the writer connection. It
	// takes no write lock on the source (other processes' writers go on), but it does hold this
	// store's one writer connection until it ends: `latchkey backup` runs in a process of its own.
	if _, err := s.w.ExecContext(ctx, "VACUUM INTO ?", tmpName); err != nil {
		return fmt.Errorf("backup: copy the database: %w", err)
	}
	if err := checkSQLiteFile(ctx, tmpName); err != nil {
		return err
	}
	if err := os.Chmod(tmpName, 0o600); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	ok = true
	return nil
}

// checkSQLiteFile runs SQLite's integrity check on a finished copy, so that a backup that
// would not open is reported now rather than on the day it is restored.
func checkSQLiteFile(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", path+"?_pragma=query_only(1)")
	if err != nil {
		return fmt.Errorf("backup: open the copy: %w", err)
	}
	defer db.Close()
	var verdict string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&verdict); err != nil {
		return fmt.Errorf("backup: check the copy: %w", err)
	}
	if verdict != "ok" {
		return fmt.Errorf("backup: the copy fails SQLite's integrity check: %s", verdict)
	}
	return nil
}
