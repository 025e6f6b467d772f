package delivery_test

import (
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/delivery/deliverytest"
	"github.com/latchkey/latchkey/internal/model"
)

// TestWorkerRefusesARedirectedMessage: someone who can write to the database changes a queued
// code's recipient to their own address. The sealed body is bound to the recipient, so the
// worker cannot open it, sends nothing, and gives the message up.
func TestWorkerRefusesARedirectedMessage(t *testing.T) {
	store := newMemOutbox()
	clk := newClock()
	m := enqueue(t, store, model.NewID(), model.MessageEmail, "victim@example.com", clk.Now())
	store.mu.Lock()
	store.msgs[m.ID].To = "attacker@example.com"
	store.mu.Unlock()

	rec := deliverytest.NewRecorder()
	w := delivery.NewWorker(store, map[string]delivery.Sender{model.MessageEmail: rec}, delivery.WorkerOptions{Keys: testKeys, Now: clk.Now})
	if _, err := w.DrainOnce(testContext(t)); err != nil {
		t.Fatal(err)
	}
	if got := rec.Messages(); len(got) != 0 {
		t.Fatalf("the redirected message was sent: %+v", got)
	}
	got := getMessage(t, store, m.ID)
	if !delivery.Abandoned(got) || !strings.Contains(got.LastError, "open message") {
		t.Fatalf("the redirected message is not given up: next %v, last error %q", got.NextAttemptAt, got.LastError)
	}

	// The same message, untouched, is opened and sent as it was written.
	ok := enqueue(t, store, model.NewID(), model.MessageEmail, "victim@example.com", clk.Now())
	if _, err := w.DrainOnce(testContext(t)); err != nil {
		t.Fatal(err)
	}
	sent := rec.Messages()
	if len(sent) != 1 || sent[0].Text != ok.Text || sent[0].Subject != ok.Subject || sent[0].HTML != ok.HTML {
		t.Fatalf("the sender got %+v, want the opened message", sent)
	}
}

// BenchmarkSealOpenMessage measures what sealing adds to each send: one seal in the request's
// transaction and one open in the worker, for an email of the size the templates render.
func BenchmarkSealOpenMessage(b *testing.B) {
	m := model.OutboxMessage{ID: model.NewID(), TenantID: model.NewID(), Kind: model.MessageEmail, To: "a@example.com",
		Subject: "Your Acme sign-in code", Text: strings.Repeat("Your code is 123456. ", 40), HTML: strings.Repeat("<p>Your code is <b>123456</b></p>", 150)}
	for b.Loop() {
		sealed, err := delivery.SealMessage(testKeys, m)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := delivery.OpenMessage(testKeys, sealed); err != nil {
			b.Fatal(err)
		}
	}
}
