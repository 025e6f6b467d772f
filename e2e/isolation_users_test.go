package e2e

import (
	"net/url"
	"testing"
)

// userIsolationCases cover the Users API: every lookup of B's user by any identifier is not
// found, every search and count leaves B's users out, and no change reaches them. The me/
// routes act on the token's own user only, so A's tokens cannot aim them at B at all.
func (f *isoFixture) userIsolationCases() map[string][]isoCase {
	a, b := f.a, f.b
	user := "/cis/v1/users/" + b.UserID
	own := "/cis/v1/users/" + a.UserID
	same := func(name, method, path string, body any, status int) isoCase {
		return isoCase{name: name, do: f.call(method, path, body), admin: status, client: status}
	}
	search := func(name, query string) isoCase {
		return isoCase{name: name, do: f.call("GET", "/cis/v1/users?"+query, nil), admin: 200, client: 200,
			after: func(t *testing.T, res response) { emptySearch(t, res) }}
	}
	scim := func(expr string) string { return "search=" + url.QueryEscape(expr) }
	phone := url.PathEscape(b.Phone)
	return map[string][]isoCase{
		"POST /cis/v1/users": {{
			name: "B's identifiers are free in A",
			do: f.call("POST", "/cis/v1/users", map[string]any{
				"email": b.Email, "phone_number": b.Phone, "username": b.Username, "external_user_id": b.ExternalID}),
			admin: 201, client: 201, after: f.deleteCreated("user_id", "/cis/v1/manage/users/"),
		}},
		"GET /cis/v1/users": {
			search("search B's email", scim(`email eq "`+b.Email+`"`)),
			search("search B's user id", scim(`user_id eq "`+b.UserID+`"`)),
			search("search B's phone by prefix", "search_prefix="+url.QueryEscape(b.Phone)),
			search("search B's external id", scim(`external_user_id sw "`+b.ExternalID+`"`)),
			same("list all", "GET", "/cis/v1/users", nil, 200),
		},
		"GET /cis/v1/users/count": {{name: "count B's email", do: f.call("GET", "/cis/v1/users/count?"+scim(`email eq "`+b.Email+`"`), nil),
			admin: 200, client: 200, after: func(t *testing.T, res response) {
				if n := result(t, res)["user_count"]; n != float64(0) {
					t.Errorf("count across tenants found %v users", n)
				}
			}}},
		"GET /cis/v1/users/identifier": {
			same("B's email", "GET", "/cis/v1/users/identifier?identifier_name=email&identifier_value="+url.QueryEscape(b.Email), nil, 404),
			same("B's user id", "GET", "/cis/v1/users/identifier?identifier_name=user_id&identifier_value="+b.UserID, nil, 404),
			same("B's username", "GET", "/cis/v1/users/identifier?identifier_name=username&identifier_value="+b.Username, nil, 404),
		},
		"GET /cis/v1/users/{user_id}": {same("B's user", "GET", user, nil, 404)},
		"PUT /cis/v1/users/{user_id}": {
			same("rename B's user", "PUT", user, map[string]any{"name": map[string]any{"first_name": "Mallory"}, "email": "mallory@evil.example"}, 404),
		},
		"DELETE /cis/v1/users/{user_id}":                        {same("B's user", "DELETE", user, nil, 404)},
		"GET /cis/v1/users/{user_id}/groups":                    {same("B's user", "GET", user+"/groups", nil, 404)},
		"GET /cis/v1/users/email/{email}":                       {same("B's email", "GET", "/cis/v1/users/email/"+b.Email, nil, 404)},
		"GET /cis/v1/users/username/{username}":                 {same("B's username", "GET", "/cis/v1/users/username/"+b.Username, nil, 404)},
		"GET /cis/v1/users/phone-number/{phone_number}":         {same("B's phone", "GET", "/cis/v1/users/phone-number/"+phone, nil, 404)},
		"GET /cis/v1/users/phone/{phone_number}":                {same("B's phone", "GET", "/cis/v1/users/phone/"+phone, nil, 404)},
		"GET /cis/v1/users/external-user-id/{external_user_id}": {same("B's external id", "GET", "/cis/v1/users/external-user-id/"+b.ExternalID, nil, 404)},
		"DELETE /cis/v1/users/{user_id}/apps":                   {{name: "B's user", do: f.call("DELETE", user+"/apps", nil), admin: 403, client: 404}},
		"DELETE /cis/v1/users/{user_id}/emails/{email}": {
			same("B's user's email", "DELETE", user+"/emails/"+b.Email, nil, 404),
			same("B's email on A's user", "DELETE", own+"/emails/"+b.Email, nil, 404),
		},
		"DELETE /cis/v1/users/{user_id}/phone-numbers/{phone_number}": {
			same("B's user's phone", "DELETE", user+"/phone-numbers/"+phone, nil, 404),
		},
		"POST /cis/v1/users/{user_id}/emails/{email}/verify": {
			same("B's user's email", "POST", user+"/emails/"+b.Email+"/verify", map[string]any{}, 404),
			same("B's email made A's user's primary", "POST", own+"/emails/"+b.Email+"/verify", map[string]any{"change_to_primary": true}, 404),
		},
		"POST /cis/v1/users/{user_id}/phone-numbers/{phone_number}/verify": {
			same("B's user's phone", "POST", user+"/phone-numbers/"+phone+"/verify", map[string]any{"change_to_primary": true}, 404),
		},
		"POST /cis/v1/users/me/password-credentials": {{name: "A's own user, who has a password",
			do: f.call("POST", "/cis/v1/users/me/password-credentials", map[string]any{"password": pwdOther}), admin: 401, client: 401, user: 409}},
		"GET /cis/v1/users/me/device-keys": {{name: "A's own user", do: f.call("GET", "/cis/v1/users/me/device-keys", nil),
			admin: 401, client: 401, user: 404}},
		"DELETE /cis/v1/manage/users/{user_id}": {{name: "B's user", do: f.call("DELETE", "/cis/v1/manage/users/"+b.UserID, nil), admin: 404, client: 403}},
	}
}
