package e2e

// userBodyRoutes are the Users API routes with a JSON body besides creation and update, which
// are among coreBodyRoutes.
var userBodyRoutes = map[string]jsonRoute{
	"POST /cis/v1/users/{user_id}/emails/{email}/verify": {
		path:   func(ids badInputIDs) string { return "/cis/v1/users/" + ids.user + "/emails/ada@example.com/verify" },
		fields: map[string]string{"change_to_primary": "bool"},
	},
	"POST /cis/v1/users/{user_id}/phone-numbers/{phone_number}/verify": {
		path: func(ids badInputIDs) string {
			return "/cis/v1/users/" + ids.user + "/phone-numbers/%2B14155550100/verify"
		},
		fields: map[string]string{"change_to_primary": "bool"},
	},
	"POST /cis/v1/users/me/password-credentials": {
		user: true, path: fixedPath("/cis/v1/users/me/password-credentials"),
		fields:  map[string]string{"password": "string", "username": "string"},
		several: map[string]any{"password": "", "username": "has space"},
		wants:   []string{"password", "username"},
	},
	"PATCH /cis/v1/users/{user_id}/webauthn-credentials/{credential_id}": {
		path: func(ids badInputIDs) string {
			return "/cis/v1/users/" + ids.user + "/webauthn-credentials/" + ids.passkey
		},
		fields: map[string]string{"display_name": "string"},
	},
	"PATCH /cis/v1/users/me/webauthn-credentials/{credential_id}": {
		user: true, path: func(ids badInputIDs) string { return "/cis/v1/users/me/webauthn-credentials/" + ids.passkey },
		fields: map[string]string{"display_name": "string"},
	},
}
