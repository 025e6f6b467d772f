package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
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

// sessionRef is the reference a login's session is stored under, as its access token names it.
func (e *env) sessionRef(login map[string]any) string {
	e.t.Helper()
	ref, _ := verifyAccessToken(e.t, e, login["access_token"].(string))["sid"].(string)
	if ref == "" {
		e.t.Fatalf("access token names no session: %v", login)
	}
	return ref
}

// setSealedSessionID overwrites what the session stored under ref keeps of its id.
func (e *env) setSealedSessionID(ref string, sealed []byte) {
	e.t.Helper()
	err := e.store.UpdateSession(e.t.Context(), e.boot.TenantID, ref, func(s model.Session) (model.Session, error) {
		s.SealedID = sealed
		return s, nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// A session begun before sessions kept their id sealed still refreshes, without session_id;
// once a backend presents its id (a silent login here), its refreshes answer with it.
func TestRefreshOfASessionWithoutSealedID(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.createUser(tok, "olga@example.com")
		login := e.directLogin(tok, "olga@example.com", nil)
		sid := login["session_id"].(string)
		e.setSealedSessionID(e.sessionRef(login), nil)

		res := e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": login["refresh_token"]})
		wantStatus(t, res, 200, "")
		body := res.JSON(t)
		if _, ok := body["session_id"]; ok {
			t.Fatalf("a session without a sealed id answered session_id %v", body["session_id"])
		}

		res = e.do("POST", "/cis/v1/auth/session/authenticate", tok, map[string]any{"session_id": sid})
		wantStatus(t, res, 200, "")
		for _, rt := range []any{body["refresh_token"], res.JSON(t)["refresh_token"]} {
			res = e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": rt})
			wantStatus(t, res, 200, "")
			if got := res.JSON(t)["session_id"]; got != sid {
				t.Fatalf("after a silent login the refresh answered session_id %v, want %s", got, sid)
			}
		}
	})
}

// The attack: someone who can write the database but lacks the master key moves the sealed id
// of a victim's session into the row of a session whose refresh token they hold, hoping the
// refresh answers with the victim's session id. The seal is bound to its session, so it does
// not open there: the refresh fails and names no session id.
func TestSealedSessionIDMovedToAnotherSession(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.createUser(tok, "victim@example.com")
		e.createUser(tok, "mallory@example.com")
		victim := e.directLogin(tok, "victim@example.com", nil)
		mallory := e.directLogin(tok, "mallory@example.com", nil)
		stolen, err := e.store.GetSession(t.Context(), e.boot.TenantID, e.sessionRef(victim))
		if err != nil || len(stolen.SealedID) == 0 {
			t.Fatalf("victim's session: %v, sealed id %x", err, stolen.SealedID)
		}
		e.setSealedSessionID(e.sessionRef(mallory), stolen.SealedID)

		res := e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": mallory["refresh_token"]})
		wantStatus(t, res, 500, "system_internal_error")
		if strings.Contains(string(res.Body), victim["session_id"].(string)) {
			t.Fatal("the refresh answered with the victim's session id")
		}
	})
}
