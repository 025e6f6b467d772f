package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/delivery/webhook"
	"github.com/latchkey/latchkey/internal/model"
)

// receiver is a webhook endpoint that verifies and records what it receives, and answers with
// a configurable status.
type receiver struct {
	t      *testing.T
	key    []byte
	mu     sync.Mutex
	status int
	got    []webhook.Message
	header []http.Header
	srv    *httptest.Server
}

func newReceiver(t *testing.T, secret string) *receiver {
	key, err := webhook.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{t: t, key: key, status: http.StatusNoContent}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
		r.t.Errorf("got %s with Content-Type %q", req.Method, req.Header.Get("Content-Type"))
	}
	if err := webhook.Verify(r.key, req.Header, body, time.Now(), webhook.DefaultTolerance); err != nil {
		r.t.Errorf("signature does not verify: %v", err)
	}
	var m webhook.Message
	if err := json.Unmarshal(body, &m); err != nil {
		r.t.Errorf("body is not a message: %v: %s", err, body)
	}
	r.mu.Lock()
	r.got = append(r.got, m)
	r.header = append(r.header, req.Header.Clone())
	status := r.status
	r.mu.Unlock()
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "receiver says no")
}

func (r *receiver) answer(status int) {
	r.mu.Lock()
	r.status = status
	r.mu.Unlock()
}

func newSender(t *testing.T, url, secret string) *webhook.Sender {
	t.Helper()
	s, err := webhook.New(webhook.Config{URL: url, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSendSMSAndEmail(t *testing.T) {
	secret := webhook.NewSecret()
	r := newReceiver(t, secret)
	s := newSender(t, r.srv.URL+"/deliver", secret)
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	sms := model.OutboxMessage{ID: "m1", TenantID: "t1", Kind: model.MessageSMS, To: "+14155552671", From: "Acme", Text: "123456 is your Acme code.", CreatedAt: created}
	email := model.OutboxMessage{ID: "m2", TenantID: "t1", Kind: model.MessageEmail, To: "ada@example.com", Subject: "Your code", Text: "text", HTML: "<p>html</p>", CreatedAt: created}
	for _, m := range []model.OutboxMessage{sms, email} {
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatalf("send %s: %v", m.Kind, err)
		}
	}
	want := []webhook.Message{
		{Type: "sms", ID: "m1", TenantID: "t1", To: "+14155552671", From: "Acme", Text: "123456 is your Acme code.", CreatedAt: created},
		{Type: "email", ID: "m2", TenantID: "t1", To: "ada@example.com", Subject: "Your code", Text: "text", HTML: "<p>html</p>", CreatedAt: created},
	}
	for i := range want {
		if r.got[i] != want[i] {
			t.Errorf("message %d = %+v, want %+v", i, r.got[i], want[i])
		}
		if id := r.header[i].Get(webhook.HeaderID); id != want[i].ID {
			t.Errorf("webhook-id %q, want the message id %q", id, want[i].ID)
		}
	}
}

func TestSendRetriesKeepTheID(t *testing.T) {
	secret := webhook.NewSecret()
	r := newReceiver(t, secret)
	r.answer(http.StatusServiceUnavailable)
	s := newSender(t, r.srv.URL, secret)
	m := model.OutboxMessage{ID: "m-retry", Kind: model.MessageSMS, To: "+14155552671", Text: "x"}
	if err := s.Send(context.Background(), m); err == nil {
		t.Fatal("503 reported as delivered")
	}
	r.answer(http.StatusOK)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if a, b := r.header[0].Get(webhook.HeaderID), r.header[1].Get(webhook.HeaderID); a != b || a != "m-retry" {
		t.Fatalf("ids of two attempts differ: %q, %q", a, b)
	}
}

func TestSendClassifiesFailures(t *testing.T) {
	secret := webhook.NewSecret()
	r := newReceiver(t, secret)
	s := newSender(t, r.srv.URL, secret)
	m := model.OutboxMessage{ID: "m", Kind: model.MessageSMS, To: "+14155552671", Text: "x"}
	cases := []struct {
		status    int
		permanent bool
	}{
		{http.StatusBadRequest, true},
		{http.StatusNotFound, true},
		{http.StatusGone, true},
		{http.StatusRequestTimeout, false},
		{http.StatusTooManyRequests, false},
		{http.StatusFound, false},
		{http.StatusInternalServerError, false},
		{http.StatusBadGateway, false},
	}
	for _, c := range cases {
		r.answer(c.status)
		err := s.Send(context.Background(), m)
		if err == nil {
			t.Errorf("status %d reported as delivered", c.status)
			continue
		}
		if delivery.IsPermanent(err) != c.permanent {
			t.Errorf("status %d: permanent = %v, want %v (%v)", c.status, delivery.IsPermanent(err), c.permanent, err)
		}
	}
}

func TestSendNetworkErrorIsTransient(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	s := newSender(t, url, webhook.NewSecret())
	err := s.Send(context.Background(), model.OutboxMessage{ID: "m", Kind: model.MessageSMS, To: "+14155552671"})
	if err == nil || delivery.IsPermanent(err) {
		t.Fatalf("send to a closed port = %v, want a transient error", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	good := webhook.NewSecret()
	for _, c := range []webhook.Config{
		{URL: "ftp://example.com/x", Secret: good},
		{URL: "/relative", Secret: good},
		{URL: "https://user:pw@example.com/x", Secret: good},
		{URL: "https://example.com/x", Secret: "secret"},
	} {
		if _, err := webhook.New(c); err == nil {
			t.Errorf("New(%+v) succeeded", c)
		}
	}
}
