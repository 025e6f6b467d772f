package e2e

import (
	"net/url"
	"strings"
	"testing"
)

// Tokens and introspection name the session by a reference, which another application of the
// tenant cannot sign the user in with; the session id, returned only by the login, can.
func TestSessionReferenceIsNoLogin(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		uid := e.createUser(tok, "quinn@example.com")
		login := e.directLogin(tok, "quinn@example.com", nil)
		sessionID := login["session_id"].(string)
		access := verifyAccessToken(t, e, login["access_token"].(string))
		id := verifyIDToken(t, e, login["id_token"].(string), e.boot.ClientID)
		res := e.form("/oidc/token/introspection", url.Values{"token": {login["access_token"].(string)}}, e.boot.ClientID, e.boot.ClientSecret)
		wantStatus(t, res, 200, "")
		intro := res.JSON(t)
		res = e.form("/oidc/token/introspection", url.Values{"token": {login["refresh_token"].(string)}}, e.boot.ClientID, e.boot.ClientSecret)
		wantStatus(t, res, 200, "")
		introRefresh := res.JSON(t)

		ref, _ := access["sid"].(string)
		// The attack: another application of the tenant presents what a token carries.
		_, shop := e.secondApp("shop")
		for _, sid := range []string{ref, strings.ToLower(ref), strings.TrimPrefix(ref, "sr_")} {
			wantStatus(t, e.do("POST", "/cis/v1/auth/session/authenticate", shop, map[string]any{"session_id": sid}), 400, "session_not_found")
			wantStatus(t, e.do("POST", "/cis/v1/auth/session/logout", shop, map[string]any{"session_id": sid}), 400, "session_not_found")
		}
		if ref == "" || ref == sessionID || strings.Contains(ref, sessionID) {
			t.Fatalf("access token sid %q, session id %q", ref, sessionID)
		}
		for name, v := range map[string]any{"ID token": id["sid"], "introspection": intro["sid"], "refresh token introspection": introRefresh["sid"]} {
			if v != ref {
				t.Errorf("%s sid %v, access token sid %s", name, v, ref)
			}
		}

		// The session id itself still signs the user in (SSO), and the reference is stable.
		res = e.do("POST", "/cis/v1/auth/session/authenticate", shop, map[string]any{"session_id": sessionID})
		wantStatus(t, res, 200, "")
		sso := res.JSON(t)
		if sso["session_id"] != sessionID || verifyAccessToken(t, e, sso["access_token"].(string))["sid"] != ref {
			t.Fatalf("silent login: %s", res.Body)
		}
		res = e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": login["refresh_token"]})
		wantStatus(t, res, 200, "")
		if res.JSON(t)["session_id"] != sessionID || verifyAccessToken(t, e, res.JSON(t)["access_token"].(string))["sid"] != ref {
			t.Fatalf("refresh: %s", res.Body)
		}

		// Administrators see the reference, never the id, and can revoke by it.
		admin := e.adminToken()
		res = e.do("GET", "/cis/v1/manage/users/"+uid+"/sessions", admin, nil)
		wantStatus(t, res, 200, "")
		if strings.Contains(string(res.Body), sessionID) || !strings.Contains(string(res.Body), ref) {
			t.Fatalf("sessions list: %s", res.Body)
		}

		// The database holds no usable session id.
		for _, table := range []string{"sessions", "refresh_tokens", "audit_events"} {
			if n := e.store.TestRowsContaining(t, table, sessionID); n != 0 {
				t.Errorf("%d rows of %s hold the session id", n, table)
			}
		}

		wantStatus(t, e.do("DELETE", "/cis/v1/manage/users/"+uid+"/sessions/"+ref, admin, nil), 204, "")
		wantStatus(t, e.do("POST", "/cis/v1/auth/session/authenticate", shop, map[string]any{"session_id": sessionID}), 400, "session_not_found")
	})
}

// A user access token still works only while its session is active, now that it names the
// session by its reference.
func TestUserTokenFollowsItsSession(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.createUser(tok, "uma@example.com")
		login := e.directLogin(tok, "uma@example.com", nil)
		access := login["access_token"].(string)
		res := e.do("POST", "/cis/v1/auth/webauthn/register/start", access, map[string]any{})
		if res.Status == 401 {
			t.Fatalf("a live session's user token is refused: %s", res.Body)
		}
		wantStatus(t, e.do("POST", "/cis/v1/auth/session/logout", tok, map[string]any{"session_id": login["session_id"]}), 204, "")
		wantStatus(t, e.do("POST", "/cis/v1/auth/webauthn/register/start", access, map[string]any{}), 401, "unauthorized")
	})
}
