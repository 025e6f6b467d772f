package e2e

import (
	"encoding/json"
	"testing"
)

// TestMosaicSecondaryAddressClaims marks a secondary email verified through the Users API, as
// Mosaic's verifyUserEmail does, and asks for the secondary_emails and
// secondary_phone_numbers claims: the ID token says what the user object says.
func TestMosaicSecondaryAddressClaims(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		res := e.do("POST", "/cis/v1/users", tok, []byte(`{"email": "sec@example.com",
			"secondary_emails": ["sec@work.example", "sec@home.example"], "secondary_phone_numbers": ["+12125550142"]}`))
		wantStatus(t, res, 201, "")
		id := result(t, res)["user_id"].(string)
		wantStatus(t, e.do("POST", "/cis/v1/users/"+id+"/emails/sec@work.example/verify", tok, []byte(`{}`)), 202, "")

		user := result(t, e.do("GET", "/cis/v1/users/"+id, tok, nil))
		wantJSON := func(what string, v any, want string) {
			t.Helper()
			got, _ := json.Marshal(v)
			if string(got) != want {
				t.Errorf("%s = %s, want %s", what, got, want)
			}
		}
		var verified []string
		for _, v := range user["secondary_emails"].([]any) {
			if m := v.(map[string]any); m["email_verified"] == true {
				verified = append(verified, m["value"].(string))
			}
		}
		wantJSON("verified secondary emails of the user object", verified, `["sec@work.example"]`)

		code := e.sendCode(tok, "sec@example.com", 0)
		login := e.authenticate(tok, "sec@example.com", code, map[string]any{"claims": map[string]any{
			"id_token": map[string]any{"secondary_emails": nil, "secondary_phone_numbers": nil}}})
		wantStatus(t, login, 200, "")
		claims := verifyIDToken(t, e, login.JSON(t)["id_token"].(string), e.boot.ClientID)
		wantJSON("secondary_emails", claims["secondary_emails"],
			`[{"email_verified":true,"value":"sec@work.example"},{"email_verified":false,"value":"sec@home.example"}]`)
		wantJSON("secondary_phone_numbers", claims["secondary_phone_numbers"],
			`[{"phone_number_verified":false,"value":"+12125550142"}]`)
	})
}
