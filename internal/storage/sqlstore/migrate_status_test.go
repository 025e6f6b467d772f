package sqlstore

import (
	"path/filepath"
	"testing"
)

func TestMigrationStatus(t *testing.T) {
	forEachDialect(t, func(t *testing.T, postgres bool) {
		ctx := testContext(t)
		all, err := migrations(postgres)
		mustDo(t, err, "migrations")

		// A database never migrated: everything pending, and nothing created by asking.
		dsn := filepath.Join(t.TempDir(), "latchkey.db")
		if postgres {
			dsn = TestPostgresDSN(t)
		}
		fresh, err := Open(ctx, dsn)
		mustDo(t, err, "open a fresh database")
		t.Cleanup(func() { _ = fresh.Close() })
		st, err := fresh.MigrationStatus(ctx)
		mustDo(t, err, "status of a fresh database")
		if len(st) != len(all) {
			t.Fatalf("fresh database: %d states, want %d", len(st), len(all))
		}
		for _, m := range st {
			if !m.Pending() || m.Unknown {
				t.Errorf("fresh database: %+v, want pending", m)
			}
		}
		if applied, err := fresh.appliedMigrations(ctx); err != nil || len(applied) != 0 {
			t.Fatalf("asking for the status created schema_migrations rows (%v, %v)", applied, err)
		}

		// Part way: the first four applied, the rest pending, in order.
		s := storeAtSchema(t, postgres, 4)
		st, err = s.MigrationStatus(ctx)
		mustDo(t, err, "status at schema 4")
		for i, m := range st {
			if m.Version != all[i].version || m.Name != all[i].name {
				t.Fatalf("state %d is %d %s, want %d %s", i, m.Version, m.Name, all[i].version, all[i].name)
			}
			if m.Pending() != (i >= 4) || m.Unknown {
				t.Errorf("at schema 4, %s: pending %v unknown %v", m.Name, m.Pending(), m.Unknown)
			}
		}

		// Up to date, then a migration from a newer Latchkey.
		mustDo(t, s.Migrate(ctx), "migrate")
		_, err = s.writer().exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			int64(len(all)+90), "0099_from_the_future.sql", millis(testNow))
		mustDo(t, err, "record a newer migration")
		st, err = s.MigrationStatus(ctx)
		mustDo(t, err, "status after migrating")
		if len(st) != len(all)+1 {
			t.Fatalf("%d states, want %d", len(st), len(all)+1)
		}
		for _, m := range st[:len(all)] {
			if m.Pending() || m.Unknown {
				t.Errorf("after migrating, %s: pending %v unknown %v", m.Name, m.Pending(), m.Unknown)
			}
		}
		if last := st[len(all)]; !last.Unknown || last.Name != "0099_from_the_future.sql" || !last.AppliedAt.Equal(testNow) {
			t.Errorf("the newer migration reads %+v", last)
		}
	})
}
