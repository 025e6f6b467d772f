package directory

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// TestCallerIsolation checks that a user of application A is invisible to, and untouchable
// by, application B's client in the same tenant, but visible to the tenant's admin.
func TestCallerIsolation(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		u := e.create(t, e.clientA, CreateInput{Email: "a-only@example.com", Username: "aonly", ExternalUserID: "x1",
			PhoneNumber: "+14155552671", CustomAppData: json.RawMessage(`{"k":1}`)})
		ctx := t.Context()
		_, err := e.svc.Get(ctx, e.clientB, u.ID)
		wantNotFound(t, err, "B: Get")
		for field, v := range map[string]string{storage.UserByEmail: "a-only@example.com", storage.UserByUsername: "aonly",
			storage.UserByPhone: "+14155552671", storage.UserByExternalUserID: "x1"} {
			_, err = e.svc.GetBy(ctx, e.clientB, field, v)
			wantNotFound(t, err, "B: GetBy "+field)
		}
		_, err = e.svc.Update(ctx, e.clientB, u.ID, UpdateInput{Language: ptr("de")})
		wantNotFound(t, err, "B: Update")
		wantNotFound(t, e.svc.Delete(ctx, e.clientB, u.ID), "B: Delete")
		wantNotFound(t, e.svc.RemoveFromApp(ctx, e.clientB, u.ID), "B: RemoveFromApp")
		list, total, err := e.svc.Search(ctx, e.clientB, SearchInput{})
		if err != nil || total != 0 || len(list) != 0 {
			t.Errorf("B: Search = %d users (%v), want none", total, err)
		}
		list, total, err = e.svc.Search(ctx, e.clientB, SearchInput{Search: `email eq "a-only@example.com"`})
		if err != nil || total != 0 || len(list) != 0 {
			t.Errorf("B: Search by email = %d users (%v), want none", total, err)
		}

		got, err := e.svc.Get(ctx, e.admin, u.ID)
		if err != nil || got.ID != u.ID {
			t.Errorf("admin: Get = %+v, %v", got, err)
		}
		list, total, err = e.svc.Search(ctx, e.admin, SearchInput{})
		if err != nil || total != 1 || len(list) != 1 || list[0].CustomAppData != nil {
			t.Errorf("admin: Search = %+v, %d, %v", list, total, err)
		}
		got, err = e.svc.Get(ctx, e.clientA, u.ID)
		if err != nil || got.Language != "" || string(got.CustomAppData) != `{"k":1}` {
			t.Errorf("A: user after B's attempts = %+v, %v", got, err)
		}
	})
}

// TestTenantIsolation checks every method against a management caller of another tenant.
func TestTenantIsolation(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		u := e.create(t, e.clientA, CreateInput{Email: "t1@example.com", Username: "t1", ExternalUserID: "e1",
			PhoneNumber: "+14155552671"})
		ctx, o := t.Context(), e.other
		_, err := e.svc.Get(ctx, o, u.ID)
		wantNotFound(t, err, "other tenant: Get")
		for field, v := range map[string]string{storage.UserByEmail: "t1@example.com", storage.UserByUsername: "t1",
			storage.UserByPhone: "+14155552671", storage.UserByExternalUserID: "e1"} {
			_, err = e.svc.GetBy(ctx, o, field, v)
			wantNotFound(t, err, "other tenant: GetBy "+field)
		}
		_, err = e.svc.FindByIdentifier(ctx, o.TenantID, model.IdentifierUserID, u.ID)
		wantNotFound(t, err, "other tenant: FindByIdentifier")
		_, err = e.svc.Update(ctx, o, u.ID, UpdateInput{Language: ptr("de")})
		wantNotFound(t, err, "other tenant: Update")
		wantNotFound(t, e.svc.Delete(ctx, o, u.ID), "other tenant: Delete")
		client := model.Caller{TenantID: o.TenantID, AppID: e.clientA.AppID, ClientID: model.NewID()}
		_, err = e.svc.Get(ctx, client, u.ID)
		wantNotFound(t, err, "other tenant with A's app id: Get")
		wantNotFound(t, e.svc.RemoveFromApp(ctx, client, u.ID), "other tenant with A's app id: RemoveFromApp")
		_, total, err := e.svc.Search(ctx, o, SearchInput{Search: `username eq "t1"`})
		if err != nil || total != 0 {
			t.Errorf("other tenant: Search = %d (%v), want 0", total, err)
		}
		// Linking: the other tenant creating the same identifiers makes its own user.
		twin := e.create(t, o, CreateInput{Email: "t1@example.com", Username: "t1"})
		if twin.ID == u.ID || twin.TenantID != o.TenantID {
			t.Errorf("other tenant's create reached tenant one's user: %+v", twin)
		}
		got, err := e.svc.Get(ctx, e.clientA, u.ID)
		if err != nil || got.Language != "" {
			t.Errorf("user after the other tenant's calls = %+v, %v", got, err)
		}
	})
}

func TestDelete(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		u := e.create(t, e.clientA, CreateInput{Email: "d@example.com"})
		if _, err := e.svc.Create(ctx, e.clientB, CreateInput{Email: "d@example.com"}); err != nil {
			t.Fatalf("link to B: %v", err)
		}
		sessA := session(t, e, e.clientA, u.ID)
		sessB := session(t, e, e.clientB, u.ID)

		// A client's delete only removes the user from its application.
		if err := e.svc.Delete(ctx, e.clientA, u.ID); err != nil {
			t.Fatalf("A: Delete: %v", err)
		}
		_, err := e.svc.Get(ctx, e.clientA, u.ID)
		wantNotFound(t, err, "A: Get after its delete")
		if _, err := e.svc.Get(ctx, e.clientB, u.ID); err != nil {
			t.Errorf("B: Get after A's delete: %v", err)
		}
		if s, _ := e.store.GetSession(ctx, e.tenant, sessA); s.RevokedAt == nil || !s.RevokedAt.Equal(fixedNow) {
			t.Errorf("A's session after removal: revoked at %v, want %v", s.RevokedAt, fixedNow)
		}
		if s, _ := e.store.GetSession(ctx, e.tenant, sessB); s.RevokedAt != nil {
			t.Errorf("B's session was revoked by A's removal")
		}
		if rt, _ := e.store.GetRefreshTokenByHash(ctx, []byte(sessA)); rt.RevokedAt == nil {
			t.Errorf("refresh token of A's session not revoked")
		}
		if rt, _ := e.store.GetRefreshTokenByHash(ctx, []byte(sessB)); rt.RevokedAt != nil {
			t.Errorf("refresh token of B's session revoked")
		}
		wantNotFound(t, e.svc.RemoveFromApp(ctx, e.clientA, u.ID), "A: second removal")

		wantFault(t, e.svc.RemoveFromApp(ctx, e.admin, u.ID), fault.Forbidden, fault.CodeForbidden, "admin: RemoveFromApp")

		// The admin deletes the user from the tenant, sessions included.
		if err := e.svc.Delete(ctx, e.admin, u.ID); err != nil {
			t.Fatalf("admin: Delete: %v", err)
		}
		_, err = e.svc.Get(ctx, e.admin, u.ID)
		wantNotFound(t, err, "admin: Get after delete")
		_, err = e.svc.Get(ctx, e.clientB, u.ID)
		wantNotFound(t, err, "B: Get after admin delete")
		if _, err := e.store.GetSession(ctx, e.tenant, sessB); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("B's session after admin delete: %v, want not found", err)
		}
		wantNotFound(t, e.svc.Delete(ctx, e.admin, u.ID), "admin: second Delete")
		wantNotFound(t, e.svc.Delete(ctx, e.admin, "bad id!"), "admin: Delete of a malformed id")
		// The identifiers are free again.
		e.create(t, e.admin, CreateInput{Email: "d@example.com"})
	})
}

// session stores an active session of c's application for userID, with one refresh token
// whose hash is the session id, and returns the session id.
func session(t *testing.T, e *env, c model.Caller, userID string) string {
	t.Helper()
	s := model.Session{ID: model.NewID(), TenantID: c.TenantID, UserID: userID, AppID: c.AppID, ClientID: c.ClientID,
		CreatedAt: fixedNow, LastSeenAt: fixedNow, ExpiresAt: fixedNow.Add(time.Hour)}
	if err := e.store.CreateSession(t.Context(), s); err != nil {
		t.Fatalf("create session: %v", err)
	}
	rt := model.RefreshToken{ID: model.NewID(), TenantID: c.TenantID, FamilyID: model.NewID(), SessionID: s.ID,
		ClientID: c.ClientID, UserID: userID, TokenHash: []byte(s.ID), ExpiresAt: fixedNow.Add(time.Hour), CreatedAt: fixedNow}
	if err := e.store.CreateRefreshToken(t.Context(), rt); err != nil {
		t.Fatalf("create refresh token: %v", err)
	}
	return s.ID
}

// Disabling a user ends all their sessions, in every application, with their refresh tokens.
func TestDisableEndsSessions(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		u := e.create(t, e.clientA, CreateInput{Email: "dis@example.com"})
		sessA, sessB := session(t, e, e.clientA, u.ID), session(t, e, e.clientB, u.ID)
		if _, err := e.svc.Update(ctx, e.clientA, u.ID, UpdateInput{Status: ptr(model.UserDisabled)}); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{sessA, sessB} {
			s, err := e.store.GetSession(ctx, e.tenant, id)
			if err != nil || s.RevokedAt == nil {
				t.Errorf("session %s after disabling: revoked %v, %v", id, s.RevokedAt, err)
			}
			rt, err := e.store.GetRefreshTokenByHash(ctx, []byte(id))
			if err != nil || rt.RevokedAt == nil {
				t.Errorf("refresh token of %s after disabling: revoked %v, %v", id, rt.RevokedAt, err)
			}
		}
	})
}
