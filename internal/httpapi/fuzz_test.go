package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/auth/grant"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
	"github.com/latchkey/latchkey/internal/tenancy"
	"github.com/latchkey/latchkey/internal/token"
)

// decodeTargets returns a fresh value of every request type the handlers decode.
func decodeTargets() map[string]any {
	var resourceIDs struct {
		ResourceIDs *[]string `json:"resource_ids"`
	}
	var methods map[string]json.RawMessage
	return map[string]any{
		"otp send": &otpSendJSON{}, "otp authenticate": &otpAuthenticateJSON{},
		"create user": &createUserRequest{}, "update user": &updateUserRequest{},
		"application": &appRequest{}, "client": &clientRequest{}, "resource": &resourceRequest{},
		"resource ids": &resourceIDs, "auth methods": &methods,
		"link send": &linkSendJSON{}, "link authenticate": &linkAuthenticateJSON{},
		"refresh": &refreshJSON{}, "session authenticate": &loginJSON{}, "logout": &sessionIDJSON{},
	}
}

var discardLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// checkClientFault fails unless err is a *fault.Error of a 4xx Kind with a code and message,
// and unless writeError turns it into a 4xx in Mosaic's error shape.
func checkClientFault(t *testing.T, where string, err error) {
	t.Helper()
	fe, ok := err.(*fault.Error)
	if !ok {
		t.Fatalf("%s: error %T %v is not a *fault.Error", where, err, err)
	}
	if st := statusOf[fe.Kind]; st < 400 || st > 499 {
		t.Fatalf("%s: error kind %v maps to status %d, not a 4xx: %v", where, fe.Kind, st, err)
	}
	if fe.Code == "" || fe.Message == "" {
		t.Fatalf("%s: error lacks a code or a message: %#v", where, fe)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/", nil)
	req = req.WithContext(context.WithValue(req.Context(), requestStateKey{}, &requestState{logger: discardLogger}))
	writeError(rec, req, err)
	var body struct {
		Message   any    `json:"message"`
		ErrorCode string `json:"error_code"`
	}
	if rec.Code < 400 || rec.Code > 499 || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Message == nil || body.ErrorCode == "" {
		t.Fatalf("%s: written as %d %s", where, rec.Code, rec.Body.String())
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		`{"channel":"email","identifier_type":"email","identifier":"a@example.com","expires_in":5,"email_content":{"subject":"Hi"}}`,
		`{"passcode":"123456","identifier_type":"email","identifier":"a@example.com","session_id":"abc","claims":{"id_token":{"email":null}}}`,
		`{"email":"a@example.com","name":{"first_name":"Ada"},"custom_data":{"a":[1,2,{"b":null}]},"secondary_emails":["b@example.com"]}`,
		`{"app_name":"X","redirect_uris":["https://x.example/cb"],"allow_public_signup":true}`,
		`{"name":"c","token_expiration":{"access_token_ttl":3600},"resources":["r1"],"session_expiration":60}`,
		`{"uri":"https://api.example.com/","access_token_ttl":60}`,
		`{"resource_ids":[]}`, `{"email_otp":{"maxFailures":3},"sms":{}}`,
		`{"expires_in":1e400}`, `{"expires_in":1.5}`, `{"expires_in":-0}`, `{"expires_in":"5"}`,
		`{"a":1}{"b":2}`, `{"a":1} x`, `{"a":1} ]`, ` {} `, `[]`, `null`, `"x"`, `{`, `{"a":`, `}`,
		`{"email":"\ud800"}`, "{\"email\":\"\xff\"}", "\xef\xbb\xbf{}", `{"name":null,"name":{"title":1}}`,
		`{"secondary_emails":[1,2]}`, `{"claims":{"id_token":[]}}`, `{"custom_data":{"x":` + strings.Repeat("[", 200) + `}`,
		`{"token_expiration":{"access_token_ttl":9223372036854775808}}`, `{"generate_request_id":"true"}`,
		`{"resource_ids":null}`, `{"email_otp":"x","":{}}`, "{\"a\":\"\x00\"}", `{"\u0000":1}`,
		`{"identifier":"a@example.com","identifier_type":"email","redirect_uri":"https://x.example/cb","email_content":{"base64logo":"iVBORw0KGgo="}}`,
		`{"code":"abc.def","request_id":"r","claims":{"access_token":{"email":{"essential":true}}}}`,
		`{"refresh_token":"lk_rt_abc","claims":null}`, `{"session_id":"abc"}`, `{"rate_limits":{"sendsPerIp":1}}`,
	} {
		f.Add([]byte(seed))
	}
	for _, seed := range []string{
		`{"client_attributes":{"user_agent":"\u0000"}}`, `{"resource":"\u0000"}`, `{"client_id":"a\u0000"}`,
		"{\"identifier\":\"a\xc0\x80\"}", `{"custom_data":{"\ud800":1}}`, `{"a":"\ud83d\ude00"}`, `{"a":"\\u0000"}`,
		`{"a":"\ufffd"}`, "{\"a\":\"\xef\xbf\xbd\"}", `{"claims":{"id_token":{"x\u0000":null}}}`, `{"a":["\udc00"]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for name, dst := range decodeTargets() {
			err := decodeJSONBytes(data, dst, nil)
			if err != nil {
				checkClientFault(t, "decode into "+name, err)
				continue
			}
			trimmed := strings.TrimSpace(string(data))
			if !json.Valid([]byte(trimmed)) || !strings.HasPrefix(trimmed, "{") {
				t.Fatalf("decode into %s accepted a body that is not one JSON object: %q", name, data)
			}
			checkAcceptedText(t, data)
		}
	})
}

// checkAcceptedText fails unless an accepted body is text throughout: valid UTF-8, no NUL in
// any string or key, and no U+FFFD in the decoded strings that the body does not spell
// itself (Go's decoder writes one for each lone surrogate escape it meets).
func checkAcceptedText(t *testing.T, data []byte) {
	t.Helper()
	if !utf8.Valid(data) {
		t.Fatalf("accepted a body that is not UTF-8: %q", data)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("accepted a body encoding/json refuses: %q: %v", data, err)
	}
	replacements := 0
	var walk func(any)
	text := func(s string) {
		if strings.IndexByte(s, 0) >= 0 {
			t.Fatalf("accepted a NUL: %q", data)
		}
		replacements += strings.Count(s, "\uFFFD")
	}
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			text(x)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				text(k)
				walk(e)
			}
		}
	}
	walk(v)
	spelt := strings.Count(string(data), "\uFFFD") + strings.Count(strings.ToLower(string(data)), `\ufffd`)
	if replacements > spelt {
		t.Fatalf("accepted %d replacement characters where the body spells %d (a lone surrogate?): %q", replacements, spelt, data)
	}
}

// FuzzRequestText sends a login route fuzzed query strings, User-Agent headers and JSON
// bodies: nothing answers 5xx, and a request with bad text in any of them answers 400.
func FuzzRequestText(f *testing.F) {
	for _, s := range [][3]string{
		{"", "curl/8", `{"username":"a","password":"b"}`},
		{"x=%00", "curl/8", `{"username":"a","password":"b"}`},
		{"", "agent\xff", `{"username":"a","password":"b"}`},
		{"", "curl/8", `{"username":"a","password":"b","client_attributes":{"user_agent":"\u0000"}}`},
		{"", "curl/8", `{"username":"a","password":"b","resource":"\ud800"}`},
		{"%ff=1", "", `{}`}, {"a=%C0%80", "ok", `{"a":{"b":["\u0000"]}}`},
	} {
		f.Add(s[0], s[1], s[2])
	}
	fx := newTokenFixture(f)
	f.Fuzz(func(t *testing.T, query, agent, body string) {
		req := httptest.NewRequest("POST", "/cis/v1/auth/password/authenticate", strings.NewReader(body))
		req.URL.RawQuery = query
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+fx.client)
		if !validHeaderValue(agent) {
			return // net/http refuses such a header before any handler
		}
		req.Header.Set("User-Agent", agent)
		rec := httptest.NewRecorder()
		fx.h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		q, _ := url.ParseQuery(query)
		bad := !utf8.ValidString(agent) || badQueryText(q)
		if bad && rec.Code != http.StatusBadRequest {
			t.Fatalf("query %q, agent %q: status %d, want 400: %s", query, agent, rec.Code, rec.Body)
		}
	})
}

// validHeaderValue reports a value net/http's server lets through: no control characters but
// the tab.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

func badQueryText(q url.Values) bool {
	for k, vs := range q {
		if badText(k) {
			return true
		}
		for _, v := range vs {
			if badText(v) {
				return true
			}
		}
	}
	return false
}

// tokenFixture is a server over a fresh store with one bootstrapped tenant, for fuzzing the
// token endpoint and authentication.
type tokenFixture struct {
	h             http.Handler
	boot          tenancy.Bootstrap
	admin, client string // access tokens
}

func newTokenFixture(tb testing.TB) *tokenFixture {
	tb.Helper()
	store := sqlstore.NewTestStore(tb, false)
	keys, err := secret.NewKeys(secret.NewMasterKey())
	if err != nil {
		tb.Fatal(err)
	}
	tm, err := token.NewManager(store, keys, token.Options{Issuer: adminTestIssuer})
	if err != nil {
		tb.Fatal(err)
	}
	ten := tenancy.New(store, keys, tm, tenancy.Options{})
	boot, err := ten.Bootstrap(context.Background(), "fuzz", false)
	if err != nil {
		tb.Fatal(err)
	}
	au := auth.New(store, tm, keys, ten, auth.Options{Issuer: adminTestIssuer})
	srv := New(Config{Auth: au, Tenancy: ten, Tokens: tm, PublicURL: adminTestIssuer, Logger: discardLogger})
	fx := &tokenFixture{h: srv.Handler(), boot: boot}
	for _, c := range []struct {
		dst     *string
		id, sec string
	}{{&fx.admin, boot.AdminClientID, boot.AdminClientSecret}, {&fx.client, boot.ClientID, boot.ClientSecret}} {
		res, err := grant.New(au).ClientCredentials(context.Background(), grant.ClientTokenRequest{ClientID: c.id, ClientSecret: c.sec})
		if err != nil {
			tb.Fatal(err)
		}
		*c.dst = res.AccessToken
	}
	return fx
}

// expand replaces the placeholders $ID, $SECRET and $BASIC with the standard client's
// credentials, so that seeds can reach the success paths.
func (fx *tokenFixture) expand(s string) string {
	basic := base64.StdEncoding.EncodeToString([]byte(fx.boot.ClientID + ":" + fx.boot.ClientSecret))
	return strings.NewReplacer("$ID", fx.boot.ClientID, "$SECRET", fx.boot.ClientSecret, "$BASIC", "Basic "+basic).Replace(s)
}

const formType = "application/x-www-form-urlencoded"

var tokenSeeds = [][3]string{
	{formType, "", "grant_type=client_credentials&client_id=$ID&client_secret=$SECRET"},
	{formType, "$BASIC", "grant_type=client_credentials"},
	{formType, "$BASIC", "grant_type=client_credentials&client_id=$ID"},
	{formType, "$BASIC", "grant_type=client_credentials&client_secret=$SECRET"},
	{formType, "$BASIC", "grant_type=client_credentials&client_id=other"},
	{formType + "; charset=utf-8", "", "grant_type=client_credentials&client_id=$ID&client_secret=$SECRET&resource=https%3A%2F%2Fx.example"},
	{formType, "", "grant_type=client_credentials&client_id=$ID&client_secret=$SECRET&resource=a&resource=b"},
	{formType, "", "grant_type=client_credentials&grant_type=client_credentials"},
	{formType, "Basic !!!", "grant_type=client_credentials"},
	{formType, "Basic " + base64.StdEncoding.EncodeToString([]byte("%zz:%zz")), "grant_type=client_credentials"},
	{formType, "Basic " + base64.StdEncoding.EncodeToString([]byte(":")), "grant_type=client_credentials"},
	{formType, "Bearer abc", "grant_type=client_credentials"},
	{formType, "", "grant_type=%zz"}, {formType, "", "a=1;b=2"}, {formType, "", ""},
	{formType, "", "grant_type=password&username=a&password=b"},
	{formType, "", "grant_type=refresh_token&refresh_token=lk_rt_x"},
	{"application/json", "", `{"grant_type":"client_credentials","client_id":"$ID","client_secret":"$SECRET"}`},
	{"multipart/form-data; boundary=x", "", "--x--"}, {"", "", ""}, {formType + "x", "", "grant_type=client_credentials"},
}

func FuzzTokenEndpoint(f *testing.F) {
	for _, s := range tokenSeeds {
		f.Add(s[0], s[1], s[2])
	}
	fx := newTokenFixture(f)
	f.Fuzz(func(t *testing.T, contentType, authorization, body string) {
		body, authorization = fx.expand(body), fx.expand(authorization)
		req := httptest.NewRequest("POST", "/oidc/token", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", authorization)
		rec := httptest.NewRecorder()
		fx.h.ServeHTTP(rec, req)

		if rec.Code >= 500 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("status %d with Cache-Control %q", rec.Code, cc)
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("status %d, body is not a JSON object: %q", rec.Code, rec.Body)
		}
		if rec.Code == http.StatusOK {
			if s, _ := out["access_token"].(string); s == "" {
				t.Fatalf("200 without an access token: %s", rec.Body)
			}
			if !presentsSecret(req, body, fx.boot.ClientSecret) {
				t.Fatalf("token issued without the client's secret: body %q, authorization %q", body, authorization)
			}
			return
		}
		code, _ := out["error"].(string)
		if !oauthCodes[code] {
			t.Fatalf("status %d with error %q, not an RFC 6749 code: %s", rec.Code, code, rec.Body)
		}
		if rec.Code == http.StatusUnauthorized && (code != "invalid_client" || rec.Header().Get("WWW-Authenticate") == "") {
			t.Fatalf("401 without invalid_client and a challenge: %s", rec.Body)
		}
	})
}

// presentsSecret reports whether a token request carried secret by one of the two methods.
func presentsSecret(req *http.Request, body, sec string) bool {
	if form, err := url.ParseQuery(body); err == nil && form.Get("client_secret") == sec {
		return true
	}
	if _, p, ok := req.BasicAuth(); ok {
		p, err := url.QueryUnescape(p)
		return err == nil && p == sec
	}
	return false
}

// FuzzTokenCredentials drives the token endpoint's form reading and client authentication
// parsing directly.
func FuzzTokenCredentials(f *testing.F) {
	for _, s := range tokenSeeds {
		b := base64.StdEncoding.EncodeToString([]byte("client%3A1:se%2Bcret"))
		f.Add(s[0], strings.ReplaceAll(s[1], "$BASIC", "Basic "+b), s[2])
	}
	f.Fuzz(func(t *testing.T, contentType, authorization, body string) {
		req := httptest.NewRequest("POST", "/oidc/token", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", authorization)
		form, err := readForm(httptest.NewRecorder(), req)
		if err != nil {
			checkClientFault(t, "read form", err)
			return
		}
		id, sec, err := clientCredentials(req, form)
		if err != nil {
			checkClientFault(t, "client credentials", err)
			return
		}
		if user, pass, basic := req.BasicAuth(); basic {
			wantID, err1 := url.QueryUnescape(user)
			wantSec, err2 := url.QueryUnescape(pass)
			if err1 != nil || err2 != nil || id != wantID || sec != wantSec || form.Get("client_secret") != "" {
				t.Fatalf("basic credentials %q:%q with form %v gave %q:%q", user, pass, form, id, sec)
			}
			return
		}
		if id == "" || sec == "" || id != form.Get("client_id") || sec != form.Get("client_secret") {
			t.Fatalf("form %v gave credentials %q:%q", form, id, sec)
		}
	})
}

// FuzzBearer sends fuzzed Authorization headers to an admin route: only the real admin token
// is let in, the real client token is forbidden, a header that is not text is bad input (400,
// as every header is), and anything else is a 401 in the API's shape: the Applications API's,
// whose error_code is the status.
func FuzzBearer(f *testing.F) {
	for _, s := range []string{"", "Bearer $ADMIN", "bearer $ADMIN", "BEARER $CLIENT", "Bearer  $ADMIN", "Bearer $ADMIN ",
		"Bearer $ADMINx", "Bearer x$ADMIN", "Basic $ADMIN", "Bearer a.b.c", "Bearer ..", "Bearer eyJhbGciOiJub25lIn0.e30.",
		"Bearer " + strings.Repeat("a.", 1000), "Bearer $CLIENT.$ADMIN"} {
		f.Add(s)
	}
	fx := newTokenFixture(f)
	f.Fuzz(func(t *testing.T, authorization string) {
		authorization = strings.NewReplacer("$ADMIN", fx.admin, "$CLIENT", fx.client).Replace(authorization)
		req := httptest.NewRequest("GET", "/cis/v1/applications", nil)
		req.Header.Set("Authorization", authorization)
		rec := httptest.NewRecorder()
		fx.h.ServeHTTP(rec, req)
		presented := bearerToken(req)
		switch {
		case rec.Code == http.StatusOK && sameSigned(presented, fx.admin):
		case rec.Code == http.StatusForbidden && sameSigned(presented, fx.client):
		case rec.Code == http.StatusBadRequest && badText(authorization):
			var body struct {
				ErrorCode int `json:"error_code"`
			}
			if json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.ErrorCode != http.StatusBadRequest {
				t.Fatalf("400 not in the API's error shape: %s", rec.Body)
			}
		case rec.Code == http.StatusUnauthorized && !badText(authorization):
			var body struct {
				Message   string `json:"message"`
				ErrorCode int    `json:"error_code"`
			}
			if json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.ErrorCode != http.StatusUnauthorized || body.Message == "" {
				t.Fatalf("401 not in the API's error shape: %s", rec.Body)
			}
		default:
			t.Fatalf("Authorization %q: status %d: %s", authorization, rec.Code, rec.Body)
		}
	})
}

// sameSigned reports whether two compact JWTs have the same header and claims: a signature
// may differ in its base64 encoding's unused bits and still verify.
func sameSigned(a, b string) bool {
	i, j := strings.LastIndexByte(a, '.'), strings.LastIndexByte(b, '.')
	return i > 0 && j > 0 && a[:i] == b[:j]
}
