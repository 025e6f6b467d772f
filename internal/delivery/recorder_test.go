package delivery_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/model"
)

// countingRecorder tallies what the worker reports.
type countingRecorder struct {
	mu      sync.Mutex
	sends   map[string]int // kind/result
	settled map[string]int
}

func newCountingRecorder() *countingRecorder {
	return &countingRecorder{sends: map[string]int{}, settled: map[string]int{}}
}

func (r *countingRecorder) Send(kind, result string, elapsed time.Duration) {
	if elapsed < 0 {
		panic("negative send duration")
	}
	r.mu.Lock()
	r.sends[kind+"/"+result]++
	r.mu.Unlock()
}

func (r *countingRecorder) Settled(kind, result string) {
	r.mu.Lock()
	r.settled[kind+"/"+result]++
	r.mu.Unlock()
}

// Every hand-over to a provider is counted with its result, and every message once when it
// is finished: delivered, or abandoned after a permanent failure or its last attempt.
func TestWorkerCountsSendsAndDeliveries(t *testing.T) {
	store, tenantID := newMemOutbox(), model.NewID()
	clk := newClock()
	rec := newCountingRecorder()
	fails := map[string]int{"retry@example.com": 1}
	send := senderFunc(func(_ context.Context, m model.OutboxMessage) error {
		switch {
		case m.To == "bounce@example.com":
			return delivery.Permanent(errors.New("550 no such mailbox"))
		case m.To == "down@example.com":
			return errors.New("connection refused")
		case fails[m.To] > 0:
			fails[m.To]--
			return errors.New("451 try later")
		}
		return nil
	})
	w := delivery.NewWorker(store, map[string]delivery.Sender{model.MessageEmail: send, model.MessageSMS: send},
		delivery.WorkerOptions{Keys: testKeys, Now: clk.Now, MaxAttempts: 2, Recorder: rec})
	for _, to := range []string{"ok@example.com", "retry@example.com", "bounce@example.com", "down@example.com"} {
		enqueue(t, store, tenantID, model.MessageEmail, to, clk.Now())
	}
	enqueue(t, store, tenantID, model.MessageSMS, "+15550100", clk.Now())
	for range 3 {
		drain(t, w)
		clk.Advance(delivery.MaxRetryDelay)
	}
	wantSends := map[string]int{
		"email/ok": 2, // ok@, and retry@ at its second attempt
		// retry@ once, bounce@ once (permanent), down@ twice (MaxAttempts)
		"email/error": 4,
		"sms/ok":      1,
	}
	wantSettled := map[string]int{"email/delivered": 2, "email/abandoned": 2, "sms/delivered": 1}
	for k, v := range wantSends {
		if rec.sends[k] != v {
			t.Errorf("sends %s = %d, want %d (all: %v)", k, rec.sends[k], v, rec.sends)
		}
	}
	for k, v := range wantSettled {
		if rec.settled[k] != v {
			t.Errorf("settled %s = %d, want %d (all: %v)", k, rec.settled[k], v, rec.settled)
		}
	}
	if len(rec.sends) != len(wantSends) || len(rec.settled) != len(wantSettled) {
		t.Errorf("unexpected counts: sends %v, settled %v", rec.sends, rec.settled)
	}
}
