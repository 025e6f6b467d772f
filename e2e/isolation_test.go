package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/httpapi"
)

// TestTenantIsolation calls every route with tenant A's admin token, with its client token, with
// the token of a client of A whose role grants every permission (tenant-admin) (and, where a
// route takes one, with the access token of A's user), aiming at tenant B's
// records, and checks that each call fails (or acts on A alone) and leaves everything of B
// exactly as it was. A route missing from the table fails the test, so a new endpoint cannot
// escape it. Afterwards every credential, session, token and pending code of B still works.
func TestTenantIsolation(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		f := newIsolationFixture(e)
		table := f.table()
		seen := map[string]bool{}
		for _, rt := range e.api.Routes() {
			key := rt.Method + " " + rt.Pattern
			cases, ok := table[key]
			if !ok || len(cases) == 0 {
				t.Errorf("route %s has no tenant isolation cases", key)
				continue
			}
			seen[key] = true
			for _, c := range cases {
				f.run(t, rt, c)
			}
		}
		for key := range table {
			if !seen[key] {
				t.Errorf("the isolation table names %s, which is not a route", key)
			}
		}
		f.checkTenantBWorks(t)
	})
}

// isoFixture is an env with two seeded tenants: A ("default") attacks, B ("other") is attacked.
type isoFixture struct {
	e    *env
	a, b *tenantRecords
	// ops is the token of a client of A's application holding the tenant-admin role: the
	// strongest a client can be without the admin token.
	ops string
}

func newIsolationFixture(e *env) *isoFixture {
	e.t.Helper()
	other, err := e.tenancy.Bootstrap(context.Background(), "other", false)
	if err != nil {
		e.t.Fatalf("bootstrap second tenant: %v", err)
	}
	f := &isoFixture{e: e}
	f.a = seedTenant(e, e.boot, "alpha", "+14155550101")
	f.b = seedTenant(e, other, "beta", "+14155550102")
	for _, r := range []*tenantRecords{f.a, f.b} {
		e.enableWebAuthnAs(r.admin, r.AppID, nil)
	}
	// A's user has every credential too, so that A can try to join B's session with each.
	seedCredentials(e, f.a, "alpha")
	seedCredentials(e, f.b, "beta")
	res := e.do("POST", "/cis/v1/applications/"+f.a.AppID+"/clients", f.a.admin,
		map[string]any{"name": "ops", "redirect_uris": []string{"https://alpha.example/cb"}, "role_ids": []string{"tenant-admin"}})
	wantStatus(e.t, res, 201, "")
	ops := res.JSON(e.t)
	f.ops = e.clientToken(ops["client_id"].(string), ops["client_secret"].(string))
	// B's records are real: B's own tokens reach them.
	for _, c := range []struct{ path, bearer string }{
		{"/cis/v1/users/" + f.b.UserID, f.b.client},
		{"/cis/v1/users/email/" + f.b.Email, f.b.client},
		{"/cis/v1/applications/" + f.b.AppID + "/clients/" + f.b.ExtraClientID, f.b.admin},
		{"/cis/v1/resources/" + f.b.ResourceID, f.b.admin},
		{"/cis/loginPreferences/" + f.b.AppID, f.b.admin},
		{"/cis/v1/users/" + f.b.UserID + "/totp", f.b.client},
		{"/cis/v1/users/" + f.b.UserID + "/webauthn", f.b.client},
		{"/cis/v1/manage/users/" + f.b.UserID + "/sessions", f.b.admin},
	} {
		wantStatus(e.t, e.do("GET", c.path, c.bearer, nil), 200, "")
	}
	return f
}

// isoCase is one call aimed at tenant B, made once with each of tenant A's tokens.
type isoCase struct {
	name          string
	do            func(bearer string) response
	admin, client int // the status wanted with A's admin token and with A's client token
	// user, when set, is the status wanted with the access token of A's user; the call is
	// then made with that token too.
	user int
	// clientCode, when set, is the error code wanted with A's client token: it shows that a
	// call failed for the reason the case is about (B's session is unknown to A, say) rather
	// than for another.
	clientCode string
	// after, when set, checks a successful answer and undoes what it created in tenant A.
	after func(t *testing.T, res response)
}

// run makes the call with each of A's tokens and checks the status, the error shape, that no
// success reveals a record of B, and that B's stored state did not change.
func (f *isoFixture) run(t *testing.T, rt httpapi.Route, c isoCase) {
	t.Helper()
	key := rt.Method + " " + rt.Pattern
	tokens := []struct {
		kind, bearer string
		want         int
	}{{"admin", f.a.admin, c.admin}, {"client", f.a.client, c.client}}
	if !strings.HasPrefix(rt.Pattern, "/cis/v1/auth/") && !strings.HasPrefix(rt.Pattern, "/oidc/") {
		// Login routes are left to the two tokens above: a third try of each would trip the
		// rate limits, and a role changes nothing there but whether the route answers at all.
		tokens = append(tokens, struct {
			kind, bearer string
			want         int
		}{"tenant-admin client", f.ops, opsWant(rt, c)})
	}
	if c.user != 0 {
		tokens = append(tokens, struct {
			kind, bearer string
			want         int
		}{"user access", f.a.AccessToken, c.user})
	}
	for _, tok := range tokens {
		where := fmt.Sprintf("%s (%s) with tenant A's %s token", key, c.name, tok.kind)
		if rt.Access == httpapi.AdminToken && tok.kind == "client" && tok.want != 403 {
			t.Errorf("%s: table wants %d, but an admin route must answer a client token 403", where, tok.want)
		}
		before := f.e.state(f.b)
		res := c.do(tok.bearer)
		if res.Status != tok.want {
			t.Errorf("%s: status %d, want %d: %s", where, res.Status, tok.want, res.Body)
		}
		switch {
		case res.Status >= 400 && strings.HasPrefix(rt.Pattern, "/oidc/token"):
			if m := res.JSON(t); m["error"] == nil {
				t.Errorf("%s: error body lacks error: %s", where, res.Body)
			}
		case res.Status >= 400:
			checkErrorShape(t, where, res)
			if code := res.JSON(t)["error_code"]; tok.kind == "client" && c.clientCode != "" && code != c.clientCode && !usersShape(res.JSON(t)) {
				t.Errorf("%s: error_code %v, want %s: %s", where, code, c.clientCode, res.Body)
			}
		case res.Status < 300:
			if leaked := f.b.idsIn(res.Body); len(leaked) > 0 {
				t.Errorf("%s: answer reveals tenant B's ids %v: %s", where, leaked, res.Body)
			}
			if c.after != nil {
				c.after(t, res)
			}
		}
		if after := f.e.state(f.b); after != before {
			t.Errorf("%s changed tenant B:\n%s", where, diffLines(before, after))
		}
	}
}

// opsWant is the status a tenant-admin client of A gets. Where a plain client token is refused
// for want of a permission and the admin token is not, the role grants it and the admin
// token's answer is wanted; everywhere else a plain client token's (it is still a client: one
// application's records, users shared with other applications, no admin routes).
func opsWant(rt httpapi.Route, c isoCase) int {
	if rt.Access == httpapi.ClientToken && c.client == 403 && !strings.HasPrefix(rt.Pattern, "/cis/v1/users") {
		return c.admin
	}
	return c.client
}

// idsIn lists the record ids, tokens and secrets of r that appear in body, as they are or
// base64url-encoded (as a WebAuthn user handle is).
func (r *tenantRecords) idsIn(body []byte) []string {
	var out []string
	ids := []string{r.TenantID, r.AppID, r.MgmtAppID, r.ClientID, r.AdminClientID,
		r.ExtraClientID, r.ResourceID, r.UserID, r.SessionID, r.AccessToken, r.RefreshToken,
		r.PasskeyID, r.ResetLink, r.WebhookURL}
	ids = append(ids, r.Ceremonies...)
	ids = append(ids, r.Tickets...)
	ids = append(ids, r.RecoveryCodes...)
	if r.TOTP != nil {
		ids = append(ids, r.TOTP["totp_id"].(string), r.TOTP["secret"].(string))
	}
	for _, id := range ids {
		if id == "" {
			continue
		}
		if strings.Contains(string(body), id) || strings.Contains(string(body), base64.RawURLEncoding.EncodeToString([]byte(id))) {
			out = append(out, id)
		}
	}
	return out
}

// checkErrorShape fails unless res is one of Mosaic's error shapes: a string (or list of
// strings) message with a string error_code (the backend-authentication APIs), or the Users
// API's, whose error_code is the status as a number, whose message is a list on 400, and
// which names a 409's conflict in ts_error_code. Which routes answer in which shape, every
// exchange's check against the OpenAPI document enforces.
func checkErrorShape(t *testing.T, where string, res response) {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: error has Content-Type %q, want JSON: %s", where, ct, res.Body)
		return
	}
	var body struct {
		Message     json.RawMessage `json:"message"`
		ErrorCode   any             `json:"error_code"`
		TSErrorCode *string         `json:"ts_error_code"`
	}
	if err := json.Unmarshal(res.Body, &body); err != nil {
		t.Errorf("%s: error body is not a JSON object: %s", where, res.Body)
		return
	}
	var s string
	var list []string
	isString, isList := json.Unmarshal(body.Message, &s) == nil, json.Unmarshal(body.Message, &list) == nil && len(list) > 0
	if !isString && !isList {
		t.Errorf("%s: error message is neither a string nor a list of strings: %s", where, res.Body)
	}
	switch code := body.ErrorCode.(type) {
	case string:
		if code == "" {
			t.Errorf("%s: error has an empty error_code: %s", where, res.Body)
		}
	case float64:
		if int(code) != res.Status {
			t.Errorf("%s: numeric error_code %v is not the status %d: %s", where, code, res.Status, res.Body)
		}
		if res.Status == 400 && !isList {
			t.Errorf("%s: a 400 of the Users API must list its problems: %s", where, res.Body)
		}
		if (res.Status == 409) != (body.TSErrorCode != nil && *body.TSErrorCode != "") {
			t.Errorf("%s: ts_error_code must come with a 409 and only with one: %s", where, res.Body)
		}
	default:
		t.Errorf("%s: error has no error_code: %s", where, res.Body)
	}
}

// TestTenantIsolationOfLimits checks that one tenant cannot use up another's rate limits or
// lock its users out: tenant A hammers the identifiers of B's user, and B's own sends and
// logins go on working.
func TestTenantIsolationOfLimits(t *testing.T) {
	e := newEnv(t, envOptions{})
	other, err := e.tenancy.Bootstrap(context.Background(), "other", false)
	if err != nil {
		t.Fatal(err)
	}
	b := seedTenant(e, other, "beta", "+14155550102")
	a := e.appToken()
	for range 25 {
		e.do("POST", "/cis/v1/auth/otp/send", a, map[string]any{"channel": "direct", "identifier_type": "email", "identifier": b.Email})
		e.do("POST", "/cis/v1/auth/link/email/send", a, map[string]any{"channel": "direct", "identifier_type": "email", "identifier": b.Email, "redirect_uri": demoRedirect})
		e.do("POST", "/cis/v1/auth/otp/authenticate", a, map[string]any{"passcode": "000000", "identifier_type": "email", "identifier": b.Email})
	}
	wantStatus(t, e.authenticate(b.client, b.Email, b.PendingCode, nil), 200, "")
	wantStatus(t, e.do("POST", "/cis/v1/auth/link/email/authenticate", b.client, map[string]any{"code": b.PendingLink}), 200, "")
	wantStatus(t, e.authenticate(b.client, b.Email, directCode(e, b.client, b.Email), nil), 200, "")
}
