package e2e

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// These tests use the Applications API as an integration written for Mosaic does: plain HTTP,
// request bodies as Mosaic's documentation shows them, and answers read by Mosaic's field
// names and types. Nothing here uses Latchkey's own types.

// wantDateTime checks that v is an RFC 3339 date-time string.
func wantDateTime(t *testing.T, what string, v any) {
	t.Helper()
	s, ok := v.(string)
	if _, err := time.Parse(time.RFC3339, s); !ok || err != nil {
		t.Errorf("%s = %#v, want an RFC 3339 date-time string", what, v)
	}
}

// wantTypes checks the JSON type of each member of obj: string, number, bool, array, object,
// or "absent".
func wantTypes(t *testing.T, what string, obj map[string]any, types map[string]string) {
	t.Helper()
	for key, want := range types {
		v, present := obj[key]
		var got string
		switch v.(type) {
		case string:
			got = "string"
		case float64:
			got = "number"
		case bool:
			got = "bool"
		case []any:
			got = "array"
		case map[string]any:
			got = "object"
		case nil:
			got = "null"
		}
		if !present {
			got = "absent"
		}
		if got != want {
			t.Errorf("%s: %s is %s (%v), want %s", what, key, got, v, want)
		}
	}
}

// appTypes are the members of Mosaic's ApiApp and their types.
var appTypes = map[string]string{
	"app_id": "string", "tenant_id": "string", "app_name": "string", "app_description": "string", "logo": "string",
	"client_id": "string", "client_display_name": "string", "client_description": "string", "client_type": "string",
	"redirect_uris": "array", "login_preferences": "object", "created_at": "string", "created_by": "string",
	"updated_at": "string", "resources": "array", "service_providers": "array", "authenticator_preferences": "object",
	"allow_public_signup": "bool",
}

// clientTypes are the members of Mosaic's ApiOidcClient (but client_secret) and their types.
var clientTypes = map[string]string{
	"app_id": "string", "tenant_id": "string", "client_id": "string", "name": "string", "description": "string",
	"resources": "array", "created_at": "string", "updated_at": "string", "authentication_protocol": "string",
	"client_group_id": "string", "default_custom_claims": "array", "redirect_uris": "array", "device_authorization": "object",
	"ciba_authorization": "object", "supported_prompts": "array", "token_expiration": "object", "session_expiration": "number",
	"enforce_par": "bool", "fapi_version_compliancy": "bool",
}

// resourceTypes are the members of Mosaic's resource and their types.
var resourceTypes = map[string]string{
	"resource_id": "string", "tenant_id": "string", "name": "string", "description": "string", "uri": "string",
	"access_token_ttl": "number", "refresh_token_ttl": "number", "max_refresh_rotate": "number",
	"created_at": "string", "updated_at": "string",
}

func TestMosaicApplications(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		admin := e.adminToken()

		// createApp, with the fields of Mosaic's example.
		res := e.do("POST", "/cis/v1/applications", admin, []byte(`{
			"app_name": "My App", "app_description": "string", "client_type": "web",
			"client_display_name": "string", "client_description": "string",
			"redirect_uris": ["https://www.example.com/login"], "logo": "https://www.example.com/logo.png",
			"service_providers": ["sp-1"], "authenticator_preferences": {"is_centralized": false, "login_uri": "https://www.example.com/login"},
			"allow_public_signup": false, "login_uri": "https://www.example.com/login"}`))
		wantStatus(t, res, 201, "")
		app := result(t, res)
		wantTypes(t, "created app", app, appTypes)
		wantTypes(t, "created app", app, map[string]string{"client_secret": "string"})
		wantDateTime(t, "created_at", app["created_at"])
		wantDateTime(t, "updated_at", app["updated_at"])
		appID, clientID := app["app_id"].(string), app["client_id"].(string)
		if app["tenant_id"] != e.boot.TenantID || app["app_description"] != "string" || app["client_display_name"] != "string" ||
			app["logo"] != "https://www.example.com/logo.png" || app["created_by"] != e.boot.AdminClientID {
			t.Errorf("created app: %s", res.Body)
		}
		if jsonAt(app, "login_preferences", "auth_methods", "email_otp", "codeLength") != 6.0 {
			t.Errorf("login_preferences: %v", app["login_preferences"])
		}
		// The default client's secret works at the token endpoint.
		e.clientToken(clientID, app["client_secret"].(string))

		// getAllApps: without logos; getAppsList: basic information; getAppById.
		res = e.do("GET", "/cis/v1/applications", admin, nil)
		wantStatus(t, res, 200, "")
		listed := findBy(t, res.JSON(t)["result"], "app_id", appID)
		wantTypes(t, "listed app", listed, map[string]string{"logo": "absent", "app_description": "string", "client_id": "string"})
		res = e.do("GET", "/cis/v1/applications/list", admin, nil)
		wantStatus(t, res, 200, "")
		basic := findBy(t, res.JSON(t)["result"], "app_id", appID)
		wantTypes(t, "basic app", basic, map[string]string{"app_id": "string", "tenant_id": "string", "app_name": "string",
			"app_description": "string", "login_preferences": "absent"})
		res = e.do("GET", "/cis/v1/applications/"+appID, admin, nil)
		wantStatus(t, res, 200, "")
		wantTypes(t, "app by id", result(t, res), appTypes)

		// updateApp: objects replace, the default client follows its fields.
		res = e.do("PUT", "/cis/v1/applications/"+appID, admin, []byte(`{"app_description": "the shop",
			"client_display_name": "Shop web", "authenticator_preferences": {"is_centralized": true, "login_uri": "https://shop.example/login"}}`))
		wantStatus(t, res, 200, "")
		if got := result(t, res); got["app_description"] != "the shop" || got["client_display_name"] != "Shop web" ||
			jsonAt(got, "authenticator_preferences", "is_centralized") != true || got["logo"] != "https://www.example.com/logo.png" {
			t.Errorf("updated app: %s", res.Body)
		}

		// createAppClient with Mosaic's example input, Latchkey ignoring what it does not have;
		// the client is answered as itself.
		clients := "/cis/v1/applications/" + appID + "/clients"
		res = e.do("POST", clients, admin, []byte(`{"name": "My Client", "description": "string",
			"redirect_uris": ["https://www.example.com/login"], "client_type": "native", "authentication_protocol": "oidc",
			"supported_prompts": ["login"], "pkce": "allowPkceAlongsideClientCredentials", "device_authorization": {"enabled": false},
			"token_expiration": {"access_token_ttl": 3600, "refresh_token_ttl": 1209600, "max_refresh_rotate": 2592000},
			"session_expiration": 86400, "default_custom_claims": ["email", "fname"]}`))
		wantStatus(t, res, 201, "")
		second := res.JSON(t)
		wantTypes(t, "created client", second, clientTypes)
		wantTypes(t, "created client", second, map[string]string{"client_secret": "string", "result": "absent"})
		wantDateTime(t, "client created_at", second["created_at"])
		if second["client_type"] != "native" || second["authentication_protocol"] != "oidc" ||
			jsonAt(second, "token_expiration", "max_refresh_rotate") != 2592000.0 || jsonAt(second, "device_authorization", "enabled") != false {
			t.Errorf("created client: %s", res.Body)
		}
		secondID := second["client_id"].(string)

		// getAppClients answers an array, the default client first; no secret is shown again.
		res = e.do("GET", clients, admin, nil)
		wantStatus(t, res, 200, "")
		list := jsonArray(t, res)
		if len(list) != 2 || list[0]["client_id"] != clientID || list[1]["client_id"] != secondID {
			t.Fatalf("getAppClients: %s", res.Body)
		}
		for _, c := range list {
			wantTypes(t, "listed client", c, clientTypes)
			wantTypes(t, "listed client", c, map[string]string{"client_secret": "absent"})
		}
		res = e.do("GET", clients+"/"+secondID, admin, nil)
		wantStatus(t, res, 200, "")
		wantTypes(t, "client by id", res.JSON(t), clientTypes)
		res = e.do("PUT", clients+"/"+secondID, admin, []byte(`{"name": "Renamed", "token_expiration": {"access_token_ttl": 600}}`))
		wantStatus(t, res, 200, "")
		if got := res.JSON(t); got["name"] != "Renamed" || jsonAt(got, "token_expiration", "access_token_ttl") != 600.0 {
			t.Errorf("updated client: %s", res.Body)
		}

		// Resources, with Mosaic's example input, found by URI.
		res = e.do("POST", "/cis/v1/resources", admin, []byte(`{"name": "My Resource", "description": "string",
			"uri": "https://api.example.com/orders", "access_token_ttl": 600, "refresh_token_ttl": 7200, "max_refresh_rotate": 86400}`))
		wantStatus(t, res, 201, "")
		resource := result(t, res)
		wantTypes(t, "created resource", resource, resourceTypes)
		wantDateTime(t, "resource updated_at", resource["updated_at"])
		resID := resource["resource_id"].(string)
		res = e.do("GET", "/cis/v1/resources/uri?resourceUri="+url.QueryEscape("https://api.example.com/orders"), admin, nil)
		wantStatus(t, res, 200, "")
		if got := result(t, res); got["resource_id"] != resID || got["max_refresh_rotate"] != 86400.0 {
			t.Errorf("resource by URI: %s", res.Body)
		}
		wantStatus(t, e.do("GET", "/cis/v1/resources/uri?resourceUri="+url.QueryEscape("https://api.example.com/none"), admin, nil), 404, "resource_not_found")
		wantStatus(t, e.do("GET", "/cis/v1/resources/uri", admin, nil), 400, "system_invalid_input")
		res = e.do("PUT", "/cis/v1/resources/"+resID, admin, []byte(`{"refresh_token_ttl": 3600}`))
		wantStatus(t, res, 200, "")
		if got := result(t, res); got["refresh_token_ttl"] != 3600.0 || got["access_token_ttl"] != 600.0 {
			t.Errorf("updated resource: %s", res.Body)
		}

		// updateResourcesInApp gives the default client the resources and answers the app;
		// updateAppClientResources gives another client its own.
		res = e.do("PUT", "/cis/v1/applications/"+appID+"/resources", admin, map[string]any{"resource_ids": []string{resID}})
		wantStatus(t, res, 200, "")
		if got := result(t, res); !slices.Equal(stringsOf(got["resources"]), []string{resID}) || got["client_id"] != clientID {
			t.Errorf("updateResourcesInApp: %s", res.Body)
		}
		res = e.do("PUT", clients+"/"+secondID+"/resources", admin, map[string]any{"resource_ids": []string{resID}})
		wantStatus(t, res, 200, "")
		if got := res.JSON(t); !slices.Equal(stringsOf(got["resources"]), []string{resID}) {
			t.Errorf("updateAppClientResources: %s", res.Body)
		}

		// deleteAppClient, then deleteAppClients: the application has no client left.
		wantStatus(t, e.do("DELETE", clients+"/"+secondID, admin, nil), 204, "")
		wantStatus(t, e.do("DELETE", clients, admin, nil), 204, "")
		res = e.do("GET", clients, admin, nil)
		wantStatus(t, res, 200, "")
		if len(jsonArray(t, res)) != 0 {
			t.Errorf("clients after deleteAppClients: %s", res.Body)
		}
		res = e.do("GET", "/cis/v1/applications/"+appID, admin, nil)
		wantStatus(t, res, 200, "")
		wantTypes(t, "app without clients", result(t, res), map[string]string{"client_id": "absent", "resources": "array"})
		wantStatus(t, e.form("/oidc/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID},
			"client_secret": {app["client_secret"].(string)}}, "", ""), 401, "invalid_client")

		wantStatus(t, e.do("DELETE", "/cis/v1/resources/"+resID, admin, nil), 204, "")
		wantStatus(t, e.do("DELETE", "/cis/v1/applications/"+appID, admin, nil), 204, "")
		wantStatus(t, e.do("GET", "/cis/v1/applications/"+appID, admin, nil), 404, "app_not_found")
	})
}

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
	wantStatus(t, e.do("PUT", app, own, map[string]any{"resources": []string{"any"}}), 403, "forbidden")

	for _, other := range []string{otherID, mgmt} {
		for _, c := range []struct{ method, path string }{
			{"GET", "/cis/v1/applications/" + other}, {"PUT", "/cis/v1/applications/" + other},
			{"GET", "/cis/v1/applications/" + other + "/clients"}, {"POST", "/cis/v1/applications/" + other + "/clients"},
			{"DELETE", "/cis/v1/applications/" + other + "/clients"},
			{"GET", "/cis/loginPreferences/" + other}, {"PUT", "/cis/loginPreferences/" + other + "/authMethods"},
		} {
			res := e.do(c.method, c.path, own, map[string]any{"name": "x"})
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
		wantStatus(t, e.do(c.method, c.path, own, map[string]any{"app_name": "x", "resource_ids": []string{}}), 403, "forbidden")
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

// findBy returns the member of a JSON list whose field is id.
func findBy(t *testing.T, list any, field, id string) map[string]any {
	t.Helper()
	items, _ := list.([]any)
	for _, it := range items {
		if m, _ := it.(map[string]any); m[field] == id {
			return m
		}
	}
	t.Fatalf("no item with %s %s in %v", field, id, list)
	return nil
}

func stringsOf(v any) []string {
	out := []string{}
	list, _ := v.([]any)
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// jsonAt follows keys through nested JSON objects, returning nil where one is missing.
func jsonAt(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
