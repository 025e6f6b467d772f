package delivery_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/delivery/deliverytest"
	"github.com/latchkey/latchkey/internal/delivery/smtp"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// outboxFactory returns an empty outbox and the id of a tenant messages may belong to.
type outboxFactory func(t *testing.T) (storage.Outbox, string)

// clock is a settable time source; tests move it instead of sleeping.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock {
	return &clock{now: time.Date(2030, time.March, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// senderFunc adapts a function to delivery.Sender.
type senderFunc func(ctx context.Context, m model.OutboxMessage) error

func (f senderFunc) Send(ctx context.Context, m model.OutboxMessage) error { return f(ctx, m) }

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func enqueue(t *testing.T, store storage.Outbox, tenantID, kind, to string, now time.Time) model.OutboxMessage {
	t.Helper()
	m := model.OutboxMessage{
		ID: model.NewID(), TenantID: tenantID, Kind: kind, To: to,
		Subject: "Your Acme sign-in code", Text: "Your code is 123456\n", HTML: "<p>Your code is <b>123456</b></p>",
		NextAttemptAt: now, CreatedAt: now,
	}
	sealed, err := delivery.SealMessage(testKeys, m)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.EnqueueMessage(context.Background(), sealed); err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return m // as the sender sees it
}

// testKeys seal and open the messages of these tests.
var testKeys = func() *secret.Keys {
	k, err := secret.NewKeys(secret.NewMasterKey())
	if err != nil {
		panic(err)
	}
	return k
}()

func getMessage(t *testing.T, store storage.Outbox, id string) model.OutboxMessage {
	t.Helper()
	m, err := store.GetMessage(context.Background(), id)
	if err != nil {
		t.Fatalf("get message %s: %v", id, err)
	}
	return m
}

func smtpSender(t *testing.T, srv *deliverytest.SMTPServer) *smtp.Sender {
	t.Helper()
	cfg, err := smtp.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	s, err := smtp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func drain(t *testing.T, w *delivery.Worker) int {
	t.Helper()
	n, err := w.DrainOnce(testContext(t))
	if err != nil {
		t.Fatalf("DrainOnce: %v", err)
	}
	return n
}

// runWorker runs w until the test ends, and fails the test if Run returns an error.
func runWorker(t *testing.T, w *delivery.Worker) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(time.Minute):
				t.Error("Run did not return after its context ended")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitDelivered polls the outbox until every message in ids is marked delivered.
func waitDelivered(t *testing.T, store storage.Outbox, ids map[string]bool) {
	t.Helper()
	ctx := testContext(t)
	for id := range ids {
		for {
			m, err := store.GetMessage(ctx, id)
			if err != nil {
				t.Fatalf("get message %s: %v", id, err)
			}
			if m.DeliveredAt != nil {
				break
			}
			select {
			case <-ctx.Done():
				t.Fatalf("message %s never marked delivered (attempts %d, last error %q)", id, m.Attempts, m.LastError)
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
}
