package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/delivery/deliverytest"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

func TestWorkerMemory(t *testing.T) {
	testWorker(t, func(t *testing.T) (storage.Outbox, string) {
		return newMemOutbox(), model.NewID()
	})
}

// testWorker runs the worker tests against the outboxes newOutbox returns.
func testWorker(t *testing.T, newOutbox outboxFactory) {
	t.Run("DeliversAfterOutage", func(t *testing.T) { testDeliversAfterOutage(t, newOutbox) })
	t.Run("TwoWorkersDeliverOnce", func(t *testing.T) { testTwoWorkersDeliverOnce(t, newOutbox) })
	t.Run("NoSender", func(t *testing.T) { testNoSender(t, newOutbox) })
	t.Run("Backoff", func(t *testing.T) { testBackoff(t, newOutbox) })
	t.Run("PermanentStopsRetries", func(t *testing.T) { testPermanent(t, newOutbox) })
	t.Run("LeaseExpiry", func(t *testing.T) { testLeaseExpiry(t, newOutbox) })
	t.Run("ShutdownReleases", func(t *testing.T) { testShutdownReleases(t, newOutbox) })
	t.Run("LongSendKeepsItsLease", func(t *testing.T) { testLongSendKeepsItsLease(t, newOutbox) })
	t.Run("SendStopsWhenTheLeaseCannotBeKept", func(t *testing.T) { testSendStopsWhenTheLeaseCannotBeKept(t, newOutbox) })
	t.Run("Notify", func(t *testing.T) { testNotify(t, newOutbox) })
}

func testDeliversAfterOutage(t *testing.T, newOutbox outboxFactory) {
	store, tenantID := newOutbox(t)
	srv := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{Username: "u", Password: "p"})
	clk := newClock()
	w := delivery.NewWorker(store, map[string]delivery.Sender{model.MessageEmail: smtpSender(t, srv)},
		delivery.WorkerOptions{Keys: testKeys, Now: clk.Now})

	srv.Stop()
	var msgs []model.OutboxMessage
	for i := range 3 {
		msgs = append(msgs, enqueue(t, store, tenantID, model.MessageEmail, fmt.Sprintf("user%d@example.com", i), clk.Now()))
	}
	if n := drain(t, w); n != 0 {
		t.Fatalf("delivered %d messages while the server was down", n)
	}
	for _, m := range msgs {
		got := getMessage(t, store, m.ID)
		if got.DeliveredAt != nil || got.Attempts != 1 || got.LastError == "" || !got.NextAttemptAt.After(clk.Now()) {
			t.Fatalf("after a refused connection: delivered=%v attempts=%d lastError=%q next=%v",
				got.DeliveredAt, got.Attempts, got.LastError, got.NextAttemptAt)
		}
	}

	// The server comes back, but answers 451 a few more times.
	srv.Restart()
	srv.FailNext(4)
	delivered := 0
	for round := 0; delivered < len(msgs); round++ {
		if round == 20 {
			t.Fatalf("only %d of %d messages delivered after %d rounds", delivered, len(msgs), round)
		}
		clk.Advance(delivery.MaxRetryDelay)
		delivered += drain(t, w)
	}
	clk.Advance(time.Hour)
	if n := drain(t, w); n != 0 {
		t.Errorf("a pass after everything was delivered delivered %d more", n)
	}

	received := srv.Messages()
	if len(received) != len(msgs) {
		t.Fatalf("server received %d messages, want %d", len(received), len(msgs))
	}
	for _, m := range msgs {
		count := 0
		for _, r := range received {
			if strings.Contains(r.Header.Get("Message-Id"), m.ID) {
				count++
				if r.Subject != m.Subject || !strings.Contains(r.Text, "123456") {
					t.Errorf("message %s arrived as subject %q text %q", m.ID, r.Subject, r.Text)
				}
			}
		}
		if count != 1 {
			t.Errorf("message %s received %d times", m.ID, count)
		}
		if got := getMessage(t, store, m.ID); got.DeliveredAt == nil {
			t.Errorf("message %s not marked delivered", m.ID)
		}
	}
}

func testTwoWorkersDeliverOnce(t *testing.T, newOutbox outboxFactory) {
	store, tenantID := newOutbox(t)
	srv := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{})
	const n = 50
	ids := map[string]bool{}
	for range n {
		ids[enqueue(t, store, tenantID, model.MessageEmail, "many@example.com", time.Now()).ID] = true
	}
	var stops []func()
	for range 2 {
		w := delivery.NewWorker(store, map[string]delivery.Sender{model.MessageEmail: smtpSender(t, srv)},
			delivery.WorkerOptions{Keys: testKeys, PollInterval: 5 * time.Millisecond, Batch: 7})
		stops = append(stops, runWorker(t, w))
	}
	if _, err := srv.WaitFor(testContext(t), "many@example.com", n); err != nil {
		t.Fatal(err)
	}
	// The server records a message before its 250 reply reaches the worker: wait for the
	// outbox too, or stopping now would interrupt the last sends.
	waitDelivered(t, store, ids)
	for _, stop := range stops {
		stop()
	}
	seen := map[string]int{}
	for _, r := range srv.Messages() {
		seen[r.Header.Get("Message-Id")]++
	}
	if len(srv.Messages()) != n {
		t.Errorf("server received %d messages, want %d", len(srv.Messages()), n)
	}
	for id := range ids {
		key := ""
		for mid := range seen {
			if strings.Contains(mid, id) {
				key = mid
			}
		}
		if seen[key] != 1 {
			t.Errorf("message %s received %d times", id, seen[key])
		}
		// Whether the successful attempt is counted is the store's choice; a second is a bug.
		if got := getMessage(t, store, id); got.DeliveredAt == nil || got.Attempts > 1 {
			t.Errorf("message %s: delivered=%v attempts=%d", id, got.DeliveredAt, got.Attempts)
		}
	}
}

func testNoSender(t *testing.T, newOutbox outboxFactory) {
	store, tenantID := newOutbox(t)
	clk := newClock()
	rec := deliverytest.NewRecorder()
	w := delivery.NewWorker(store, map[string]delivery.Sender{model.MessageEmail: rec}, delivery.WorkerOptions{Keys: testKeys, Now: clk.Now})
	sms := enqueue(t, store, tenantID, model.MessageSMS, "+14155550100", clk.Now())
	email := enqueue(t, store, tenantID, model.MessageEmail, "a@example.com", clk.Now())
	if n := drain(t, w); n != 1 {
		t.Fatalf("delivered %d messages, want 1", n)
	}
	got := getMessage(t, store, sms.ID)
	if !delivery.Abandoned(got) || got.Attempts != 1 || !strings.Contains(got.LastError, `"sms"`) {
		t.Errorf("SMS without sender: abandoned=%v attempts=%d lastError=%q", delivery.Abandoned(got), got.Attempts, got.LastError)
	}
	if msgs := rec.Messages(); len(msgs) != 1 || msgs[0].ID != email.ID {
		t.Errorf("recorder got %v, want only the email", msgs)
	}
	clk.Advance(24 * time.Hour)
	if n := drain(t, w); n != 0 {
		t.Errorf("abandoned message was tried again (%d delivered)", n)
	}
	if got := getMessage(t, store, sms.ID); got.Attempts != 1 {
		t.Errorf("abandoned message has %d attempts after another pass", got.Attempts)
	}
}

func testBackoff(t *testing.T, newOutbox outboxFactory) {
	store, tenantID := newOutbox(t)
	clk := newClock()
	rec := deliverytest.NewRecorder()
	rec.Fail(100, errors.New("421 4.3.0 try again later"))
	const maxAttempts = 6
	w := delivery.NewWorker(store, map[string]delivery.Sender{model.MessageEmail: rec},
		delivery.WorkerOptions{Keys: testKeys, Now: clk.Now, MaxAttempts: maxAttempts})
	m := enqueue(t, store, tenantID, model.MessageEmail, "a@example.com", clk.Now())

	var prev time.Duration
	for attempt := 1; attempt < maxAttempts; attempt++ {
		if n := drain(t, w); n != 0 {
			t.Fatalf("attempt %d delivered", attempt)
		}
		got := getMessage(t, store, m.ID)
		if got.Attempts != attempt || got.LastError != "421 4.3.0 try again later" {
			t.Fatalf("after attempt %d: attempts=%d lastError=%q", attempt, got.Attempts, got.LastError)
		}
		delay := got.NextAttemptAt.Sub(clk.Now())
		base := delivery.RetryDelay(attempt)
		// Storage may round to the millisecond.
		if delay > base || delay < base*3/4-time.Millisecond {
			t.Errorf("delay after attempt %d = %v, want within (%v, %v]", attempt, delay, base*3/4, base)
		}
		if delay <= prev {
			t.Errorf("delay after attempt %d = %v, not longer than the previous %v", attempt, delay, prev)
		}
		prev = delay
		// Just before it is due, nothing happens.
		clk.Set(got.NextAttemptAt.Add(-time.Millisecond))
		drain(t, w)
		if a := getMessage(t, store, m.ID).Attempts; a != attempt {
			t.Fatalf("message tried before it was due (attempts %d)", a)
		}
		clk.Set(got.NextAttemptAt)
	}
	drain(t, w)
	got := getMessage(t, store, m.ID)
	if !delivery.Abandoned(got) || got.Attempts != maxAttempts || !strings.Contains(got.LastError, "gave up after 6 attempts") {
		t.Errorf("after %d attempts: abandoned=%v attempts=%d lastError=%q", maxAttempts, delivery.Abandoned(got), got.Attempts, got.LastError)
	}
	clk.Advance(365 * 24 * time.Hour)
	drain(t, w)
	if a := getMessage(t, store, m.ID).Attempts; a != maxAttempts {
		t.Errorf("abandoned message tried again (attempts %d)", a)
	}
}

func testPermanent(t *testing.T, newOutbox outboxFactory) {
	store, tenantID := newOutbox(t)
	clk := newClock()
	rec := deliverytest.NewRecorder()
	// Refuse one recipient, as a mail server refuses an unknown mailbox.
	var refused int
	sender := senderFunc(func(ctx context.Context, m model.OutboxMessage) error {
		if m.To == "ghost@example.com" {
			refused++
			return delivery.Permanent(errors.New("550 5.1.1 no such user"))
		}
		return rec.Send(ctx, m)
	})
	w := delivery.NewWorker(store, map[string]delivery.Sender{model.MessageEmail: sender}, delivery.WorkerOptions{Keys: testKeys, Now: clk.Now})
	bad := enqueue(t, store, tenantID, model.MessageEmail, "ghost@example.com", clk.Now())
	good := enqueue(t, store, tenantID, model.MessageEmail, "alice@example.com", clk.Now())
	if n := drain(t, w); n != 1 {
		t.Fatalf("delivered %d, want 1", n)
	}
	got := getMessage(t, store, bad.ID)
	if !delivery.Abandoned(got) || got.Attempts != 1 || !strings.Contains(got.LastError, "550 5.1.1") {
		t.Errorf("after a permanent error: abandoned=%v attempts=%d lastError=%q", delivery.Abandoned(got), got.Attempts, got.LastError)
	}
	if _, ok := rec.Last(good.To); !ok {
		t.Error("the other message was not delivered")
	}
	clk.Advance(365 * 24 * time.Hour)
	drain(t, w)
	if refused != 1 {
		t.Errorf("refused message tried %d times, want 1", refused)
	}
}

func testLeaseExpiry(t *testing.T, newOutbox outboxFactory) {
	store, tenantID := newOutbox(t)
	clk := newClock()
	rec := deliverytest.NewRecorder()
	w := delivery.NewWorker(store, map[string]delivery.Sender{model.MessageEmail: rec}, delivery.WorkerOptions{Keys: testKeys, Now: clk.Now})
	m := enqueue(t, store, tenantID, model.MessageEmail, "a@example.com", clk.Now())

	// Another worker leases the message and crashes.
	leased, err := store.LeaseMessages(context.Background(), clk.Now(), clk.Now().Add(time.Minute), 10)
	if err != nil || len(leased) != 1 {
		t.Fatalf("lease: %v, %d messages", err, len(leased))
	}
	if n := drain(t, w); n != 0 {
		t.Fatalf("delivered %d messages leased by another worker", n)
	}
	clk.Advance(time.Minute + time.Second)
	if n := drain(t, w); n != 1 {
		t.Fatalf("delivered %d after the lease ended, want 1", n)
	}
	if got := getMessage(t, store, m.ID); got.DeliveredAt == nil {
		t.Error("message not marked delivered")
	}
}

func testShutdownReleases(t *testing.T, newOutbox outboxFactory) {
	store, tenantID := newOutbox(t)
	clk := newClock()
	ctx, cancel := context.WithCancel(testContext(t))
	// The first send is interrupted by shutdown, as a real one would be.
	sender := senderFunc(func(ctx context.Context, _ model.OutboxMessage) error {
		cancel()
		<-ctx.Done()
		return fmt.Errorf("send interrupted: %w", ctx.Err())
	})
	w := delivery.NewWorker(store, map[string]delivery.Sender{model.MessageEmail: sender}, delivery.WorkerOptions{Keys: testKeys, Now: clk.Now})
	var msgs []model.OutboxMessage
	for i := range 3 {
		msgs = append(msgs, enqueue(t, store, tenantID, model.MessageEmail, fmt.Sprintf("u%d@example.com", i), clk.Now()))
	}
	if _, err := w.DrainOnce(ctx); err != nil {
		t.Fatalf("DrainOnce: %v", err)
	}
	// Every message is due again at once for the next worker, none waits for a lease to end.
	leased, err := store.LeaseMessages(context.Background(), clk.Now(), clk.Now().Add(time.Minute), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(leased) != len(msgs) {
		t.Errorf("after shutdown %d messages are due, want %d", len(leased), len(msgs))
	}
	for _, m := range leased {
		if delivery.Abandoned(m) || m.DeliveredAt != nil {
			t.Errorf("message %s abandoned or delivered by an interrupted pass", m.ID)
		}
	}
}

func testNotify(t *testing.T, newOutbox outboxFactory) {
	store, tenantID := newOutbox(t)
	rec := deliverytest.NewRecorder()
	// The poll interval is far longer than the test may run: only Notify can wake the worker.
	w := delivery.NewWorker(store, map[string]delivery.Sender{model.MessageEmail: rec},
		delivery.WorkerOptions{Keys: testKeys, PollInterval: time.Hour})
	enqueue(t, store, tenantID, model.MessageEmail, "first@example.com", time.Now())
	runWorker(t, w)
	ctx := testContext(t)
	if _, err := rec.WaitFor(ctx, "first@example.com", 1); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		to := fmt.Sprintf("later%d@example.com", i)
		enqueue(t, store, tenantID, model.MessageEmail, to, time.Now())
		w.Notify()
		if _, err := rec.WaitFor(ctx, to, 1); err != nil {
			t.Fatal(err)
		}
	}
}
