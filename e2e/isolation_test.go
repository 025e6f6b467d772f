package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/httpapi"
	"github.com/latchkey/latchkey/internal/tenancy"
)

// TestTenantIsolation calls every route with tenant A's admin token and with its client token,
// aiming at tenant B's records, and checks that each call fails (or, for a create, acts on A
// alone) and leaves everything of B exactly as it was. A route missing from the table fails
// the test, so a new endpoint cannot escape it.
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
	})
}

// tenantRecords are one tenant's records aimed at by the isolation tests, and its tokens.
type tenantRecords struct {
	TenantID, AppID, MgmtAppID                 string
	ClientID, AdminClientID, ExtraClientID     string
	ClientSecret, AdminSecret                  string
	ResourceID, ResourceURI                    string
	UserID, Email, Phone, Username, ExternalID string
	SessionID, PendingCode, PendingLink        string
	admin, client                              string // access tokens
}

// isoFixture is an env with two seeded tenants: A ("default") attacks, B ("other") is attacked.
type isoFixture struct {
	e    *env
	a, b *tenantRecords
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
	// B's records are real: B's own tokens reach them.
	for _, c := range []struct{ path, bearer string }{
		{"/cis/v1/users/" + f.b.UserID, f.b.client},
		{"/cis/v1/users/email/" + f.b.Email, f.b.client},
		{"/cis/v1/applications/" + f.b.AppID + "/clients/" + f.b.ExtraClientID, f.b.admin},
		{"/cis/v1/resources/" + f.b.ResourceID, f.b.admin},
		{"/cis/loginPreferences/" + f.b.AppID, f.b.admin},
	} {
		wantStatus(e.t, e.do("GET", c.path, c.bearer, nil), 200, "")
	}
	return f
}

// seedTenant gives a bootstrapped tenant a resource assigned to its client, a second client,
// a user with every identifier, a session of that user and a code waiting to be redeemed.
func seedTenant(e *env, boot tenancy.Bootstrap, tag, phone string) *tenantRecords {
	e.t.Helper()
	r := &tenantRecords{
		TenantID: boot.TenantID, AppID: boot.AppID, ClientID: boot.ClientID, AdminClientID: boot.AdminClientID,
		ClientSecret: boot.ClientSecret, AdminSecret: boot.AdminClientSecret,
		ResourceURI: "https://api." + tag + ".example/v1", Email: tag + "@" + tag + ".example",
		Phone: phone, Username: tag + "_user", ExternalID: "ext-" + tag,
	}
	admin, err := e.store.GetClient(context.Background(), boot.AdminClientID)
	if err != nil {
		e.t.Fatal(err)
	}
	r.MgmtAppID = admin.AppID
	r.admin = e.clientToken(r.AdminClientID, r.AdminSecret)
	r.client = e.clientToken(r.ClientID, r.ClientSecret)

	res := e.do("POST", "/cis/v1/resources", r.admin, map[string]any{"uri": r.ResourceURI, "name": tag + " API"})
	wantStatus(e.t, res, 201, "")
	r.ResourceID = result(e.t, res)["resource_id"].(string)
	res = e.do("POST", "/cis/v1/applications/"+r.AppID+"/clients", r.admin, map[string]any{"name": "Second", "resources": []string{r.ResourceID}})
	wantStatus(e.t, res, 201, "")
	r.ExtraClientID = result(e.t, res)["client_id"].(string)
	res = e.do("PUT", "/cis/v1/applications/"+r.AppID+"/clients/"+r.ClientID+"/resources", r.admin, map[string]any{"resource_ids": []string{r.ResourceID}})
	wantStatus(e.t, res, 200, "")

	res = e.do("POST", "/cis/v1/users", r.client, map[string]any{
		"email": r.Email, "phone_number": r.Phone, "username": r.Username, "external_user_id": r.ExternalID,
		"name": map[string]any{"first_name": tag}, "custom_app_data": map[string]any{"tier": tag},
	})
	wantStatus(e.t, res, 201, "")
	r.UserID = result(e.t, res)["user_id"].(string)

	res = e.authenticate(r.client, r.Email, directCode(e, r.client, r.Email), nil)
	wantStatus(e.t, res, 200, "")
	r.SessionID = res.JSON(e.t)["session_id"].(string)
	r.PendingCode = directCode(e, r.client, r.Email)
	r.PendingLink = directLinkCode(e, r.client, r.Email)
	return r
}

// demoRedirect is the redirect URI bootstrap gives every tenant's demo client.
const demoRedirect = "http://localhost:3000/callback"

// directLinkCode creates a magic link by the direct channel and returns the code it carries.
func directLinkCode(e *env, bearer, email string) string {
	e.t.Helper()
	res := e.do("POST", "/cis/v1/auth/link/email/send", bearer, map[string]any{
		"channel": "direct", "identifier_type": "email", "identifier": email, "redirect_uri": demoRedirect})
	wantStatus(e.t, res, 200, "")
	link, err := url.Parse(res.JSON(e.t)["link"].(string))
	if err != nil || link.Query().Get("code") == "" {
		e.t.Fatalf("direct magic link carries no code: %s", res.Body)
	}
	return link.Query().Get("code")
}

// directCode sends a code by the direct channel and returns it.
func directCode(e *env, bearer, email string) string {
	e.t.Helper()
	res := e.do("POST", "/cis/v1/auth/otp/send", bearer, map[string]any{"channel": "direct", "identifier_type": "email", "identifier": email})
	wantStatus(e.t, res, 200, "")
	return res.JSON(e.t)["code"].(string)
}

// result returns the "result" object of a response.
func result(t *testing.T, res response) map[string]any {
	t.Helper()
	m, ok := res.JSON(t)["result"].(map[string]any)
	if !ok {
		t.Fatalf("response has no result object: %s", res.Body)
	}
	return m
}

// isoCase is one call aimed at tenant B, made once with each of tenant A's tokens.
type isoCase struct {
	name          string
	do            func(bearer string) response
	admin, client int // the status wanted with A's admin token and with A's client token
	// after, when set, checks a successful answer and undoes what it created in tenant A.
	after func(t *testing.T, res response)
}

// run makes the call with both of A's tokens and checks the status, the error shape, that no
// success reveals a record of B, and that B's stored state did not change.
func (f *isoFixture) run(t *testing.T, rt httpapi.Route, c isoCase) {
	t.Helper()
	key := rt.Method + " " + rt.Pattern
	for _, tok := range []struct {
		kind, bearer string
		want         int
	}{{"admin", f.a.admin, c.admin}, {"client", f.a.client, c.client}} {
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
		case res.Status >= 400 && rt.Pattern == "/oidc/token":
			if m := res.JSON(t); m["error"] == nil {
				t.Errorf("%s: error body lacks error: %s", where, res.Body)
			}
		case res.Status >= 400:
			checkErrorShape(t, where, res)
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

// idsIn lists the record ids of r that appear in body.
func (r *tenantRecords) idsIn(body []byte) []string {
	var out []string
	for _, id := range []string{r.TenantID, r.AppID, r.MgmtAppID, r.ClientID, r.AdminClientID,
		r.ExtraClientID, r.ResourceID, r.UserID, r.SessionID} {
		if strings.Contains(string(body), id) {
			out = append(out, id)
		}
	}
	return out
}

// checkErrorShape fails unless res is Mosaic's error shape: a string (or list of strings)
// message and a string error_code.
func checkErrorShape(t *testing.T, where string, res response) {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: error has Content-Type %q, want JSON: %s", where, ct, res.Body)
		return
	}
	var body struct {
		Message   json.RawMessage `json:"message"`
		ErrorCode any             `json:"error_code"`
	}
	if err := json.Unmarshal(res.Body, &body); err != nil {
		t.Errorf("%s: error body is not a JSON object: %s", where, res.Body)
		return
	}
	var s string
	var list []string
	if json.Unmarshal(body.Message, &s) != nil && (json.Unmarshal(body.Message, &list) != nil || len(list) == 0) {
		t.Errorf("%s: error message is neither a string nor a list of strings: %s", where, res.Body)
	}
	if code, ok := body.ErrorCode.(string); !ok || code == "" {
		t.Errorf("%s: error has no string error_code: %s", where, res.Body)
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
