package sqlstore

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

func TestIsPostgres(t *testing.T) {
	for dsn, want := range map[string]bool{
		"postgres://u@h/db":       true,
		"postgresql://u@h/db":     true,
		"data/latchkey.db":        false,
		"file:data/latchkey.db":   false,
		"/var/lib/latchkey/db":    false,
		"postgres-backup/file.db": false,
	} {
		if got := IsPostgres(dsn); got != want {
			t.Errorf("IsPostgres(%q) = %v, want %v", dsn, got, want)
		}
	}
}

func TestOpenSQLiteCreatesDirectoryAndPersists(t *testing.T) {
	ctx := testContext(t)
	path := filepath.Join(t.TempDir(), "a", "b", "latchkey.db")
	s, err := OpenAndMigrate(ctx, path)
	mustDo(t, err, "open")
	tenant := testTenant()
	mustDo(t, s.CreateTenant(ctx, tenant), "create tenant")
	mustDo(t, s.Close(), "close")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file: %v", err)
	}

	s, err = Open(ctx, "file:"+path)
	mustDo(t, err, "reopen")
	defer s.Close()
	got, err := s.GetTenant(ctx, tenant.ID)
	mustDo(t, err, "get tenant after reopening")
	if !reflect.DeepEqual(got, tenant) {
		t.Errorf("tenant after reopening = %+v, want %+v", got, tenant)
	}
	var mode string
	mustDo(t, s.reader().queryRow(ctx, "PRAGMA journal_mode").Scan(&mode), "read journal mode")
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
}

func TestOpenSQLiteRejectsMemory(t *testing.T) {
	for _, dsn := range []string{":memory:", "file::memory:?cache=shared", ""} {
		if s, err := Open(testContext(t), dsn); err == nil {
			_ = s.Close()
			t.Errorf("Open(%q) succeeded, want an error", dsn)
		}
	}
}

func TestSQLiteReaderIsReadOnly(t *testing.T) {
	s := NewTestStore(t, false)
	_, err := s.r.ExecContext(testContext(t), "INSERT INTO lockouts (tenant_id, app_id, lock_key, locked_until) VALUES ('t', 'a', 'k', 1)")
	if err == nil {
		t.Error("a write on the read pool succeeded, want it refused")
	}
}

func TestStats(t *testing.T) {
	forEachDialect(t, func(t *testing.T, postgres bool) {
		s := NewTestStore(t, postgres)
		ctx := testContext(t)
		stmts0, txs0 := s.Stats()
		mustDo(t, s.CreateTenant(ctx, testTenant()), "create tenant")
		stmts1, txs1 := s.Stats()
		if stmts1 != stmts0+1 || txs1 != txs0 {
			t.Errorf("after one insert: stats moved from (%d, %d) to (%d, %d), want one more statement", stmts0, txs0, stmts1, txs1)
		}
		err := s.InTx(ctx, func(tx storage.Store) error {
			return tx.InTx(ctx, func(inner storage.Store) error {
				_, err := inner.ListTenants(ctx)
				return err
			})
		})
		mustDo(t, err, "nested transactions")
		stmts2, txs2 := s.Stats()
		if txs2 != txs1+1 || stmts2 <= stmts1 {
			t.Errorf("after nested InTx: stats moved from (%d, %d) to (%d, %d), want one more transaction", stmts1, txs1, stmts2, txs2)
		}
	})
}

// TestDuplicateInsideTransaction checks that a unique violation inside InTx leaves the
// transaction usable, so that a caller may look the existing record up and carry on; on
// PostgreSQL that takes a savepoint.
func TestDuplicateInsideTransaction(t *testing.T) {
	forEachDialect(t, func(t *testing.T, postgres bool) {
		s := NewTestStore(t, postgres)
		ctx := testContext(t)
		first := testTenant()
		second := testTenant()
		err := s.InTx(ctx, func(tx storage.Store) error {
			if err := tx.CreateTenant(ctx, first); err != nil {
				return err
			}
			clash := testTenant()
			clash.Name = first.Name
			err := tx.CreateTenant(ctx, clash)
			var dup *storage.DuplicateError
			if !errors.As(err, &dup) || dup.Field != "name" || !errors.Is(err, storage.ErrAlreadyExists) {
				t.Errorf("create tenant with a taken name: got %v, want a DuplicateError on name", err)
			}
			if _, err := tx.GetTenantByName(ctx, first.Name); err != nil {
				return err
			}
			return tx.CreateTenant(ctx, second)
		})
		mustDo(t, err, "transaction after a duplicate")
		for _, want := range []model.Tenant{first, second} {
			if _, err := s.GetTenant(ctx, want.ID); err != nil {
				t.Errorf("tenant written in the transaction: %v", err)
			}
		}
	})
}

func TestNilAndEmptySlicesRoundTrip(t *testing.T) {
	forEachDialect(t, func(t *testing.T, postgres bool) {
		s := NewTestStore(t, postgres)
		ctx := testContext(t)
		tenant := testTenant()
		mustDo(t, s.CreateTenant(ctx, tenant), "create tenant")
		for _, uris := range [][]string{nil, {}} {
			app := model.Application{ID: model.NewID(), TenantID: tenant.ID, RedirectURIs: uris, CreatedAt: testNow, UpdatedAt: testNow}
			mustDo(t, s.CreateApplication(ctx, app), "create application")
			got, err := s.GetApplication(ctx, tenant.ID, app.ID)
			mustDo(t, err, "get application")
			if (got.RedirectURIs == nil) != (uris == nil) || len(got.RedirectURIs) != 0 {
				t.Errorf("RedirectURIs %#v came back as %#v", uris, got.RedirectURIs)
			}
		}
	})
}

// TestSQLiteTwoProcesses runs read-modify-write updates from two stores on one SQLite file,
// as two server processes would: IMMEDIATE transactions and the busy timeout must make them
// take turns, with no SQLITE_BUSY error and no lost update.
func TestSQLiteTwoProcesses(t *testing.T) {
	ctx := testContext(t)
	path := filepath.Join(t.TempDir(), "latchkey.db")
	var stores []*Store
	for range 2 {
		s, err := OpenAndMigrate(ctx, path)
		mustDo(t, err, "open")
		t.Cleanup(func() { _ = s.Close() })
		stores = append(stores, s)
	}
	tenant := testTenant()
	mustDo(t, stores[0].CreateTenant(ctx, tenant), "create tenant")
	code := model.OneTimeCode{ID: model.NewID(), TenantID: tenant.ID, ExpiresAt: testNow, CreatedAt: testNow}
	mustDo(t, stores[0].CreateCode(ctx, code), "create code")

	const perWorker = 25
	var wg sync.WaitGroup
	errs := make(chan error, 4*perWorker)
	for w := range 4 {
		s := stores[w%2]
		wg.Go(func() {
			for range perWorker {
				errs <- s.UpdateCode(ctx, tenant.ID, code.ID, func(c model.OneTimeCode) (model.OneTimeCode, error) {
					c.Failures++
					return c, nil
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("update code: %v", err)
		}
	}
	got, err := stores[1].GetCode(ctx, tenant.ID, code.ID)
	mustDo(t, err, "get code")
	if got.Failures != 4*perWorker {
		t.Errorf("Failures = %d, want %d", got.Failures, 4*perWorker)
	}
}

// SetMaxConns sizes PostgreSQL's pool, keeping as many idle as open; SQLite's pools, sized to
// its one writer, stay as they are.
func TestSetMaxConns(t *testing.T) {
	for _, pg := range []bool{false, true} {
		s := NewTestStore(t, pg)
		before := s.w.Stats().MaxOpenConnections
		s.SetMaxConns(7)
		got := s.w.Stats().MaxOpenConnections
		switch {
		case pg && got != 7:
			t.Errorf("PostgreSQL pool allows %d connections after SetMaxConns(7)", got)
		case !pg && got != before:
			t.Errorf("SQLite writer pool changed from %d to %d", before, got)
		}
	}
}
