package e2e

import (
	"net/url"
	"testing"
)

// introspectAs asks the introspection endpoint about tok with the demo client's credentials.
func (e *env) introspectAs(id, secret, tok string) map[string]any {
	e.t.Helper()
	res := e.form("/oidc/token/introspection", url.Values{"token": {tok}}, id, secret)
	wantStatus(e.t, res, 200, "")
	return res.JSON(e.t)
}

// managementAppID returns the id of the tenant's management application.
func (e *env) managementAppID(admin string) string {
	e.t.Helper()
	res := e.do("GET", "/cis/v1/applications", admin, nil)
	wantStatus(e.t, res, 200, "")
	for _, a := range res.JSON(e.t)["result"].([]any) {
		if app := a.(map[string]any); app["kind"] == "management" {
			return app["app_id"].(string)
		}
	}
	e.t.Fatal("no management application")
	return ""
}

// A stolen admin token stops working, on the API and at introspection, the moment its
// client's secret is rotated; a token got with the new secret works.
func TestClientRotationRevokesAdminToken(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		stolen := e.adminToken()
		admin := e.adminToken()
		mgmt := e.managementAppID(admin)
		wantStatus(t, e.do("POST", "/cis/v1/applications", stolen, map[string]any{"app_name": "before"}), 201, "")

		res := e.do("POST", "/cis/v1/applications/"+mgmt+"/clients/"+e.boot.AdminClientID+"/secret", admin, nil)
		wantStatus(t, res, 200, "")
		fresh := res.JSON(t)["client_secret"].(string)

		wantStatus(t, e.do("POST", "/cis/v1/applications", stolen, map[string]any{"app_name": "after"}), 401, "unauthorized")
		wantStatus(t, e.do("GET", "/cis/v1/applications", admin, nil), 401, "unauthorized")
		if x := e.introspectAs(e.boot.ClientID, e.boot.ClientSecret, stolen); x["active"] != false {
			t.Fatalf("an admin token issued before its client's rotation is active: %v", x)
		}
		renewed := e.clientToken(e.boot.AdminClientID, fresh)
		wantStatus(t, e.do("POST", "/cis/v1/applications", renewed, map[string]any{"app_name": "after"}), 201, "")
		if x := e.introspectAs(e.boot.ClientID, e.boot.ClientSecret, renewed); x["active"] != true {
			t.Fatalf("a token of the new secret is inactive: %v", x)
		}
	})
}

// Rotating an application client's secret ends its client tokens and the user access tokens
// issued to it; the user's refresh token, which only the client's (new) credentials can
// redeem, gets fresh tokens that work. Deleting the client ends everything of it.
func TestClientRotationRevokesUserAccessTokens(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		admin := e.adminToken()
		app := "/cis/v1/applications/" + e.boot.AppID + "/clients"
		res := e.do("POST", app, admin, map[string]any{"name": "mobile backend"})
		wantStatus(t, res, 201, "")
		created := res.JSON(t)
		id, sec := created["client_id"].(string), created["client_secret"].(string)
		tok := e.clientToken(id, sec)
		e.createUser(tok, "rowan@example.com")
		login := e.directLogin(tok, "rowan@example.com", nil)
		access := login["access_token"].(string)
		if x := e.introspectAs(e.boot.ClientID, e.boot.ClientSecret, access); x["active"] != true {
			t.Fatalf("user access token inactive before rotation: %v", x)
		}

		res = e.do("POST", app+"/"+id+"/secret", admin, nil)
		wantStatus(t, res, 200, "")
		sec = res.JSON(t)["client_secret"].(string)

		wantStatus(t, e.do("GET", "/cis/v1/users", tok, nil), 401, "unauthorized")
		if x := e.introspectAs(e.boot.ClientID, e.boot.ClientSecret, access); x["active"] != false {
			t.Fatalf("a user access token issued before its client's rotation is active: %v", x)
		}
		if x := e.introspectAs(e.boot.ClientID, e.boot.ClientSecret, tok); x["active"] != false {
			t.Fatalf("a client token issued before its rotation is active: %v", x)
		}
		wantStatus(t, e.do("POST", "/cis/v1/auth/webauthn/register/start", access, map[string]any{}), 401, "unauthorized")

		tok = e.clientToken(id, sec)
		res = e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": login["refresh_token"]})
		wantStatus(t, res, 200, "")
		renewed := res.JSON(t)["access_token"].(string)
		if x := e.introspectAs(e.boot.ClientID, e.boot.ClientSecret, renewed); x["active"] != true {
			t.Fatalf("a user access token issued after the rotation is inactive: %v", x)
		}

		wantStatus(t, e.do("DELETE", app+"/"+id, admin, nil), 204, "")
		for name, tk := range map[string]string{"client token": tok, "user access token": renewed, "refresh token": res.JSON(t)["refresh_token"].(string)} {
			if x := e.introspectAs(e.boot.ClientID, e.boot.ClientSecret, tk); x["active"] != false {
				t.Fatalf("%s of a deleted client is active: %v", name, x)
			}
		}
	})
}
