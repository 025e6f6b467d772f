package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// More of the Applications API as a Mosaic integration uses it (see mosaic_apps_test.go):
// login preferences, an application's own token, redirect URIs on the application, the
// lifetimes a resource gives tokens, and signing keys.

// Mosaic's guides set login methods with the application's own client access token; the
// sections of methods Latchkey does not implement are kept and named in not_implemented.
func TestMosaicLoginPreferences(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		own := e.appToken()
		path := "/cis/loginPreferences/" + e.boot.AppID
		res := e.do("PUT", path+"/authMethods", own, []byte(`{
			"google": {"clientId": "string", "clientSecret": "google-secret"},
			"facebook": {"clientId": "string", "clientSecret": "facebook-secret"},
			"apple": {"clientId": "string", "clientSecret": "apple-secret", "appleTeamId": "string", "keyId": "string"},
			"line": {"clientId": "string", "clientSecret": "line-secret"},
			"email": {"expiresIn": 10, "message": {"primaryColor": "#336699", "from": "Shop <no-reply@shop.example>", "subject": "string"}},
			"email_otp": {"expiresIn": 5, "lockoutDuration": 15, "maxFailures": 3, "codeLength": 6,
				"message": {"primaryColor": "#336699", "from": "Shop <no-reply@shop.example>", "subject": "string"}},
			"sms": {"expiresIn": 5, "lockoutDuration": 15, "maxFailures": 3, "codeLength": 6},
			"password": {"resetValidityMinutes": 5, "passwordComplexity": 5, "passwordMinLength": 14, "blockPreviousPasswords": 0,
				"passwordExpiresIn": 90, "ignoreExpiration": false, "maxPasswordFailures": 5, "passwordSuspensionDuration": 15,
				"failuresExpireIn": 15, "tempPasswordValidityHours": 24, "message": {"primaryColor": "#336699"}, "requireMFA": false, "codeLength": 6},
			"totp": {"algorithm": "sha1", "digits": 6, "period": 30, "window": 2, "issuer": "My Company", "maxFailures": 3, "lockoutDuration": 15},
			"push": {"apn": {"key": "apn-secret", "keyId": "K1", "teamId": "T1", "bundle": "com.example.app", "isProduction": false}},
			"pin_authenticator": {"failuresExpireIn": 15, "lockoutTiers": [{"attempts": 3, "duration": 15}]},
			"face": {"saveImageEmbedding": true}
		}`))
		wantStatus(t, res, 200, "")
		for _, res := range []response{res, e.do("GET", path, own, nil)} {
			wantStatus(t, res, 200, "")
			prefs := result(t, res)
			want := []string{"apple", "face", "facebook", "google", "line", "pin_authenticator", "push"}
			if got := stringsOf(prefs["not_implemented"]); !slices.Equal(got, want) {
				t.Errorf("not_implemented = %v, want %v", got, want)
			}
			if jsonAt(prefs, "auth_methods", "google", "clientId") != "string" || jsonAt(prefs, "auth_methods", "apple", "keyId") != "string" ||
				jsonAt(prefs, "auth_methods", "email_otp", "maxFailures") != 3.0 || jsonAt(prefs, "auth_methods", "totp", "window") != 2.0 {
				t.Errorf("login preferences: %s", res.Body)
			}
			for _, secret := range []string{"google-secret", "facebook-secret", "apple-secret", "line-secret", "apn-secret"} {
				if strings.Contains(string(res.Body), secret) {
					t.Errorf("a provider secret is shown: %s", secret)
				}
			}
		}
		// The application object carries the same login preferences.
		res = e.do("GET", "/cis/v1/applications/"+e.boot.AppID, own, nil)
		wantStatus(t, res, 200, "")
		if got := stringsOf(jsonAt(result(t, res), "login_preferences", "not_implemented")); len(got) != 7 {
			t.Errorf("the application's login_preferences.not_implemented = %v", got)
		}
	})
}

// An application's own client token reaches its application, clients and login preferences,
// as Mosaic's ClientAccessToken does, but no other application of the tenant, and nothing
// tenant-wide.
func TestMosaicApplicationToken(t *testing.T) {
	e := newEnv(t, envOptions{})
	admin, own := e.adminToken(), e.appToken()
	mgmt := e.managementAppID(admin)
	otherID, _ := e.secondApp("sibling")
	app := "/cis/v1/applications/" + e.boot.AppID

	wantStatus(t, e.do("GET", app, own, nil), 200, "")
	res := e.do("PUT", app, own, map[string]any{"app_description": "set by the app itself"})
	wantStatus(t, res, 200, "")
	// The change is audited as an administrator's would be, naming the application's client.
	res = e.do("GET", "/cis/v1/audit?type=admin.change&app_id="+e.boot.AppID, admin, nil)
	wantStatus(t, res, 200, "")
	audited := false
	for _, ev := range res.JSON(t)["result"].([]any) {
		m := ev.(map[string]any)
		audited = audited || m["method"] == "PUT /cis/v1/applications/{appId}" && m["client_id"] == e.boot.ClientID
	}
	if !audited {
		t.Errorf("no admin.change event for the application's own change: %s", res.Body)
	}
	res = e.do("POST", app+"/clients", own, map[string]any{"name": "another backend", "redirect_uris": []string{"https://app.example/cb"}})
	wantStatus(t, res, 201, "")
	created := res.JSON(t)
	e.clientToken(created["client_id"].(string), created["client_secret"].(string))
	res = e.do("GET", app+"/clients", own, nil)
	wantStatus(t, res, 200, "")
	if len(jsonArray(t, res)) != 2 {
		t.Errorf("own clients: %s", res.Body)
	}
	wantStatus(t, e.do("POST", app+"/clients/"+created["client_id"].(string)+"/secret", own, nil), 200, "")
	wantStatus(t, e.do("DELETE", app+"/clients/"+created["client_id"].(string), own, nil), 204, "")
	// It cannot delete the client it speaks for, nor give resources.
	wantStatus(t, e.do("DELETE", app+"/clients/"+e.boot.ClientID, own, nil), 409, "conflict")
	wantStatus(t, e.do("DELETE", app+"/clients", own, nil), 409, "conflict")
	wantStatus(t, e.do("PUT", app, own, map[string]any{"resources": []string{"any"}}), 403, "insufficient_permissions")

	for _, other := range []string{otherID, mgmt} {
		for _, c := range []struct{ method, path string }{
			{"GET", "/cis/v1/applications/" + other}, {"PUT", "/cis/v1/applications/" + other},
			{"GET", "/cis/v1/applications/" + other + "/clients"}, {"POST", "/cis/v1/applications/" + other + "/clients"},
			{"DELETE", "/cis/v1/applications/" + other + "/clients"},
			{"GET", "/cis/loginPreferences/" + other}, {"PUT", "/cis/loginPreferences/" + other + "/authMethods"},
		} {
			res := e.do(c.method, c.path, own, map[string]any{})
			if c.method == "GET" || c.method == "DELETE" {
				res = e.do(c.method, c.path, own, nil)
			}
			wantStatus(t, res, 404, "app_not_found")
		}
	}
	for _, c := range []struct{ method, path string }{
		{"POST", "/cis/v1/applications"}, {"GET", "/cis/v1/applications"}, {"GET", "/cis/v1/applications/list"},
		{"DELETE", "/cis/v1/applications/" + otherID}, {"GET", "/cis/v1/resources"}, {"GET", "/cis/v1/applications/signing-keys"},
		{"PUT", app + "/resources"},
	} {
		wantStatus(t, e.do(c.method, c.path, own, map[string]any{"app_name": "x", "resource_ids": []string{}}), 403, "insufficient_permissions")
	}
}

// Mosaic's guides have redirect URIs added to the application; a magic link may go to one
// of them from any client of the application, as well as to the client's own.
func TestMosaicRedirectURIsOfTheApplication(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		admin := e.adminToken()
		res := e.do("POST", "/cis/v1/applications", admin, map[string]any{"app_name": "Links", "client_display_name": "web",
			"redirect_uris": []string{"https://links.example/verify"}})
		wantStatus(t, res, 201, "")
		appID := result(t, res)["app_id"].(string)
		// A second client with no redirect URI of its own.
		res = e.do("POST", "/cis/v1/applications/"+appID+"/clients", admin, map[string]any{"name": "mobile backend"})
		wantStatus(t, res, 201, "")
		c := res.JSON(t)
		tok := e.clientToken(c["client_id"].(string), c["client_secret"].(string))
		e.createUser(tok, "lin@example.com")
		send := func(uri string) response {
			e.clock.Advance(time.Minute) // each send within the per-user link limit
			tok := e.clientToken(c["client_id"].(string), c["client_secret"].(string))
			return e.do("POST", linkSend, tok, map[string]any{"channel": "direct", "identifier_type": "email",
				"identifier": "lin@example.com", "redirect_uri": uri})
		}
		res = send("https://links.example/verify")
		wantStatus(t, res, 200, "")
		if link := res.JSON(t)["link"].(string); !strings.HasPrefix(link, "https://links.example/verify?") {
			t.Errorf("link %s", link)
		}
		wantStatus(t, send("https://links.example/other"), 400, "invalid_redirect_uri")
		wantStatus(t, send("http://localhost:3000/callback"), 400, "invalid_redirect_uri") // another application's

		// The application's list changes; the client's own list too is accepted.
		wantStatus(t, e.do("PUT", "/cis/v1/applications/"+appID, admin, map[string]any{"redirect_uris": []string{"https://links.example/v2"}}), 200, "")
		wantStatus(t, send("https://links.example/verify"), 400, "invalid_redirect_uri")
		wantStatus(t, send("https://links.example/v2"), 200, "")
		wantStatus(t, e.do("PUT", "/cis/v1/applications/"+appID+"/clients/"+c["client_id"].(string), admin,
			map[string]any{"redirect_uris": []string{"https://mobile.links.example/cb"}}), 200, "")
		wantStatus(t, send("https://mobile.links.example/cb"), 200, "")
		wantStatus(t, send("https://links.example/v2"), 200, "")
	})
}

// A resource's lifetimes shape the tokens of a login for it: the access token's, each
// refresh token's, and the absolute end of the login's refresh tokens.
func TestMosaicResourceLifetimes(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		admin := e.adminToken()
		res := e.do("POST", "/cis/v1/resources", admin, []byte(`{"name": "Orders", "uri": "https://api.example.com/orders",
			"access_token_ttl": 300, "refresh_token_ttl": 3600, "max_refresh_rotate": 7200}`))
		wantStatus(t, res, 201, "")
		resID := result(t, res)["resource_id"].(string)
		wantStatus(t, e.do("PUT", "/cis/v1/applications/"+e.boot.AppID+"/clients/"+e.boot.ClientID+"/resources", admin,
			map[string]any{"resource_ids": []string{resID}}), 200, "")
		tok := e.appToken()
		e.createUser(tok, "tia@example.com")
		login := e.directLogin(tok, "tia@example.com", map[string]any{"resource": "https://api.example.com/orders"})
		if login["expires_in"] != 300.0 {
			t.Errorf("expires_in %v, want the resource's 300", login["expires_in"])
		}
		refresh := func(rt string) response {
			return e.do("POST", "/cis/v1/auth/token/refresh", e.appToken(), map[string]any{"refresh_token": rt})
		}
		// Refreshed every 50 minutes, the login's tokens live until two hours after it.
		rt := login["refresh_token"].(string)
		for range 2 {
			e.clock.Advance(50 * time.Minute)
			res := refresh(rt)
			wantStatus(t, res, 200, "")
			if res.JSON(t)["expires_in"] != 300.0 {
				t.Errorf("refreshed expires_in %v, want 300", res.JSON(t)["expires_in"])
			}
			rt = res.JSON(t)["refresh_token"].(string)
		}
		e.clock.Advance(21 * time.Minute) // 2h01 after the login, 21 minutes after the last refresh
		wantStatus(t, refresh(rt), 400, "invalid_grant")

		// Without max_refresh_rotate, only refresh_token_ttl ends them: unused for longer, dead.
		wantStatus(t, e.do("PUT", "/cis/v1/resources/"+resID, e.adminToken(), map[string]any{"max_refresh_rotate": 0}), 200, "")
		login = e.directLogin(e.appToken(), "tia@example.com", map[string]any{"resource": "https://api.example.com/orders"})
		rt = login["refresh_token"].(string)
		for range 3 {
			e.clock.Advance(55 * time.Minute)
			res := refresh(rt)
			wantStatus(t, res, 200, "")
			rt = res.JSON(t)["refresh_token"].(string)
		}
		e.clock.Advance(61 * time.Minute)
		wantStatus(t, refresh(rt), 400, "invalid_grant")
	})
}

// Signing keys: Mosaic's operations over the tenant's keys. A key made signing signs the
// tenant's tokens and is published; the deployment's keys are listed as global.
func TestMosaicSigningKeys(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		admin := e.adminToken()
		keys := "/cis/v1/applications/signing-keys"
		res := e.do("POST", keys, admin, map[string]any{"name": "My key"})
		wantStatus(t, res, 201, "")
		key := res.JSON(t)
		wantTypes(t, "created key", key, map[string]string{"id": "string", "app_id": "string", "tenant_id": "string", "kid": "string",
			"name": "string", "status": "string", "source": "string", "created_at": "string", "updated_at": "string", "deleted_at": "null"})
		if key["status"] != "validating" || key["source"] != "mosaic" || key["kid"] != key["id"] || key["tenant_id"] != e.boot.TenantID {
			t.Errorf("created key: %s", res.Body)
		}
		kid := key["id"].(string)
		if !publishedKids(t, e)[kid] {
			t.Error("a validating key is not published")
		}
		res = e.do("GET", keys, admin, nil)
		wantStatus(t, res, 200, "")
		sources := map[string]int{}
		for _, k := range jsonArray(t, res) {
			sources[k["source"].(string)]++
		}
		if sources["mosaic"] != 1 || sources["global"] < 1 {
			t.Errorf("key sources: %v", sources)
		}

		e.clock.Advance(time.Second)
		res = e.do("PUT", keys+"/"+kid, admin, map[string]any{"status": "signing", "name": "Renamed"})
		wantStatus(t, res, 200, "")
		if got := res.JSON(t); got["status"] != "signing" || got["name"] != "Renamed" {
			t.Errorf("updated key: %s", res.Body)
		}
		tok := e.appToken()
		if got := jwtKid(t, tok); got != kid {
			t.Errorf("a new token is signed with %s, want the tenant's key %s", got, kid)
		}
		wantStatus(t, e.do("GET", "/cis/v1/users", tok, nil), 200, "")

		// The deployment's keys are not the tenant's to change.
		for _, k := range jsonArray(t, e.do("GET", keys, admin, nil)) {
			if k["source"] == "global" {
				wantStatus(t, e.do("DELETE", keys+"/"+k["id"].(string), admin, nil), 403, "forbidden")
				wantStatus(t, e.do("PUT", keys+"/"+k["id"].(string), admin, map[string]any{"name": "mine"}), 403, "forbidden")
			}
		}
		// Deleting the signing key ends its tokens; new ones are signed with the shared keys.
		wantStatus(t, e.do("DELETE", keys+"/"+kid, admin, nil), 204, "")
		wantStatus(t, e.do("GET", "/cis/v1/users", tok, nil), 401, "unauthorized")
		if got := jwtKid(t, e.appToken()); got == kid {
			t.Error("a token is still signed with the deleted key")
		}
		wantStatus(t, e.do("DELETE", keys+"/"+kid, admin, nil), 404, "not_found")

		// Upload, with a key of Latchkey's own naming.
		res = e.do("POST", keys+"/upload", admin, map[string]any{"name": "Brought", "jwk": privateJWK(t)})
		wantStatus(t, res, 201, "")
		if up := res.JSON(t); up["source"] != "uploaded" || up["status"] != "validating" {
			t.Errorf("uploaded key: %s", res.Body)
		}
		wantStatus(t, e.do("POST", keys+"/upload", admin, map[string]any{"name": "Public", "jwk": map[string]any{"kty": "RSA", "n": "AQAB", "e": "AQAB"}}),
			400, "system_invalid_input")
	})
}
