package e2e

import (
	"context"
	"net/url"
	"testing"
	"time"
)

func TestPasswordResetE2E(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.pwdCreateUser(tok, "rita@example.com", "rita", map[string]any{"password": pwdGood, "force_replace": false})
		before := e.pwdLogin(tok, "", "rita", pwdGood, nil)
		wantStatus(t, before, 200, "")
		send := map[string]any{"identifier_type": "username", "identifier": "rita", "channel": "email"}
		res := e.do("POST", "/cis/v1/auth/password/reset/send", tok, send)
		wantStatus(t, res, 200, "")
		if body := res.JSON(t); body["message"] != "Password reset code sent" || body["code"] != nil {
			t.Fatalf("send answer: %s", res.Body)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		msgs, err := e.mail.WaitFor(ctx, "rita@example.com", 1)
		if err != nil {
			t.Fatalf("no reset email: %v", err)
		}
		m := codeInText.FindStringSubmatch(msgs[0].Text)
		if m == nil {
			t.Fatalf("no code in the reset email: %q", msgs[0].Text)
		}
		complete := func(code, pw string) response {
			return e.do("POST", "/cis/v1/auth/password/reset/complete", tok, map[string]any{
				"identifier_type": "username", "identifier": "rita", "code": code, "new_password": pw})
		}
		wrong := string(rune('0'+(m[1][0]-'0'+1)%10)) + m[1][1:]
		wantStatus(t, complete(wrong, pwdOther), 400, "auth_invalid_credentials")
		wantStatus(t, complete(m[1], "weak"), 400, "auth_password_weak")
		wantMessage(t, complete(m[1], pwdOther), 200, "Password reset")
		wantStatus(t, complete(m[1], pwdThird), 400, "auth_invalid_credentials")

		// Every session of the user ended with the reset.
		old := before.JSON(t)
		wantStatus(t, e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": old["refresh_token"]}), 400, "invalid_grant")
		wantStatus(t, e.do("POST", "/cis/v1/auth/session/authenticate", tok, map[string]any{"session_id": old["session_id"]}), 400, "session_not_found")
		wantStatus(t, e.pwdLogin(tok, "", "rita", pwdGood, nil), 400, "auth_invalid_credentials")
		wantStatus(t, e.pwdLogin(tok, "", "rita", pwdOther, nil), 200, "")
	})
}

func TestPasswordResetLinkE2E(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.pwdCreateUser(tok, "lin@example.com", "", map[string]any{"password": pwdGood, "force_replace": false})
		res := e.do("POST", "/cis/v1/auth/password/reset/send", tok, map[string]any{
			"identifier_type": "email", "identifier": "lin@example.com", "channel": "direct", "redirect_uri": demoRedirect})
		wantStatus(t, res, 200, "")
		body := res.JSON(t)
		link, err := url.Parse(body["link"].(string))
		if err != nil || body["message"] != "Password reset link sent" || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("send answer: %s (%v)", res.Body, err)
		}
		wantStatus(t, e.do("POST", "/cis/v1/auth/password/reset/send", tok, map[string]any{
			"identifier_type": "email", "identifier": "lin@example.com", "channel": "direct", "redirect_uri": "https://elsewhere.example/cb"}),
			400, "invalid_redirect_uri")
		res = e.do("POST", "/cis/v1/auth/password/reset/complete", tok, map[string]any{
			"code": link.Query().Get("code"), "new_password": pwdOther})
		wantMessage(t, res, 200, "Password reset")
		wantStatus(t, e.pwdLogin(tok, "email", "lin@example.com", pwdOther, nil), 200, "")
	})
}

func TestPasswordResetUnknownUsers(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		send := func(email string) response {
			return e.do("POST", "/cis/v1/auth/password/reset/send", tok, map[string]any{
				"identifier_type": "email", "identifier": email, "channel": "direct"})
		}
		wantStatus(t, send("ghost@example.com"), 404, "user_not_found")
		res := e.do("PUT", "/cis/v1/applications/"+e.boot.AppID, e.adminToken(), map[string]any{"enumeration_protection": true})
		wantStatus(t, res, 200, "")
		e.pwdCreateUser(tok, "real@example.com", "", map[string]any{"password": pwdGood, "force_replace": false})
		real, ghost := send("real@example.com"), send("ghost@example.com")
		wantStatus(t, ghost, 200, "")
		rb, gb := real.JSON(t), ghost.JSON(t)
		if rb["message"] != gb["message"] || len(rb["code"].(string)) != len(gb["code"].(string)) {
			t.Fatalf("answers differ: %s / %s", real.Body, ghost.Body)
		}
		// The decoy code redeems nothing.
		res = e.do("POST", "/cis/v1/auth/password/reset/complete", tok, map[string]any{
			"identifier_type": "email", "identifier": "ghost@example.com", "code": gb["code"], "new_password": pwdOther})
		wantStatus(t, res, 400, "auth_invalid_credentials")
	})
}
