package sqlstore

import (
	"testing"

	"github.com/latchkey/latchkey/internal/storage"
)

// SQLite statements are prepared once: on the pool they first run on outside a transaction,
// and after the transaction ends for those first met inside one.
func TestSQLiteKeepsStatementsPrepared(t *testing.T) {
	s := NewTestStore(t, false)
	ctx := testContext(t)
	x := testTenant()
	mustDo(t, s.CreateTenant(ctx, x), "create tenant")
	const byID = "SELECT " + tenantCols + " FROM tenants WHERE id = ?"
	kept := func(db any) bool {
		s.ps.mu.Lock()
		defer s.ps.mu.Unlock()
		for d, qs := range s.ps.stmts {
			if any(d) == db && qs[byID] != nil {
				return true
			}
		}
		return false
	}
	if kept(s.w) {
		t.Fatal("statement prepared on the writer before it ever ran there")
	}
	err := s.InTx(ctx, func(tx storage.Store) error {
		got, err := tx.GetTenant(ctx, x.ID)
		if err == nil && got.Name != x.Name {
			t.Errorf("in a transaction: tenant %q, want %q", got.Name, x.Name)
		}
		if kept(s.w) {
			t.Error("statement prepared while the transaction held the writer")
		}
		return err
	})
	mustDo(t, err, "read in a transaction")
	if !kept(s.w) {
		t.Fatal("statement met in a transaction was not prepared after it")
	}
	// The prepared statement gives the same answers, inside and outside transactions.
	for range 3 {
		mustDo(t, s.InTx(ctx, func(tx storage.Store) error {
			got, err := tx.GetTenant(ctx, x.ID)
			if err == nil && got.ID != x.ID {
				t.Errorf("prepared read in a transaction: %q", got.ID)
			}
			return err
		}), "prepared read in a transaction")
		got, err := s.GetTenant(ctx, x.ID)
		mustDo(t, err, "read outside a transaction")
		if got.ID != x.ID {
			t.Errorf("prepared read: %q", got.ID)
		}
	}
	if !kept(s.r) {
		t.Error("statement run on the read pool was not prepared there")
	}
	if n := len(s.ps.pending); n != 0 {
		t.Errorf("%d pools still have statements waiting to be prepared", n)
	}
}
