package e2e

// totpIsolationCases are the tenant-isolation cases of the TOTP and recovery-code routes:
// calls with tenant A's tokens aimed at tenant B's user, its TOTP credential and its recovery
// codes. That B's credentials still work afterwards is checked by checkTenantBWorks.
func (f *isoFixture) totpIsolationCases() map[string][]isoCase {
	a, b := f.a, f.b
	bUser := "/cis/v1/users/" + b.UserID
	bTOTPID := b.TOTP["totp_id"].(string)
	same := func(name, method, path string, body any, status int) isoCase {
		return isoCase{name: name, do: f.call(method, path, body), admin: status, client: status}
	}
	bCode := func(extra map[string]any) func() any {
		return func() any {
			body := map[string]any{"token": f.e.totpCode(b.TOTP, 0), "identifier": b.Email}
			for k, v := range extra {
				body[k] = v
			}
			return body
		}
	}
	return map[string][]isoCase{
		// The user's own registration is for the user of the token whatever the body says; A's
		// user already has the one authenticator A's application allows.
		"POST /cis/v1/auth/totp/register": {{
			name: "B's user's label", do: f.call("POST", "/cis/v1/auth/totp/register", map[string]any{"label": b.Email}),
			admin: 401, client: 401, user: 409,
		}},
		"POST /cis/v1/auth/totp/transaction/start": {
			{name: "B's user", do: f.call("POST", "/cis/v1/auth/totp/transaction/start", map[string]any{
				"approval_data": map[string]any{"sum": "200"}, "identifier_type": "email", "identifier": b.Email,
			}), admin: 400, client: 400, clientCode: "user_not_found"},
			same("B's user id", "POST", "/cis/v1/auth/totp/transaction/start", map[string]any{
				"approval_data": map[string]any{"sum": "200"}, "identifier_type": "user_id", "identifier": b.UserID,
			}, 400),
		},
		"POST /cis/v1/users/{user_id}/totp": {same("B's user", "POST", bUser+"/totp", map[string]any{}, 404)},
		"GET /cis/v1/users/{user_id}/totp":  {same("B's user", "GET", bUser+"/totp", nil, 404)},
		"POST /cis/v1/users/{user_id}/totp/{totp_id}/confirm": {
			{name: "B's credential", do: f.callFn("POST", bUser+"/totp/"+bTOTPID+"/confirm", func() any {
				return map[string]any{"code": f.e.totpCode(b.TOTP, 0)}
			}), admin: 404, client: 404},
			same("B's credential under A's user", "POST", "/cis/v1/users/"+a.UserID+"/totp/"+bTOTPID+"/confirm",
				map[string]any{"code": "123456"}, 404),
		},
		"DELETE /cis/v1/users/{user_id}/totp/{totp_id}": {
			same("B's credential", "DELETE", bUser+"/totp/"+bTOTPID, nil, 404),
			same("B's credential under A's user", "DELETE", "/cis/v1/users/"+a.UserID+"/totp/"+bTOTPID, nil, 404),
		},
		"POST /cis/v1/users/{user_id}/recovery-codes":   {same("B's user", "POST", bUser+"/recovery-codes", nil, 404)},
		"GET /cis/v1/users/{user_id}/recovery-codes":    {same("B's user", "GET", bUser+"/recovery-codes", nil, 404)},
		"DELETE /cis/v1/users/{user_id}/recovery-codes": {same("B's user", "DELETE", bUser+"/recovery-codes", nil, 404)},
		"POST /cis/v1/auth/totp/authenticate": {
			{name: "B's current code", do: f.callFn("POST", "/cis/v1/auth/totp/authenticate", bCode(nil)), admin: 400, client: 400},
			{name: "B's current code by user id", do: f.callFn("POST", "/cis/v1/auth/totp/authenticate",
				bCode(map[string]any{"identifier_type": "user_id", "identifier": b.UserID})), admin: 400, client: 400},
			{name: "A's own code into B's session", do: f.callFn("POST", "/cis/v1/auth/totp/authenticate", func() any {
				return map[string]any{"token": f.e.totpCode(a.TOTP, 0), "identifier": a.Email, "session_id": b.SessionID}
			}), admin: 400, client: 400, clientCode: "session_not_found"},
		},
		"POST /cis/v1/auth/recovery-code/authenticate": {
			same("B's recovery code", "POST", "/cis/v1/auth/recovery-code/authenticate",
				map[string]any{"code": b.RecoveryCodes[0], "identifier": b.Email}, 400),
			same("B's recovery code by user id", "POST", "/cis/v1/auth/recovery-code/authenticate",
				map[string]any{"code": b.RecoveryCodes[1], "identifier": b.UserID, "identifier_type": "user_id"}, 400),
			{name: "A's own recovery code into B's session", do: f.call("POST", "/cis/v1/auth/recovery-code/authenticate",
				map[string]any{"code": a.RecoveryCodes[0], "identifier": a.Email, "session_id": b.SessionID}),
				admin: 400, client: 400, clientCode: "session_not_found"},
		},
	}
}
