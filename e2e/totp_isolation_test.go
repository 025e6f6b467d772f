package e2e

import (
	"context"
	"encoding/json"
	"testing"
)

// totpIsolationCases are the tenant-isolation cases of the TOTP and recovery-code routes, in
// the shape of the isolation table: calls with tenant A's tokens aimed at tenant B's user, its
// TOTP credential bTOTP and its recovery codes bCodes.
func (f *isoFixture) totpIsolationCases(bTOTP totpEnrolment, bCodes []string) map[string][]isoCase {
	a, b := f.a, f.b
	bUser := "/cis/v1/users/" + b.UserID
	bTOTPID := bTOTP["totp_id"].(string)
	same := func(name, method, path string, body any, status int) isoCase {
		return isoCase{name: name, do: f.call(method, path, body), admin: status, client: status}
	}
	bCode := func(extra map[string]any) func() any {
		return func() any {
			body := map[string]any{"token": f.e.totpCode(bTOTP, 0), "identifier": b.Email}
			for k, v := range extra {
				body[k] = v
			}
			return body
		}
	}
	return map[string][]isoCase{
		"POST /cis/v1/users/{user_id}/totp": {same("B's user", "POST", bUser+"/totp", map[string]any{}, 404)},
		"GET /cis/v1/users/{user_id}/totp":  {same("B's user", "GET", bUser+"/totp", nil, 404)},
		"POST /cis/v1/users/{user_id}/totp/{totp_id}/confirm": {
			{name: "B's credential", do: f.callFn("POST", bUser+"/totp/"+bTOTPID+"/confirm", func() any {
				return map[string]any{"code": f.e.totpCode(bTOTP, 0)}
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
		},
		"POST /cis/v1/auth/recovery-code/authenticate": {
			same("B's recovery code", "POST", "/cis/v1/auth/recovery-code/authenticate",
				map[string]any{"code": bCodes[0], "identifier": b.Email}, 400),
			same("B's recovery code by user id", "POST", "/cis/v1/auth/recovery-code/authenticate",
				map[string]any{"code": bCodes[1], "identifier": b.UserID, "identifier_type": "user_id"}, 400),
		},
	}
}

// TestTOTPTenantIsolation runs the TOTP cases of the isolation table, then checks that tenant
// B's credentials are exactly as they were and still work.
func TestTOTPTenantIsolation(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		f := newIsolationFixture(e)
		bTOTP := e.enrolConfirmedTOTP(f.b.client, f.b.UserID)
		bCodes := e.recoveryCodes(f.b.client, f.b.UserID)
		before := credentialsOf(t, e, f.b)

		cases := f.totpIsolationCases(bTOTP, bCodes)
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
				t.Errorf("the TOTP isolation cases name %s, which is not a route", key)
			}
		}

		if after := credentialsOf(t, e, f.b); after != before {
			t.Fatalf("tenant B's credentials changed:\n%s", diffLines(before, after))
		}
		wantStatus(t, e.totpLogin(f.b.client, f.b.Email, e.totpCode(bTOTP, 0), nil), 200, "")
		wantStatus(t, e.recoveryLogin(f.b.client, f.b.Email, bCodes[0]), 200, "")
	})
}

// credentialsOf reads the credentials of a tenant's user from the store (oldest first), as
// indented JSON.
func credentialsOf(t *testing.T, e *env, r *tenantRecords) string {
	t.Helper()
	creds, err := e.store.ListCredentials(context.Background(), r.TenantID, r.UserID, "")
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(creds, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
