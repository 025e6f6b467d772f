package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/httpapi"
)

// TestBadTextEveryRoute sends every route, as its OpenAPI document describes it, strings no
// field may hold (NUL, invalid UTF-8, a lone surrogate) in each field of its body at every
// depth and in object keys, in each form parameter, path parameter and query parameter, and
// in the User-Agent header; and a huge string and a wrongly typed value in each body field.
// Bad text is refused with a 400 that names the field, in the route's error shape; nothing
// answers 5xx; and tenant A's stored state does not change. The routes come from the router
// and the fields from the document, so a new route or field is covered as it is added.
func TestBadTextEveryRoute(t *testing.T) {
	backends(t, testBadTextEveryRoute)
}

func testBadTextEveryRoute(t *testing.T, o envOptions) {
	e := newEnv(t, o)
	admin, client := e.adminToken(), e.appToken()
	ids, tenant := seedBadInput(e, admin, client)
	root := specRoot(t)

	for _, rt := range e.api.Routes() {
		key := rt.Method + " " + rt.Pattern
		bearer := bearerFor(rt, admin, client, tenant.AccessToken)
		form := isFormRoute(root, t, rt)
		before := e.state(tenant)
		call := func(path string, body []byte, edit func(*http.Request)) response {
			var rd *strings.Reader
			if body != nil {
				rd = strings.NewReader(string(body))
			} else {
				rd = strings.NewReader("")
			}
			req, err := http.NewRequest(rt.Method, e.url+path, rd)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case form:
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth(e.boot.ClientID, e.boot.ClientSecret)
			case body != nil:
				req.Header.Set("Content-Type", "application/json")
			}
			if bearer != "" && !form {
				req.Header.Set("Authorization", "Bearer "+bearer)
			}
			if edit != nil {
				edit(req)
			}
			return e.send(req)
		}
		path := fillPath(t, rt.Pattern, ids, "", "")

		// Path parameters.
		for _, m := range pathParam.FindAllStringSubmatch(rt.Pattern, -1) {
			for name, esc := range map[string]string{"NUL": "a%00b", "invalid UTF-8": "a%FFb", "overlong NUL": "%C0%80"} {
				p := fillPath(t, rt.Pattern, ids, m[1], esc)
				wantTextFault(t, fmt.Sprintf("%s with %s in path parameter %s", key, name, m[1]), call(p, nil, nil), m[1], false)
			}
		}
		// Query parameters, on every route: the API reads none of them but the listings'.
		for name, q := range map[string][2]string{"NUL": {"search=a%00b", "search"}, "invalid UTF-8": {"page_limit=%FF", "page_limit"},
			"a bad name": {"a%00=1", "query parameter"}} {
			wantTextFault(t, fmt.Sprintf("%s with %s in the query", key, name), call(path+"?"+q[0], nil, nil), q[1], form)
		}
		// Headers the API reads or stores.
		for name, ua := range map[string]string{"invalid UTF-8": "agent\xff", "overlong": "agent\xc0\x80"} {
			res := call(path, nil, func(r *http.Request) { r.Header.Set("User-Agent", ua) })
			wantTextFault(t, fmt.Sprintf("%s with %s in User-Agent", key, name), res, "User-Agent", form)
		}
		switch {
		case form:
			badFormFields(t, e, root, rt, call, path)
		default:
			sch := requestSchema(t, root, rt.Method, rt.Pattern, "application/json")
			for _, f := range schemaFields(root, sch, nil, 4) {
				badJSONField(t, rt, root, f, func(body []byte) response { return call(path, body, nil) })
			}
		}
		if after := e.state(tenant); after != before {
			t.Errorf("bad text sent to %s changed the tenant:\n%s", key, diffLines(before, after))
		}
	}
}

// badJSONField sends bad text, a huge string and wrong types in one field of a JSON body.
func badJSONField(t *testing.T, rt httpapi.Route, root map[string]any, f docField, send func([]byte) response) {
	t.Helper()
	key := rt.Method + " " + rt.Pattern
	if f.typ == "string" {
		for name, v := range badTexts {
			where := fmt.Sprintf("%s with %s in %s", key, name, f.dotted())
			wantTextFault(t, where, send(bodyWith(f, v)), f.leaf(), false)
		}
		wantNo5xx(t, fmt.Sprintf("%s with a huge %s", key, f.dotted()), send(bodyWith(f, hugeText)))
	}
	if f.free {
		for name, k := range map[string]string{"NUL": "k\x00ey", "invalid UTF-8": "k\xffey"} {
			body := []byte(nest(f.path, `{"`+k+`":"v"}`, ""))
			if name == "NUL" {
				body = []byte(nest(f.path, `{"k\u0000ey":"v"}`, ""))
			}
			wantTextFault(t, fmt.Sprintf("%s with %s in a key of %s", key, name, f.dotted()), send(body), f.leaf(), false)
		}
	}
	for _, v := range wrongTypeOf(f.typ) {
		if strings.Contains(f.dotted(), "*") {
			continue
		}
		where := fmt.Sprintf("%s with %s = %s", key, f.dotted(), v)
		res := send(bodyWith(f, v))
		wantNo5xx(t, where, res)
		if res.Status < 400 {
			t.Errorf("%s: status %d, want a 4xx: %s", where, res.Status, res.Body)
		}
	}
}

// badFormFields sends bad text in each parameter of an OAuth endpoint's form.
func badFormFields(t *testing.T, e *env, root map[string]any, rt httpapi.Route, call func(string, []byte, func(*http.Request)) response, path string) {
	t.Helper()
	key := rt.Method + " " + rt.Pattern
	sch := requestSchema(t, root, rt.Method, rt.Pattern, "application/x-www-form-urlencoded")
	fields := schemaFields(root, sch, nil, 1)
	if len(fields) == 0 {
		t.Errorf("%s: the document lists no form parameters", key)
	}
	for _, f := range fields {
		for name, v := range map[string]string{"NUL": "a\x00b", "invalid UTF-8": "a\xffb", "overlong": "\xc0\x80"} {
			vals := url.Values{"grant_type": {"client_credentials"}, "token": {"x"}}
			vals.Set(f.leaf(), v)
			res := call(path, []byte(vals.Encode()), nil)
			wantTextFault(t, fmt.Sprintf("%s with %s in form parameter %s", key, name, f.leaf()), res, f.leaf(), true)
		}
		vals := url.Values{"grant_type": {"client_credentials"}, f.leaf(): {strings.Repeat("Ab1-", 200_000)}}
		wantNo5xx(t, fmt.Sprintf("%s with a huge %s", key, f.leaf()), call(path, []byte(vals.Encode()), nil))
	}
	bad := url.Values{"grant_type": {"client_credentials"}, "a\x00": {"1"}}
	wantTextFault(t, key+" with NUL in a form parameter's name", call(path, []byte(bad.Encode()), nil), "form parameter", true)
}

func wantNo5xx(t *testing.T, where string, res response) {
	t.Helper()
	if res.Status >= 500 {
		t.Errorf("%s: status %d: %s", where, res.Status, excerpt(res.Body))
	}
}

// wantTextFault checks the refusal of bad text: 400 naming the field, in Mosaic's error shape
// or, on the OAuth endpoints, RFC 6749's with invalid_request.
func wantTextFault(t *testing.T, where string, res response, field string, oauth bool) {
	t.Helper()
	if res.Status != 400 {
		t.Errorf("%s: status %d, want 400: %s", where, res.Status, excerpt(res.Body))
		return
	}
	if oauth {
		var body struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if err := json.Unmarshal(res.Body, &body); err != nil || body.Error != "invalid_request" || !strings.Contains(body.Description, field) {
			t.Errorf("%s: want invalid_request naming %s: %s", where, field, excerpt(res.Body))
		}
		return
	}
	wantClientError(t, where, res, 400, "system_invalid_input")
	if !strings.Contains(string(res.Body), field) {
		t.Errorf("%s: the error does not name %s: %s", where, field, excerpt(res.Body))
	}
}
