package e2e

import (
	"net/url"
	"strings"
	"testing"
)

// TestUnknownFieldsAreRefusedByName sends, as an integrator with a typo would, bodies with a
// field no document names: each is refused with a 400 naming the field where it sits, and the
// request changes nothing. Mosaic's own settings that Latchkey does not act on still pass.
func TestUnknownFieldsAreRefusedByName(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()

		// The Users API: a typo of first_name. The user is not created.
		res := e.do("POST", "/cis/v1/users", tok, []byte(`{"email":"typo@example.com","name":{"fist_name":"Ada"}}`))
		wantStatus(t, res, 400, "")
		body := res.JSON(t)
		msgs, _ := body["message"].([]any)
		if body["error_code"] != 400.0 || len(msgs) != 1 || msgs[0] != "unknown field name.fist_name" {
			t.Errorf("users: got %s, want the Users API's 400 naming name.fist_name", res.Body)
		}
		res = e.do("POST", "/cis/v1/users", tok, []byte(`{"email":"typo@example.com","fist_name":"Ada","secondary_emails":["a@example.com"]}`))
		wantStatus(t, res, 400, "")
		if !strings.Contains(string(res.Body), "unknown field fist_name") {
			t.Errorf("users: the top-level typo is not named: %s", res.Body)
		}
		res = e.do("GET", "/cis/v1/users?search="+url.QueryEscape(`email eq "typo@example.com"`), tok, nil)
		wantStatus(t, res, 200, "")
		if strings.Contains(string(res.Body), "typo@example.com") {
			t.Errorf("a refused body created the user: %s", res.Body)
		}

		// The backend-auth API: a nested typo, answered with its string code. (That a refused
		// body changes nothing is checked on every route by TestBadJSONBodies.)
		res = e.do("POST", "/cis/v1/auth/otp/send", tok, []byte(`{"channel":"email","identifier_type":"email","identifier":"x@example.com","client_attributes":{"user_agnet":"curl"}}`))
		wantStatus(t, res, 400, "system_invalid_input")
		if !strings.Contains(string(res.Body), "unknown field client_attributes.user_agnet") {
			t.Errorf("otp send: the nested typo is not named: %s", res.Body)
		}

		// Free-form objects keep whatever members the caller gives them.
		res = e.do("POST", "/cis/v1/users", tok, []byte(`{"email":"free@example.com","custom_data":{"any":{"nested":["thing"]}}}`))
		wantStatus(t, res, 201, "")
	})
}
