package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/url"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// appIsolationCases cover the Applications API: applications, clients, resources, login
// preferences and signing keys. Routes for one application take A's client token too, which
// reaches A's own application only: B's ids are not found with it either. Tenant-wide routes
// answer a client token 403.
func (f *isoFixture) appIsolationCases() map[string][]isoCase {
	a, b := f.a, f.b
	app := "/cis/v1/applications/" + b.AppID
	mgmt := "/cis/v1/applications/" + b.MgmtAppID
	ownApp := "/cis/v1/applications/" + a.AppID
	bClient := app + "/clients/" + b.ClientID
	bExtra := app + "/clients/" + b.ExtraClientID
	bAdmin := mgmt + "/clients/" + b.AdminClientID
	mixed := ownApp + "/clients/" + b.ClientID
	ownClient := ownApp + "/clients/" + a.ClientID
	res := "/cis/v1/resources/" + b.ResourceID
	bRes := []string{b.ResourceID}
	same := func(name, method, path string, body any, status int) isoCase {
		return isoCase{name: name, do: f.call(method, path, body), admin: status, client: status}
	}
	adminOnly := func(name, method, path string, body any, status int) isoCase {
		return isoCase{name: name, do: f.call(method, path, body), admin: status, client: 403}
	}
	keys := "/cis/v1/applications/signing-keys"
	bKey := f.tenantKey(b)

	return map[string][]isoCase{
		"POST /cis/v1/applications": {{
			name: "create in A", do: f.call("POST", "/cis/v1/applications", map[string]any{"app_name": "Copy", "kind": "standard"}),
			admin: 201, client: 403, after: f.deleteCreated("app_id", "/cis/v1/applications/"),
		}},
		"GET /cis/v1/applications": {{name: "list", do: f.call("GET", "/cis/v1/applications", nil), admin: 200, client: 403,
			after: f.noneOfB("app_id", b.AppID, b.MgmtAppID)}},
		"GET /cis/v1/applications/list": {{name: "list", do: f.call("GET", "/cis/v1/applications/list", nil), admin: 200, client: 403,
			after: f.noneOfB("app_id", b.AppID, b.MgmtAppID)}},
		"GET /cis/v1/applications/{appId}": {
			same("B's app", "GET", app, nil, 404), same("B's management app", "GET", mgmt, nil, 404),
		},
		"PUT /cis/v1/applications/{appId}": {
			same("B's app", "PUT", app, map[string]any{"app_name": "Hijacked", "allow_public_signup": true}, 404),
			same("B's app's redirect URIs", "PUT", app, map[string]any{"redirect_uris": []string{"https://evil.example/cb"}}, 404),
		},
		"DELETE /cis/v1/applications/{appId}": {
			adminOnly("B's app", "DELETE", app, nil, 404), adminOnly("B's management app", "DELETE", mgmt, nil, 404),
		},
		"PUT /cis/v1/applications/{appId}/resources": {
			adminOnly("B's app", "PUT", app+"/resources", map[string]any{"resource_ids": []string{}}, 404),
			adminOnly("B's resource on A's app", "PUT", ownApp+"/resources", map[string]any{"resource_ids": bRes}, 400),
		},
		"POST /cis/v1/applications/{appId}/clients": {
			same("B's app", "POST", app+"/clients", map[string]any{"name": "Backdoor"}, 404),
			{name: "B's resource on A's app", do: f.call("POST", ownApp+"/clients", map[string]any{"name": "X", "resources": bRes}),
				admin: 400, client: 403},
		},
		"GET /cis/v1/applications/{appId}/clients":    {same("B's app", "GET", app+"/clients", nil, 404)},
		"DELETE /cis/v1/applications/{appId}/clients": {same("B's app", "DELETE", app+"/clients", nil, 404), same("B's management app", "DELETE", mgmt+"/clients", nil, 404)},
		"GET /cis/v1/applications/{appId}/clients/{clientId}": {
			same("B's client", "GET", bClient, nil, 404), same("B's second client", "GET", bExtra, nil, 404),
			same("B's client under A's app", "GET", mixed, nil, 404),
		},
		"PUT /cis/v1/applications/{appId}/clients/{clientId}": {
			same("B's client", "PUT", bClient, map[string]any{"name": "Hijacked", "redirect_uris": []string{"https://evil.example/cb"}}, 404),
			same("B's client under A's app", "PUT", mixed, map[string]any{"name": "Hijacked"}, 404),
			{name: "B's resource on A's client", do: f.call("PUT", ownClient, map[string]any{"resources": bRes}), admin: 400, client: 403},
		},
		"DELETE /cis/v1/applications/{appId}/clients/{clientId}": {
			same("B's client", "DELETE", bClient, nil, 404), same("B's admin client", "DELETE", bAdmin, nil, 404),
			same("B's client under A's app", "DELETE", mixed, nil, 404),
		},
		"PUT /cis/v1/applications/{appId}/clients/{clientId}/resources": {
			adminOnly("B's client", "PUT", bClient+"/resources", map[string]any{"resource_ids": []string{}}, 404),
			adminOnly("B's client under A's app", "PUT", mixed+"/resources", map[string]any{"resource_ids": []string{}}, 404),
			adminOnly("B's resource on A's client", "PUT", ownClient+"/resources", map[string]any{"resource_ids": bRes}, 400),
		},
		"POST /cis/v1/applications/{appId}/clients/{clientId}/secret": {
			same("B's client", "POST", bClient+"/secret", nil, 404), same("B's admin client", "POST", bAdmin+"/secret", nil, 404),
			same("B's client under A's app", "POST", mixed+"/secret", nil, 404),
		},

		"POST /cis/v1/resources": {{
			name: "B's resource URI is free in A", do: f.call("POST", "/cis/v1/resources", map[string]any{"uri": b.ResourceURI, "name": "Copy"}),
			admin: 201, client: 403, after: f.deleteCreated("resource_id", "/cis/v1/resources/"),
		}},
		"GET /cis/v1/resources":              {adminOnly("list", "GET", "/cis/v1/resources", nil, 200)},
		"GET /cis/v1/resources/uri":          {adminOnly("B's resource URI", "GET", "/cis/v1/resources/uri?resourceUri="+url.QueryEscape(b.ResourceURI), nil, 404)},
		"GET /cis/v1/resources/{resourceId}": {adminOnly("B's resource", "GET", res, nil, 404)},
		"PUT /cis/v1/resources/{resourceId}": {adminOnly("B's resource", "PUT", res, map[string]any{"uri": "https://evil.example/"}, 404)},
		"DELETE /cis/v1/resources/{resourceId}": {
			adminOnly("B's resource", "DELETE", res, nil, 404),
		},

		"GET /cis/loginPreferences/{appId}": {same("B's app", "GET", "/cis/loginPreferences/"+b.AppID, nil, 404)},
		"PUT /cis/loginPreferences/{appId}/authMethods": {
			same("B's app", "PUT", "/cis/loginPreferences/"+b.AppID+"/authMethods", map[string]any{"email_otp": map[string]any{"maxFailures": 1}}, 404),
		},

		"GET " + keys: {{name: "list", do: f.call("GET", keys, nil), admin: 200, client: 403,
			after: func(t *testing.T, res response) {
				t.Helper()
				for _, k := range jsonArray(t, res) {
					if k["id"] == bKey || k["tenant_id"] == b.TenantID {
						t.Errorf("A's key list shows B's key: %v", k)
					}
				}
			}}},
		"POST " + keys: {{name: "create in A", do: f.call("POST", keys, map[string]any{"name": "A's key"}), admin: 201, client: 403,
			after: f.deleteCreatedKey}},
		"POST " + keys + "/upload": {{name: "upload in A", do: f.callFn("POST", keys+"/upload", func() any {
			return map[string]any{"name": "A's upload", "jwk": privateJWK(f.e.t)}
		}), admin: 201, client: 403, after: f.deleteCreatedKey}},
		"PUT " + keys + "/{id}": {
			adminOnly("B's key", "PUT", keys+"/"+bKey, map[string]any{"status": "signing", "name": "hijacked"}, 404),
		},
		"DELETE " + keys + "/{id}": {adminOnly("B's key", "DELETE", keys+"/"+bKey, nil, 404)},
	}
}

// tenantKey gives r's tenant a key of its own and returns its id.
func (f *isoFixture) tenantKey(r *tenantRecords) string {
	f.e.t.Helper()
	res := f.e.do("POST", "/cis/v1/applications/signing-keys", r.admin, map[string]any{"name": "own key"})
	wantStatus(f.e.t, res, 201, "")
	return res.JSON(f.e.t)["id"].(string)
}

// noneOfB checks that a list answered with result holds none of the ids of B's records.
func (f *isoFixture) noneOfB(field string, ids ...string) func(*testing.T, response) {
	return func(t *testing.T, res response) {
		t.Helper()
		list, _ := res.JSON(t)["result"].([]any)
		for _, item := range list {
			m, _ := item.(map[string]any)
			for _, id := range ids {
				if m[field] == id || m["tenant_id"] == f.b.TenantID {
					t.Errorf("A's list shows B's record: %v", m)
				}
			}
		}
	}
}

// privateJWK returns a new RSA private key as a JWK object, as an upload sends it.
func privateJWK(t *testing.T) map[string]any {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jose.JSONWebKey{Key: priv, Algorithm: "RS256"}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// deleteCreatedKey removes a key a successful create or upload made in tenant A.
func (f *isoFixture) deleteCreatedKey(t *testing.T, res response) {
	t.Helper()
	k := res.JSON(t)
	id, _ := k["id"].(string)
	if id == "" || k["tenant_id"] != f.a.TenantID || k["status"] != "validating" {
		t.Errorf("created key: %s", res.Body)
		return
	}
	wantStatus(t, f.e.do("DELETE", "/cis/v1/applications/signing-keys/"+id, f.a.admin, nil), 204, "")
}

// jsonArray decodes a body that is a JSON array of objects, as Mosaic's client and key lists
// are.
func jsonArray(t *testing.T, res response) []map[string]any {
	t.Helper()
	var out []map[string]any
	if err := json.Unmarshal(res.Body, &out); err != nil {
		t.Fatalf("response is not a JSON array of objects (status %d): %s", res.Status, res.Body)
	}
	return out
}
