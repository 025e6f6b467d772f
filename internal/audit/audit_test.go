package audit_test

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

// Production refuses webhook URLs that would carry audit events in the clear.
func TestSetWebhookHTTPSOnly(t *testing.T) {
	store := sqlstore.NewTestStore(t, false)
	keys, err := secret.NewKeys(secret.NewMasterKey())
	if err != nil {
		t.Fatal(err)
	}
	tn := model.Tenant{ID: model.NewID(), Name: "acme", CreatedAt: time.Now()}
	if err := store.CreateTenant(t.Context(), tn); err != nil {
		t.Fatal(err)
	}
	c := model.Caller{TenantID: tn.ID, AppID: model.NewID(), ClientID: model.NewID(), Admin: true}

	dev := audit.New(store, keys, nil)
	if _, err := dev.SetWebhook(t.Context(), c, "http://siem.example/hook"); err != nil {
		t.Fatalf("http webhook outside production: %v", err)
	}
	prod := audit.New(store, keys, nil).RequireHTTPS()
	_, err = prod.SetWebhook(t.Context(), c, "http://siem.example/hook")
	if fe := fault.As(err); fe == nil || fe.Kind != fault.Invalid {
		t.Errorf("http webhook in production: %v, want a validation error", err)
	}
	if _, err := prod.SetWebhook(t.Context(), c, "https://siem.example/hook"); err != nil {
		t.Errorf("https webhook in production: %v", err)
	}
}
