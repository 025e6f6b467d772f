package sqlstore

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

// BenchmarkCommitLatency times transactions of a login's four writes one after another and
// reports their p99 and slowest, with the store's background checkpoints (background) and
// with SQLite's default, a checkpoint inside the commit that takes the log past 1000 pages
// (in-commit).
func BenchmarkCommitLatency(b *testing.B) {
	for _, inCommit := range []bool{false, true} {
		name := map[bool]string{false: "background", true: "in-commit"}[inCommit]
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			s, err := OpenAndMigrate(ctx, filepath.Join(b.TempDir(), "latency.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if inCommit {
				close(s.cp.stop)
				s.cp.done.Wait()
				s.cp.stop = make(chan struct{})
				s.cp.done.Add(1)
				go s.cp.run() // for Close; it checkpoints nothing the commits have not
				if _, err := s.w.Exec("PRAGMA wal_autocheckpoint = 1000"); err != nil {
					b.Fatal(err)
				}
			}
			tenant := testTenant()
			mustDo(b, s.CreateTenant(ctx, tenant), "create tenant")
			user := model.User{ID: model.NewID(), TenantID: tenant.ID, Email: "a@example.com", Status: model.UserActive, CreatedAt: testNow, UpdatedAt: testNow}
			mustDo(b, s.CreateUser(ctx, user), "create user")
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				sess := model.Session{ID: model.NewID(), TenantID: tenant.ID, UserID: user.ID, AppID: "app", ClientID: "client",
					CreatedAt: testNow, LastSeenAt: testNow, ExpiresAt: testNow.Add(time.Hour), SealedID: make([]byte, 60)}
				rt := model.RefreshToken{ID: model.NewID(), TenantID: tenant.ID, FamilyID: model.NewID(), SessionID: sess.ID,
					ClientID: "client", UserID: user.ID, TokenHash: []byte(model.NewID() + model.NewID()), ExpiresAt: testNow.Add(time.Hour), CreatedAt: testNow}
				ev := model.AuditEvent{ID: model.NewID(), TenantID: tenant.ID, UserID: user.ID, Type: model.EventAdminChange, CreatedAt: testNow}
				t0 := time.Now()
				err := s.runTx(ctx, false, func(tx *Store) error {
					mustDo(b, tx.MarkLogin(ctx, tenant.ID, user.ID, testNow, true, false), "mark login")
					mustDo(b, tx.CreateSession(ctx, sess), "create session")
					mustDo(b, tx.CreateRefreshToken(ctx, rt), "create refresh token")
					return tx.AppendAudit(ctx, ev)
				})
				lat = append(lat, time.Since(t0))
				mustDo(b, err, "transaction")
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
			s.cp.mu.Lock()
			b.ReportMetric(float64(s.cp.truncates), "truncates")
			b.ReportMetric(float64(s.cp.restarts), "restarts")
			s.cp.mu.Unlock()
			var over5 int
			for _, l := range lat {
				if l > 5*time.Millisecond {
					over5++
				}
			}
			b.ReportMetric(float64(over5), "over-5ms")
		})
	}
}
