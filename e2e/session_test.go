package e2e

import (
	"net/url"
	"sync"
	"testing"
	"time"
)

// directLogin logs a user in by a direct OTP and returns the token response.
func (e *env) directLogin(token, email string, extra map[string]any) map[string]any {
	e.t.Helper()
	res := e.do("POST", "/cis/v1/auth/otp/send", token, map[string]any{"channel": "direct", "identifier_type": "email", "identifier": email})
	wantStatus(e.t, res, 200, "")
	out := e.authenticate(token, email, res.JSON(e.t)["code"].(string), extra)
	wantStatus(e.t, out, 200, "")
	return out.JSON(e.t)
}

// secondApp creates another standard application of the default tenant and returns its
// client's token.
func (e *env) secondApp(name string) (appID, token string) {
	e.t.Helper()
	res := e.do("POST", "/cis/v1/applications", e.adminToken(), map[string]any{"app_name": name, "redirect_uris": []string{"https://" + name + ".example/cb"}})
	wantStatus(e.t, res, 201, "")
	r := res.JSON(e.t)["result"].(map[string]any)
	return r["app_id"].(string), e.clientToken(r["client_id"].(string), r["client_secret"].(string))
}

func TestRefreshRotatesAndDetectsReuse(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.createUser(tok, "rita@example.com")
		login := e.directLogin(tok, "rita@example.com", nil)
		first := login["refresh_token"].(string)

		res := e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": first})
		wantStatus(t, res, 200, "")
		body := res.JSON(t)
		second := body["refresh_token"].(string)
		if second == first || body["session_id"] != login["session_id"] || body["id_token"] == "" {
			t.Fatalf("refresh did not rotate or lost the session: %s", res.Body)
		}
		verifyIDToken(t, e, body["id_token"].(string), e.boot.ClientID)

		// Within the grace window the old token returns the same successor.
		again := e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": first})
		wantStatus(t, again, 200, "")
		if again.JSON(t)["refresh_token"] != second {
			t.Fatal("a refresh within the grace window did not get the same successor")
		}

		// After the window, presenting the rotated token revokes the family and ends the session.
		e.clock.Advance(time.Minute)
		tok = e.appToken()
		wantStatus(t, e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": first}), 400, "invalid_grant")
		wantStatus(t, e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": second}), 400, "invalid_grant")
		wantStatus(t, e.do("POST", "/cis/v1/auth/session/authenticate", tok, map[string]any{"session_id": login["session_id"]}), 400, "session_not_found")
	})
}

func TestConcurrentRefreshesShareOneSuccessor(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	e.createUser(tok, "cora@example.com")
	first := e.directLogin(tok, "cora@example.com", nil)["refresh_token"].(string)
	const n = 8
	var wg sync.WaitGroup
	got := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": first})
			if res.Status == 200 {
				got[i] = res.JSON(t)["refresh_token"].(string)
			}
		}()
	}
	wg.Wait()
	for i := range n {
		if got[i] == "" || got[i] != got[0] {
			t.Fatalf("concurrent refreshes got %q", got)
		}
	}
}

func TestRefreshAtTokenEndpoint(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	e.createUser(tok, "tess@example.com")
	rt := e.directLogin(tok, "tess@example.com", nil)["refresh_token"].(string)
	res := e.form("/oidc/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, e.boot.ClientID, e.boot.ClientSecret)
	wantStatus(t, res, 200, "")
	if res.JSON(t)["refresh_token"] == rt || res.JSON(t)["access_token"] == nil {
		t.Fatalf("token endpoint refresh: %s", res.Body)
	}
	// Another client cannot use it.
	_, otherTok := e.secondApp("shop")
	wantStatus(t, e.do("POST", "/cis/v1/auth/token/refresh", otherTok, map[string]any{"refresh_token": res.JSON(t)["refresh_token"]}), 400, "invalid_grant")
}

func TestMFAAndSSO(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.createUser(tok, "mia@example.com")
		code := e.sendCode(tok, "mia@example.com", 0)
		first := e.authenticate(tok, "mia@example.com", code, nil)
		wantStatus(t, first, 200, "")
		sid := first.JSON(t)["session_id"].(string)

		// A second, different factor on the same session: amr gains mfa.
		second := e.directLogin(tok, "mia@example.com", map[string]any{"session_id": sid})
		if second["session_id"] != sid {
			t.Fatalf("factor went to another session: %v", second["session_id"])
		}
		id := verifyIDToken(t, e, second["id_token"].(string), e.boot.ClientID)
		amr := id["amr"].([]any)
		if len(amr) != 3 || amr[0] != "eotp" || amr[1] != "otp" || amr[2] != "mfa" {
			t.Fatalf("amr = %v, want [eotp otp mfa]", amr)
		}

		// Another application of the tenant gets tokens for the session silently (SSO).
		_, shopTok := e.secondApp("shop")
		res := e.do("POST", "/cis/v1/auth/session/authenticate", shopTok, map[string]any{"session_id": sid})
		wantStatus(t, res, 200, "")
		if res.JSON(t)["session_id"] != sid {
			t.Fatalf("SSO returned another session: %s", res.Body)
		}

		// Logout ends it for everyone, with its refresh tokens.
		logout := e.do("POST", "/cis/v1/auth/session/logout", shopTok, map[string]any{"session_id": sid})
		wantStatus(t, logout, 204, "")
		wantStatus(t, e.do("POST", "/cis/v1/auth/session/authenticate", tok, map[string]any{"session_id": sid}), 400, "session_not_found")
		wantStatus(t, e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": second["refresh_token"]}), 400, "invalid_grant")
		// A session of the user cannot take a factor of another user.
		e.createUser(tok, "other@example.com")
		res = e.do("POST", "/cis/v1/auth/otp/send", tok, map[string]any{"channel": "direct", "identifier_type": "email", "identifier": "other@example.com"})
		wantStatus(t, e.authenticate(tok, "other@example.com", res.JSON(t)["code"].(string), map[string]any{"session_id": sid}), 400, "session_not_found")
	})
}

func TestSessionIdleTimeout(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	e.createUser(tok, "ida@example.com")
	login := e.directLogin(tok, "ida@example.com", nil)
	e.clock.Advance(14*24*time.Hour + time.Hour) // past the default two weeks without tokens issued
	tok = e.appToken()
	wantStatus(t, e.do("POST", "/cis/v1/auth/session/authenticate", tok, map[string]any{"session_id": login["session_id"]}), 400, "session_not_found")
	wantStatus(t, e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": login["refresh_token"]}), 400, "invalid_grant")
}

func TestIntrospectionAndRevocation(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	e.createUser(tok, "ivy@example.com")
	login := e.directLogin(tok, "ivy@example.com", nil)
	introspect := func(token string) map[string]any {
		res := e.form("/oidc/token/introspection", url.Values{"token": {token}}, e.boot.ClientID, e.boot.ClientSecret)
		wantStatus(t, res, 200, "")
		return res.JSON(t)
	}
	at := introspect(login["access_token"].(string))
	if at["active"] != true || at["sid"] != verifyAccessToken(t, e, login["access_token"].(string))["sid"] || at["client_id"] != e.boot.ClientID {
		t.Fatalf("access token introspection: %v", at)
	}
	if rt := introspect(login["refresh_token"].(string)); rt["active"] != true || rt["token_type"] != "refresh_token" {
		t.Fatalf("refresh token introspection: %v", rt)
	}
	if x := introspect("garbage"); x["active"] != false || len(x) != 1 {
		t.Fatalf("garbage token: %v", x)
	}
	// An ID token is not an access token.
	if x := introspect(login["id_token"].(string)); x["active"] != false {
		t.Fatalf("ID token reported active: %v", x)
	}

	// Revoking the refresh token makes it inactive and unusable.
	res := e.form("/oidc/token/revocation", url.Values{"token": {login["refresh_token"].(string)}}, e.boot.ClientID, e.boot.ClientSecret)
	wantStatus(t, res, 200, "")
	if rt := introspect(login["refresh_token"].(string)); rt["active"] != false {
		t.Fatalf("revoked refresh token still active: %v", rt)
	}
	wantStatus(t, e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": login["refresh_token"]}), 400, "invalid_grant")

	// After logout the access token reports inactive although its signature is still good.
	wantStatus(t, e.do("POST", "/cis/v1/auth/session/logout", tok, map[string]any{"session_id": login["session_id"]}), 204, "")
	if x := introspect(login["access_token"].(string)); x["active"] != false {
		t.Fatalf("access token of an ended session still active: %v", x)
	}

	// Discovery advertises both endpoints.
	d := e.do("GET", "/.well-known/openid-configuration", "", nil).JSON(t)
	if d["introspection_endpoint"] != e.url+"/oidc/token/introspection" || d["revocation_endpoint"] != e.url+"/oidc/token/revocation" {
		t.Fatalf("discovery lacks introspection/revocation endpoints: %v", d)
	}

	// A node remembers the introspected tokens it has verified; a remembered token still
	// expires on time.
	later := e.directLogin(tok, "ivy@example.com", nil)
	for range 2 {
		if x := introspect(later["access_token"].(string)); x["active"] != true {
			t.Fatalf("fresh access token reported inactive: %v", x)
		}
	}
	exp := int64(verifyAccessToken(t, e, later["access_token"].(string))["exp"].(float64))
	e.clock.Advance(time.Unix(exp, 0).Sub(e.clock.Now()) + 2*time.Minute)
	if x := introspect(later["access_token"].(string)); x["active"] != false {
		t.Fatalf("access token past its expiry still active: %v", x)
	}
}

func TestAdminSessions(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	uid := e.createUser(tok, "sam@example.com")
	a := e.directLogin(tok, "sam@example.com", map[string]any{"client_attributes": map[string]any{"ip_address": "203.0.113.9", "user_agent": "test"}})
	b := e.directLogin(tok, "sam@example.com", nil)
	admin := e.adminToken()
	wantStatus(t, e.do("GET", "/cis/v1/manage/users/"+uid+"/sessions", tok, nil), 403, "")
	res := e.do("GET", "/cis/v1/manage/users/"+uid+"/sessions", admin, nil)
	wantStatus(t, res, 200, "")
	list := res.JSON(t)["result"].([]any)
	if len(list) != 2 {
		t.Fatalf("want 2 sessions, got %s", res.Body)
	}
	older := list[1].(map[string]any)
	if older["session_ref"] != verifyAccessToken(t, e, a["access_token"].(string))["sid"] || older["session_id"] != nil || older["client_attributes"].(map[string]any)["ip_address"] != "203.0.113.9" || len(older["factors"].([]any)) != 1 {
		t.Fatalf("unexpected session view: %v", older)
	}
	wantStatus(t, e.do("DELETE", "/cis/v1/manage/users/"+uid+"/sessions/"+a["session_id"].(string), admin, nil), 204, "")
	wantStatus(t, e.do("POST", "/cis/v1/auth/session/authenticate", tok, map[string]any{"session_id": a["session_id"]}), 400, "session_not_found")
	wantStatus(t, e.do("POST", "/cis/v1/auth/session/authenticate", tok, map[string]any{"session_id": b["session_id"]}), 200, "")
	wantStatus(t, e.do("DELETE", "/cis/v1/manage/users/"+uid+"/sessions", admin, nil), 204, "")
	wantStatus(t, e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": b["refresh_token"]}), 400, "invalid_grant")
	wantStatus(t, e.do("DELETE", "/cis/v1/manage/users/"+uid+"/sessions/nosuchsession", admin, nil), 404, "")
}
