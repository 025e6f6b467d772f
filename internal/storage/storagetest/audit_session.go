package storagetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// testAuditSessionRef follows one session: the user's events whose details name it, and
// nothing of the user's other sessions, of another user naming it, or of another tenant.
func testAuditSessionRef(t *testing.T, s storage.Store) {
	tenant, other := newTenant(t, s), newTenant(t, s)
	user, stranger := model.NewID(), model.NewID()
	ref, otherRef := model.NewID(), model.NewID()
	event := func(i int, tenantID, userID string, details any) model.AuditEvent {
		e := makeAuditEvent(tenantID, at(time.Duration(i)*time.Minute))
		e.UserID, e.Details = userID, nil
		if details != nil {
			raw, err := json.Marshal(details)
			if err != nil {
				t.Fatal(err)
			}
			e.Details = raw
		}
		return e
	}
	ev := []model.AuditEvent{
		event(0, tenant.ID, user, map[string]any{"session_ref": ref}),
		event(1, tenant.ID, user, map[string]any{"session_ref": otherRef}),
		event(2, tenant.ID, user, nil),
		event(3, tenant.ID, user, map[string]any{"session_ref": ref, "factors": 2}),
		event(4, tenant.ID, stranger, map[string]any{"session_ref": ref}),
		event(5, other.ID, user, map[string]any{"session_ref": ref}),
		event(6, tenant.ID, user, map[string]any{"note": ref}),
	}
	appendAll(t, s, ev...)
	q := model.AuditQuery{TenantID: tenant.ID, UserID: user, SessionRef: ref}
	wantAudit(t, "ListAudit by session", s, q, 2, ev[3].ID, ev[0].ID)
	q.Type = ev[0].Type
	q.Since = at(time.Minute)
	wantAudit(t, "ListAudit by session since", s, q, 1, ev[3].ID)
	q = model.AuditQuery{TenantID: tenant.ID, UserID: user, SessionRef: model.NewID()}
	wantAudit(t, "ListAudit by an unknown session", s, q, 0)
	if _, _, err := s.ListAudit(t.Context(), model.AuditQuery{TenantID: tenant.ID, SessionRef: ref}); err == nil {
		t.Fatal("ListAudit by session without a user read the whole tenant's log")
	}
}
