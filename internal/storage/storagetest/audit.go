package storagetest

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var auditTests = []namedTest{
	{"RoundTrip", testAuditRoundTrip},
	{"Empty", testAuditEmpty},
	{"TenantRequired", testAuditTenantRequired},
	{"DuplicateID", testAuditDuplicateID},
	{"Filters", testAuditFilters},
	{"SessionRef", testAuditSessionRef},
	{"TimeRange", testAuditTimeRange},
	{"NewestFirstWithTies", testAuditOrder},
	{"Paging", testAuditPaging},
	{"LimitCapped", testAuditLimitCapped},
	{"PagesAfterAnEvent", testAuditAfter},
	{"TenantIsolation", testAuditTenantIsolation},
}

func makeAuditEvent(tenantID string, created time.Time) model.AuditEvent {
	return model.AuditEvent{
		ID:        model.NewID(),
		TenantID:  tenantID,
		AppID:     model.NewID(),
		ClientID:  model.NewID(),
		UserID:    model.NewID(),
		Type:      model.EventLoginFailed,
		Method:    model.AMREmailOTP,
		Outcome:   "failure",
		Reason:    "auth_invalid_credentials",
		IPAddress: "203.0.113.7",
		UserAgent: "Mozilla/5.0 (X11)",
		Details:   json.RawMessage(`{"channel":"email","attempt":3,"nested":{"ok":false}}`),
		CreatedAt: created,
	}
}

// listAudit lists events, stopping the test on an error.
func listAudit(t *testing.T, s storage.Store, q model.AuditQuery) ([]model.AuditEvent, int) {
	t.Helper()
	list, total, err := s.ListAudit(t.Context(), q)
	must(t, err, "list audit events")
	return list, total
}

// wantAudit checks one page of ListAudit: the ids in order and the total.
func wantAudit(t *testing.T, what string, s storage.Store, q model.AuditQuery, total int, ids ...string) {
	t.Helper()
	list, gotTotal := listAudit(t, s, q)
	if ids == nil {
		ids = []string{}
	}
	wantIDs(t, what, list, ids...)
	if gotTotal != total {
		t.Errorf("%s: total %d, want %d", what, gotTotal, total)
	}
}

// appendAll appends events in order, in one transaction.
func appendAll(t *testing.T, s storage.Store, events ...model.AuditEvent) {
	t.Helper()
	err := s.InTx(t.Context(), func(tx storage.Store) error {
		for _, e := range events {
			if err := tx.AppendAudit(t.Context(), e); err != nil {
				return err
			}
		}
		return nil
	})
	must(t, err, "append audit events")
}

func testAuditRoundTrip(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	full := makeAuditEvent(tenant.ID, base)
	// An admin change: no user, no client attributes, no details.
	bare := model.AuditEvent{ID: model.NewID(), TenantID: tenant.ID, Type: model.EventAdminChange,
		Method: "client.create", Outcome: "success", CreatedAt: at(time.Second)}
	must(t, s.AppendAudit(t.Context(), full), "append audit event")
	must(t, s.AppendAudit(t.Context(), bare), "append bare audit event")
	list, total := listAudit(t, s, model.AuditQuery{TenantID: tenant.ID})
	if total != 2 {
		t.Errorf("ListAudit total %d, want 2", total)
	}
	wantList(t, "ListAudit", list, []model.AuditEvent{bare, full})
}

func testAuditEmpty(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	list, total := listAudit(t, s, model.AuditQuery{TenantID: tenant.ID})
	if list == nil || len(list) != 0 || total != 0 {
		t.Errorf("ListAudit without events: got %v (nil %v), total %d; want an empty list and 0", idsOf(list), list == nil, total)
	}
}

func testAuditTenantRequired(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	must(t, s.AppendAudit(t.Context(), makeAuditEvent(tenant.ID, base)), "append audit event")
	if list, _, err := s.ListAudit(t.Context(), model.AuditQuery{}); err == nil {
		t.Errorf("ListAudit without a tenant: got %v and no error, want an error", idsOf(list))
	}
}

func testAuditDuplicateID(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	first := makeAuditEvent(tenant.ID, base)
	must(t, s.AppendAudit(t.Context(), first), "append audit event")
	second := makeAuditEvent(tenant.ID, at(time.Second))
	second.ID = first.ID
	wantIDTaken(t, s.AppendAudit(t.Context(), second), "AppendAudit")
	list, _ := listAudit(t, s, model.AuditQuery{TenantID: tenant.ID})
	wantList(t, "audit events after the rejected append", list, []model.AuditEvent{first})
}

func testAuditFilters(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	appA, appB := model.NewID(), model.NewID()
	userA, userB := model.NewID(), model.NewID()
	event := func(i int, app, user, typ string) model.AuditEvent {
		e := makeAuditEvent(tenant.ID, at(time.Duration(i)*time.Minute))
		e.AppID, e.UserID, e.Type = app, user, typ
		return e
	}
	ev := []model.AuditEvent{
		event(0, appA, userA, model.EventCodeSent),
		event(1, appA, userA, model.EventLoginSucceeded),
		event(2, appA, userB, model.EventLoginFailed),
		event(3, appB, userA, model.EventLoginFailed),
		event(4, appB, "", model.EventAdminChange),
		event(5, "", "", model.EventAdminChange),
	}
	appendAll(t, s, ev...)
	q := model.AuditQuery{TenantID: tenant.ID}
	cases := []struct {
		what  string
		q     func(q model.AuditQuery) model.AuditQuery
		match []int // indexes of ev, newest first
	}{
		{"no filter", func(q model.AuditQuery) model.AuditQuery { return q }, []int{5, 4, 3, 2, 1, 0}},
		{"app", func(q model.AuditQuery) model.AuditQuery { q.AppID = appA; return q }, []int{2, 1, 0}},
		{"user", func(q model.AuditQuery) model.AuditQuery { q.UserID = userA; return q }, []int{3, 1, 0}},
		{"type", func(q model.AuditQuery) model.AuditQuery { q.Type = model.EventLoginFailed; return q }, []int{3, 2}},
		{"app and user", func(q model.AuditQuery) model.AuditQuery { q.AppID, q.UserID = appA, userB; return q }, []int{2}},
		{"user and type", func(q model.AuditQuery) model.AuditQuery {
			q.UserID, q.Type = userA, model.EventLoginFailed
			return q
		}, []int{3}},
		{"app and type", func(q model.AuditQuery) model.AuditQuery {
			q.AppID, q.Type = appB, model.EventAdminChange
			return q
		}, []int{4}},
		{"nothing matches", func(q model.AuditQuery) model.AuditQuery {
			q.AppID, q.Type = appA, model.EventAdminChange
			return q
		}, nil},
		{"unknown user", func(q model.AuditQuery) model.AuditQuery { q.UserID = model.NewID(); return q }, nil},
	}
	for _, c := range cases {
		var ids []string
		for _, i := range c.match {
			ids = append(ids, ev[i].ID)
		}
		wantAudit(t, "ListAudit by "+c.what, s, c.q(q), len(ids), ids...)
	}
}

func testAuditTimeRange(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	var ev []model.AuditEvent
	for _, off := range []time.Duration{-2 * time.Hour, -time.Hour, 0, time.Hour, 2 * time.Hour} {
		ev = append(ev, makeAuditEvent(tenant.ID, at(off)))
	}
	appendAll(t, s, ev...)
	ids := func(idx ...int) []string {
		var out []string
		for _, i := range idx {
			out = append(out, ev[i].ID)
		}
		return out
	}
	q := func(since, until time.Time) model.AuditQuery {
		return model.AuditQuery{TenantID: tenant.ID, Since: since, Until: until}
	}
	var zero time.Time
	cases := []struct {
		what  string
		q     model.AuditQuery
		match []string
	}{
		{"since, inclusive", q(base, zero), ids(4, 3, 2)},
		{"until, exclusive", q(zero, base), ids(1, 0)},
		{"since and until", q(at(-time.Hour), at(time.Hour)), ids(2, 1)},
		{"between events", q(at(-90*time.Minute), at(90*time.Minute)), ids(3, 2, 1)},
		{"empty range", q(base, base), nil},
		{"since a microsecond after an event", q(base.Add(time.Microsecond), zero), ids(4, 3)},
		{"until a microsecond after an event", q(zero, base.Add(time.Microsecond)), ids(2, 1, 0)},
		{"since a microsecond before an event", q(base.Add(-time.Microsecond), at(time.Minute)), ids(2)},
	}
	for _, c := range cases {
		wantAudit(t, "ListAudit "+c.what, s, c.q, len(c.match), c.match...)
	}
}

func testAuditOrder(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	// Appended out of time order, with three events in one millisecond appended one after
	// another, and one more in that millisecond appended later still.
	later := makeAuditEvent(tenant.ID, at(time.Hour))
	tie1 := makeAuditEvent(tenant.ID, base)
	tie2 := makeAuditEvent(tenant.ID, base)
	tie3 := makeAuditEvent(tenant.ID, base)
	earlier := makeAuditEvent(tenant.ID, at(-time.Hour))
	tie4 := makeAuditEvent(tenant.ID, base)
	// Ids that sort against insertion order, so that ordering by id cannot pass.
	tie1.ID, tie2.ID, tie3.ID, tie4.ID = "zz-"+tie1.ID, "yy-"+tie2.ID, "xx-"+tie3.ID, "ww-"+tie4.ID
	for _, e := range []model.AuditEvent{later, tie1, tie2, earlier, tie3} {
		must(t, s.AppendAudit(t.Context(), e), "append audit event")
	}
	appendAll(t, s, tie4)
	want := []string{later.ID, tie4.ID, tie3.ID, tie2.ID, tie1.ID, earlier.ID}
	wantAudit(t, "ListAudit order", s, model.AuditQuery{TenantID: tenant.ID}, len(want), want...)
	// Pages split inside the tie keep the order.
	var paged []string
	for off := 0; off < len(want); off += 2 {
		list, _ := listAudit(t, s, model.AuditQuery{TenantID: tenant.ID, Offset: off, Limit: 2})
		paged = append(paged, idsOf(list)...)
	}
	if !slices.Equal(paged, want) {
		t.Errorf("ListAudit in pages of 2: got %v, want %v", paged, want)
	}
}
