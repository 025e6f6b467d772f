package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

// createUser creates a user of the demo application and returns its id.
func (e *env) createUser(token, email string) string {
	e.t.Helper()
	res := e.do("POST", "/cis/v1/users", token, map[string]any{"email": email, "name": map[string]any{"first_name": "Ada"}})
	wantStatus(e.t, res, 201, "")
	return res.JSON(e.t)["result"].(map[string]any)["user_id"].(string)
}

var codeInText = regexp.MustCompile(`\b(\d{6})\b`)

// sendCode sends an email OTP to email and returns the code read from the delivered message.
func (e *env) sendCode(token, email string, already int) string {
	e.t.Helper()
	res := e.do("POST", "/cis/v1/auth/otp/send", token, map[string]any{"channel": "email", "identifier_type": "email", "identifier": email})
	wantStatus(e.t, res, 200, "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	msgs, err := e.mail.WaitFor(ctx, email, already+1)
	if err != nil {
		e.t.Fatalf("no email delivered to %s: %v", email, err)
	}
	m := codeInText.FindStringSubmatch(msgs[len(msgs)-1].Text)
	if m == nil {
		e.t.Fatalf("no code in email: %q", msgs[len(msgs)-1].Text)
	}
	return m[1]
}

func (e *env) authenticate(token, email, code string, extra map[string]any) response {
	e.t.Helper()
	body := map[string]any{"passcode": code, "identifier_type": "email", "identifier": email}
	for k, v := range extra {
		body[k] = v
	}
	return e.do("POST", "/cis/v1/auth/otp/authenticate", token, body)
}

func TestEmailOTPLogin(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		userID := e.createUser(tok, "Ada@Example.com")
		code := e.sendCode(tok, "ada@example.com", 0)

		msg, _ := e.mail.Last("ada@example.com")
		if !strings.Contains(msg.HTML, code) || msg.Subject == "" {
			t.Fatalf("email lacks an HTML part with the code or a subject: %+v", msg)
		}

		res := e.authenticate(tok, "ada@example.com", code, map[string]any{
			"claims": map[string]any{"id_token": map[string]any{"email": nil, "email_verified": nil, "fname": nil}},
		})
		wantStatus(t, res, 200, "")
		body := res.JSON(t)
		for _, k := range []string{"access_token", "id_token", "refresh_token", "session_id"} {
			if s, _ := body[k].(string); s == "" {
				t.Fatalf("response lacks %s: %s", k, res.Body)
			}
		}
		if body["token_type"] != "Bearer" || body["expires_in"].(float64) <= 0 {
			t.Fatalf("bad token_type or expires_in: %s", res.Body)
		}
		if !strings.HasPrefix(body["refresh_token"].(string), "lk_rt_") {
			t.Fatalf("refresh token is not prefixed: %s", body["refresh_token"])
		}
		id := verifyIDToken(t, e, body["id_token"].(string), e.boot.ClientID)
		if id["sub"] != userID || id["tid"] != e.boot.TenantID || id["email"] != "ada@example.com" || id["email_verified"] != true || id["fname"] != "Ada" {
			t.Fatalf("unexpected ID token claims: %v", id)
		}
		if amr := id["amr"].([]any); len(amr) != 1 || amr[0] != "eotp" {
			t.Fatalf("amr = %v, want [eotp]", id["amr"])
		}
		if id["auth_time"] == nil {
			t.Fatal("ID token lacks auth_time")
		}
		at := verifyAccessToken(t, e, body["access_token"].(string))
		if at["sub"] != userID || at["client_id"] != e.boot.ClientID || at["sid"] == body["session_id"] || !strings.HasPrefix(at["sid"].(string), "sr_") || at["jti"] == nil || at["scope"] == nil {
			t.Fatalf("unexpected access token claims: %v", at)
		}

		// The code is spent: a second redemption fails.
		wantStatus(t, e.authenticate(tok, "ada@example.com", code, nil), 400, "auth_invalid_credentials")
	})
}

func TestOTPNewSendInvalidatesPreviousCode(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	e.createUser(tok, "bob@example.com")
	first := e.sendCode(tok, "bob@example.com", 0)
	second := e.sendCode(tok, "bob@example.com", 1)
	if first != second {
		wantStatus(t, e.authenticate(tok, "bob@example.com", first, nil), 400, "auth_invalid_credentials")
	}
	wantStatus(t, e.authenticate(tok, "bob@example.com", second, nil), 200, "")
}

func TestOTPExpires(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	e.createUser(tok, "cy@example.com")
	code := e.sendCode(tok, "cy@example.com", 0)
	e.clock.Advance(6 * time.Minute) // the default expiry is 5 minutes
	tok = e.appToken()
	wantStatus(t, e.authenticate(tok, "cy@example.com", code, nil), 400, "auth_otp_passcode_expired")
}

func TestOTPLockoutAfterMaxFailures(t *testing.T) {
	e := newEnv(t, envOptions{})
	admin := e.adminToken()
	res := e.do("PUT", "/cis/loginPreferences/"+e.boot.AppID+"/authMethods", admin, map[string]any{
		"email_otp": map[string]any{"maxFailures": 3, "lockoutDuration": 10, "codeLength": 8, "expiresIn": 5},
	})
	wantStatus(t, res, 200, "")
	tok := e.appToken()
	e.createUser(tok, "dee@example.com")
	res = e.do("POST", "/cis/v1/auth/otp/send", tok, map[string]any{"channel": "direct", "identifier_type": "email", "identifier": "dee@example.com"})
	wantStatus(t, res, 200, "")
	code := res.JSON(t)["code"].(string)
	if len(code) != 8 {
		t.Fatalf("code %q does not have the configured length 8", code)
	}
	wrong := "00000000"
	if wrong == code {
		wrong = "11111111"
	}
	wantStatus(t, e.authenticate(tok, "dee@example.com", wrong, nil), 400, "auth_invalid_credentials")
	wantStatus(t, e.authenticate(tok, "dee@example.com", wrong, nil), 400, "auth_invalid_credentials")
	locked := e.authenticate(tok, "dee@example.com", wrong, nil)
	wantStatus(t, locked, 403, "auth_locked")
	if locked.Header.Get("Retry-After") == "" {
		t.Fatal("lockout answer has no Retry-After")
	}
	// The right code no longer works: it was invalidated, and the identifier is locked.
	wantStatus(t, e.authenticate(tok, "dee@example.com", code, nil), 403, "auth_locked")

	e.clock.Advance(11 * time.Minute)
	tok = e.appToken()
	res = e.do("POST", "/cis/v1/auth/otp/send", tok, map[string]any{"channel": "direct", "identifier_type": "email", "identifier": "dee@example.com"})
	wantStatus(t, res, 200, "")
	wantStatus(t, e.authenticate(tok, "dee@example.com", res.JSON(t)["code"].(string), nil), 200, "")
}

func TestOTPUnknownUser(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	send := map[string]any{"channel": "email", "identifier_type": "email", "identifier": "nobody@example.com"}
	wantStatus(t, e.do("POST", "/cis/v1/auth/otp/send", tok, send), 404, "user_not_found")

	// With enumeration protection the answer is exactly that for a known user, and nothing is sent.
	admin := e.adminToken()
	wantStatus(t, e.do("PUT", "/cis/v1/applications/"+e.boot.AppID, admin, map[string]any{"enumeration_protection": true}), 200, "")
	e.createUser(tok, "known@example.com")
	unknown := e.do("POST", "/cis/v1/auth/otp/send", tok, send)
	known := e.do("POST", "/cis/v1/auth/otp/send", tok, map[string]any{"channel": "email", "identifier_type": "email", "identifier": "known@example.com"})
	wantStatus(t, unknown, 200, "")
	if string(unknown.Body) != string(known.Body) {
		t.Fatalf("answers differ: unknown %s, known %s", unknown.Body, known.Body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := e.mail.WaitFor(ctx, "known@example.com", 1); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.mail.Last("nobody@example.com"); ok {
		t.Fatal("a message was sent to an unknown user")
	}
	// The decoy's stand-in message goes through the worker like a real one, to nowhere.
	for {
		msgs, err := e.store.ListMessages(ctx, e.boot.TenantID, time.Time{}, 100)
		if err != nil {
			t.Fatal(err)
		}
		var stand *model.OutboxMessage
		for i, m := range msgs {
			if m.Kind == model.MessageSuppressed {
				stand = &msgs[i]
			}
		}
		if stand == nil || stand.To != "" {
			t.Fatalf("no stand-in without a recipient among %+v", msgs)
		}
		if stand.DeliveredAt != nil {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the worker never took the stand-in message")
		case <-time.After(20 * time.Millisecond):
		}
	}
	if _, ok := e.mail.Last(""); ok {
		t.Fatal("a message without a recipient was sent")
	}
}

func TestOTPPublicSignup(t *testing.T) {
	e := newEnv(t, envOptions{})
	admin := e.adminToken()
	wantStatus(t, e.do("PUT", "/cis/v1/applications/"+e.boot.AppID, admin, map[string]any{"allow_public_signup": true}), 200, "")
	tok := e.appToken()
	code := e.sendCode(tok, "new@example.com", 0)
	res := e.authenticate(tok, "new@example.com", code, nil)
	wantStatus(t, res, 200, "")
	u := e.do("GET", "/cis/v1/users/email/new@example.com", tok, nil)
	wantStatus(t, u, 200, "")
	email := u.JSON(t)["result"].(map[string]any)["email"].(map[string]any)
	if email["email_verified"] != true {
		t.Fatalf("signed-up user's email is not verified: %s", u.Body)
	}
}
