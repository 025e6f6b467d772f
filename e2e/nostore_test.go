package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/httpapi"
)

// secretFields are the response properties that carry a credential: whoever reads a stored
// copy of the answer could sign in, call the API or forge webhook deliveries with it.
var secretFields = map[string]bool{
	"access_token": true, "refresh_token": true, "id_token": true, "session_id": true,
	"client_secret": true, "secret": true, "code": true, "link": true, "recovery_codes": true,
}

// secretOperations returns the operations of the OpenAPI document whose successful answers
// carry one of secretFields, by operationId, with their method and path template.
func secretOperations(t *testing.T) map[string][2]string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(httpapi.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	out := map[string][2]string{}
	for path, item := range doc["paths"].(map[string]any) {
		for method, v := range item.(map[string]any) {
			op, ok := v.(map[string]any)
			if !ok || !isHTTPMethod(method) {
				continue
			}
			responses, _ := op["responses"].(map[string]any)
			for status, r := range responses {
				if !strings.HasPrefix(status, "2") {
					continue
				}
				content, _ := r.(map[string]any)["content"].(map[string]any)
				for _, media := range content {
					names := map[string]bool{}
					propertyNames(media.(map[string]any)["schema"], schemas, map[string]bool{}, names)
					for n := range names {
						if secretFields[n] {
							out[op["operationId"].(string)] = [2]string{strings.ToUpper(method), path}
						}
					}
				}
			}
		}
	}
	return out
}

// propertyNames collects every property name a schema can have, following $ref, allOf, anyOf,
// oneOf, items and additionalProperties.
func propertyNames(s any, schemas map[string]any, seen, names map[string]bool) {
	switch v := s.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			name := ref[strings.LastIndex(ref, "/")+1:]
			if !seen[name] {
				seen[name] = true
				propertyNames(schemas[name], schemas, seen, names)
			}
		}
		if props, ok := v["properties"].(map[string]any); ok {
			for n, p := range props {
				names[n] = true
				propertyNames(p, schemas, seen, names)
			}
		}
		for _, k := range []string{"allOf", "anyOf", "oneOf", "items", "additionalProperties"} {
			propertyNames(v[k], schemas, seen, names)
		}
	case []any:
		for _, e := range v {
			propertyNames(e, schemas, seen, names)
		}
	}
}

// routeOf returns the registered route serving method and path, if any.
func routeOf(api *httpapi.Server, method, path string) (httpapi.Route, bool) {
	for _, rt := range api.Routes() {
		if rt.Method == method && matchSegments(strings.Split(rt.Pattern, "/"), path) {
			return rt, true
		}
	}
	return httpapi.Route{}, false
}

// checkCachePolicy holds every answer to its route's caching policy: unless the route was
// registered as a cacheable public document, the answer must forbid storing it. send calls it
// for every exchange of every test, so each answer an end-to-end test sees is checked.
func checkCachePolicy(t *testing.T, api *httpapi.Server, req *http.Request, res response) {
	t.Helper()
	if api == nil {
		return
	}
	method := req.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	where := req.Method + " " + req.URL.Path
	if rt, ok := routeOf(api, method, req.URL.EscapedPath()); ok && rt.Cache != "" {
		if res.Status < 300 && res.Header.Get("Cache-Control") != rt.Cache {
			t.Errorf("%s: Cache-Control %q, want the route's %q", where, res.Header.Get("Cache-Control"), rt.Cache)
		}
		return
	}
	if cc := res.Header.Get("Cache-Control"); cc != httpapi.NoStore {
		t.Errorf("%s answered %d with Cache-Control %q, want %q", where, res.Status, cc, httpapi.NoStore)
	}
	if p := res.Header.Get("Pragma"); p != "no-cache" {
		t.Errorf("%s answered %d with Pragma %q, want no-cache", where, res.Status, p)
	}
}

// TestSecretResponsesAreNotStored finds, in the OpenAPI document, every operation whose
// answer carries a secret, checks that none is registered as cacheable, and calls the ones
// that hand out long-lived or one-time secrets, checking the answer's caching headers.
func TestSecretResponsesAreNotStored(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		ops := secretOperations(t)
		for _, want := range []string{"createToken", "sendOTP", "createApplication", "createClient",
			"rotateClientSecret", "setAuditWebhook", "enrolTOTP", "generateRecoveryCodes", "refreshToken",
			"sendMagicLinkEmail", "sendPasswordReset", "authenticateOTP"} {
			if _, ok := ops[want]; !ok {
				t.Errorf("the document's %s is not recognised as carrying a secret", want)
			}
		}
		ids := make([]string, 0, len(ops))
		for id := range ops {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			mp := ops[id]
			path := strings.NewReplacer("{", "", "}", "").Replace(mp[1]) // any value fills a parameter
			rt, ok := routeOf(e.api, mp[0], path)
			if !ok {
				t.Errorf("%s (%s %s) has no route", id, mp[0], mp[1])
				continue
			}
			if rt.Cache != "" {
				t.Errorf("%s (%s %s) carries a secret but is registered cacheable (%q)", id, mp[0], mp[1], rt.Cache)
			}
		}

		// The answers themselves, success and error alike, through checkCachePolicy in send.
		admin := e.adminToken() // the token endpoint
		tok := e.appToken()
		e.createUser(tok, "nostore@example.com")
		res := e.do("POST", "/cis/v1/auth/otp/send", tok, map[string]any{"channel": "direct", "identifier_type": "email", "identifier": "nostore@example.com"})
		wantStatus(t, res, 200, "")
		if res.JSON(t)["code"] == nil {
			t.Fatalf("direct OTP send returned no code: %s", res.Body)
		}
		res = e.do("POST", "/cis/v1/applications", admin, map[string]any{"app_name": "nostore"})
		wantStatus(t, res, 201, "")
		app := "/cis/v1/applications/" + res.JSON(t)["result"].(map[string]any)["app_id"].(string)
		res = e.do("POST", app+"/clients", admin, map[string]any{"name": "nostore"})
		wantStatus(t, res, 201, "")
		client := app + "/clients/" + res.JSON(t)["client_id"].(string)
		wantStatus(t, e.do("POST", client+"/secret", admin, nil), 200, "")
		wantStatus(t, e.do("PUT", "/cis/v1/audit/webhook", admin, map[string]any{"url": "https://hooks.nostore.example/latchkey"}), 200, "")
		wantStatus(t, e.do("POST", client+"/secret", "", nil), 401, "unauthorized")
		wantStatus(t, e.form("/oidc/token", url.Values{"grant_type": {"client_credentials"}}, e.boot.ClientID, "wrong"), 401, "invalid_client")

		// The public documents stay cacheable.
		for _, p := range []string{"/cis/oidc/jwks", "/.well-known/openid-configuration"} {
			res := e.do("GET", p, "", nil)
			wantStatus(t, res, 200, "")
			if cc := res.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "public") || slices.Contains(res.Header.Values("Pragma"), "no-cache") {
				t.Errorf("%s: Cache-Control %q, Pragma %q: a public document should be cacheable", p, cc, res.Header.Get("Pragma"))
			}
		}
	})
}
