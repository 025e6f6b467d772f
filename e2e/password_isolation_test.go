package e2e

// passwordIsolationCases are the tenant-isolation cases of the password routes: calls with
// tenant A's tokens aimed at tenant B's user, its password, its session and the reset codes
// pending for it (one typed, one from a link). That B's password and reset link still work
// afterwards is checked by checkTenantBWorks.
func (f *isoFixture) passwordIsolationCases() map[string][]isoCase {
	a, b := f.a, f.b
	bUser := "/cis/v1/users/" + b.UserID + "/password"
	same := func(name, method, path string, body any, status int) isoCase {
		return isoCase{name: name, do: f.call(method, path, body), admin: status, client: status}
	}
	login := "/cis/v1/auth/password/authenticate"
	change := "/cis/v1/auth/password/change"
	reset := "/cis/v1/auth/password/reset/complete"
	return map[string][]isoCase{
		"POST /cis/v1/users/{user_id}/password": {same("B's user", "POST", bUser, map[string]any{"password": pwdOther}, 404)},
		"PUT /cis/v1/users/{user_id}/password":  {same("B's user", "PUT", bUser, map[string]any{"password": pwdOther}, 404)},
		"POST /cis/v1/auth/password/authenticate": {
			same("B's email and password", "POST", login, map[string]any{"username": b.Email, "username_type": "email", "password": pwdGood}, 400),
			same("B's username and password", "POST", login, map[string]any{"username": b.Username, "password": pwdGood}, 400),
			// A's admin token belongs to no application of A's users: its logins find nobody.
			{name: "A's password into B's session", do: f.call("POST", login, map[string]any{
				"username": a.Email, "username_type": "email", "password": pwdGood, "session_id": b.SessionID}), admin: 400, client: 400, clientCode: "session_not_found"},
		},
		"POST /cis/v1/auth/password/change": {
			same("B's password", "POST", change, map[string]any{"username": b.Email, "username_type": "email",
				"current_password": pwdGood, "new_password": pwdOther}, 400),
			{name: "A's own password, changed into B's session", do: f.call("POST", change, map[string]any{"username": a.Email, "username_type": "email",
				"current_password": pwdGood, "new_password": pwdOther, "session_id": b.SessionID}), admin: 400, client: 400, clientCode: "session_not_found"},
		},
		"POST /cis/v1/auth/password/reset/send": {
			same("B's email", "POST", "/cis/v1/auth/password/reset/send", map[string]any{
				"identifier_type": "email", "identifier": b.Email, "channel": "direct"}, 404),
			same("B's user id", "POST", "/cis/v1/auth/password/reset/send", map[string]any{
				"identifier_type": "user_id", "identifier": b.UserID, "channel": "direct"}, 404),
		},
		"POST /cis/v1/auth/password/reset/complete": {
			same("B's pending code", "POST", reset, map[string]any{
				"identifier_type": "email", "identifier": b.Email, "code": b.ResetCode, "new_password": pwdOther}, 400),
			same("B's pending link", "POST", reset, map[string]any{"code": b.ResetLink, "new_password": pwdOther}, 400),
		},
	}
}
