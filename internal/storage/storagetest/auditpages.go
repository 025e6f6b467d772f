package storagetest

import (
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// auditEvents appends n events of a tenant, one a second from base, and returns their ids
// newest first.
func auditEvents(t *testing.T, s storage.Store, tenantID string, n int) []string {
	t.Helper()
	events := make([]model.AuditEvent, n)
	ids := make([]string, n)
	for i := range events {
		events[i] = makeAuditEvent(tenantID, at(time.Duration(i)*time.Second))
		ids[n-1-i] = events[i].ID
	}
	appendAll(t, s, events...)
	return ids
}

func testAuditPaging(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	ids := auditEvents(t, s, tenant.ID, 7)
	page := func(offset, limit int) model.AuditQuery {
		return model.AuditQuery{TenantID: tenant.ID, Offset: offset, Limit: limit}
	}
	wantAudit(t, "first page", s, page(0, 3), 7, ids[:3]...)
	wantAudit(t, "second page", s, page(3, 3), 7, ids[3:6]...)
	wantAudit(t, "last, short page", s, page(6, 3), 7, ids[6:]...)
	wantAudit(t, "page past the end", s, page(7, 3), 7)
	wantAudit(t, "page far past the end", s, page(100, 3), 7)
	wantAudit(t, "page larger than the list", s, page(2, 50), 7, ids[2:]...)

	// Paging composes with a filter: total counts the filtered events, not the page.
	user := model.NewID()
	older, newer := makeAuditEvent(tenant.ID, at(-time.Hour)), makeAuditEvent(tenant.ID, at(time.Hour))
	older.UserID, newer.UserID = user, user
	appendAll(t, s, older, newer)
	q := model.AuditQuery{TenantID: tenant.ID, UserID: user, Limit: 1}
	wantAudit(t, "filtered first page", s, q, 2, newer.ID)
	q.Offset = 1
	wantAudit(t, "filtered second page", s, q, 2, older.ID)
}

func testAuditLimitCapped(t *testing.T, s storage.Store) {
	const n = 1005
	tenant := newTenant(t, s)
	ids := auditEvents(t, s, tenant.ID, n)
	cases := []struct {
		limit, want int
	}{
		{0, 100},     // the default
		{-1, 100},    // no limit is the default too
		{1000, 1000}, // the maximum
		{1001, 1000},
		{50_000, 1000},
		{7, 7},
	}
	for _, c := range cases {
		list, total := listAudit(t, s, model.AuditQuery{TenantID: tenant.ID, Limit: c.limit})
		if total != n {
			t.Errorf("ListAudit with limit %d: total %d, want %d", c.limit, total, n)
		}
		if len(list) != c.want {
			t.Errorf("ListAudit with limit %d returned %d events, want %d", c.limit, len(list), c.want)
			continue
		}
		wantIDs(t, "ListAudit with a capped limit", list, ids[:c.want]...)
	}
	// Past the cap, offsets still reach every event.
	list, _ := listAudit(t, s, model.AuditQuery{TenantID: tenant.ID, Offset: 1000, Limit: 1000})
	wantIDs(t, "ListAudit past the first 1000", list, ids[1000:]...)
}

func testAuditTenantIsolation(t *testing.T, s storage.Store) {
	a, b := newTenant(t, s), newTenant(t, s)
	evA := makeAuditEvent(a.ID, base)
	evB := makeAuditEvent(b.ID, at(time.Second))
	// Same application, user and type in both tenants: only the tenant tells them apart.
	evB.AppID, evB.UserID, evB.Type = evA.AppID, evA.UserID, evA.Type
	appendAll(t, s, evA, evB)

	wantAudit(t, "tenant A's events", s, model.AuditQuery{TenantID: a.ID}, 1, evA.ID)
	wantAudit(t, "tenant B's events", s, model.AuditQuery{TenantID: b.ID}, 1, evB.ID)
	for _, q := range []model.AuditQuery{
		{TenantID: a.ID, AppID: evB.AppID},
		{TenantID: a.ID, UserID: evB.UserID},
		{TenantID: a.ID, Type: evB.Type},
		{TenantID: a.ID, Since: at(time.Second)},
	} {
		list, total := listAudit(t, s, q)
		for _, e := range list {
			if e.TenantID != a.ID || e.ID == evB.ID {
				t.Errorf("ListAudit of tenant A with %+v returned tenant %s's event %s", q, e.TenantID, e.ID)
			}
		}
		if total > 1 {
			t.Errorf("ListAudit of tenant A with %+v: total %d counts another tenant's event", q, total)
		}
	}
	wantAudit(t, "unknown tenant's events", s, model.AuditQuery{TenantID: model.NewID()}, 0)
}

// testAuditAfter checks pages that start after an event (a keyset cursor): put together they
// are the log, with a filter too, and an event the log no longer has ends the paging.
func testAuditAfter(t *testing.T, s storage.Store) {
	tenant, other := newTenant(t, s), newTenant(t, s)
	ids := auditEvents(t, s, tenant.ID, 7)
	// Two more in the newest millisecond: ties go by insertion, newest first.
	tie1, tie2 := makeAuditEvent(tenant.ID, at(6*time.Second)), makeAuditEvent(tenant.ID, at(6*time.Second))
	appendAll(t, s, tie1, tie2)
	auditEvents(t, s, other.ID, 3)
	want := append([]string{tie2.ID, tie1.ID}, ids...)
	var paged []string
	q := model.AuditQuery{TenantID: tenant.ID, Limit: 2, CountUpTo: 100}
	for range 10 {
		page, total := listAudit(t, s, q)
		if total != len(want) {
			t.Errorf("after %q: total %d, want %d", q.After, total, len(want))
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, idsOf(page)...)
		q.After, q.Offset = page[len(page)-1].ID, 3 // the offset is ignored after an event
	}
	if !slices.Equal(paged, want) {
		t.Errorf("pages after events: %v, want %v", paged, want)
	}
	// With a filter: the events of one type.
	typed := makeAuditEvent(tenant.ID, at(time.Hour))
	typed.Type = model.EventAdminChange
	typed2 := typed
	typed2.ID, typed2.CreatedAt = model.NewID(), at(-time.Hour)
	appendAll(t, s, typed, typed2)
	wantAudit(t, "of a type, after the newest", s, model.AuditQuery{TenantID: tenant.ID, Type: typed.Type, After: typed.ID}, 2, typed2.ID)
	wantAudit(t, "after an event the log does not have", s, model.AuditQuery{TenantID: tenant.ID, After: model.NewID()}, 11)
	wantAudit(t, "after another tenant's event", s, model.AuditQuery{TenantID: other.ID, After: ids[0]}, 3)
	wantAudit(t, "counted up to 4", s, model.AuditQuery{TenantID: tenant.ID, Limit: 1, CountUpTo: 4}, 4, typed.ID)
}
