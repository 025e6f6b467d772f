package webhook

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/model"
)

func auditMessage(url string) model.OutboxMessage {
	return model.OutboxMessage{ID: "msg1", TenantID: "t1", Kind: model.MessageAuditWebhook, To: url,
		Text: `{"event_id":"e1","type":"login.succeeded"}`, CreatedAt: time.Now()}
}

func TestAuditSenderSignsWithTheTenantsSecret(t *testing.T) {
	whsec := NewSecret()
	key, err := ParseSecret(whsec)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- Verify(key, r.Header, body, time.Now(), DefaultTolerance)
	}))
	defer srv.Close()
	secrets := func(_ context.Context, tenantID string) (string, string, error) {
		if tenantID != "t1" {
			t.Errorf("secret asked for tenant %q", tenantID)
		}
		return srv.URL, whsec, nil
	}
	if err := NewAuditSender(secrets, nil, true).Send(context.Background(), auditMessage(srv.URL)); err != nil {
		t.Fatalf("send: %v", err)
	}
	if err := <-got; err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
}

func TestAuditSenderRefusesInternalAddresses(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	defer srv.Close()
	secrets := func(context.Context, string) (string, string, error) { return srv.URL, NewSecret(), nil }
	err := NewAuditSender(secrets, nil, false).Send(context.Background(), auditMessage(srv.URL))
	if err == nil || !strings.Contains(err.Error(), "internal address") || hit {
		t.Fatalf("a loopback webhook was reached or not refused: err=%v hit=%v", err, hit)
	}
	for _, addr := range []string{"10.1.2.3:443", "192.168.0.1:80", "169.254.169.254:80", "[::1]:443", "100.64.0.1:80", "0.0.0.0:80",
		"[64:ff9b::a00:5]:80", "[2002:a00:5::1]:80", "[64:ff9b:1::1]:80", "198.18.0.1:80", "192.0.0.8:80", "[::ffff:10.0.0.5]:80"} {
		if publicOnly("tcp", addr, nil) == nil {
			t.Errorf("%s is not refused", addr)
		}
	}
	for _, addr := range []string{"93.184.215.14:443", "[2606:4700::6810:84e5]:443", "[64:ff9b::5db8:d70e]:443"} {
		if err := publicOnly("tcp", addr, nil); err != nil {
			t.Errorf("%s is refused: %v", addr, err)
		}
	}
}

// An event queued for the tenant's previous webhook is not sent there signed with the new
// webhook's secret: the sender gives it up without connecting.
func TestAuditSenderDropsEventsOfAChangedWebhook(t *testing.T) {
	hit := make(chan struct{}, 1)
	old := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit <- struct{}{} }))
	defer old.Close()
	secrets := func(context.Context, string) (string, string, error) {
		return "https://new.example/hook", NewSecret(), nil
	}
	err := NewAuditSender(secrets, nil, true).Send(context.Background(), auditMessage(old.URL))
	if err == nil || !delivery.IsPermanent(err) {
		t.Fatalf("an event for the old URL: err=%v, want a permanent failure", err)
	}
	select {
	case <-hit:
		t.Fatal("the old webhook was called")
	default:
	}
}
