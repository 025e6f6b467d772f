package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// badInputIDs are the records of tenant A that the body routes act on: an application, its
// client, a resource, a user, the user's TOTP enrolment and passkey.
type badInputIDs struct {
	app, client, resource, user, totp, passkey string
}

// jsonRoute describes a route that takes a JSON object body.
type jsonRoute struct {
	admin bool // takes a management token rather than an application's client token
	// user routes take the access token of a signed-in user instead; anonymous ones no token.
	user, anonymous bool
	path            func(ids badInputIDs) string
	// fields maps each field (dotted for nested ones) to its JSON type: string, number, bool,
	// array or object.
	fields map[string]string
	// several is a body with several validation problems; each of wants must appear in one
	// element of the message list.
	several any
	wants   []string
}

// jsonBodyRoutes lists every route with a JSON body. Routes that take a POST or PUT without
// one are in noJSONBody; a new POST or PUT route in neither fails TestBadJSONBodies.
var jsonBodyRoutes = joinBodyRoutes(coreBodyRoutes, appBodyRoutes, sessionBodyRoutes, credentialBodyRoutes, passkeyBodyRoutes, userBodyRoutes, authzBodyRoutes)

// coreBodyRoutes are the OTP, magic link and users routes with a JSON body.
var coreBodyRoutes = map[string]jsonRoute{
	"POST /cis/v1/auth/otp/send": {
		path: func(badInputIDs) string { return "/cis/v1/auth/otp/send" },
		fields: map[string]string{"channel": "string", "identifier_type": "string", "identifier": "string",
			"expires_in": "number", "generate_request_id": "bool", "email_content": "object",
			"email_content.subject": "string", "client_attributes": "object", "client_attributes.ip_address": "string",
			"device_id": "string"},
		several: map[string]any{"expires_in": 600},
		wants:   []string{"channel", "identifier_type", "identifier is required", "expires_in"},
	},
	"POST /cis/v1/auth/otp/authenticate": {
		path: func(badInputIDs) string { return "/cis/v1/auth/otp/authenticate" },
		fields: map[string]string{"passcode": "string", "identifier_type": "string", "identifier": "string",
			"request_id": "string", "session_id": "string", "resource": "string", "claims": "object",
			"claims.id_token": "object", "client_attributes": "object", "device_id": "string", "org_id": "string"},
		several: map[string]any{},
		wants:   []string{"identifier_type", "identifier is required", "passcode"},
	},
	"POST /cis/v1/auth/link/email/send": {
		path: func(badInputIDs) string { return "/cis/v1/auth/link/email/send" },
		fields: map[string]string{"identifier": "string", "identifier_type": "string", "email": "string",
			"redirect_uri": "string", "state": "string", "email_expiration": "number", "channel": "string",
			"generate_request_id": "bool", "email_content": "object", "email_content.bodyText": "string",
			"client_attributes": "object", "device_id": "string"},
		several: map[string]any{"channel": "pigeon", "email_expiration": 5000},
		wants:   []string{"identifier_type", "identifier is required", "channel", "redirect_uri", "email_expiration"},
	},
	"POST /cis/v1/auth/link/email/authenticate": {
		path: func(badInputIDs) string { return "/cis/v1/auth/link/email/authenticate" },
		fields: map[string]string{"code": "string", "request_id": "string", "session_id": "string", "resource": "string",
			"claims": "object", "claims.access_token": "object", "client_attributes": "object", "device_id": "string", "org_id": "string"},
	},
	"POST /cis/v1/users": {
		path:    func(badInputIDs) string { return "/cis/v1/users" },
		fields:  userFields(true),
		several: map[string]any{"email": "not-an-email", "phone_number": "12", "birthday": "yesterday"},
		wants:   []string{"email", "phone_number", "birthday"},
	},
	"PUT /cis/v1/users/{user_id}": {
		path:    func(ids badInputIDs) string { return "/cis/v1/users/" + ids.user },
		fields:  userFields(false),
		several: map[string]any{"email": "not-an-email", "picture": "not a url", "birthday": "yesterday"},
		wants:   []string{"email", "picture", "birthday"},
	},
}

// noJSONBody lists the POST and PUT routes that take no JSON body.
var noJSONBody = map[string]bool{
	// The OAuth endpoints take forms (RFC 6749, 7662 and 7009); see token_test.go and
	// session_test.go.
	"POST /oidc/token": true, "POST /oidc/token/introspection": true, "POST /oidc/token/revocation": true,
	"POST /cis/v1/applications/{appId}/clients/{clientId}/secret": true,
	"POST /cis/v1/users/{user_id}/recovery-codes":                 true, // nothing to choose
	// A multipart upload; TestMosaicOrgLogo sends it JSON, SVG, other types and too much.
	"POST /cis/v1/organizations/{organization_id}/logo": true,
}

func userFields(create bool) map[string]string {
	f := map[string]string{"email": "string", "phone_number": "string", "username": "string",
		"secondary_emails": "array", "secondary_phone_numbers": "array", "birthday": "string", "address": "object",
		"address.city": "string", "name": "object", "name.first_name": "string", "external_user_id": "string",
		"custom_data": "object", "custom_app_data": "object", "picture": "string", "language": "string", "status": "string"}
	if create {
		f["credentials"] = "object"
	}
	return f
}

// wrongValues are JSON values of every type but the one named.
var wrongValues = map[string][]string{
	"string": {`12345`, `false`, `{"a":1}`},
	"number": {`"12"`, `1.5`, `1e400`, `true`},
	"bool":   {`"true"`, `1`},
	"array":  {`"x"`, `{"a":1}`, `[1,2]`},
	"object": {`"x"`, `[1]`, `7`},
}

// nestedBody returns a JSON object with value at the dotted field path.
func nestedBody(field, value string) []byte {
	parts := strings.Split(field, ".")
	body := value
	for i := len(parts) - 1; i >= 0; i-- {
		body = fmt.Sprintf(`{%q:%s}`, parts[i], body)
	}
	return []byte(body)
}

// TestBadJSONBodies sends malformed, mistyped, empty and oversized bodies to every JSON route:
// each answer is a 4xx in Mosaic's error shape, and tenant A's stored state does not change.
func TestBadJSONBodies(t *testing.T) {
	backends(t, testBadJSONBodies)
}

func testBadJSONBodies(t *testing.T, o envOptions) {
	e := newEnv(t, o)
	admin, client := e.adminToken(), e.appToken()
	ids, tenant := seedBadInput(e, admin, client)

	bodies := map[string][]byte{
		"malformed": []byte(`{"a":`), "trailing comma": []byte(`{"a":1,}`), "single quotes": []byte(`{'a':1}`),
		"two objects": []byte(`{"a":1}{"b":2}`), "trailing garbage": []byte(`{"a":1} x`),
		"array": []byte(`[]`), "array of objects": []byte(`[{"a":1}]`), "string": []byte(`"x"`),
		"null": []byte(`null`), "number": []byte(`42`), "empty": {}, "blank": []byte(" \n\t "),
	}
	huge := []byte(`{"description":"` + strings.Repeat("a", 1<<20) + `"}`)

	for _, rt := range e.api.Routes() {
		key := rt.Method + " " + rt.Pattern
		spec, ok := jsonBodyRoutes[key]
		if !ok {
			if (rt.Method == "POST" || rt.Method == "PUT" || rt.Method == "PATCH") && !noJSONBody[key] {
				t.Errorf("route %s takes a body but is not in the bad input table", key)
			}
			continue
		}
		bearer := client
		switch {
		case spec.admin:
			bearer = admin
		case spec.user:
			bearer = tenant.AccessToken
		case spec.anonymous:
			bearer = ""
		}
		path := spec.path(ids)
		before := e.state(tenant)
		for name, body := range bodies {
			r := e.do(rt.Method, path, bearer, body)
			wantClientError(t, fmt.Sprintf("%s with a %s body", key, name), r, 400, "system_invalid_input")
		}
		wantClientError(t, key+" with a body over 1 MiB", e.do(rt.Method, path, bearer, huge), 413, "request_too_large")
		// A field the published schema does not list is refused by name, never dropped.
		r := e.do(rt.Method, path, bearer, []byte(`{"zz_not_a_field":1}`))
		wantClientError(t, key+" with an unknown field", r, 400, "system_invalid_input")
		if !strings.Contains(string(r.Body), "unknown field zz_not_a_field") {
			t.Errorf("%s with an unknown field: the error does not name it: %s", key, r.Body)
		}
		for field, kind := range spec.fields {
			leaf := field[strings.LastIndex(field, ".")+1:]
			for _, v := range wrongValues[kind] {
				where := fmt.Sprintf("%s with %s = %s", key, field, v)
				r := e.do(rt.Method, path, bearer, nestedBody(field, v))
				wantClientError(t, where, r, 400, "")
				if r.Status == 400 && !strings.Contains(string(r.Body), leaf) {
					t.Errorf("%s: the error does not name the field %s: %s", where, leaf, r.Body)
				}
			}
		}
		if spec.several != nil {
			checkSeveralProblems(t, key, e.do(rt.Method, path, bearer, spec.several), spec.wants)
		}
		if after := e.state(tenant); after != before {
			t.Errorf("bad bodies to %s changed the tenant:\n%s", key, diffLines(before, after))
		}
	}
	for key := range jsonBodyRoutes {
		if !routeExists(e, key) {
			t.Errorf("the bad input table names %s, which is not a route", key)
		}
	}
}

func routeExists(e *env, key string) bool {
	for _, rt := range e.api.Routes() {
		if rt.Method+" "+rt.Pattern == key {
			return true
		}
	}
	return false
}

// wantClientError checks a 4xx answer in Mosaic's error shape, with the status and error code
// when they are given.
func wantClientError(t *testing.T, where string, res response, status int, code string) {
	t.Helper()
	switch {
	case res.Status >= 500 || res.Status < 400:
		t.Errorf("%s: status %d, want a 4xx: %s", where, res.Status, res.Body)
		return
	case status != 0 && res.Status != status:
		t.Errorf("%s: status %d, want %d: %s", where, res.Status, status, res.Body)
	}
	checkErrorShape(t, where, res)
	var body map[string]any
	if code == "" || json.Unmarshal(res.Body, &body) != nil {
		return
	}
	switch {
	case !usersShape(body) && body["error_code"] != code:
		t.Errorf("%s: error_code %v, want %s", where, body["error_code"], code)
	case usersShape(body) && res.Status == 409 && body["ts_error_code"] != code:
		t.Errorf("%s: ts_error_code %v, want %s", where, body["ts_error_code"], code)
	}
}

// checkSeveralProblems checks that a validation error lists each problem separately.
func checkSeveralProblems(t *testing.T, key string, res response, wants []string) {
	t.Helper()
	where := key + " with several problems"
	wantClientError(t, where, res, 400, "system_invalid_input")
	var body struct {
		Message []string `json:"message"`
	}
	if err := json.Unmarshal(res.Body, &body); err != nil || len(body.Message) < 2 {
		t.Errorf("%s: message is not a list of the problems: %s", where, res.Body)
		return
	}
	for _, w := range wants {
		found := false
		for _, m := range body.Message {
			found = found || strings.Contains(m, w)
		}
		if !found {
			t.Errorf("%s: no problem mentions %q: %s", where, w, res.Body)
		}
	}
}

// TestUnknownRouteAndMethod checks the answers for paths and methods the API does not serve.
func TestUnknownRouteAndMethod(t *testing.T) {
	e := newEnv(t, envOptions{})
	client := e.appToken()
	for _, p := range []string{"/nothing", "/cis/v1/nothing", "/cis/v1/users/a/b/c", "/oidc/nothing"} {
		for _, bearer := range []string{"", client} {
			wantClientError(t, "GET "+p, e.do("GET", p, bearer, nil), 404, "not_found")
		}
	}
	user := e.createUser(client, "ada@example.com")
	for _, c := range []struct{ method, path, allow string }{
		{"PATCH", "/cis/v1/users/" + user, "GET, PUT, DELETE"},
		{"DELETE", "/cis/v1/users", "GET, POST"},
		{"GET", "/oidc/token", "POST"},
		{"POST", "/cis/oidc/jwks", "GET"},
		{"PUT", "/healthz", "GET"},
	} {
		where := c.method + " " + c.path
		res := e.do(c.method, c.path, client, nil)
		wantClientError(t, where, res, http.StatusMethodNotAllowed, "")
		for _, m := range strings.Split(c.allow, ", ") {
			if !strings.Contains(res.Header.Get("Allow"), m) {
				t.Errorf("%s: Allow is %q, want it to list %s", where, res.Header.Get("Allow"), m)
			}
		}
	}
}

// TestBadBearer checks that every credential other than a live client access token for the
// API is refused with 401 in the API's error shape, on client and admin routes alike.
func TestBadBearer(t *testing.T) {
	e := newEnv(t, envOptions{})
	client := e.appToken()
	admin := e.adminToken()
	e.createUser(client, "ada@example.com")
	login := e.authenticate(client, "ada@example.com", directCode(e, client, "ada@example.com"), nil)
	wantStatus(t, login, 200, "")
	tokens := login.JSON(t)

	bearers := map[string]string{
		"missing":           "",
		"garbage":           "garbage",
		"three dots":        "a.b.c",
		"bad signature":     tamper(admin),
		"ID token":          tokens["id_token"].(string),
		"user access token": tokens["access_token"].(string),
		"refresh token":     tokens["refresh_token"].(string),
		"token with no alg": unsignedCopy(admin),
	}
	check := func(name string, header string) {
		for _, path := range []string{"/cis/v1/users", "/cis/v1/applications"} {
			req, err := http.NewRequest("GET", e.url+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if header != "" {
				req.Header.Set("Authorization", header)
			}
			wantClientError(t, "GET "+path+" with a "+name+" bearer", e.send(req), 401, "unauthorized")
		}
	}
	for name, tok := range bearers {
		header := ""
		if tok != "" {
			header = "Bearer " + tok
		}
		check(name, header)
	}
	check("Basic", "Basic "+e.boot.ClientID)
	check("empty Bearer", "Bearer ")

	// A valid token works until it expires.
	wantStatus(t, e.do("GET", "/cis/v1/applications", admin, nil), 200, "")
	e.clock.Advance(2 * time.Hour)
	check("expired", "Bearer "+admin)
}

// TestUnauthorizedHasBearerChallenge checks RFC 6750 section 3: a 401 from a protected
// resource carries a WWW-Authenticate challenge for the Bearer scheme.
func TestUnauthorizedHasBearerChallenge(t *testing.T) {
	e := newEnv(t, envOptions{})
	for _, bearer := range []string{"", "garbage"} {
		res := e.do("GET", "/cis/v1/users", bearer, nil)
		wantStatus(t, res, 401, "unauthorized")
		if h := res.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
			t.Errorf("401 with bearer %q has WWW-Authenticate %q, want a Bearer challenge", bearer, h)
		}
	}
}
