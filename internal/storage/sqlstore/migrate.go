package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migrationLockKey is the first half of the PostgreSQL advisory lock that serialises
// migrations; the second half is a hash of the schema, so that different schemas of one
// database migrate independently.
const migrationLockKey int32 = 0x4c4b4d47 // "LKMG"

// migration is one numbered schema change, such as 0001_init.sql.
type migration struct {
	version int64
	name    string
	sql     string
}

// migrations returns the dialect's migrations in the order they apply.
func migrations(postgres bool) ([]migration, error) {
	dir := "migrations/sqlite"
	if postgres {
		dir = "migrations/postgres"
	}
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		version, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: version, name: e.Name(), sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// Migrate brings the schema up to date, applying each missing migration in its own
// transaction and recording it in schema_migrations. It is idempotent, and processes that
// start together may all call it: on PostgreSQL an advisory lock, and on SQLite the write lock
// of an IMMEDIATE transaction, make them take turns.
func (s *Store) Migrate(ctx context.Context) error {
	if s.tx != nil {
		return errors.New("migrate: cannot run inside a transaction")
	}
	all, err := migrations(s.d.postgres)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	applied := false
	for _, m := range all {
		ran, err := s.applyMigration(ctx, m)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
		applied = applied || ran
	}
	if applied && s.d.postgres {
		// New indexes of tables with rows have no statistics on PostgreSQL until autovacuum
		// comes round; plans made before then (prepared statements keep theirs) would be
		// guesses. Empty tables are left alone (see analyze).
		if err := s.analyze(ctx); err != nil {
			return fmt.Errorf("migrate: analyze: %w", err)
		}
	}
	return nil
}

// analyze gathers statistics for the tables of Latchkey's schema that hold rows: a bare
// ANALYZE would read every table of the database, other applications' and schemas' too.
//
// An empty table is not analyzed. Analyzed, PostgreSQL would take it to be empty until
// autovacuum analyzes it again, and plan a scan of the whole table for every lookup: a
// connection that kept such a plan for a prepared statement would go on scanning as the table
// grew. Never analyzed, it is taken to span a few pages, and lookups go by their indexes at
// every size.
func (s *Store) analyze(ctx context.Context) error {
	tables, err := getAll(ctx, s.writer(), "list tables", func(sc scanner) (string, error) {
		var name string
		err := sc.Scan(&name)
		return name, err
	}, "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
	if err != nil || len(tables) == 0 {
		return err
	}
	probes := make([]string, len(tables))
	for i, t := range tables {
		probes[i] = "SELECT '" + strings.ReplaceAll(t, "'", "''") + "' WHERE EXISTS (SELECT 1 FROM " + t + ")"
	}
	filled, err := getAll(ctx, s.writer(), "find tables with rows", func(sc scanner) (string, error) {
		var name string
		err := sc.Scan(&name)
		return name, err
	}, strings.Join(probes, " UNION ALL "))
	if err != nil || len(filled) == 0 {
		return err
	}
	s.stats.statements.Add(1)
	_, err = s.w.ExecContext(ctx, "ANALYZE "+strings.Join(filled, ", "))
	return err
}

// applyMigration applies m unless it already has been, and reports whether it ran.
func (s *Store) applyMigration(ctx context.Context, m migration) (ran bool, err error) {
	err = s.runTx(ctx, false, func(tx *Store) error {
		ran = false // the transaction may run again
		c := tx.writer()
		if s.d.postgres {
			// The lock is held until the transaction ends.
			if _, err := c.exec(ctx, "SELECT pg_advisory_xact_lock(?, hashtext(current_schema()))", migrationLockKey); err != nil {
				return fmt.Errorf("lock: %w", err)
			}
		}
		const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    BIGINT PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at BIGINT NOT NULL
		)`
		if _, err := c.exec(ctx, create); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var one int
		err := c.queryRow(ctx, "SELECT 1 FROM schema_migrations WHERE version = ?", m.version).Scan(&one)
		if err == nil {
			return nil // already applied
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		// Run as is, without arguments, so that a file may hold several statements and its
		// comments are not mistaken for placeholders.
		s.stats.statements.Add(1)
		if _, err := tx.tx.ExecContext(ctx, m.sql); err != nil {
			return err
		}
		_, err = c.exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			m.version, m.name, millis(time.Now()))
		ran = err == nil
		return err
	})
	return ran, err
}
