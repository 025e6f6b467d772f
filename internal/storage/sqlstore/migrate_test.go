package sqlstore

import (
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

func TestMigrationsAreNumberedAlike(t *testing.T) {
	lite, err := migrations(false)
	mustDo(t, err, "sqlite migrations")
	pg, err := migrations(true)
	mustDo(t, err, "postgres migrations")
	if len(lite) == 0 || len(lite) != len(pg) {
		t.Fatalf("got %d SQLite and %d PostgreSQL migrations, want the same non-zero number", len(lite), len(pg))
	}
	// Numbers increase from 1 and match across dialects; a number may be skipped (changes
	// made side by side take numbers of their own), which Migrate handles by version.
	for i := range lite {
		if lite[i].version < 1 || (i > 0 && lite[i].version <= lite[i-1].version) || lite[i].name != pg[i].name {
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
		if !reflect.DeepEqual(got, tenant) {
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

// TestUpgradeKeepsSchemaOneRows writes rows as a schema-1 database holds them, migrates, and
// checks that they read back with the new fields empty and that the new tables work.
func TestUpgradeKeepsSchemaOneRows(t *testing.T) {
	forEachDialect(t, func(t *testing.T, postgres bool) {
		dsn := filepath.Join(t.TempDir(), "latchkey.db")
		if postgres {
			dsn = TestPostgresDSN(t)
		}
		ctx := testContext(t)
		s, err := Open(ctx, dsn)
		mustDo(t, err, "open")
		t.Cleanup(func() { _ = s.Close() })
		all, err := migrations(postgres)
		mustDo(t, err, "migrations")
		mustDo(t, s.applyMigration(ctx, all[0]), "apply the first migration")

		tenant := testTenant()
		w := s.writer()
		_, err = w.exec(ctx, "INSERT INTO tenants (id, name, signing_alg, created_at) VALUES (?, ?, ?, ?)",
			tenant.ID, tenant.Name, tenant.SigningAlg, millis(tenant.CreatedAt))
		mustDo(t, err, "insert a schema-1 tenant")
		code := model.OneTimeCode{ID: model.NewID(), TenantID: tenant.ID, Purpose: model.PurposeOTP,
			CodeHash: []byte{1, 2, 3}, MaxFailures: 5, ExpiresAt: testNow.Add(time.Minute), CreatedAt: testNow}
		_, err = w.exec(ctx, "INSERT INTO codes (id, tenant_id, purpose, code_hash, max_failures, expires_at, created_at) "+
			"VALUES (?, ?, ?, ?, ?, ?, ?)",
			code.ID, code.TenantID, code.Purpose, code.CodeHash, code.MaxFailures, millis(code.ExpiresAt), millis(code.CreatedAt))
		mustDo(t, err, "insert a schema-1 code")

		mustDo(t, s.Migrate(ctx), "migrate to the latest schema")
		gotTenant, err := s.GetTenant(ctx, tenant.ID)
		mustDo(t, err, "get the old tenant")
		if !reflect.DeepEqual(gotTenant, tenant) {
			t.Errorf("old tenant after the upgrade = %+v, want %+v", gotTenant, tenant)
		}
		gotCode, err := s.GetCode(ctx, tenant.ID, code.ID)
		mustDo(t, err, "get the old code")
		if !reflect.DeepEqual(gotCode, code) {
			t.Errorf("old code after the upgrade = %+v, want %+v", gotCode, code)
		}
		n, _, err := s.CountHit(ctx, "k", testNow, testNow.Add(time.Minute))
		mustDo(t, err, "count a hit after the upgrade")
		if n != 1 {
			t.Errorf("first hit after the upgrade counted %d, want 1", n)
		}
		mustDo(t, s.AppendAudit(ctx, model.AuditEvent{ID: model.NewID(), TenantID: tenant.ID, CreatedAt: testNow}),
			"append an audit event after the upgrade")
	})
}
