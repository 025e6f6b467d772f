package e2e

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// These tests call Latchkey as a Mosaic customer's backend does: form and JSON bodies as
// Mosaic's documentation shows them, answers and tokens read as plain JSON, never through
// Latchkey's own types.

// mosaicForm posts a form to the token endpoint with client_secret_post, as Mosaic's "Get
// client access tokens" guide does.
func (e *env) mosaicForm(values url.Values) response {
	e.t.Helper()
	return e.form("/oidc/token", values, "", "")
}

// claimsOf decodes a JWT's claims without checking anything.
func claimsOf(t *testing.T, raw string) map[string]any { return jwtPart(t, raw, 1) }

// wantClaims checks claims that must have exact values and claims that must be present.
func wantClaims(t *testing.T, where string, claims map[string]any, exact map[string]any, present ...string) {
	t.Helper()
	for k, v := range exact {
		got, _ := json.Marshal(claims[k])
		want, _ := json.Marshal(v)
		if string(got) != string(want) {
			t.Errorf("%s: %s is %s, want %s", where, k, got, want)
		}
	}
	for _, k := range present {
		if _, ok := claims[k]; !ok {
			t.Errorf("%s: claim %s is missing: %v", where, k, claims)
		}
	}
}

func TestMosaicClientAccessToken(t *testing.T) {
	e := newEnv(t, envOptions{})
	res := e.mosaicForm(url.Values{"grant_type": {"client_credentials"}, "client_id": {e.boot.ClientID}, "client_secret": {e.boot.ClientSecret}})
	wantStatus(t, res, 200, "")
	body := res.JSON(t)
	wantClaims(t, "token answer", body, map[string]any{"token_type": "Bearer", "expires_in": 3600, "scope": "openid offline_access"}, "access_token")
	claims := claimsOf(t, body["access_token"].(string))
	wantClaims(t, "client token", claims, map[string]any{
		"sub": e.boot.ClientID, "client_id": e.boot.ClientID, "app_id": e.boot.AppID, "app_name": "Demo",
		"tid": e.boot.TenantID, "aud": "userid-api", "scope": "openid offline_access", "iss": e.url,
	}, "iat", "exp", "jti")
	if _, ok := claims["role"]; ok {
		t.Errorf("an application's client token has a role: %v", claims["role"])
	}
	// Its client roles and their permissions, as Mosaic's ts_roles and ts_permissions: the
	// default role.
	wantClaims(t, "client token roles", claims, map[string]any{"ts_roles": []string{"application"},
		"ts_permissions": []string{"authenticate:user", "delete:user", "read:app", "read:group", "read:user", "write:app", "write:group", "write:user"}})
	if exp, iat := claims["exp"].(float64), claims["iat"].(float64); exp-iat != 3600 {
		t.Errorf("client token lives %v s, want an hour", exp-iat)
	}

	admin := e.mosaicForm(url.Values{"grant_type": {"client_credentials"}, "client_id": {e.boot.AdminClientID}, "client_secret": {e.boot.AdminClientSecret}})
	wantStatus(t, admin, 200, "")
	adminClaims := claimsOf(t, admin.JSON(t)["access_token"].(string))
	wantClaims(t, "admin token", adminClaims, map[string]any{"role": []string{"Admin"}, "aud": "userid-api"})
	if _, ok := adminClaims["ts_roles"]; ok {
		t.Errorf("the admin token names client roles: %v", adminClaims)
	}

	// A narrower scope is granted as asked; one Latchkey cannot grant is refused in RFC 6749's
	// shape, naming it.
	one := e.mosaicForm(url.Values{"grant_type": {"client_credentials"}, "client_id": {e.boot.ClientID}, "client_secret": {e.boot.ClientSecret}, "scope": {"offline_access openid openid"}})
	wantStatus(t, one, 200, "")
	if s := one.JSON(t)["scope"]; s != "openid offline_access" {
		t.Errorf("scope asked twice in another order: %v", s)
	}
	one = e.mosaicForm(url.Values{"grant_type": {"client_credentials"}, "client_id": {e.boot.ClientID}, "client_secret": {e.boot.ClientSecret}, "scope": {"openid"}})
	if s := one.JSON(t)["scope"]; s != "openid" || claimsOf(t, one.JSON(t)["access_token"].(string))["scope"] != "openid" {
		t.Errorf("scope openid: answer %v, token %v", s, claimsOf(t, one.JSON(t)["access_token"].(string))["scope"])
	}
	bad := e.mosaicForm(url.Values{"grant_type": {"client_credentials"}, "client_id": {e.boot.ClientID}, "client_secret": {e.boot.ClientSecret}, "scope": {"openid profile"}})
	wantOAuthError(t, "scope profile", bad, 400, "invalid_scope")
	if d, _ := bad.JSON(t)["error_description"].(string); !strings.Contains(d, `"profile"`) {
		t.Errorf("invalid_scope does not name the scope: %s", bad.Body)
	}
	// Client authentication fails before the scope is looked at.
	wantOAuthError(t, "bad secret with a bad scope", e.mosaicForm(url.Values{"grant_type": {"client_credentials"},
		"client_id": {e.boot.ClientID}, "client_secret": {"nope"}, "scope": {"profile"}}), 401, "invalid_client")
	// The token endpoint's other failures keep RFC 6749's shape.
	wantOAuthError(t, "no grant type", e.mosaicForm(url.Values{}), 400, "invalid_request")
	wantOAuthError(t, "password grant", e.mosaicForm(url.Values{"grant_type": {"password"}}), 400, "unsupported_grant_type")
}

func TestMosaicUserTokens(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	uid := e.createUser(tok, "mosaic@example.com")
	code := e.sendCode(tok, "mosaic@example.com", 0)

	// A claim Latchkey does not produce yet (the client's roles): refused, naming the claim,
	// and the code is not spent.
	res := e.authenticate(tok, "mosaic@example.com", code, map[string]any{"claims": map[string]any{"id_token": map[string]any{"ts_roles": nil}}})
	wantStatus(t, res, 400, "system_invalid_input")
	if !strings.Contains(string(res.Body), `claim \"ts_roles\" cannot be requested: client roles`) {
		t.Errorf("ts_roles refusal does not say why: %s", res.Body)
	}
	res = e.authenticate(tok, "mosaic@example.com", code, map[string]any{
		"claims": map[string]any{"id_token": map[string]any{"email": nil, "email_verified": nil, "fname": nil}},
	})
	wantStatus(t, res, 200, "")
	login := res.JSON(t)
	if _, ok := login["scope"]; ok {
		t.Errorf("an authenticate answer carries scope, which Mosaic's ApiTokenResponse has not: %s", res.Body)
	}
	id := claimsOf(t, login["id_token"].(string))
	wantClaims(t, "ID token", id, map[string]any{
		"sub": uid, "tid": e.boot.TenantID, "aud": e.boot.ClientID, "iss": e.url, "amr": []string{"eotp"},
		"email": "mosaic@example.com", "email_verified": true, "fname": "Ada", "new_user": false,
	}, "exp", "iat", "auth_time")
	at := claimsOf(t, login["access_token"].(string))
	wantClaims(t, "user access token", at, map[string]any{
		"sub": uid, "iss": e.url, "aud": "userid-api", "scope": "openid offline_access", "tid": e.boot.TenantID,
		"client_id": e.boot.ClientID, "app_id": e.boot.AppID, "app_name": "Demo",
	}, "iat", "exp", "jti")

	// The token endpoint's refresh answers with the scope; a narrower one is granted to the
	// access token alone, and without openid there is no ID token.
	refresh := url.Values{"grant_type": {"refresh_token"}, "client_id": {e.boot.ClientID}, "client_secret": {e.boot.ClientSecret},
		"refresh_token": {login["refresh_token"].(string)}}
	res = e.mosaicForm(refresh)
	wantStatus(t, res, 200, "")
	body := res.JSON(t)
	wantClaims(t, "refresh answer", body, map[string]any{"scope": "openid offline_access", "token_type": "Bearer"}, "id_token", "refresh_token", "session_id")

	refresh.Set("refresh_token", body["refresh_token"].(string))
	refresh.Set("scope", "openid profile")
	wantOAuthError(t, "refresh asking for more", e.mosaicForm(refresh), 400, "invalid_scope")
	refresh.Set("scope", "offline_access")
	res = e.mosaicForm(refresh) // the refused request left the token live
	wantStatus(t, res, 200, "")
	body = res.JSON(t)
	if body["scope"] != "offline_access" || body["id_token"] != nil {
		t.Errorf("narrowed refresh: %s", res.Body)
	}
	if s := claimsOf(t, body["access_token"].(string))["scope"]; s != "offline_access" {
		t.Errorf("narrowed access token scope %v", s)
	}
	// The family keeps what the login granted.
	refresh.Del("scope")
	refresh.Set("refresh_token", body["refresh_token"].(string))
	res = e.mosaicForm(refresh)
	wantStatus(t, res, 200, "")
	if body = res.JSON(t); body["scope"] != "openid offline_access" || body["id_token"] == nil {
		t.Errorf("refresh after a narrowed one: %s", res.Body)
	}

	// Mosaic's backend refresh answers as its authenticate calls do, without scope.
	res = e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": body["refresh_token"]})
	wantStatus(t, res, 200, "")
	if _, ok := res.JSON(t)["scope"]; ok {
		t.Errorf("backend refresh answer carries scope: %s", res.Body)
	}
}

// Every claim Mosaic documents that Latchkey does not produce yet is refused when asked for,
// in the ID token and in the access token, and in a client's default_custom_claims.
func TestMosaicDeferredClaimsRefused(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	e.createUser(tok, "deferred@example.com")
	res := e.do("POST", "/cis/v1/auth/otp/send", tok, map[string]any{"channel": "direct", "identifier_type": "email", "identifier": "deferred@example.com"})
	wantStatus(t, res, 200, "")
	code := res.JSON(t)["code"].(string)
	for _, claim := range []string{"ts_roles", "ts_permissions", "webauthn"} {
		for _, tokenKind := range []string{"id_token", "access_token"} {
			res := e.authenticate(tok, "deferred@example.com", code, map[string]any{"claims": map[string]any{tokenKind: map[string]any{claim: nil}}})
			wantStatus(t, res, 400, "system_invalid_input")
			if !strings.Contains(string(res.Body), `claim \"`+claim+`\" cannot be requested`) {
				t.Errorf("%s.%s: %s", tokenKind, claim, res.Body)
			}
		}
	}
	// Nothing was spent or counted: the code still logs the user in.
	wantStatus(t, e.authenticate(tok, "deferred@example.com", code, nil), 200, "")

	admin := e.adminToken()
	path := "/cis/v1/applications/" + e.boot.AppID + "/clients/" + e.boot.ClientID
	res = e.do("PUT", path, admin, map[string]any{"default_custom_claims": []string{"email", "ts_roles", "webauthn"}})
	wantStatus(t, res, 400, "system_invalid_input")
	for _, claim := range []string{"ts_roles", "webauthn"} {
		if !strings.Contains(string(res.Body), `claim \"`+claim+`\" cannot be requested`) {
			t.Errorf("default_custom_claims %s: %s", claim, res.Body)
		}
	}
	// Produced defaults reach the ID token unasked.
	wantStatus(t, e.do("PUT", path, admin, map[string]any{"default_custom_claims": []string{"email", "custom_data"}}), 200, "")
	wantStatus(t, e.do("PUT", "/cis/v1/users/"+e.userIDByEmail(tok, "deferred@example.com"), tok,
		map[string]any{"custom_data": map[string]any{"plan": "gold", "seats": 3}}), 200, "")
	login := e.directLogin(tok, "deferred@example.com", map[string]any{
		"claims": map[string]any{"id_token": map[string]any{"custom_data": map[string]any{"fields": []string{"plan"}}}},
	})
	id := claimsOf(t, login["id_token"].(string))
	wantClaims(t, "ID token with defaults", id, map[string]any{"email": "deferred@example.com", "custom_data": map[string]any{"plan": "gold"}})
}

func (e *env) userIDByEmail(token, email string) string {
	e.t.Helper()
	res := e.do("GET", "/cis/v1/users/email/"+email, token, nil)
	wantStatus(e.t, res, 200, "")
	return res.JSON(e.t)["result"].(map[string]any)["user_id"].(string)
}

// An integration that pins Mosaic's issuer works with the one setting: every token says it,
// discovery says it, and a verifier that knows only that issuer and Latchkey's JWKS accepts
// the tokens.
func TestMosaicPinnedIssuer(t *testing.T) {
	const issuer = "https://userid.security"
	e := newEnv(t, envOptions{issuer: issuer})
	tok := e.appToken()
	e.createUser(tok, "pinned@example.com")
	login := e.directLogin(tok, "pinned@example.com", nil)

	d := e.do("GET", "/.well-known/openid-configuration", "", nil).JSON(t)
	if d["issuer"] != issuer || d["jwks_uri"] != e.url+"/cis/oidc/jwks" || d["token_endpoint"] != e.url+"/oidc/token" {
		t.Errorf("discovery: issuer %v, jwks_uri %v, token_endpoint %v", d["issuer"], d["jwks_uri"], d["token_endpoint"])
	}
	ctx := context.Background()
	keys := oidc.NewRemoteKeySet(ctx, e.url+"/cis/oidc/jwks")
	for name, c := range map[string]struct{ raw, aud string }{
		"client token": {tok, "userid-api"}, "ID token": {login["id_token"].(string), e.boot.ClientID},
		"user access token": {login["access_token"].(string), "userid-api"},
	} {
		v := oidc.NewVerifier(issuer, keys, &oidc.Config{ClientID: c.aud, Now: e.clock.Now})
		if _, err := v.Verify(ctx, c.raw); err != nil {
			t.Errorf("%s does not verify against the pinned issuer: %v", name, err)
		}
	}
	// Latchkey itself accepts them: the client token calls the API, the access token
	// introspects as active with the pinned issuer.
	wantStatus(t, e.do("GET", "/cis/v1/users", tok, nil), 200, "")
	in := e.form("/oidc/token/introspection", url.Values{"token": {login["access_token"].(string)}}, e.boot.ClientID, e.boot.ClientSecret).JSON(t)
	if in["active"] != true || in["iss"] != issuer {
		t.Errorf("introspection: %v", in)
	}
}

// Mosaic's backend sessions last two weeks and are extended each time tokens are issued.
func TestMosaicSessionLifetime(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	uid := e.createUser(tok, "weeks@example.com")
	login := e.directLogin(tok, "weeks@example.com", nil)
	day := 24 * time.Hour

	e.clock.Advance(13 * day)
	tok = e.appToken()
	res := e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": login["refresh_token"]})
	wantStatus(t, res, 200, "") // tokens issued on day 13: the session now runs to day 27
	e.clock.Advance(13 * day)
	tok = e.appToken()
	res = e.do("POST", "/cis/v1/auth/session/authenticate", tok, map[string]any{"session_id": login["session_id"]})
	wantStatus(t, res, 200, "") // day 26, past the first two weeks
	seen := e.clock.Now()

	list := e.do("GET", "/cis/v1/manage/users/"+uid+"/sessions", e.adminToken(), nil).JSON(t)["result"].([]any)
	s := list[0].(map[string]any)
	if want := float64(seen.Add(14 * day).UnixMilli()); s["expires_at"] != want || s["active"] != true {
		t.Errorf("session after a silent login: expires_at %v, want %v (two weeks on); active %v", s["expires_at"], want, s["active"])
	}

	e.clock.Advance(14*day + time.Minute)
	tok = e.appToken()
	res = e.do("POST", "/cis/v1/auth/session/authenticate", tok, map[string]any{"session_id": login["session_id"]})
	wantStatus(t, res, 400, "session_not_found")
}

// device_id and org_id, which every Mosaic authenticate call takes, are kept on the session
// and in the audit log.
func TestMosaicDeviceAndOrganization(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	admin := e.adminToken()
	uid := e.createUser(tok, "device@example.com")
	res := e.do("POST", "/cis/v1/organizations", admin, map[string]any{"name": "Acme", "app_ids": []string{e.boot.AppID}})
	wantStatus(t, res, 201, "")
	orgID := result(t, res)["organization_id"].(string)
	wantStatus(t, e.do("POST", "/cis/v1/organizations/"+orgID+"/members", tok, map[string]any{"user_id": uid}), 201, "")
	login := e.directLogin(tok, "device@example.com", map[string]any{"device_id": "ios-7f3a", "org_id": orgID})
	s := e.do("GET", "/cis/v1/manage/users/"+uid+"/sessions", admin, nil).JSON(t)["result"].([]any)[0].(map[string]any)
	if s["device_id"] != "ios-7f3a" || s["org_id"] != orgID {
		t.Errorf("session: device_id %v org_id %v", s["device_id"], s["org_id"])
	}
	if ca, _ := s["client_attributes"].(map[string]any); ca["device_id"] != nil {
		t.Errorf("device_id leaked into client_attributes: %v", ca)
	}
	// A silent login with another device is recorded in the audit log, the session keeps its own.
	res = e.do("POST", "/cis/v1/auth/session/authenticate", tok, map[string]any{"session_id": login["session_id"], "device_id": "web-2"})
	wantStatus(t, res, 200, "")

	events := e.do("GET", "/cis/v1/audit?user_id="+uid+"&page_limit=50", admin, nil).JSON(t)["result"].([]any)
	devices := map[string]bool{}
	for _, ev := range events {
		if d, _ := ev.(map[string]any)["details"].(map[string]any); d != nil {
			if dev, _ := d["device_id"].(string); dev != "" {
				devices[dev] = true
				if dev == "ios-7f3a" && d["org_id"] != orgID {
					t.Errorf("login event lacks the org_id: %v", d)
				}
			}
		}
	}
	if !devices["ios-7f3a"] {
		t.Errorf("no audit event records the login's device: %v", events)
	}

	long := strings.Repeat("d", 81)
	res = e.do("POST", "/cis/v1/auth/otp/send", tok, map[string]any{"channel": "direct", "identifier_type": "email", "identifier": "device@example.com", "device_id": long})
	wantStatus(t, res, 400, "system_invalid_input")
	if !strings.Contains(string(res.Body), "device_id must be at most 80 characters") {
		t.Errorf("overlong device_id: %s", res.Body)
	}
}
