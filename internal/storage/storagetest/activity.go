package storagetest

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var activityTests = []namedTest{
	{"CountAudit", testCountAudit},
	{"ActiveLockouts", testActiveLockouts},
	{"TenantOutboxBacklog", testTenantOutboxBacklog},
}

// testCountAudit: events are counted by type and method, only the types asked for, only from
// since on, and only the tenant's.
func testCountAudit(t *testing.T, s storage.Store) {
	tenant, other := newTenant(t, s), newTenant(t, s)
	add := func(tenantID, typ, method string, when time.Time) {
		e := makeAuditEvent(tenantID, when)
		e.Type, e.Method = typ, method
		must(t, s.AppendAudit(t.Context(), e), "append audit event")
	}
	add(tenant.ID, model.EventLoginSucceeded, model.AMREmailOTP, at(time.Hour))
	add(tenant.ID, model.EventLoginSucceeded, model.AMREmailOTP, at(2*time.Hour))
	add(tenant.ID, model.EventLoginSucceeded, model.AMRPassword, at(time.Hour))
	add(tenant.ID, model.EventLoginFailed, model.AMRPassword, at(time.Hour))
	add(tenant.ID, model.EventLoginSucceeded, model.AMRPassword, at(-time.Minute)) // before the window
	add(tenant.ID, model.EventCodeSent, "email", at(time.Hour))                    // a type not asked for
	add(other.ID, model.EventLoginSucceeded, model.AMREmailOTP, at(time.Hour))     // another tenant's

	got, err := s.CountAudit(t.Context(), tenant.ID, []string{model.EventLoginSucceeded, model.EventLoginFailed}, base)
	must(t, err, "count audit events")
	wantList(t, "CountAudit", got, []model.AuditCount{
		{Type: model.EventLoginFailed, Method: model.AMRPassword, Count: 1},
		{Type: model.EventLoginSucceeded, Method: model.AMREmailOTP, Count: 2},
		{Type: model.EventLoginSucceeded, Method: model.AMRPassword, Count: 1},
	})
	none, err := s.CountAudit(t.Context(), tenant.ID, []string{model.EventLoginSucceeded}, at(3*time.Hour))
	must(t, err, "count audit events after the last")
	wantList(t, "CountAudit after the last event", none, []model.AuditCount{})
}

// testActiveLockouts: only the tenant's lockouts still in force, the one ending last first,
// cut at the limit with the total counted in full.
func testActiveLockouts(t *testing.T, s storage.Store) {
	tenant, other := newTenant(t, s), newTenant(t, s)
	app := newApp(t, s, tenant.ID)
	put := func(tenantID, key string, until time.Time) model.Lockout {
		l := model.Lockout{TenantID: tenantID, AppID: app.ID, Key: key, Until: until}
		must(t, s.PutLockout(t.Context(), l), "put lockout")
		return l
	}
	soon := put(tenant.ID, "otp:email:a@example.com", at(10*time.Minute))
	late := put(tenant.ID, "pwd:username:bob", at(time.Hour))
	put(tenant.ID, "otp:email:c@example.com", at(-time.Minute)) // ended
	put(other.ID, "otp:email:d@example.com", at(time.Hour))     // another tenant's

	got, total, err := s.ListActiveLockouts(t.Context(), tenant.ID, base, 10)
	must(t, err, "list active lockouts")
	if total != 2 {
		t.Errorf("ListActiveLockouts counts %d in force, want 2", total)
	}
	wantList(t, "ListActiveLockouts", got, []model.Lockout{late, soon})
	first, total, err := s.ListActiveLockouts(t.Context(), tenant.ID, base, 1)
	must(t, err, "list one active lockout")
	if total != 2 {
		t.Errorf("ListActiveLockouts with a limit of 1 counts %d, want 2", total)
	}
	wantList(t, "ListActiveLockouts with a limit of 1", first, []model.Lockout{late})
}

// testTenantOutboxBacklog: owed messages are counted, those that failed once as retrying, and
// the oldest found; delivered, given-up and other tenants' messages are not.
func testTenantOutboxBacklog(t *testing.T, s storage.Store) {
	tenant, other := newTenant(t, s), newTenant(t, s)
	empty, err := s.TenantOutboxBacklog(t.Context(), tenant.ID)
	must(t, err, "backlog of an empty outbox")
	wantEqual(t, "TenantOutboxBacklog of nothing", empty, model.Backlog{})

	newMessage(t, s, makeMessage(tenant.ID, at(2*time.Minute)))
	failed := makeMessage(tenant.ID, at(time.Minute))
	newMessage(t, s, failed)
	must(t, s.MarkFailed(t.Context(), failed.ID, "421 later", at(time.Hour)), "mark failed")
	delivered := newMessage(t, s, makeMessage(tenant.ID, at(-time.Hour)))
	must(t, s.MarkDelivered(t.Context(), delivered.ID, base), "mark delivered")
	newMessage(t, s, makeMessage(other.ID, at(-2*time.Hour)))
	_, err = s.DropMessages(t.Context(), other.ID, model.MessageEmail, "dropped")
	must(t, err, "drop the other tenant's")
	newMessage(t, s, makeMessage(other.ID, at(-3*time.Hour)))

	got, err := s.TenantOutboxBacklog(t.Context(), tenant.ID)
	must(t, err, "backlog")
	wantEqual(t, "TenantOutboxBacklog", got, model.Backlog{Owed: 2, Retrying: 1, Oldest: at(time.Minute)})
	gaveUp := makeMessage(tenant.ID, at(-5*time.Hour))
	newMessage(t, s, gaveUp)
	_, err = s.DropMessages(t.Context(), tenant.ID, model.MessageEmail, "dropped")
	must(t, err, "drop the tenant's")
	got, err = s.TenantOutboxBacklog(t.Context(), tenant.ID)
	must(t, err, "backlog after dropping")
	wantEqual(t, "TenantOutboxBacklog after dropping", got, model.Backlog{})
}
