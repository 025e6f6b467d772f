package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// nulAgent is client attributes whose user agent is a NUL, as JSON would carry it.
var nulAgent = map[string]any{"user_agent": "\x00"}

// TestNULCannotMakeGuessesUncounted replays guesses at a reset code and at a current password
// whose client attributes carry a NUL user agent, which PostgreSQL cannot store in the audit
// event. Each is refused as bad input before anything is checked or stored, the right code
// with it sets nothing, and guesses without it still count to the lockout.
func TestNULCannotMakeGuessesUncounted(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		wantStatus(t, e.do("PUT", "/cis/loginPreferences/"+e.boot.AppID+"/authMethods", e.adminToken(), map[string]any{
			"rate_limits": map[string]any{"failuresPerIdentifier": 3}}), 200, "")
		tok := e.appToken()
		e.pwdCreateUser(tok, "vic@example.com", "", map[string]any{"password": pwdGood, "force_replace": false})
		code := e.directResetCode(tok, "vic@example.com")
		complete := func(c string, attrs map[string]any) response {
			body := map[string]any{"identifier_type": "email", "identifier": "vic@example.com", "code": c, "new_password": pwdOther}
			if attrs != nil {
				body["client_attributes"] = attrs
			}
			return e.do("POST", "/cis/v1/auth/password/reset/complete", tok, body)
		}
		for i := 0; i < 50; i++ {
			wantTextFault(t, fmt.Sprintf("reset guess %d with a NUL user agent", i), complete(otherDigits(code), nulAgent), "client_attributes.user_agent", false)
		}
		wantTextFault(t, "the right code with a NUL user agent", complete(code, nulAgent), "client_attributes.user_agent", false)
		for i := 0; i < 50; i++ {
			res := e.pwdChange(tok, "vic@example.com", fmt.Sprintf("Guess-Number-%04d", i), pwdOther,
				map[string]any{"username_type": "email", "client_attributes": nulAgent})
			wantTextFault(t, fmt.Sprintf("current_password guess %d with a NUL user agent", i), res, "client_attributes.user_agent", false)
		}
		wantStatus(t, e.pwdLogin(tok, "email", "vic@example.com", pwdGood, nil), 200, "")

		// Guesses without the NUL count, from the first: the third locks the identifier.
		wantStatus(t, complete(otherDigits(code), nil), 400, "auth_invalid_credentials")
		wantStatus(t, complete(otherDigits(code), nil), 400, "auth_invalid_credentials")
		wantStatus(t, complete(otherDigits(code), nil), 403, "auth_locked")
		wantStatus(t, complete(code, nil), 403, "auth_locked")
	})
}

// TestNULInLoginFieldsIsBadInput sends otherwise valid requests to the routes PostgreSQL
// answered with a 500 when one of their strings held a NUL: each is a 400 naming the field,
// and nothing is stored.
func TestNULInLoginFieldsIsBadInput(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		admin, client := e.adminToken(), e.appToken()
		_, tenant := seedBadInput(e, admin, client)
		login := e.directLogin(client, "ada@example.com", nil)
		sessionID := login["session_id"].(string)
		code := directCode(e, client, "ada@example.com")
		before := e.state(tenant)

		cases := []struct {
			path  string
			body  map[string]any
			field string
		}{
			{"/cis/v1/auth/otp/send", map[string]any{"channel": "direct", "identifier_type": "email", "identifier": "ada@example.com", "client_attributes": nulAgent}, "user_agent"},
			{"/cis/v1/auth/otp/authenticate", map[string]any{"passcode": code, "identifier_type": "email", "identifier": "ada@example.com", "client_attributes": nulAgent}, "user_agent"},
			{"/cis/v1/auth/link/email/authenticate", map[string]any{"code": "abc.def", "client_attributes": nulAgent}, "user_agent"},
			{"/cis/v1/auth/password/reset/send", map[string]any{"identifier_type": "email", "identifier": "ada@example.com", "channel": "direct", "client_attributes": nulAgent}, "user_agent"},
			{"/cis/v1/auth/totp/authenticate", map[string]any{"token": "123456", "identifier": "ada@example.com", "client_attributes": nulAgent}, "user_agent"},
			{"/cis/v1/auth/recovery-code/authenticate", map[string]any{"code": "AAAA-AAAA-AA", "identifier": "ada@example.com", "client_attributes": nulAgent}, "user_agent"},
			{"/cis/v1/auth/session/authenticate", map[string]any{"session_id": sessionID, "client_attributes": nulAgent}, "user_agent"},
			{"/cis/v1/auth/session/authenticate", map[string]any{"session_id": sessionID, "resource": "https://api.example.com/\x00"}, "resource"},
			{"/cis/v1/auth/webauthn/authenticate/start", map[string]any{"client_id": e.boot.ClientID + "\x00"}, "client_id"},
		}
		for _, c := range cases {
			bearer := client
			if strings.Contains(c.path, "/webauthn/authenticate/start") {
				bearer = ""
			}
			wantTextFault(t, fmt.Sprintf("%s with a NUL in %s", c.path, c.field), e.do("POST", c.path, bearer, c.body), c.field, false)
		}
		res := e.form("/oidc/token", url.Values{"grant_type": {"client_credentials"}, "resource": {"https://api.example.com/\x00"}},
			e.boot.ClientID, e.boot.ClientSecret)
		wantTextFault(t, "/oidc/token with a NUL in resource", res, "resource", true)
		if after := e.state(tenant); after != before {
			t.Errorf("requests with a NUL changed the tenant:\n%s", diffLines(before, after))
		}
	})
}
