package delivery_test

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// TestCollectRemovesEveryFinishedMessage runs the collection the server runs after a delivery
// worker has finished messages every way it can, and checks that all of them go once their
// retention has passed, in batches, while a message still owed stays.
func TestCollectRemovesEveryFinishedMessage(t *testing.T) {
	for name, factory := range map[string]outboxFactory{
		"memory":   func(*testing.T) (storage.Outbox, string) { return newMemOutbox(), model.NewID() },
		"sqlite":   sqliteOutbox,
		"postgres": postgresOutbox,
	} {
		t.Run(name, func(t *testing.T) {
			store, tenant := factory(t)
			ctx := testContext(t)
			clk := newClock()
			created := clk.Now()
			var finished []string
			for i := range 7 {
				m := enqueue(t, store, tenant, model.MessageEmail, "a@example.com", created)
				switch i % 3 {
				case 0: // delivered
					must(t, store.MarkDelivered(ctx, m.ID, created))
				case 1: // abandoned after its attempts, or permanently failed
					must(t, store.MarkFailed(ctx, m.ID, "550 no such user", delivery.FarFuture))
				case 2: // dropped
					hook := enqueue(t, store, tenant, model.MessageAuditWebhook, "https://old.example", created)
					if _, err := store.DropMessages(ctx, tenant, model.MessageAuditWebhook, "dropped"); err != nil {
						t.Fatal(err)
					}
					finished = append(finished, hook.ID)
					must(t, store.MarkDelivered(ctx, m.ID, created))
				}
				finished = append(finished, m.ID)
			}
			owed := enqueue(t, store, tenant, model.MessageEmail, "b@example.com", created)
			must(t, store.MarkFailed(ctx, owed.ID, "421 later", created.Add(time.Minute)))

			retention := 72 * time.Hour
			if n, err := delivery.Collect(ctx, store, created.Add(time.Minute).Add(-retention), 3); err != nil || n != 0 {
				t.Fatalf("collection within the retention: %d, %v; want nothing", n, err)
			}
			clk.Advance(retention + time.Hour)
			n, err := delivery.Collect(ctx, store, clk.Now().Add(-retention), 3)
			if err != nil || n != int64(len(finished)) {
				t.Fatalf("collection after the retention: %d, %v; want %d", n, err, len(finished))
			}
			for _, id := range finished {
				if _, err := store.GetMessage(ctx, id); err == nil {
					t.Errorf("finished message %s survived its retention", id)
				}
			}
			if _, err := store.GetMessage(ctx, owed.ID); err != nil {
				t.Errorf("a message still owed was collected: %v", err)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
