package e2e

import (
	"net/url"
	"testing"
)

// A refresh answers with the session id of the login, as Mosaic's ApiTokenResponse does, for
// refresh tokens from every way of getting one: a login, a step-up (MFA) of the session, a
// silent login of another application, a rotation's successor, a concurrent refresh within
// the grace window, and the OAuth token endpoint. The id is still stored nowhere in the clear.
func TestRefreshAnswersWithTheSessionID(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.createUser(tok, "sally@example.com")
		login := e.directLogin(tok, "sally@example.com", nil)
		sid, _ := login["session_id"].(string)
		if sid == "" {
			t.Fatalf("login returned no session id: %v", login)
		}
		refresh := func(bearer, rt string) map[string]any {
			t.Helper()
			res := e.do("POST", "/cis/v1/auth/token/refresh", bearer, map[string]any{"refresh_token": rt})
			wantStatus(t, res, 200, "")
			body := res.JSON(t)
			if body["session_id"] != sid {
				t.Fatalf("refresh answered session_id %v, the login returned %s", body["session_id"], sid)
			}
			return body
		}

		first := login["refresh_token"].(string)
		second := refresh(tok, first)["refresh_token"].(string)
		refresh(tok, first) // within the grace window: the same successor, the same session
		third := refresh(tok, second)["refresh_token"].(string)

		res := e.form("/oidc/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {third}},
			e.boot.ClientID, e.boot.ClientSecret)
		wantStatus(t, res, 200, "")
		if got := res.JSON(t)["session_id"]; got != sid {
			t.Fatalf("token endpoint refresh answered session_id %v, want %s", got, sid)
		}

		// A step-up adds a factor to the session; its refresh token answers with the same id.
		mfa := e.directLogin(tok, "sally@example.com", map[string]any{"session_id": sid})
		if mfa["session_id"] != sid {
			t.Fatalf("step-up answered session_id %v, want %s", mfa["session_id"], sid)
		}
		refresh(tok, mfa["refresh_token"].(string))

		// A silent login of another application gets a refresh token of its own client.
		_, shop := e.secondApp("shop")
		res = e.do("POST", "/cis/v1/auth/session/authenticate", shop, map[string]any{"session_id": sid})
		wantStatus(t, res, 200, "")
		sso := res.JSON(t)
		refresh(shop, refresh(shop, sso["refresh_token"].(string))["refresh_token"].(string))

		for _, table := range []string{"sessions", "refresh_tokens", "audit_events"} {
			if n := e.store.TestRowsContaining(t, table, sid); n != 0 {
				t.Errorf("%d rows of %s hold the session id", n, table)
			}
		}
	})
}
