package sqlstore

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// TestLoginWritesAreOneStatement checks that a transaction's login mark, session, refresh
// token and audit event reach PostgreSQL as one statement (SQLite as four), and every read
// in between sends what was held first.
func TestLoginWritesAreOneStatement(t *testing.T) {
	forEachDialect(t, func(t *testing.T, postgres bool) {
		s := NewTestStore(t, postgres)
		ctx := testContext(t)
		tenant := testTenant()
		mustDo(t, s.CreateTenant(ctx, tenant), "create tenant")
		user := model.User{ID: model.NewID(), TenantID: tenant.ID, Email: "a@example.com", Status: model.UserActive, CreatedAt: testNow, UpdatedAt: testNow}
		mustDo(t, s.CreateUser(ctx, user), "create user")
		sess := model.Session{ID: model.NewID(), TenantID: tenant.ID, UserID: user.ID, AppID: "app", ClientID: "client",
			CreatedAt: testNow, LastSeenAt: testNow, ExpiresAt: testNow.Add(time.Hour)}
		rt := model.RefreshToken{ID: model.NewID(), TenantID: tenant.ID, FamilyID: model.NewID(), SessionID: sess.ID,
			ClientID: "client", UserID: user.ID, TokenHash: []byte(model.NewID()), ExpiresAt: testNow.Add(time.Hour), CreatedAt: testNow}
		ev := model.AuditEvent{ID: model.NewID(), TenantID: tenant.ID, UserID: user.ID, Type: model.EventAdminChange, CreatedAt: testNow}
		count := func(fn func(tx storage.Store) error) int64 {
			t.Helper()
			before, _ := s.Stats()
			mustDo(t, s.InTx(ctx, fn), "transaction")
			after, _ := s.Stats()
			return after - before
		}
		n := count(func(tx storage.Store) error {
			mustDo(t, tx.MarkLogin(ctx, tenant.ID, user.ID, testNow, true, false), "mark login")
			mustDo(t, tx.CreateSession(ctx, sess), "create session")
			mustDo(t, tx.CreateRefreshToken(ctx, rt), "create refresh token")
			return tx.AppendAudit(ctx, ev)
		})
		if want := map[bool]int64{true: 1, false: 4}[postgres]; n != want {
			t.Fatalf("a login's four writes took %d statements, want %d", n, want)
		}
		if countRows(t, s, "sessions") != 1 || countRows(t, s, "refresh_tokens") != 1 || countRows(t, s, "audit_events") != 1 {
			t.Fatal("the batched writes did not all arrive")
		}
		// A read between writes sends the held ones first: two statements for the writes.
		sess2 := sess
		sess2.ID = model.NewID()
		n = count(func(tx storage.Store) error {
			mustDo(t, tx.CreateSession(ctx, sess2), "create session")
			if _, err := tx.GetSession(ctx, tenant.ID, sess2.ID); err != nil {
				return err
			}
			return tx.MarkLogin(ctx, tenant.ID, user.ID, testNow, false, false)
		})
		if n != 3 {
			t.Fatalf("write, read, write took %d statements, want 3", n)
		}
	})
}

// BenchmarkLoginWrites times a transaction of a login's four writes, sent as one statement
// (held) and one by one, on PostgreSQL with BENCH_POSTGRES set (and
// LATCHKEY_TEST_POSTGRES_DSN), else on SQLite, which holds nothing back (both the same).
func BenchmarkLoginWrites(b *testing.B) {
	for _, held := range []bool{true, false} {
		name := map[bool]string{true: "held", false: "one-by-one"}[held]
		b.Run(name, func(b *testing.B) {
			s := NewTestStore(b, os.Getenv("BENCH_POSTGRES") != "")
			ctx := context.Background()
			tenant := testTenant()
			mustDo(b, s.CreateTenant(ctx, tenant), "create tenant")
			user := model.User{ID: model.NewID(), TenantID: tenant.ID, Email: "a@example.com", Status: model.UserActive, CreatedAt: testNow, UpdatedAt: testNow}
			mustDo(b, s.CreateUser(ctx, user), "create user")
			b.ResetTimer()
			cpu0 := cpuTime()
			defer func() { b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op") }()
			for range b.N {
				sess := model.Session{ID: model.NewID(), TenantID: tenant.ID, UserID: user.ID, AppID: "app", ClientID: "client",
					CreatedAt: testNow, LastSeenAt: testNow, ExpiresAt: testNow.Add(time.Hour), SealedID: make([]byte, 60)}
				rt := model.RefreshToken{ID: model.NewID(), TenantID: tenant.ID, FamilyID: model.NewID(), SessionID: sess.ID,
					ClientID: "client", UserID: user.ID, TokenHash: []byte(model.NewID() + model.NewID()), ExpiresAt: testNow.Add(time.Hour), CreatedAt: testNow}
				ev := model.AuditEvent{ID: model.NewID(), TenantID: tenant.ID, UserID: user.ID, Type: model.EventAdminChange, CreatedAt: testNow}
				err := s.runTx(ctx, false, func(tx *Store) error {
					if !held {
						tx.held = nil
					}
					mustDo(b, tx.MarkLogin(ctx, tenant.ID, user.ID, testNow, true, false), "mark login")
					mustDo(b, tx.CreateSession(ctx, sess), "create session")
					mustDo(b, tx.CreateRefreshToken(ctx, rt), "create refresh token")
					return tx.AppendAudit(ctx, ev)
				})
				mustDo(b, err, "transaction")
			}
		})
	}
}

// cpuTime is the process's user and system CPU time: unlike the wall time, it does not count
// waiting for a core on a loaded machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
