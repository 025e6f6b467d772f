package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// jwtPart decodes the header (0) or the claims (1) of a compact JWT.
func jwtPart(t *testing.T, raw string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWT: %q", raw)
	}
	data, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatalf("JWT part %d is not base64url: %v", i, err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("JWT part %d is not a JSON object: %v", i, err)
	}
	return m
}

// tamper changes one character of a JWT's signature.
func tamper(raw string) string {
	i := strings.LastIndex(raw, ".") + 1
	c := byte('A')
	if raw[i] == 'A' {
		c = 'B'
	}
	return raw[:i] + string(c) + raw[i+1:]
}

// unsignedCopy returns raw's claims under an "alg":"none" header and no signature.
func unsignedCopy(raw string) string {
	parts := strings.Split(raw, ".")
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"at+jwt"}`))
	return header + "." + parts[1] + "."
}

func clientCredentialsForm(extra ...string) url.Values {
	v := url.Values{"grant_type": {"client_credentials"}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Add(extra[i], extra[i+1])
	}
	return v
}

// wantOAuthError checks an RFC 6749 section 5.2 error answer.
func wantOAuthError(t *testing.T, where string, res response, status int, code string) {
	t.Helper()
	if res.Status != status {
		t.Errorf("%s: status %d, want %d: %s", where, res.Status, status, res.Body)
	}
	var body map[string]any
	if err := json.Unmarshal(res.Body, &body); err != nil || body["error"] != code {
		t.Errorf("%s: want error %s: %s", where, code, res.Body)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", where, cc)
	}
}

// wantToken checks a successful token answer and returns the access token.
func wantToken(t *testing.T, where string, res response) string {
	t.Helper()
	if res.Status != 200 {
		t.Fatalf("%s: status %d: %s", where, res.Status, res.Body)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", where, cc)
	}
	body := res.JSON(t)
	tok, _ := body["access_token"].(string)
	if tok == "" || body["token_type"] != "Bearer" || body["expires_in"] != float64(3600) {
		t.Fatalf("%s: unexpected token answer: %s", where, res.Body)
	}
	return tok
}

func TestTokenClientAuthentication(t *testing.T) {
	e := newEnv(t, envOptions{})
	id, sec := e.boot.ClientID, e.boot.ClientSecret

	post := wantToken(t, "client_secret_post", e.form("/oidc/token", clientCredentialsForm("client_id", id, "client_secret", sec), "", ""))
	basic := wantToken(t, "client_secret_basic", e.form("/oidc/token", clientCredentialsForm(), id, sec))
	// With basic, the form may repeat the client id.
	wantToken(t, "client_secret_basic with client_id", e.form("/oidc/token", clientCredentialsForm("client_id", id), id, sec))
	for _, tok := range []string{post, basic} {
		claims := verifyAccessToken(t, e, tok)
		if claims["sub"] != id || claims["client_id"] != id || claims["tid"] != e.boot.TenantID || claims["role"] != nil {
			t.Errorf("unexpected client token claims: %v", claims)
		}
	}

	both := e.form("/oidc/token", clientCredentialsForm("client_secret", sec), id, sec)
	wantOAuthError(t, "basic and post at once", both, 400, "invalid_request")
	other := e.form("/oidc/token", clientCredentialsForm("client_id", e.boot.AdminClientID), id, sec)
	wantOAuthError(t, "basic with another form client_id", other, 400, "invalid_request")

	wrong := e.form("/oidc/token", clientCredentialsForm(), id, sec+"x")
	unknown := e.form("/oidc/token", clientCredentialsForm(), "nosuchclient123", sec)
	wrongPost := e.form("/oidc/token", clientCredentialsForm("client_id", id, "client_secret", "nope"), "", "")
	none := e.form("/oidc/token", clientCredentialsForm(), "", "")
	for name, res := range map[string]response{"wrong secret": wrong, "unknown client": unknown, "wrong post secret": wrongPost, "no credentials": none} {
		wantOAuthError(t, name, res, 401, "invalid_client")
		if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("%s: WWW-Authenticate %q, want a Basic challenge", name, res.Header.Get("WWW-Authenticate"))
		}
	}
	if string(wrong.Body) != string(unknown.Body) {
		t.Errorf("wrong secret and unknown client answer differently:\n%s\n%s", wrong.Body, unknown.Body)
	}
}

func TestTokenRequestErrors(t *testing.T) {
	e := newEnv(t, envOptions{})
	id, sec := e.boot.ClientID, e.boot.ClientSecret
	cases := []struct {
		name   string
		values url.Values
		status int
		code   string
	}{
		{"missing grant_type", url.Values{"client_id": {id}, "client_secret": {sec}}, 400, "invalid_request"},
		{"unknown grant_type", url.Values{"grant_type": {"password"}, "client_id": {id}, "client_secret": {sec}}, 400, "unsupported_grant_type"},
		{"repeated grant_type", url.Values{"grant_type": {"client_credentials", "client_credentials"}, "client_id": {id}, "client_secret": {sec}}, 400, "invalid_request"},
		{"two resources", clientCredentialsForm("client_id", id, "client_secret", sec, "resource", "https://a.example/", "resource", "https://b.example/"), 400, "invalid_target"},
	}
	for _, c := range cases {
		wantOAuthError(t, c.name, e.form("/oidc/token", c.values, "", ""), c.status, c.code)
	}

	// A JSON body is not a form, even with the right fields.
	jsonBody := e.do("POST", "/oidc/token", "", map[string]any{"grant_type": "client_credentials", "client_id": id, "client_secret": sec})
	wantOAuthError(t, "JSON body", jsonBody, 400, "invalid_request")
	req, err := http.NewRequest("POST", e.url+"/oidc/token", strings.NewReader("grant_type=%zz"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	wantOAuthError(t, "malformed form", e.send(req), 400, "invalid_request")
}

func TestTokenResourceAudience(t *testing.T) {
	e := newEnv(t, envOptions{})
	admin := e.adminToken()
	id, sec := e.boot.ClientID, e.boot.ClientSecret
	newResource := func(uri string) string {
		res := e.do("POST", "/cis/v1/resources", admin, map[string]any{"uri": uri, "name": uri})
		wantStatus(t, res, 201, "")
		return result(t, res)["resource_id"].(string)
	}
	assigned := newResource("https://orders.example.com/api")
	newResource("https://billing.example.com/api")
	path := "/cis/v1/applications/" + e.boot.AppID + "/clients/" + id + "/resources"
	wantStatus(t, e.do("PUT", path, admin, map[string]any{"resource_ids": []string{assigned}}), 200, "")

	tok := wantToken(t, "assigned resource", e.form("/oidc/token", clientCredentialsForm("resource", "https://orders.example.com/api"), id, sec))
	claims := verifyWith(t, e, tok, "https://orders.example.com/api")
	if aud := jwtPart(t, tok, 1)["aud"]; !reflect.DeepEqual(aud, []any{"https://orders.example.com/api"}) && aud != "https://orders.example.com/api" {
		t.Errorf("aud = %v, want the resource URI alone", aud)
	}
	if claims["client_id"] != id {
		t.Errorf("unexpected claims: %v", claims)
	}
	// A token for another API is not a credential for Latchkey's own.
	wantStatus(t, e.do("GET", "/cis/v1/users", tok, nil), 401, "unauthorized")

	for _, uri := range []string{"https://billing.example.com/api", "https://unknown.example.com/", "not a uri"} {
		res := e.form("/oidc/token", clientCredentialsForm("resource", uri), id, sec)
		wantOAuthError(t, "resource "+uri, res, 400, "invalid_target")
	}
}

func TestTokenRoles(t *testing.T) {
	e := newEnv(t, envOptions{})
	admin, client := e.adminToken(), e.appToken()
	// Mosaic's admin tokens carry the role as an array.
	if role, _ := verifyAccessToken(t, e, admin)["role"].([]any); len(role) != 1 || role[0] != "Admin" {
		t.Errorf("management client's token has role %v, want [Admin]", role)
	}
	if role := verifyAccessToken(t, e, client)["role"]; role != nil {
		t.Errorf("standard client's token has role %v, want none", role)
	}
	// The tenant-wide reads are beyond the default client role.
	for _, path := range []string{"/cis/v1/applications", "/cis/v1/resources", "/cis/v1/applications/signing-keys"} {
		wantStatus(t, e.do("GET", path, admin, nil), 200, "")
		wantStatus(t, e.do("GET", path, client, nil), 403, "insufficient_permissions")
	}
	// An application's own token reaches its own application, as in Mosaic, and no other.
	wantStatus(t, e.do("GET", "/cis/loginPreferences/"+e.boot.AppID, client, nil), 200, "")
	wantStatus(t, e.do("GET", "/cis/loginPreferences/"+e.managementAppID(admin), client, nil), 404, "app_not_found")

	// Deleting a client cuts its tokens off at once.
	res := e.do("POST", "/cis/v1/applications/"+e.boot.AppID+"/clients", admin, map[string]any{"name": "Doomed"})
	wantStatus(t, res, 201, "")
	doomedID, doomedSecret := res.JSON(t)["client_id"].(string), res.JSON(t)["client_secret"].(string)
	doomed := e.clientToken(doomedID, doomedSecret)
	wantStatus(t, e.do("GET", "/cis/v1/users", doomed, nil), 200, "")
	wantStatus(t, e.do("DELETE", "/cis/v1/applications/"+e.boot.AppID+"/clients/"+doomedID, admin, nil), 204, "")
	wantStatus(t, e.do("GET", "/cis/v1/users", doomed, nil), 401, "unauthorized")
}

func TestDiscovery(t *testing.T) {
	e := newEnv(t, envOptions{})
	root := e.do("GET", "/.well-known/openid-configuration", "", nil)
	cis := e.do("GET", "/cis/oidc/.well-known/openid-configuration", "", nil)
	wantStatus(t, root, 200, "")
	wantStatus(t, cis, 200, "")
	doc := root.JSON(t)
	if !reflect.DeepEqual(doc, cis.JSON(t)) {
		t.Errorf("discovery documents differ:\n%s\n%s", root.Body, cis.Body)
	}
	if doc["issuer"] != e.url || doc["jwks_uri"] != e.url+"/cis/oidc/jwks" || doc["token_endpoint"] != e.url+"/oidc/token" {
		t.Errorf("discovery names the wrong issuer or endpoints: %s", root.Body)
	}
	jwks := e.do("GET", strings.TrimPrefix(doc["jwks_uri"].(string), e.url), "", nil)
	wantStatus(t, jwks, 200, "")
	if keys, _ := jwks.JSON(t)["keys"].([]any); len(keys) == 0 {
		t.Errorf("JWKS has no keys: %s", jwks.Body)
	}
	tok := e.form(strings.TrimPrefix(doc["token_endpoint"].(string), e.url), clientCredentialsForm(), e.boot.ClientID, e.boot.ClientSecret)
	wantToken(t, "token endpoint from discovery", tok)
}

// publishedKids returns the key ids the JWKS publishes.
func publishedKids(t *testing.T, e *env) map[string]bool {
	t.Helper()
	res := e.do("GET", "/cis/oidc/jwks", "", nil)
	wantStatus(t, res, 200, "")
	kids := map[string]bool{}
	keys, _ := res.JSON(t)["keys"].([]any)
	for _, k := range keys {
		if kid, _ := k.(map[string]any)["kid"].(string); kid != "" {
			kids[kid] = true
		}
	}
	return kids
}

func TestKeyRotation(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	before := e.adminToken()
	oldKid, _ := jwtPart(t, before, 0)["kid"].(string)
	if !publishedKids(t, e)[oldKid] {
		t.Fatalf("the signing key %s is not in the JWKS", oldKid)
	}
	for round := 1; round <= 2; round++ {
		if err := e.tokens.Rotate(ctx, e.boot.TenantID); err != nil {
			t.Fatalf("rotate: %v", err)
		}
		after := e.adminToken()
		newKid, _ := jwtPart(t, after, 0)["kid"].(string)
		if newKid == oldKid {
			t.Fatalf("round %d: tokens are still signed with %s after rotation", round, oldKid)
		}
		kids := publishedKids(t, e)
		if !kids[newKid] || !kids[oldKid] {
			t.Errorf("round %d: JWKS %v lacks the new key %s or the retired key %s", round, kids, newKid, oldKid)
		}
		// The token issued before any rotation still authorizes calls and still verifies.
		wantStatus(t, e.do("GET", "/cis/v1/applications", before, nil), 200, "")
		wantStatus(t, e.do("GET", "/cis/v1/applications", after, nil), 200, "")
		verifyAccessToken(t, e, before)
		verifyAccessToken(t, e, after)
	}
}
