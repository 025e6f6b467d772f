package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
	"github.com/latchkey/latchkey/internal/tenancy"
	"github.com/latchkey/latchkey/internal/token"
)

const adminTestIssuer = "http://latchkey.test"

// adminFixture is a server over a fresh store with one bootstrapped tenant.
type adminFixture struct {
	h    http.Handler
	boot tenancy.Bootstrap
}

func newAdminFixture(t *testing.T) *adminFixture {
	t.Helper()
	store := sqlstore.NewTestStore(t, false)
	keys, err := secret.NewKeys(secret.NewMasterKey())
	if err != nil {
		t.Fatalf("new keys: %v", err)
	}
	tm, err := token.NewManager(store, keys, token.Options{Issuer: adminTestIssuer})
	if err != nil {
		t.Fatalf("new token manager: %v", err)
	}
	ten := tenancy.New(store, keys, tm, tenancy.Options{})
	boot, err := ten.Bootstrap(t.Context(), "acme", false)
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	srv := New(Config{
		Auth:      auth.New(store, tm, keys, ten, auth.Options{Issuer: adminTestIssuer}),
		Tenancy:   ten,
		Tokens:    tm,
		PublicURL: adminTestIssuer,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	return &adminFixture{h: srv.Handler(), boot: boot}
}

// clientToken gets a client-credentials access token, failing the test if it cannot.
func (f *adminFixture) clientToken(t *testing.T, id, sec string) string {
	t.Helper()
	status, body := f.tokenRequest(id, sec)
	if status != http.StatusOK {
		t.Fatalf("token for %s: status %d, body %v", id, status, body)
	}
	tok, _ := body["access_token"].(string)
	if tok == "" {
		t.Fatalf("token for %s: no access_token in %v", id, body)
	}
	return tok
}

func (f *adminFixture) tokenRequest(id, sec string) (int, map[string]any) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {sec}}
	req := httptest.NewRequest(http.MethodPost, "/oidc/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return f.serve(req)
}

// call sends a JSON request with a bearer token and decodes the JSON answer, if any.
func (f *adminFixture) call(t *testing.T, method, path, bearer string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", "Bearer "+bearer)
	req.Header.Set("Content-Type", "application/json")
	return f.serve(req)
}

func (f *adminFixture) serve(req *http.Request) (int, map[string]any) {
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

// want checks a status and returns the "result" member of the body.
func want[T any](t *testing.T, what string, status int, body map[string]any, wantStatus int) T {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("%s: status %d, want %d; body %v", what, status, wantStatus, body)
	}
	r, _ := body["result"].(T)
	return r
}

// dig follows keys through nested JSON objects, returning nil where one is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func TestAdminAPI(t *testing.T) {
	f := newAdminFixture(t)
	admin := f.clientToken(t, f.boot.AdminClientID, f.boot.AdminClientSecret)

	// A standard application's token is refused.
	demo := f.clientToken(t, f.boot.ClientID, f.boot.ClientSecret)
	if status, body := f.call(t, "GET", "/cis/v1/applications", demo, nil); status != http.StatusForbidden {
		t.Errorf("list applications with a client token: status %d, body %v", status, body)
	}

	status, body := f.call(t, "POST", "/cis/v1/applications", admin, map[string]any{
		"app_name": "Shop", "redirect_uris": []string{"https://shop.example/cb"}, "allow_public_signup": true,
	})
	app := want[map[string]any](t, "create application", status, body, http.StatusCreated)
	appID, _ := app["app_id"].(string)
	if appID == "" || app["client_id"] == "" || app["client_secret"] == "" || app["allow_public_signup"] != true {
		t.Fatalf("created application: %v", app)
	}
	if got := dig(app, "login_preferences", "auth_methods", "email_otp", "codeLength"); got != 6.0 {
		t.Errorf("embedded login preferences: email_otp.codeLength %v, want 6; %v", got, app["login_preferences"])
	}
	status, body = f.call(t, "GET", "/cis/v1/applications", admin, nil)
	list := want[[]any](t, "list applications", status, body, http.StatusOK)
	if len(list) != 3 {
		t.Errorf("applications: got %d, want 3", len(list))
	}
	status, body = f.call(t, "PUT", "/cis/v1/applications/"+appID, admin, map[string]any{"app_description": "the shop"})
	if got := want[map[string]any](t, "update application", status, body, http.StatusOK); got["app_description"] != "the shop" || got["app_name"] != "Shop" {
		t.Errorf("updated application: %v", got)
	}

	status, body = f.call(t, "POST", "/cis/v1/resources", admin, map[string]any{"uri": "https://api.shop.example", "name": "API"})
	res := want[map[string]any](t, "create resource", status, body, http.StatusCreated)
	resID, _ := res["resource_id"].(string)
	status, body = f.call(t, "POST", "/cis/v1/resources", admin, map[string]any{"uri": "https://api.shop.example"})
	if status != http.StatusConflict || body["error_code"] != 409.0 || body["ts_error_code"] != "conflict" {
		t.Errorf("duplicate resource: status %d, body %v", status, body)
	}

	clients := "/cis/v1/applications/" + appID + "/clients"
	status, body = f.call(t, "POST", clients, admin, map[string]any{
		"name": "web", "resources": []string{resID}, "token_expiration": map[string]any{"access_token_ttl": 600},
	})
	// Mosaic's client operations answer the client itself, not wrapped in result.
	if status != http.StatusCreated {
		t.Fatalf("create client: status %d, body %v", status, body)
	}
	cl := body
	clientID, _ := cl["client_id"].(string)
	oldSecret, _ := cl["client_secret"].(string)
	if clientID == "" || oldSecret == "" || dig(cl, "token_expiration", "access_token_ttl") != 600.0 {
		t.Fatalf("created client: %v", cl)
	}
	for k := range cl {
		if strings.Contains(k, "hash") {
			t.Errorf("client JSON exposes %q", k)
		}
	}
	status, body = f.call(t, "PUT", clients+"/"+clientID+"/resources", admin, map[string]any{"resource_ids": []string{}})
	if list, ok := body["resources"].([]any); status != http.StatusOK || !ok || len(list) != 0 {
		t.Errorf("client resources after clearing: status %d, got %v, want []", status, body["resources"])
	}
	// The application-level assignment is the default client's, answered as the application.
	status, body = f.call(t, "PUT", "/cis/v1/applications/"+appID+"/resources", admin, map[string]any{"resource_ids": []string{resID}})
	if got := want[map[string]any](t, "set app resources", status, body, http.StatusOK); got["client_id"] != app["client_id"] ||
		len(got["resources"].([]any)) != 1 {
		t.Errorf("application after set app resources: %v", got)
	}

	status, body = f.call(t, "POST", clients+"/"+clientID+"/secret", admin, nil)
	if status != http.StatusOK {
		t.Fatalf("rotate secret: status %d, body %v", status, body)
	}
	rotated := body
	newSecret, _ := rotated["client_secret"].(string)
	if newSecret == "" || newSecret == oldSecret {
		t.Fatalf("rotated secret: %v", rotated)
	}
	if status, _ := f.tokenRequest(clientID, oldSecret); status != http.StatusUnauthorized {
		t.Errorf("token with the old secret: status %d, want 401", status)
	}
	f.clientToken(t, clientID, newSecret)

	prefsPath := "/cis/loginPreferences/" + appID
	status, body = f.call(t, "PUT", prefsPath+"/authMethods", admin, map[string]any{"email_otp": map[string]any{"codeLength": 8}})
	got := want[map[string]any](t, "set auth methods", status, body, http.StatusOK)
	if dig(got, "auth_methods", "email_otp", "codeLength") != 8.0 {
		t.Errorf("auth methods after set: %v", got)
	}
	status, body = f.call(t, "GET", prefsPath, admin, nil)
	got = want[map[string]any](t, "get preferences", status, body, http.StatusOK)
	if dig(got, "auth_methods", "email_otp", "codeLength") != 8.0 {
		t.Errorf("preferences read back: %v", got)
	}

	// Validation lists every problem as an array.
	status, body = f.call(t, "POST", clients, admin, map[string]any{"default_custom_claims": []string{"nope"}, "session_expiration": 1})
	if msgs, _ := body["message"].([]any); status != http.StatusBadRequest || len(msgs) != 3 || body["error_code"] != 400.0 {
		t.Errorf("invalid client: status %d, body %v", status, body)
	}

	for _, path := range []string{clients + "/" + clientID, "/cis/v1/resources/" + resID, "/cis/v1/applications/" + appID} {
		if status, body := f.call(t, "DELETE", path, admin, nil); status != http.StatusNoContent {
			t.Errorf("DELETE %s: status %d, body %v", path, status, body)
		}
	}
	status, body = f.call(t, "GET", "/cis/v1/applications/"+appID, admin, nil)
	if status != http.StatusNotFound || body["error_code"] != 404.0 || body["message"] != "application not found" {
		t.Errorf("deleted application: status %d, body %v", status, body)
	}
}

// Ids with a NUL or invalid UTF-8, in the path or in a body, are bad input (4xx), never a
// database error.
func TestBadIDsAreBadInput(t *testing.T) {
	f := newAdminFixture(t)
	admin := f.clientToken(t, f.boot.AdminClientID, f.boot.AdminClientSecret)
	client := f.clientToken(t, f.boot.ClientID, f.boot.ClientSecret)
	for _, path := range []string{"/cis/v1/applications/%00", "/cis/v1/applications/%FF/clients", "/cis/v1/resources/a%00b",
		"/cis/v1/audit?user_id=%00", "/cis/v1/users?search=a%FFb"} {
		status, body := f.call(t, http.MethodGet, path, admin, nil)
		if status != http.StatusBadRequest || body["error_code"] == nil {
			t.Errorf("GET %s: status %d, body %v; want 400 in the error shape", path, status, body)
		}
	}
	for _, path := range []string{"/cis/v1/auth/session/authenticate", "/cis/v1/auth/session/logout"} {
		status, body := f.call(t, http.MethodPost, path, client, map[string]any{"session_id": "\x00\xff"})
		if status < 400 || status >= 500 {
			t.Errorf("POST %s with a NUL session id: status %d, body %v; want a 4xx", path, status, body)
		}
	}
}

func TestCleanUserAgent(t *testing.T) {
	long := strings.Repeat("é", 600)
	for in, want := range map[string]string{
		"Mozilla/5.0":     "Mozilla/5.0",
		"bad\xffbyte\x00": "bad\uFFFDbyte",
		long:              long[:2*512],
	} {
		if got := cleanUserAgent(in); got != want {
			t.Errorf("cleanUserAgent(%.20q) = %.20q, want %.20q", in, got, want)
		}
	}
}

func TestAuditWebhookURLBounded(t *testing.T) {
	f := newAdminFixture(t)
	admin := f.clientToken(t, f.boot.AdminClientID, f.boot.AdminClientSecret)
	url := "https://siem.example/" + strings.Repeat("a", 2100)
	status, body := f.call(t, http.MethodPut, "/cis/v1/audit/webhook", admin, map[string]any{"url": url})
	if msg, _ := body["message"].(string); status != http.StatusBadRequest || !strings.Contains(msg, "at most 2048") {
		t.Errorf("a %d-character webhook URL: status %d, body %v; want 400 naming the limit", len(url), status, body)
	}
}
