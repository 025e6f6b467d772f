package e2e

import (
	"context"
	"net/url"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
)

// sessionIsolationCases are the tenant-isolation cases of the session, token introspection
// and revocation, and audit routes: calls with tenant A's tokens and client credentials aimed
// at B's session, its user's tokens, its audit log and its webhook.
func (f *isoFixture) sessionIsolationCases() map[string][]isoCase {
	a, b := f.a, f.b
	same := func(name, method, path string, body any, status int) isoCase {
		return isoCase{name: name, do: f.call(method, path, body), admin: status, client: status}
	}
	adminOnly := func(name, method, path string, body any, status int) isoCase {
		return isoCase{name: name, do: f.call(method, path, body), admin: status, client: 403}
	}
	bClientID := func(string) string { return b.ClientID }
	token := func(tok string) url.Values { return url.Values{"token": {tok}} }
	introspect, revoke := "/oidc/token/introspection", "/oidc/token/revocation"
	// A token of another tenant is inactive to A, whatever it is (RFC 7662 section 2.2).
	inactive := func(name, tok string) isoCase {
		return isoCase{name: name, do: f.oauthCall(introspect, ownID, token(tok)), admin: 200, client: 200, after: wantInactive}
	}
	manage := "/cis/v1/manage/users/" + b.UserID + "/sessions"
	audit := func(name, query string, after func(*testing.T, response)) isoCase {
		return isoCase{name: name, do: f.call("GET", "/cis/v1/audit?"+query, nil), admin: 200, client: 403, after: after}
	}
	return map[string][]isoCase{
		"POST /oidc/token/introspection": {
			inactive("B's refresh token", b.RefreshToken), inactive("B's user access token", b.AccessToken),
			inactive("B's client token", b.client), inactive("B's admin token", b.admin),
			{name: "B's client id with A's secret", do: f.oauthCall(introspect, bClientID, token(b.RefreshToken)), admin: 401, client: 401},
			// A user's access token takes another path: its session is read with the client's
			// stamp before the secret is checked.
			{name: "B's client id with A's secret, B's user access token", do: f.oauthCall(introspect, bClientID, token(b.AccessToken)), admin: 401, client: 401},
		},
		"POST /oidc/token/revocation": {
			// RFC 7009 section 2.2: a token the client may not revoke is answered as revoked,
			// and the state check shows it was not.
			{name: "B's refresh token", do: f.oauthCall(revoke, ownID, token(b.RefreshToken)), admin: 200, client: 200},
			{name: "B's client id with A's secret", do: f.oauthCall(revoke, bClientID, token(b.RefreshToken)), admin: 401, client: 401},
		},
		"POST /cis/v1/auth/token/refresh": {
			withCode(same("B's refresh token", "POST", "/cis/v1/auth/token/refresh", map[string]any{"refresh_token": b.RefreshToken}, 400), "invalid_grant"),
		},
		"POST /cis/v1/auth/session/authenticate": {
			withCode(same("B's session", "POST", "/cis/v1/auth/session/authenticate", map[string]any{"session_id": b.SessionID}, 400), "session_not_found"),
		},
		"POST /cis/v1/auth/session/logout": {
			withCode(same("B's session", "POST", "/cis/v1/auth/session/logout", map[string]any{"session_id": b.SessionID}, 400), "session_not_found"),
		},
		"GET /cis/v1/manage/users/{user_id}/sessions":    {adminOnly("B's user", "GET", manage, nil, 404)},
		"DELETE /cis/v1/manage/users/{user_id}/sessions": {adminOnly("B's user", "DELETE", manage, nil, 404)},
		"DELETE /cis/v1/manage/users/{user_id}/sessions/{session_id}": {
			adminOnly("B's session", "DELETE", manage+"/"+b.SessionID, nil, 404),
			adminOnly("B's session under A's user", "DELETE", "/cis/v1/manage/users/"+a.UserID+"/sessions/"+b.SessionID, nil, 404),
		},

		"GET /cis/v1/audit": {
			audit("every event", "page_limit=1000", f.onlyEventsOfA),
			audit("B's user", "user_id="+b.UserID, wantNoEvents),
			audit("B's application", "app_id="+b.AppID, wantNoEvents),
		},
		"PUT /cis/v1/audit/webhook": {{
			name: "A's own webhook", do: f.call("PUT", "/cis/v1/audit/webhook", map[string]any{"url": "https://hooks.alpha.example/audit"}),
			admin: 200, client: 403, after: f.undoWebhookOfA,
		}},
		"DELETE /cis/v1/audit/webhook": {adminOnly("A's own webhook", "DELETE", "/cis/v1/audit/webhook", nil, 204)},
		"GET /cis/v1/tenant": {{
			name: "A's own tenant", do: f.call("GET", "/cis/v1/tenant", nil),
			admin: 200, client: 403, after: f.wantTenantA,
		}},
		"PUT /cis/v1/tenant": {{
			name: "A's own default language", do: f.call("PUT", "/cis/v1/tenant", map[string]any{"default_language": "es"}),
			admin: 200, client: 403, after: f.undoLanguageOfA,
		}},
	}
}

// withCode sets the error code a case wants with A's client token.
func withCode(c isoCase, code string) isoCase {
	c.clientCode = code
	return c
}

// wantInactive checks RFC 7662's answer for a token that is not usable: active false and
// nothing else.
func wantInactive(t *testing.T, res response) {
	t.Helper()
	if m := res.JSON(t); m["active"] != false || len(m) != 1 {
		t.Errorf("introspection of a token of another tenant: %s, want {\"active\":false}", res.Body)
	}
}

// onlyEventsOfA checks that an audit search answered only tenant A's events, and all of them.
func (f *isoFixture) onlyEventsOfA(t *testing.T, res response) {
	t.Helper()
	ctx := context.Background()
	bEvents, _, err := f.e.store.ListAudit(ctx, model.AuditQuery{TenantID: f.b.TenantID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ofB := map[string]bool{}
	for _, ev := range bEvents {
		ofB[ev.ID] = true
	}
	body := res.JSON(t)
	list, _ := body["result"].([]any)
	if len(list) == 0 || body["total_count"] != float64(len(list)) {
		t.Errorf("audit search answered %d events of %v: %s", len(list), body["total_count"], res.Body)
	}
	for _, item := range list {
		ev, _ := item.(map[string]any)
		if ev["tenant_id"] != f.a.TenantID || ofB[ev["event_id"].(string)] {
			t.Errorf("audit search of tenant A answered an event of another tenant: %v", ev)
		}
	}
}

// wantNoEvents checks that an audit search found nothing.
func wantNoEvents(t *testing.T, res response) {
	t.Helper()
	if m := res.JSON(t); m["total_count"] != float64(0) {
		t.Errorf("audit search across tenants found %v events: %s", m["total_count"], res.Body)
	}
}

// undoWebhookOfA checks that setting a webhook set tenant A's, and turns it off again.
// wantTenantA checks that a tenant read answers with A's tenant.
func (f *isoFixture) wantTenantA(t *testing.T, res response) {
	t.Helper()
	if got := res.JSON(t)["result"].(map[string]any)["tenant_id"]; got != f.a.TenantID {
		t.Errorf("A's admin token read tenant %v, want A's %s", got, f.a.TenantID)
	}
}

func (f *isoFixture) undoLanguageOfA(t *testing.T, res response) {
	t.Helper()
	f.wantTenantA(t, res)
	ten, err := f.e.store.GetTenant(context.Background(), f.a.TenantID)
	if err != nil || ten.DefaultLanguage != "es" {
		t.Errorf("tenant A's default language is %q (%v) after A set it", ten.DefaultLanguage, err)
	}
	wantStatus(t, f.e.do("PUT", "/cis/v1/tenant", f.a.admin, map[string]any{"default_language": ""}), 200, "")
}

func (f *isoFixture) undoWebhookOfA(t *testing.T, res response) {
	t.Helper()
	ten, err := f.e.store.GetTenant(context.Background(), f.a.TenantID)
	if err != nil || ten.WebhookURL != "https://hooks.alpha.example/audit" {
		t.Errorf("tenant A's webhook is %q (%v) after A set it", ten.WebhookURL, err)
	}
	wantStatus(t, f.e.do("DELETE", "/cis/v1/audit/webhook", f.a.admin, nil), 204, "")
}
