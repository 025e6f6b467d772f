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

// The overview counts the window's logins per method, failures, lockout and rate-limit
// events, lists the lockouts in force and the owed messages; older events and other tenants'
// do not count.
func TestOverview(t *testing.T) {
	store := sqlstore.NewTestStore(t, false)
	keys, err := secret.NewKeys(secret.NewMasterKey())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	log := audit.New(store, keys, func() time.Time { return now })
	ctx := t.Context()
	var c model.Caller
	for i, name := range []string{"acme", "other"} {
		tn := model.Tenant{ID: model.NewID(), Name: name, CreatedAt: now}
		if err := store.CreateTenant(ctx, tn); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			c = model.Caller{TenantID: tn.ID, AppID: model.NewID(), ClientID: model.NewID(), Admin: true}
		}
		event := func(typ, method string, ago time.Duration) {
			e := model.AuditEvent{TenantID: tn.ID, Type: typ, Method: method, CreatedAt: now.Add(-ago)}
			if err := log.Record(ctx, nil, e); err != nil {
				t.Fatal(err)
			}
		}
		event(model.EventLoginSucceeded, model.AMREmailOTP, time.Hour)
		event(model.EventLoginSucceeded, model.AMREmailOTP, 2*time.Hour)
		event(model.EventLoginFailed, model.AMRPassword, time.Hour)
		event(model.EventLoginFailed, model.AMRPassword, 3*time.Hour)
		event(model.EventLoginSucceeded, model.AMRPassword, 3*time.Hour)
		event(model.EventLockout, model.AMRPassword, 3*time.Hour)
		event(model.EventRateLimited, "email", time.Minute)
		event(model.EventLoginSucceeded, model.AMRWebAuthn, 25*time.Hour) // a day and more ago
		if err := store.PutLockout(ctx, model.Lockout{TenantID: tn.ID, AppID: c.AppID, Key: "pwd:username:bob", Until: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.PutLockout(ctx, model.Lockout{TenantID: c.TenantID, AppID: c.AppID, Key: "otp:email:old@example.com", Until: now.Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}

	o, err := log.Overview(ctx, c, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want := []audit.MethodLogins{{Method: model.AMRPassword, Succeeded: 1, Failed: 2}, {Method: model.AMREmailOTP, Succeeded: 2}}
	if len(o.Logins) != len(want) || o.Logins[0] != want[0] || o.Logins[1] != want[1] {
		t.Errorf("logins per method %+v, want %+v", o.Logins, want)
	}
	if o.Succeeded != 3 || o.Failed != 2 || o.Lockouts != 1 || o.RateLimited != 1 {
		t.Errorf("totals: %d succeeded, %d failed, %d lockouts, %d rate limited; want 3, 2, 1, 1", o.Succeeded, o.Failed, o.Lockouts, o.RateLimited)
	}
	if o.LockedTotal != 1 || len(o.Locked) != 1 || o.Locked[0].Key != "pwd:username:bob" {
		t.Errorf("locked: %d %+v, want the one in force", o.LockedTotal, o.Locked)
	}
	if !o.Since.Equal(now.Add(-24 * time.Hour)) {
		t.Errorf("since %v", o.Since)
	}
	if _, err := log.Overview(ctx, c, 8*24*time.Hour); fault.As(err) == nil || fault.As(err).Kind != fault.Invalid {
		t.Errorf("an eight-day window: %v, want refused", err)
	}
}
