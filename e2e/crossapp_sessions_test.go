package e2e

import (
	"testing"
)

// What an application that merely linked a user can do with logins: sign them in to itself
// (a code it sends itself), but obtain nothing that works in the application the user came
// from, and strengthen none of that application's sessions. Single sign-on
// (session/authenticate with a session id) is the one documented way across applications.
func TestLinkingApplicationsLoginsStayItsOwn(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		vic := e.pwdCreateUser(tok, "vic@example.com", "", map[string]any{"password": pwdGood, "force_replace": false})
		otherClient, otherTok := e.otherSite()
		wantStatus(t, e.do("POST", "/cis/v1/users", otherTok, map[string]any{"email": "vic@example.com"}), 201, "")

		// Its own login works, and is its own: its tokens name its client, and its refresh
		// token is no use to the demo application's client.
		own := e.userSession(otherTok, vic)
		if id := verifyIDToken(t, e, own["id_token"].(string), otherClient); id["sub"] != vic {
			t.Fatalf("ID token of the linking application's login: %v", id)
		}
		res := e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": own["refresh_token"]})
		if res.Status == 200 {
			t.Fatalf("the demo application refreshed the linking application's token: %s", res.Body)
		}

		// The user's own login to the demo application, by password.
		res = e.pwdLogin(tok, "email", "vic@example.com", pwdGood, nil)
		wantStatus(t, res, 200, "")
		sid := res.JSON(t)["session_id"].(string)

		// A code the linking application sent itself is not the user's proof: it cannot
		// join the demo application's session as a second factor.
		send := e.do("POST", "/cis/v1/auth/otp/send", otherTok, map[string]any{"channel": "direct", "identifier_type": "user_id", "identifier": vic})
		wantStatus(t, send, 200, "")
		res = e.do("POST", "/cis/v1/auth/otp/authenticate", otherTok, map[string]any{
			"passcode": send.JSON(t)["code"], "identifier_type": "user_id", "identifier": vic, "session_id": sid,
		})
		wantStatus(t, res, 403, "user_shared")
		res = e.do("POST", "/cis/v1/auth/session/authenticate", tok, map[string]any{"session_id": sid})
		wantStatus(t, res, 200, "")
		if amr := verifyIDToken(t, e, res.JSON(t)["id_token"].(string), e.boot.ClientID)["amr"].([]any); len(amr) != 1 || amr[0] != "pwd" {
			t.Fatalf("the demo application's session has factors %v, want only the user's password", amr)
		}

		// Single sign-on is the documented way across: the linking application's session
		// gives the demo application tokens when its backend presents the session id.
		res = e.do("POST", "/cis/v1/auth/session/authenticate", tok, map[string]any{"session_id": own["session_id"]})
		wantStatus(t, res, 200, "")
	})
}
