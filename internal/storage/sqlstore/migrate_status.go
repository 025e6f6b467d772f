package sqlstore

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// MigrationState is one migration as a database sees it: applied (with when), pending, or
// applied but unknown to this binary, which means a newer Latchkey migrated the database.
type MigrationState struct {
	Version   int64
	Name      string
	AppliedAt time.Time // zero while pending
	Unknown   bool      // applied, but not among this binary's migrations
}

// Pending reports whether the migration is still to be applied.
func (m MigrationState) Pending() bool { return m.AppliedAt.IsZero() }

// MigrationStatus lists this binary's migrations, each applied or pending, and any applied
// migration the binary does not know, in version order. It changes nothing: a database never
// migrated has no schema_migrations table, and every migration is pending.
func (s *Store) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	all, err := migrations(s.d.postgres)
	if err != nil {
		return nil, err
	}
	applied, err := s.appliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	var out []MigrationState
	for _, m := range all {
		st := MigrationState{Version: m.version, Name: m.name}
		if a, ok := applied[m.version]; ok {
			st.AppliedAt = a.AppliedAt
			delete(applied, m.version)
		}
		out = append(out, st)
	}
	for _, a := range applied {
		a.Unknown = true
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// appliedMigrations reads schema_migrations, or nothing when the table does not exist yet.
func (s *Store) appliedMigrations(ctx context.Context) (map[int64]MigrationState, error) {
	exists := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
	if s.d.postgres {
		// to_regclass follows search_path, as the store's own statements do.
		exists = "SELECT COUNT(*) FROM (SELECT to_regclass('schema_migrations') AS t) r WHERE r.t IS NOT NULL"
	}
	c := s.reader()
	var n int
	if err := c.queryRow(ctx, exists).Scan(&n); err != nil {
		return nil, fmt.Errorf("look for schema_migrations: %w", err)
	}
	out := map[int64]MigrationState{}
	if n == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, "SELECT version, name, applied_at FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m MigrationState
		var at int64
		if err := rows.Scan(&m.Version, &m.Name, &at); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		m.AppliedAt = fromMillis(at)
		out[m.Version] = m
	}
	return out, rows.Err()
}
