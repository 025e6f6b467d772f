package e2e

import (
	"testing"
)

// identityTypes maps each identity of a user object to its alias, as "auth_type alias-type".
func identityTypes(t *testing.T, u map[string]any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, v := range u["identities"].([]any) {
		id := v.(map[string]any)
		if id["provider_type"] != "Native" || !isoTime(id["first_auth_date"]) || !isoTime(id["last_auth_date"]) || id["identifier"] != u["user_id"] {
			t.Errorf("identity %v", id)
		}
		alias := ""
		if a, ok := id["user_alias"].(map[string]any); ok {
			alias = a["type"].(string) + ":" + a["value"].(string)
		}
		out[id["auth_type"].(string)] = alias
	}
	return out
}

// TestMosaicUsernameOnlyUser creates a user with a username and a password only, as Mosaic
// allows for password login, and signs them in by that username.
func TestMosaicUsernameOnlyUser(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		res := e.do("POST", "/cis/v1/users", tok, []byte(`{"username": "solo_user", "credentials": {"password": "`+pwdGood+`", "force_replace": false}}`))
		wantStatus(t, res, 201, "")
		u := result(t, res)
		if u["email"] != nil || u["phone_number"] != nil || u["username"] != "solo_user" {
			t.Fatalf("created: %s", res.Body)
		}
		res = e.do("POST", "/cis/v1/auth/password/authenticate", tok, []byte(`{"username": "solo_user", "password": "`+pwdGood+`"}`))
		wantStatus(t, res, 200, "")
		if res.JSON(t)["access_token"] == nil {
			t.Fatalf("password login by username: %s", res.Body)
		}
		res = e.do("GET", "/cis/v1/users/"+u["user_id"].(string), tok, nil)
		wantStatus(t, res, 200, "")
		got := result(t, res)
		if !isoTime(got["last_auth"]) {
			t.Errorf("last_auth after a login = %v", got["last_auth"])
		}
		if ids := identityTypes(t, got); len(ids) != 1 || ids["password"] != "username:solo_user" {
			t.Errorf("identities = %v; want the password, by username", ids)
		}
		if pw := got["password_information"].(map[string]any); pw["temporary"] != false || pw["expired"] != false {
			t.Errorf("password_information = %v", pw)
		}
		// A user needs some identifier.
		res = e.do("POST", "/cis/v1/users", tok, []byte(`{"name": {"first_name": "Nobody"}}`))
		wantStatus(t, res, 400, "")
	})
}

// TestMosaicMeRoutes calls the user-token routes with the access token of an end user's
// login, as a Mosaic front end's backend relays it.
func TestMosaicMeRoutes(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		id := e.createUser(tok, "me@example.com")
		code := e.sendCode(tok, "me@example.com", 0)
		login := e.authenticate(tok, "me@example.com", code, nil)
		wantStatus(t, login, 200, "")
		access := login.JSON(t)["access_token"].(string)

		res := e.do("POST", "/cis/v1/users/me/password-credentials", access, []byte(`{"password": "`+pwdGood+`"}`))
		wantStatus(t, res, 200, "")
		if result(t, res)["message"] != "Password registered" {
			t.Errorf("answer: %s", res.Body)
		}
		// The verified email became the username, so a password login by it works.
		res = e.do("POST", "/cis/v1/auth/password/authenticate", tok, []byte(`{"username": "me@example.com", "password": "`+pwdGood+`"}`))
		wantStatus(t, res, 200, "")
		res = e.do("POST", "/cis/v1/users/me/password-credentials", access, []byte(`{"password": "`+pwdOther+`"}`))
		wantStatus(t, res, 409, "auth_password_already_configured")

		res = e.do("GET", "/cis/v1/users/"+id, tok, nil)
		wantStatus(t, res, 200, "")
		u := result(t, res)
		ids := identityTypes(t, u)
		if ids["email_otp"] != "email:me@example.com" || ids["password"] != "username:me@example.com" || len(ids) != 2 {
			t.Errorf("identities = %v; want email_otp and password", ids)
		}
		if e := u["email"].(map[string]any); e["email_verified"] != true || !isoTime(e["verified_at"]) {
			t.Errorf("email after an email OTP login = %v", e)
		}

		res = e.do("GET", "/cis/v1/users/me/device-keys", access, nil)
		if body := res.JSON(t); res.Status != 404 || body["error_code"] != 404.0 {
			t.Errorf("device keys: %d %s", res.Status, res.Body)
		}
		for _, bearer := range []string{"", tok} {
			for _, call := range []struct{ method, path string }{
				{"GET", "/cis/v1/users/me/device-keys"}, {"POST", "/cis/v1/users/me/password-credentials"},
			} {
				res := e.do(call.method, call.path, bearer, []byte(`{"password": "`+pwdOther+`"}`))
				if body := res.JSON(t); res.Status != 401 || body["error_code"] != 401.0 || res.Header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s %s without a user token: %d %s", call.method, call.path, res.Status, res.Body)
				}
			}
		}
	})
}
