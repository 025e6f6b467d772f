package e2e

import (
	"encoding/base64"
	"testing"
)

// webauthnIsolationCases are the tenant-isolation cases of the passkey routes: calls with
// tenant A's tokens aimed at tenant B's user, its passkey and the ceremonies B started and
// answered but has not finished (a login, and a registration of another authenticator).
// That B's ceremonies still finish for B afterwards is checked by checkTenantBWorks.
//
// The public login start is called by browsers with a client id alone; called with B's client
// id and no token it is simply B's own start, which anyone may make, so it is no isolation
// case. What A can do is send its own token with it, as a relaying backend would: a backend's
// token vouches only for its own application, so that is refused. The self-service
// registration routes take a user's access token: A's client and admin tokens are not one,
// and A's user can only ever register passkeys for itself.
func (f *isoFixture) webauthnIsolationCases() map[string][]isoCase {
	a, b := f.a, f.b
	bUser := "/cis/v1/users/" + b.UserID
	aCreds := "/cis/v1/users/" + a.UserID + "/webauthn-credentials/"
	const me = "/cis/v1/users/me/webauthn-credentials"
	same := func(name, method, path string, body any, status int) isoCase {
		return isoCase{name: name, do: f.call(method, path, body), admin: status, client: status}
	}
	start := "/cis/v1/auth/webauthn/authenticate/start"
	bRegistration := map[string]any{"webauthn_encoded_result": b.PasskeyRegister}
	xdLogin, xdRegister := f.crossDeviceFinishCases()
	return map[string][]isoCase{
		"POST /cis/v1/auth/webauthn/authenticate/start": {
			same("B's client id", "POST", start, map[string]any{"client_id": b.ClientID}, 403),
			same("B's client id and username", "POST", start, map[string]any{"client_id": b.ClientID, "username": b.Email}, 403),
			{name: "A's client id and B's username", do: f.call("POST", start, map[string]any{"client_id": a.ClientID, "username": b.Email}),
				admin: 403, client: 404},
		},
		"OPTIONS /cis/v1/auth/webauthn/authenticate/start": {same("preflight", "OPTIONS", start, nil, 204)},
		"POST /cis/v1/auth/webauthn/authenticate": {
			same("B's answered login", "POST", "/cis/v1/auth/webauthn/authenticate", map[string]any{"webauthn_encoded_result": b.PasskeyLogin}, 400),
			same("B's answered login into B's session", "POST", "/cis/v1/auth/webauthn/authenticate",
				map[string]any{"webauthn_encoded_result": b.PasskeyLogin, "session_id": b.SessionID}, 400),
			// Both tenants' relying party is the same domain, so B's authenticator answers a
			// ceremony A started; B's credential must be unknown to A all the same.
			{name: "B's passkey answering A's ceremony", do: f.callFn("POST", "/cis/v1/auth/webauthn/authenticate", func() any {
				c := f.e.startPasskeyLogin(a.ClientID, "")
				return map[string]any{"webauthn_encoded_result": encodedResult(f.e.t, b.passkey, c, false)}
			}), admin: 400, client: 400, clientCode: "auth_invalid_credentials"},
			{name: "A's own passkey into B's session", do: f.callFn("POST", "/cis/v1/auth/webauthn/authenticate", func() any {
				c := f.e.startPasskeyLogin(a.ClientID, a.Email)
				return map[string]any{"webauthn_encoded_result": encodedResult(f.e.t, a.passkey, c, false), "session_id": b.SessionID}
			}), admin: 400, client: 400, clientCode: "session_not_found"},
			xdLogin[0],
		},
		"POST /cis/v1/auth/webauthn/external/register/start": {
			same("B's user", "POST", "/cis/v1/auth/webauthn/external/register/start", map[string]any{"user_id": b.UserID}, 404),
			// An unknown external id starts the registration of a new user of A: B's external
			// ids are free in A. A management application has no WebAuthn preferences.
			{name: "B's external user id", do: f.call("POST", "/cis/v1/auth/webauthn/external/register/start",
				map[string]any{"external_user_id": b.ExternalID}), admin: 403, client: 200},
		},
		"POST /cis/v1/auth/webauthn/external/register": {
			same("B's answered registration", "POST", "/cis/v1/auth/webauthn/external/register", bRegistration, 400),
			xdRegister[0],
		},
		"POST /cis/v1/auth/webauthn/register/start": {{
			name: "B's user id in the body", do: f.call("POST", "/cis/v1/auth/webauthn/register/start", map[string]any{"user_id": b.UserID, "external_user_id": b.ExternalID}),
			admin: 401, client: 401, user: 200, after: f.registersUserOfA,
		}},
		"POST /cis/v1/auth/webauthn/register": {
			{name: "B's answered registration", do: f.call("POST", "/cis/v1/auth/webauthn/register", bRegistration), admin: 401, client: 401, user: 400},
		},
		"GET /cis/v1/users/{user_id}/webauthn": {same("B's user", "GET", bUser+"/webauthn", nil, 404)},
		"PUT /cis/v1/users/{user_id}/webauthn/{credential_id}": {
			same("B's passkey", "PUT", bUser+"/webauthn/"+b.PasskeyID, map[string]any{"name": "mine"}, 404),
			same("B's passkey under A's user", "PUT", "/cis/v1/users/"+a.UserID+"/webauthn/"+b.PasskeyID, map[string]any{"name": "mine"}, 404),
		},
		"DELETE /cis/v1/users/{user_id}/webauthn/{credential_id}": {
			same("B's passkey", "DELETE", bUser+"/webauthn/"+b.PasskeyID, nil, 404),
			same("B's passkey under A's user", "DELETE", "/cis/v1/users/"+a.UserID+"/webauthn/"+b.PasskeyID, nil, 404),
		},
		"GET /cis/v1/users/{user_id}/webauthn-credentials": {same("B's user", "GET", bUser+"/webauthn-credentials", nil, 404)},
		"GET /cis/v1/users/{user_id}/webauthn-credentials/{credential_id}": {
			same("B's passkey", "GET", bUser+"/webauthn-credentials/"+b.PasskeyID, nil, 404),
			same("B's passkey under A's user", "GET", aCreds+b.PasskeyID, nil, 404),
		},
		"PATCH /cis/v1/users/{user_id}/webauthn-credentials/{credential_id}": {
			same("B's passkey", "PATCH", bUser+"/webauthn-credentials/"+b.PasskeyID, map[string]any{"display_name": "mine"}, 404),
			same("B's passkey under A's user", "PATCH", aCreds+b.PasskeyID, map[string]any{"display_name": "mine"}, 404),
		},
		"DELETE /cis/v1/users/{user_id}/webauthn-credentials/{credential_id}": {
			same("B's passkey", "DELETE", bUser+"/webauthn-credentials/"+b.PasskeyID, nil, 404),
			same("B's passkey under A's user", "DELETE", aCreds+b.PasskeyID, nil, 404),
		},
		// The me/ routes take only a user's access token, and act for that user of A.
		"GET /cis/v1/users/me/webauthn-credentials": {
			{name: "A's user's own", do: f.call("GET", me, nil), admin: 401, client: 401, user: 200},
		},
		"GET /cis/v1/users/me/webauthn-credentials/{credential_id}": {
			{name: "B's passkey", do: f.call("GET", me+"/"+b.PasskeyID, nil), admin: 401, client: 401, user: 404},
		},
		"PATCH /cis/v1/users/me/webauthn-credentials/{credential_id}": {
			{name: "B's passkey", do: f.call("PATCH", me+"/"+b.PasskeyID, map[string]any{"display_name": "mine"}), admin: 401, client: 401, user: 404},
		},
		"DELETE /cis/v1/users/me/webauthn-credentials/{credential_id}": {
			{name: "B's passkey", do: f.call("DELETE", me+"/"+b.PasskeyID, nil), admin: 401, client: 401, user: 404},
		},
		"GET /cis/webauthn.js":           {same("static", "GET", "/cis/webauthn.js", nil, 200)},
		"GET /cis/webauthn-example.html": {same("static", "GET", "/cis/webauthn-example.html", nil, 200)},
	}
}

// registersUserOfA checks that a self-service registration started with the access token of
// A's user is for that user, whatever user the body named.
func (f *isoFixture) registersUserOfA(t *testing.T, res response) {
	t.Helper()
	opts, _ := res.JSON(t)["credential_creation_options"].(map[string]any)
	user, _ := opts["user"].(map[string]any)
	if user["id"] != base64.RawURLEncoding.EncodeToString([]byte(f.a.UserID)) {
		t.Errorf("self-service registration is for user handle %v, want A's user %s: %s", user["id"], f.a.UserID, res.Body)
	}
}
