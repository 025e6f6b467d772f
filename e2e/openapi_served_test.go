package e2e

import (
	"bytes"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/latchkey/latchkey/internal/httpapi"
)

func TestOpenAPIServedIsEmbeddedDocument(t *testing.T) {
	e := newEnv(t, envOptions{})
	res := e.do("GET", "/openapi.json", "", nil)
	wantStatus(t, res, 200, "")
	if !bytes.Equal(res.Body, httpapi.OpenAPI()) {
		t.Fatalf("served document (%d bytes) differs from the embedded one (%d bytes)", len(res.Body), len(httpapi.OpenAPI()))
	}
	if ct := res.Header.Get("Content-Type"); !isJSON(ct) {
		t.Fatalf("Content-Type %q, want application/json", ct)
	}
	if got := res.JSON(t)["openapi"]; got != "3.1.0" {
		t.Fatalf("openapi = %v, want 3.1.0", got)
	}
}

// TestOpenAPIFindPrefersLiteralSegments checks the checker's own path matching, on which
// every other check relies.
func TestOpenAPIFindPrefersLiteralSegments(t *testing.T) {
	s, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ method, path, want string }{
		{"GET", "/cis/v1/users/email/ada@example.com", "getUserByEmail"},
		{"GET", "/cis/v1/users/abc123", "getUserById"},
		{"GET", "/cis/v1/users/email", "getUserById"},
		{"GET", "/cis/v1/users/count", "getUsersCount"},
		{"GET", "/cis/v1/users/me/device-keys", "getDeviceKeysForTenant"},
		{"GET", "/cis/v1/users/abc123/groups", "getUserGroups"},
		{"GET", "/cis/v1/users/phone-number/%2B15555550100", "getUserByPhone"},
		{"DELETE", "/cis/v1/users/email/apps", "removeUserFromApp"},
		{"PUT", "/cis/v1/applications/a1/clients/c1/resources", "setClientResources"},
		{"GET", "/cis/v1/users/email/", ""},
		{"PATCH", "/cis/v1/users", ""},
		{"GET", "/cis/v1/nothing", ""},
	}
	for _, c := range cases {
		got := ""
		if op := s.find(c.method, c.path); op != nil {
			got = op.id
		}
		if got != c.want {
			t.Errorf("%s %s: operation %q, want %q", c.method, c.path, got, c.want)
		}
	}
}

// validClientJSON is a client as GET .../clients/{clientId} answers it.
const validClientJSON = `{"app_id":"a","tenant_id":"t","client_id":"c","name":"","description":"","resources":[],` +
	`"created_at":"2025-01-02T03:04:05.000Z","updated_at":"2025-01-02T03:04:05.000Z","authentication_protocol":"oidc",` +
	`"client_group_id":"","default_custom_claims":[],"redirect_uris":[],"client_type":"web",` +
	`"device_authorization":{"enabled":false,"approval_uri":"","success_uri":"","input_uri":""},"ciba_authorization":{"enabled":false},` +
	`"supported_prompts":[],"token_expiration":{"access_token_ttl":0,"refresh_token_ttl":0,"max_refresh_rotate":0},` +
	`"session_expiration":0,"enforce_par":false,"fapi_version_compliancy":false,"role_ids":[]}`

// TestOpenAPISchemasAreStrict feeds known-bad bodies to compiled response schemas: a check
// that accepted anything would make every e2e test pass vacuously.
func TestOpenAPISchemasAreStrict(t *testing.T) {
	s, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	bad := []struct{ method, path, status, body string }{
		// A client may never carry its secret's hash, nor, once created, its secret.
		{"GET", "/cis/v1/applications/a1/clients/c1", "200", strings.Replace(validClientJSON, "{", `{"secret_hash":"x",`, 1)},
		{"GET", "/cis/v1/applications/a1/clients/c1", "200", strings.Replace(validClientJSON, "{", `{"client_secret":"x",`, 1)},
		{"GET", "/cis/v1/applications/a1/clients/c1", "200", strings.Replace(validClientJSON, `"2025-01-02T03:04:05.000Z"`, `1735787045000`, 1)},
		{"GET", "/cis/oidc/jwks", "200", `{"keys":[{"kty":"EC","kid":"k","use":"sig","alg":"ES256","crv":"P-256","x":"a","y":"b","d":"private"}]}`},
		{"GET", "/cis/v1/users/u1", "404", `{"message":"user not found","error_code":"app_not_found","request_id":"r"}`},
		{"GET", "/cis/v1/users/u1", "200", `{"result":{"user_id":"u","status":"Active","created_at":"yesterday","updated_at":1}}`},
		{"POST", "/cis/v1/auth/otp/authenticate", "200", `{"access_token":"a","token_type":"Bearer","expires_in":3600}`},
		{"POST", "/oidc/token", "401", `{"error":"invalid_request"}`},
	}
	// The bad bodies differ from a valid one by one thing only.
	if err := s.find("GET", "/cis/v1/applications/a1/clients/c1").responses["200"].schema.Validate(mustUnmarshal(t, validClientJSON)); err != nil {
		t.Fatalf("the schema refuses a valid client: %v", err)
	}
	for _, b := range bad {
		op := s.find(b.method, b.path)
		if op == nil || op.responses[b.status] == nil || op.responses[b.status].schema == nil {
			t.Fatalf("%s %s %s: no documented schema", b.method, b.path, b.status)
		}
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(b.body))
		if err != nil {
			t.Fatal(err)
		}
		if err := op.responses[b.status].schema.Validate(v); err == nil {
			t.Errorf("%s %s %s: schema accepts %s", b.method, b.path, b.status, b.body)
		}
	}
}

func mustUnmarshal(t *testing.T, body string) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
