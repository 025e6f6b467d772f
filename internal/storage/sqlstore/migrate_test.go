package sqlstore

import (
	"path/filepath"
	"sync"
	"testing"
)

func TestMigrationsAreNumberedAlike(t *testing.T) {
	lite, err := migrations(false)
	mustDo(t, err, "sqlite migrations")
	pg, err := migrations(true)
	mustDo(t, err, "postgres migrations")
	if len(lite) == 0 || len(lite) != len(pg) {
		t.Fatalf("got %d SQLite and %d PostgreSQL migrations, want the same non-zero number", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].version != int64(i+1) || lite[i].name != pg[i].name {
			t.Errorf("migration %d: SQLite %s (version %d), PostgreSQL %s", i, lite[i].name, lite[i].version, pg[i].name)
		}
	}
}

func TestMigrateTwiceIsHarmless(t *testing.T) {
	forEachDialect(t, func(t *testing.T, postgres bool) {
		s := NewTestStore(t, postgres)
		ctx := testContext(t)
		tenant := testTenant()
		mustDo(t, s.CreateTenant(ctx, tenant), "create tenant")
		mustDo(t, s.Migrate(ctx), "second migrate")
		mustDo(t, s.Migrate(ctx), "third migrate")

		all, _ := migrations(postgres)
		if n := countRows(t, s, "schema_migrations"); n != len(all) {
			t.Errorf("schema_migrations has %d rows, want %d", n, len(all))
		}
		got, err := s.GetTenant(ctx, tenant.ID)
		mustDo(t, err, "get tenant after migrating again")
		if got != tenant {
			t.Errorf("tenant after migrating again = %+v, want %+v", got, tenant)
		}
	})
}

// TestConcurrentMigrate starts two stores on one fresh database at once, as two server
// processes would, and checks that both migrate without error and the schema is made once.
func TestConcurrentMigrate(t *testing.T) {
	forEachDialect(t, func(t *testing.T, postgres bool) {
		dsn := filepath.Join(t.TempDir(), "data", "latchkey.db")
		if postgres {
			dsn = TestPostgresDSN(t)
		}
		ctx := testContext(t)
		stores := make([]*Store, 2)
		for i := range stores {
			s, err := Open(ctx, dsn)
			mustDo(t, err, "open")
			t.Cleanup(func() { _ = s.Close() })
			stores[i] = s
		}
		errs := make([]error, len(stores))
		var wg sync.WaitGroup
		for i, s := range stores {
			wg.Go(func() { errs[i] = s.Migrate(ctx) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("migrate %d: %v", i, err)
			}
		}
		all, _ := migrations(postgres)
		if n := countRows(t, stores[0], "schema_migrations"); n != len(all) {
			t.Errorf("schema_migrations has %d rows, want %d", n, len(all))
		}
		// Both stores see a working schema.
		mustDo(t, stores[0].CreateTenant(ctx, testTenant()), "create tenant on the first store")
		mustDo(t, stores[1].CreateTenant(ctx, testTenant()), "create tenant on the second store")
	})
}
