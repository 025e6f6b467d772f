package e2e

import (
	"net/url"
	"strings"
	"testing"
)

// call returns a case action sending a fixed request.
func (f *isoFixture) call(method, path string, body any) func(string) response {
	return func(bearer string) response { return f.e.do(method, path, bearer, body) }
}

// callFn returns a case action whose body is built just before sending (to use a fresh code).
func (f *isoFixture) callFn(method, path string, body func() any) func(string) response {
	return func(bearer string) response { return f.e.do(method, path, bearer, body()) }
}

// tokenCall posts a client-credentials request with the credentials of whichever of A's
// clients the bearer belongs to, plus extra form values.
func (f *isoFixture) tokenCall(id func(own string) string, extra url.Values) func(string) response {
	v := url.Values{"grant_type": {"client_credentials"}}
	for k, vs := range extra {
		v[k] = vs
	}
	return f.oauthCall("/oidc/token", id, v)
}

// oauthCall posts a form to an OAuth endpoint with client_secret_post credentials: the
// secret of whichever of A's clients the bearer belongs to, and the client id id chooses
// (A's own, passed in, or another).
func (f *isoFixture) oauthCall(path string, id func(own string) string, values url.Values) func(string) response {
	return func(bearer string) response {
		ownID, sec := f.a.ClientID, f.a.ClientSecret
		if bearer == f.a.admin {
			ownID, sec = f.a.AdminClientID, f.a.AdminSecret
		}
		v := url.Values{"client_id": {id(ownID)}, "client_secret": {sec}}
		for k, vs := range values {
			v[k] = vs
		}
		return f.e.form(path, v, "", "")
	}
}

// ownID picks A's own client id in oauthCall and tokenCall.
func ownID(own string) string { return own }

// deleteCreated removes what a successful create made in tenant A, after checking it is not
// one of B's records.
func (f *isoFixture) deleteCreated(idField, pathPrefix string) func(*testing.T, response) {
	return func(t *testing.T, res response) {
		t.Helper()
		id, _ := result(t, res)[idField].(string)
		if id == "" {
			t.Errorf("create answered no %s: %s", idField, res.Body)
			return
		}
		wantStatus(t, f.e.do("DELETE", pathPrefix+id, f.a.admin, nil), 204, "")
	}
}

// emptySearch checks that a user search found nothing.
func emptySearch(t *testing.T, res response) {
	t.Helper()
	if n := res.JSON(t)["total_count"]; n != float64(0) {
		t.Errorf("search across tenants found %v users: %s", n, res.Body)
	}
}

// table lists, for every route, calls aimed at tenant B and the statuses wanted with A's
// tokens. It joins the cases of each group of routes; a route named twice fails the test.
func (f *isoFixture) table() map[string][]isoCase {
	out := map[string][]isoCase{}
	for _, part := range []map[string][]isoCase{
		f.coreIsolationCases(), f.appIsolationCases(), f.sessionIsolationCases(), f.totpIsolationCases(),
		f.webauthnIsolationCases(), f.crossDeviceIsolationCases(), f.passwordIsolationCases(),
		f.roleIsolationCases(), f.groupIsolationCases(), f.userIsolationCases(), f.orgIsolationCases(),
		f.clientRoleIsolationCases(), f.orgRoleIsolationCases(),
	} {
		for key, cases := range part {
			if _, dup := out[key]; dup {
				f.e.t.Errorf("the isolation cases name %s twice", key)
			}
			out[key] = cases
		}
	}
	return out
}

// coreIsolationCases cover the token, OTP and magic link routes; record lookups answer 404.
func (f *isoFixture) coreIsolationCases() map[string][]isoCase {
	a, b := f.a, f.b
	public := func(path string) []isoCase {
		return []isoCase{{name: "no tenant records", do: f.call("GET", path, nil), admin: 200, client: 200}}
	}
	send := func(idType, id string) isoCase {
		body := map[string]any{"channel": "direct", "identifier_type": idType, "identifier": id}
		return isoCase{name: "send to B's " + idType, do: f.call("POST", "/cis/v1/auth/otp/send", body), admin: 404, client: 404}
	}
	ownCode := func(extra map[string]any) func() any {
		return func() any {
			body := map[string]any{"passcode": directCode(f.e, a.client, a.Email), "identifier_type": "email", "identifier": a.Email}
			for k, v := range extra {
				body[k] = v
			}
			return body
		}
	}
	same := func(name, method, path string, body any, status int) isoCase {
		return isoCase{name: name, do: f.call(method, path, body), admin: status, client: status}
	}

	return map[string][]isoCase{
		"GET /healthz":                                   public("/healthz"),
		"GET /readyz":                                    public("/readyz"),
		"GET /openapi.json":                              public("/openapi.json"),
		"GET /cis/oidc/jwks":                             public("/cis/oidc/jwks"),
		"GET /.well-known/openid-configuration":          public("/.well-known/openid-configuration"),
		"GET /cis/oidc/.well-known/openid-configuration": public("/cis/oidc/.well-known/openid-configuration"),
		"POST /oidc/token": {
			{name: "B's resource", do: f.tokenCall(ownID, url.Values{"resource": {b.ResourceURI}}), admin: 400, client: 400},
			{name: "B's client id with A's secret", do: f.tokenCall(func(string) string { return b.ClientID }, nil), admin: 401, client: 401},
			{name: "B's refresh token", do: f.oauthCall("/oidc/token", ownID, url.Values{
				"grant_type": {"refresh_token"}, "refresh_token": {b.RefreshToken}}), admin: 400, client: 400},
			{name: "B's refresh token as B's client with A's secret", do: f.oauthCall("/oidc/token", func(string) string { return b.ClientID },
				url.Values{"grant_type": {"refresh_token"}, "refresh_token": {b.RefreshToken}}), admin: 401, client: 401},
		},

		"POST /cis/v1/auth/otp/send": {
			send("email", b.Email), send("user_id", b.UserID), send("phone_number", b.Phone), send("username", b.Username),
		},
		"POST /cis/v1/auth/otp/authenticate": {
			same("B's pending code", "POST", "/cis/v1/auth/otp/authenticate",
				map[string]any{"passcode": b.PendingCode, "identifier_type": "email", "identifier": b.Email}, 400),
			same("B's pending code by user id", "POST", "/cis/v1/auth/otp/authenticate",
				map[string]any{"passcode": b.PendingCode, "identifier_type": "user_id", "identifier": b.UserID}, 400),
			{name: "A's code into B's session", do: f.callFn("POST", "/cis/v1/auth/otp/authenticate",
				ownCode(map[string]any{"session_id": b.SessionID})), admin: 400, client: 400, clientCode: "session_not_found"},
			{name: "A's code for B's resource", do: f.callFn("POST", "/cis/v1/auth/otp/authenticate",
				ownCode(map[string]any{"resource": b.ResourceURI})), admin: 400, client: 400},
		},

		"POST /cis/v1/auth/link/email/send": {
			// A management client has no redirect URIs, so its sends fail on redirect_uri first.
			{name: "link to B's email", do: f.call("POST", "/cis/v1/auth/link/email/send", map[string]any{
				"channel": "direct", "identifier_type": "email", "identifier": b.Email, "redirect_uri": demoRedirect}), admin: 400, client: 404},
			{name: "link to B's email, deprecated shape", do: f.call("POST", "/cis/v1/auth/link/email/send", map[string]any{
				"email": b.Email, "redirect_uri": demoRedirect}), admin: 400, client: 404},
			{name: "link to B's user id", do: f.call("POST", "/cis/v1/auth/link/email/send", map[string]any{
				"channel": "direct", "identifier_type": "user_id", "identifier": b.UserID, "redirect_uri": demoRedirect}), admin: 400, client: 404},
		},
		"POST /cis/v1/auth/link/email/authenticate": {
			same("B's pending link", "POST", "/cis/v1/auth/link/email/authenticate", map[string]any{"code": b.PendingLink}, 400),
			same("B's link id with a wrong secret", "POST", "/cis/v1/auth/link/email/authenticate",
				map[string]any{"code": strings.SplitN(b.PendingLink, ".", 2)[0] + ".wrong"}, 400),
			{name: "A's link into B's session", do: f.callFn("POST", "/cis/v1/auth/link/email/authenticate", func() any {
				return map[string]any{"code": directLinkCode(f.e, a.client, a.Email), "session_id": b.SessionID}
			}), admin: 400, client: 400, clientCode: "session_not_found"},
		},
	}
}
