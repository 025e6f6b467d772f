package sqlstore

import (
	"context"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
)

// BenchmarkPointRead reads a client's stamp, the one statement of a client-credentials
// request, on SQLite outside a transaction: with a context that can be cancelled, as a
// request's is, and with one that cannot. The first costs the driver's and database/sql's
// watcher goroutines (see statementContext), about 1.5 to 1.7 times the second.
func BenchmarkPointRead(b *testing.B) {
	s := NewTestStore(b, false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tenant := testTenant()
	if err := s.CreateTenant(ctx, tenant); err != nil {
		b.Fatal(err)
	}
	app := model.Application{ID: model.NewID(), TenantID: tenant.ID, Name: "app", Kind: model.AppKindStandard, CreatedAt: testNow, UpdatedAt: testNow}
	mustDo(b, s.CreateApplication(ctx, app), "create application")
	client := model.Client{ID: model.NewID(), TenantID: tenant.ID, AppID: app.ID, Name: "client", SecretHash: []byte("hash"),
		CreatedAt: testNow, UpdatedAt: testNow}
	mustDo(b, s.CreateClient(ctx, client), "create client")
	for _, c := range []struct {
		name string
		ctx  context.Context
	}{{"cancellable", ctx}, {"uncancellable", context.Background()}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.ClientStamp(c.ctx, client.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
