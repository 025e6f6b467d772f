package e2e

import (
	"net/url"
	"slices"
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
