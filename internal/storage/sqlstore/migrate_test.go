package sqlstore

import (
	"fmt"
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
		ctx := testContext(t)
		s := storeAtSchema(t, postgres, 1)

		tenant := testTenant()
		w := s.writer()
		_, err := w.exec(ctx, "INSERT INTO tenants (id, name, signing_alg, created_at) VALUES (?, ?, ?, ?)",
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

// TestUpgradeLeavesSchemaFourCredentialsUnbound writes a passkey as a schema-4 database holds
// it and checks that it reads back unbound (no application, no relying party), for its first
// login to bind it, and that binding it is stored.
func TestUpgradeLeavesSchemaFourCredentialsUnbound(t *testing.T) {
	forEachDialect(t, func(t *testing.T, postgres bool) {
		ctx := testContext(t)
		s := storeAtSchema(t, postgres, 4)
		cred := model.Credential{ID: model.NewID(), TenantID: model.NewID(), UserID: model.NewID(), Type: model.CredentialWebAuthn,
			LookupKey: "cred-1", Name: "Passkey", Data: []byte(`{"sign_count":1}`), CreatedAt: testNow, UpdatedAt: testNow}
		_, err := s.writer().exec(ctx, "INSERT INTO credentials (id, tenant_id, user_id, type, lookup_key, name, data, created_at, updated_at) "+
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			cred.ID, cred.TenantID, cred.UserID, cred.Type, cred.LookupKey, cred.Name, string(cred.Data), millis(cred.CreatedAt), millis(cred.UpdatedAt))
		mustDo(t, err, "insert a schema-4 passkey")

		mustDo(t, s.Migrate(ctx), "migrate to the latest schema")
		got, err := s.GetCredential(ctx, cred.TenantID, cred.ID)
		mustDo(t, err, "get the old passkey")
		if !reflect.DeepEqual(got, cred) {
			t.Errorf("old passkey after the upgrade = %+v, want %+v (unbound)", got, cred)
		}
		err = s.UpdateCredential(ctx, cred.TenantID, cred.ID, func(c model.Credential) (model.Credential, error) {
			c.RPID = "example.com"
			return c, nil
		})
		mustDo(t, err, "bind the old passkey")
		if got, err = s.GetCredential(ctx, cred.TenantID, cred.ID); err != nil || got.RPID != "example.com" || got.AppID != "" {
			t.Errorf("bound passkey = %+v, %v; want rp id example.com and no application", got, err)
		}
	})
}

// storeAtSchema opens a fresh store of the dialect with only the first n migrations applied, as
// a database of that schema version is before an upgrade.
func storeAtSchema(t *testing.T, postgres bool, n int) *Store {
	t.Helper()
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
	for _, m := range all[:n] {
		_, err := s.applyMigration(ctx, m)
		mustDo(t, err, fmt.Sprintf("apply migration %s", m.name))
	}
	return s
}

// TestMigrateAnalyzesPostgres checks that a migration leaves PostgreSQL with statistics for the
// tables it made: a table never analyzed has reltuples -1, and a plan made before autovacuum
// comes round would be a guess.
func TestMigrateAnalyzesPostgres(t *testing.T) {
	s := NewTestStore(t, true)
	ctx := testContext(t)
	stats := func(table string) float64 {
		var tuples float64
		err := s.r.QueryRowContext(ctx, "SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)", table).Scan(&tuples)
		mustDo(t, err, "read "+table+"'s statistics")
		return tuples
	}
	// Empty tables are left unanalyzed, which PostgreSQL plans as a few pages rather than as
	// nothing (see analyze).
	for _, table := range []string{"sessions", "refresh_tokens", "codes", "users"} {
		if tuples := stats(table); tuples >= 0 {
			t.Errorf("the empty %s was analyzed after migrating (reltuples %v)", table, tuples)
		}
	}
	// A table with rows is analyzed, as after a migration.
	mustDo(t, s.CreateTenant(ctx, testTenant()), "create tenant")
	mustDo(t, s.analyze(ctx), "analyze")
	if tuples := stats("tenants"); tuples < 1 {
		t.Errorf("tenants, with a row, has reltuples %v after analyzing, want it analyzed", tuples)
	}
	if tuples := stats("sessions"); tuples >= 0 {
		t.Errorf("the empty sessions was analyzed after analyzing again (reltuples %v)", tuples)
	}
}
