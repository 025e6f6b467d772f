package e2e

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// TestWebhookChangeDropsQueuedEvents: events queued for a tenant's webhook are not delivered
// after the tenant points the webhook elsewhere (or removes it). They are dropped in the same
// transaction as the change, and the drop is recorded and sent to the new webhook.
func TestWebhookChangeDropsQueuedEvents(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		admin := e.adminToken()
		const oldURL, newURL = "https://old.example/hook", "https://new.example/hook"
		wantStatus(t, e.do("PUT", "/cis/v1/audit/webhook", admin, map[string]any{"url": oldURL}), 200, "")
		tok := e.appToken()
		e.createUser(tok, "hooked@example.com") // an admin.change event, queued for the old URL
		queued := webhookMessages(t, e, oldURL)
		if len(queued) == 0 {
			t.Fatal("no event was queued for the old webhook")
		}

		wantStatus(t, e.do("PUT", "/cis/v1/audit/webhook", admin, map[string]any{"url": newURL}), 200, "")
		for _, m := range webhookMessages(t, e, oldURL) {
			if m.DeliveredAt != nil || m.NextAttemptAt.Before(storage.NeverDue) || m.LastError == "" {
				t.Errorf("an event queued for the old webhook is still owed: next %v, last error %q", m.NextAttemptAt, m.LastError)
			}
		}
		leased, err := e.store.LeaseMessages(context.Background(), e.clock.Now().Add(time.Hour), e.clock.Now().Add(2*time.Hour), 100, model.MessageAuditWebhook)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range leased {
			if m.To != newURL {
				t.Errorf("an event for %s can still be leased", m.To)
			}
		}

		res := e.do("GET", "/cis/v1/audit?type="+model.EventWebhookDropped, admin, nil)
		wantStatus(t, res, 200, "")
		events := res.JSON(t)["result"].([]any)
		if len(events) != 1 {
			t.Fatalf("%d %s events, want 1: %s", len(events), model.EventWebhookDropped, res.Body)
		}
		var details struct{ Dropped int }
		raw, _ := json.Marshal(events[0].(map[string]any)["details"])
		if err := json.Unmarshal(raw, &details); err != nil || details.Dropped != len(queued) {
			t.Errorf("the drop event counts %d (%v), want %d", details.Dropped, err, len(queued))
		}
		if len(webhookMessages(t, e, newURL)) == 0 {
			t.Error("the drop was not queued for the new webhook")
		}

		// Removing the webhook drops what was queued for the new one too.
		wantStatus(t, e.do("DELETE", "/cis/v1/audit/webhook", admin, nil), 204, "")
		for _, m := range webhookMessages(t, e, newURL) {
			if m.DeliveredAt == nil && m.NextAttemptAt.Before(storage.NeverDue) {
				t.Errorf("an event is still owed to a removed webhook: %+v", m)
			}
		}
	})
}

func webhookMessages(t *testing.T, e *env, url string) []model.OutboxMessage {
	t.Helper()
	all, err := e.store.ListMessages(context.Background(), e.boot.TenantID, time.Time{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []model.OutboxMessage
	for _, m := range all {
		if m.Kind == model.MessageAuditWebhook && m.To == url {
			out = append(out, m)
		}
	}
	return out
}
