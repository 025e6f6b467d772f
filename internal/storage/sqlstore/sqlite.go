package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// SQLite connection settings. busy_timeout lets a connection wait for another process's write
// lock instead of failing at once; NORMAL synchronous is durable enough in WAL mode (a power
// cut may lose the last transactions, never corrupt the file).
//
// No connection checkpoints the log when it commits (wal_autocheckpoint 0): the store's
// checkpointer does, in the background (see checkpoint.go).
const (
	sqliteCommon = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=wal_autocheckpoint(0)"
	// The writer turns WAL on (it is persistent in the file) and begins every transaction
	// IMMEDIATE, taking the write lock up front so that a transaction never has to upgrade a
	// read lock, which is where SQLITE_BUSY deadlocks come from.
	sqliteWriter = sqliteCommon + "&_pragma=journal_mode(WAL)&_txlock=immediate"
	sqliteReader = sqliteCommon + "&_pragma=query_only(1)"
)

// openSQLite opens the SQLite file named by dsn, a path optionally prefixed with "file:" and
// followed by extra driver parameters after "?".
func openSQLite(ctx context.Context, dsn string) (*Store, error) {
	path, extra, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.Contains(extra, "mode=memory") {
		// Every connection would see its own empty database.
		return nil, errors.New("open sqlite: an in-memory database is not supported; give a file path")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open sqlite: create directory: %w", err)
		}
	}
	if extra != "" {
		extra = "&" + extra
	}

	// The writer is opened and pinged first so that the file exists, in WAL mode, before any
	// read-only connection opens it.
	w, err := openSQLitePool(ctx, path+"?"+sqliteWriter+extra, 1)
	if err != nil {
		return nil, fmt.Errorf("open sqlite writer: %w", err)
	}
	r, err := openSQLitePool(ctx, path+"?"+sqliteReader+extra, max(4, 2*runtime.NumCPU()))
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open sqlite reader: %w", err)
	}
	cp, err := openSQLitePool(ctx, path+"?"+sqliteCommon+extra, 1)
	if err != nil {
		_ = w.Close()
		_ = r.Close()
		return nil, fmt.Errorf("open sqlite checkpointer: %w", err)
	}
	return &Store{w: w, r: r, d: newDialect(false), stats: &stats{}, ps: newPrepared(), cp: startCheckpointer(cp, w)}, nil
}

func openSQLitePool(ctx context.Context, dsn string, conns int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	// Connections are kept: each reopen would rerun the pragmas.
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}
