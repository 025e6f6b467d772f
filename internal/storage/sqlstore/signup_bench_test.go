package sqlstore

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

// BenchmarkSignups times sign-ups of one tenant's application (a user and their link, in one
// transaction each) from 8 goroutines at once, on PostgreSQL with BENCH_POSTGRES set, else on
// SQLite; "counted" keeps the user_counts triggers, "uncounted" drops them first, so the
// difference is what keeping the totals costs concurrent sign-ups.
func BenchmarkSignups(b *testing.B) {
	for _, counted := range []bool{true, false} {
		name := map[bool]string{true: "counted", false: "uncounted"}[counted]
		b.Run(name, func(b *testing.B) {
			s := NewTestStore(b, os.Getenv("BENCH_POSTGRES") != "")
			ctx := context.Background()
			tenant := testTenant()
			mustDo(b, s.CreateTenant(ctx, tenant), "create tenant")
			app := model.Application{ID: model.NewID(), TenantID: tenant.ID, Name: "app", Kind: model.AppKindStandard, CreatedAt: testNow, UpdatedAt: testNow}
			mustDo(b, s.CreateApplication(ctx, app), "create application")
			if !counted {
				for _, trig := range []string{"users_count_insert", "users_count_delete", "app_users_count_insert", "app_users_count_delete"} {
					table := map[bool]string{true: "app_users", false: "users"}[trig[:3] == "app"]
					q := "DROP TRIGGER " + trig
					if s.d.postgres {
						q += " ON " + table
					}
					if _, err := s.w.ExecContext(ctx, q); err != nil {
						b.Fatal(err)
					}
				}
			}
			const workers = 8
			var wg sync.WaitGroup
			next := make(chan struct{})
			b.ResetTimer()
			start := time.Now()
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range next {
						u := model.User{ID: model.NewID(), TenantID: tenant.ID, Email: model.NewID() + "@example.com", Status: model.UserActive, CreatedAt: testNow, UpdatedAt: testNow}
						err := s.runTx(ctx, false, func(tx *Store) error {
							if err := tx.CreateUser(ctx, u); err != nil {
								return err
							}
							return tx.LinkUser(ctx, model.AppUser{TenantID: tenant.ID, AppID: app.ID, UserID: u.ID, CreatedAt: testNow})
						})
						if err != nil {
							b.Error(err)
						}
					}
				}()
			}
			for range b.N {
				next <- struct{}{}
			}
			close(next)
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "signups/s")
		})
	}
}
