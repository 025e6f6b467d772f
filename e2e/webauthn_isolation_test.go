package e2e

import (
	"context"
	"testing"

	"github.com/latchkey/latchkey/internal/passkey/passkeytest"
)

// webauthnIsolationCases are the tenant-isolation cases of the passkey routes, in the shape of
// the isolation table: calls with tenant A's tokens aimed at tenant B's user, its passkey bCred
// and ceremonies B started (bLogin, a login answered by B's authenticator, and bRegister, a
// registration answered by another of B's authenticators).
func (f *isoFixture) webauthnIsolationCases(bCred, bLogin, bRegister string) map[string][]isoCase {
	a, b := f.a, f.b
	bUser := "/cis/v1/users/" + b.UserID
	same := func(name, method, path string, body any, status int) isoCase {
		return isoCase{name: name, do: f.call(method, path, body), admin: status, client: status}
	}
	return map[string][]isoCase{
		"POST /cis/v1/auth/webauthn/authenticate/start": {
			// A's token vouches for another application than B's client id.
			same("B's client id", "POST", "/cis/v1/auth/webauthn/authenticate/start", map[string]any{"client_id": b.ClientID, "username": b.Email}, 403),
		},
		"OPTIONS /cis/v1/auth/webauthn/authenticate/start": {same("preflight", "OPTIONS", "/cis/v1/auth/webauthn/authenticate/start", nil, 204)},
		"POST /cis/v1/auth/webauthn/authenticate": {
			same("B's answered login", "POST", "/cis/v1/auth/webauthn/authenticate", map[string]any{"webauthn_encoded_result": bLogin}, 400),
		},
		"POST /cis/v1/auth/webauthn/external/register/start": {
			same("B's user", "POST", "/cis/v1/auth/webauthn/external/register/start", map[string]any{"user_id": b.UserID}, 404),
		},
		"POST /cis/v1/auth/webauthn/external/register": {
			same("B's answered registration", "POST", "/cis/v1/auth/webauthn/external/register", map[string]any{"webauthn_encoded_result": bRegister}, 400),
		},
		// A client token is no user token, whoever's it is.
		"POST /cis/v1/auth/webauthn/register/start": {same("a client token", "POST", "/cis/v1/auth/webauthn/register/start", map[string]any{}, 401)},
		"POST /cis/v1/auth/webauthn/register": {
			same("B's answered registration", "POST", "/cis/v1/auth/webauthn/register", map[string]any{"webauthn_encoded_result": bRegister}, 401),
		},
		"GET /cis/v1/users/{user_id}/webauthn": {same("B's user", "GET", bUser+"/webauthn", nil, 404)},
		"PUT /cis/v1/users/{user_id}/webauthn/{credential_id}": {
			same("B's passkey", "PUT", bUser+"/webauthn/"+bCred, map[string]any{"name": "mine"}, 404),
			same("B's passkey under A's user", "PUT", "/cis/v1/users/"+a.UserID+"/webauthn/"+bCred, map[string]any{"name": "mine"}, 404),
		},
		"DELETE /cis/v1/users/{user_id}/webauthn/{credential_id}": {
			same("B's passkey", "DELETE", bUser+"/webauthn/"+bCred, nil, 404),
			same("B's passkey under A's user", "DELETE", "/cis/v1/users/"+a.UserID+"/webauthn/"+bCred, nil, 404),
		},
		"GET /cis/webauthn.js":           {same("static", "GET", "/cis/webauthn.js", nil, 200)},
		"GET /cis/webauthn-example.html": {same("static", "GET", "/cis/webauthn-example.html", nil, 200)},
	}
}

// TestWebAuthnTenantIsolation runs the passkey cases of the isolation table, then checks that
// tenant B's passkeys are as they were and its ceremonies still finish for B.
func TestWebAuthnTenantIsolation(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		f := newIsolationFixture(e)
		for _, r := range []*tenantRecords{f.a, f.b} {
			e.enableWebAuthnAs(r.admin, r.AppID, nil)
		}
		bKey := passkeytest.New(waOrigin)
		res := e.registerPasskey(f.b.client, map[string]any{"user_id": f.b.UserID}, nil, bKey)
		wantStatus(t, res, 200, "")
		bCred := res.JSON(t)["credential_id"].(string)
		bLogin := encodedResult(t, bKey, e.startPasskeyLogin(f.b.ClientID, f.b.Email), false)
		c := startedCeremony(t, e.do("POST", "/cis/v1/auth/webauthn/external/register/start", f.b.client, map[string]any{"user_id": f.b.UserID}), "credential_creation_options")
		bRegister := encodedResult(t, passkeytest.New(waOrigin), c, true)
		before := credentialsOf(t, e, f.b)

		cases := f.webauthnIsolationCases(bCred, bLogin, bRegister)
		seen := map[string]bool{}
		for _, rt := range e.api.Routes() {
			key := rt.Method + " " + rt.Pattern
			if cs, ok := cases[key]; ok {
				seen[key] = true
				for _, c := range cs {
					f.run(t, rt, c)
				}
			}
		}
		for key := range cases {
			if !seen[key] {
				t.Errorf("the passkey isolation cases name %s, which is not a route", key)
			}
		}
		if after := credentialsOf(t, e, f.b); after != before {
			t.Fatalf("tenant B's credentials changed:\n%s", diffLines(before, after))
		}
		// A's attempts spent none of B's ceremonies.
		wantStatus(t, e.do("POST", "/cis/v1/auth/webauthn/authenticate", f.b.client, map[string]any{"webauthn_encoded_result": bLogin}), 200, "")
		wantStatus(t, e.do("POST", "/cis/v1/auth/webauthn/external/register", f.b.client, map[string]any{"webauthn_encoded_result": bRegister}), 200, "")
		creds, err := e.store.ListCredentials(context.Background(), f.b.TenantID, f.b.UserID, "webauthn")
		if err != nil || len(creds) != 2 {
			t.Fatalf("tenant B's passkeys: %d, %v", len(creds), err)
		}
	})
}
