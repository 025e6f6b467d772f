package delivery_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// testLongSendKeepsItsLease: a send that takes several leases' time is never doubled by
// another worker, because its worker keeps extending the lease; once done, the message is
// delivered once.
func testLongSendKeepsItsLease(t *testing.T, newOutbox outboxFactory) {
	store, tenantID := newOutbox(t)
	const lease = 600 * time.Millisecond
	var sends atomic.Int32
	release := make(chan struct{})
	slow := senderFunc(func(ctx context.Context, _ model.OutboxMessage) error {
		sends.Add(1)
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	a := delivery.NewWorker(store, map[string]delivery.Sender{model.MessageEmail: slow}, delivery.WorkerOptions{Keys: testKeys, Lease: lease})
	b := delivery.NewWorker(store, map[string]delivery.Sender{model.MessageEmail: slow}, delivery.WorkerOptions{Keys: testKeys, Lease: lease})
	m := enqueue(t, store, tenantID, model.MessageEmail, "slow@example.com", time.Now())
	done := make(chan int, 1)
	go func() { n, _ := a.DrainOnce(testContext(t)); done <- n }()
	for sends.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	// For three leases' time, the other worker finds nothing due.
	for end := time.Now().Add(3 * lease); time.Now().Before(end); {
		if n := drain(t, b); n != 0 || sends.Load() != 1 {
			t.Fatalf("another worker sent the message while its worker was still sending (%d sends)", sends.Load())
		}
		time.Sleep(lease / 5)
	}
	close(release)
	if n := <-done; n != 1 {
		t.Fatalf("the sending worker delivered %d, want 1", n)
	}
	if got := getMessage(t, store, m.ID); got.DeliveredAt == nil || got.Attempts != 1 {
		t.Fatalf("delivered at %v after %d attempts, want delivered once", got.DeliveredAt, got.Attempts)
	}
}

// failingExtend is an outbox whose leases cannot be extended, as when the database is out
// of reach of the sending node.
type failingExtend struct{ storage.Outbox }

func (failingExtend) ExtendLeases(context.Context, []string, time.Time, time.Time) (int64, error) {
	return 0, errors.New("database unreachable")
}

// testSendStopsWhenTheLeaseCannotBeKept: when the lease cannot be extended, the send is
// stopped before the lease ends, so that it never overlaps another worker's send of the same
// message.
func testSendStopsWhenTheLeaseCannotBeKept(t *testing.T, newOutbox outboxFactory) {
	store, tenantID := newOutbox(t)
	const lease = time.Second
	var stoppedAt atomic.Int64
	var leaseEnd time.Time
	blocked := senderFunc(func(ctx context.Context, _ model.OutboxMessage) error {
		<-ctx.Done()
		stoppedAt.Store(time.Now().UnixNano())
		return ctx.Err()
	})
	w := delivery.NewWorker(failingExtend{store}, map[string]delivery.Sender{model.MessageEmail: blocked}, delivery.WorkerOptions{Keys: testKeys, Lease: lease})
	m := enqueue(t, store, tenantID, model.MessageEmail, "cut@example.com", time.Now())
	start := time.Now()
	if n := drain(t, w); n != 0 {
		t.Fatalf("delivered %d", n)
	}
	got := getMessage(t, store, m.ID)
	if got.DeliveredAt != nil || got.Attempts != 1 {
		t.Fatalf("delivered at %v, %d attempts; want one failed attempt", got.DeliveredAt, got.Attempts)
	}
	leaseEnd = start.Add(lease)
	if stop := time.Unix(0, stoppedAt.Load()); !stop.Before(leaseEnd) {
		t.Fatalf("the send was stopped %v after its lease ended", stop.Sub(leaseEnd))
	}
}
