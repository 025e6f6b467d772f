package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/delivery/deliverytest"
	"github.com/latchkey/latchkey/internal/model"
)

// smsEnv is an env whose delivery worker also has an SMS recorder.
type smsEnv struct {
	*env
	sms *deliverytest.Recorder
}

// newSMSEnv returns an env and its SMS recorder.
func newSMSEnv(t *testing.T, o envOptions) *smsEnv {
	t.Helper()
	e := newEnv(t, o)
	return &smsEnv{env: e, sms: e.sms}
}

const smsPhone = "+14155552671"

// createPhoneUser creates a user of the demo application with a phone number and an optional
// email address, and returns its id.
func (e *smsEnv) createPhoneUser(token, phone, email string) string {
	e.t.Helper()
	body := map[string]any{"phone_number": phone}
	if email != "" {
		body["email"] = email
	}
	res := e.do("POST", "/cis/v1/users", token, body)
	wantStatus(e.t, res, 201, "")
	return res.JSON(e.t)["result"].(map[string]any)["user_id"].(string)
}

func (e *smsEnv) sendOTP(token string, body map[string]any) response {
	e.t.Helper()
	return e.do("POST", "/cis/v1/auth/otp/send", token, body)
}

// waitMessage waits for the n-th message to `to` on a recorder and returns it.
func waitMessage(t *testing.T, r *deliverytest.Recorder, to string, n int) model.OutboxMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	msgs, err := r.WaitFor(ctx, to, n)
	if err != nil {
		t.Fatalf("no message delivered to %s: %v", to, err)
	}
	return msgs[n-1]
}

var smsCode = regexp.MustCompile(`\b(\d{4,8})\b`)

func codeIn(t *testing.T, text string) string {
	t.Helper()
	m := smsCode.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no code in %q", text)
	}
	return m[1]
}

func (e *smsEnv) login(token, idType, identifier, code string, extra map[string]any) response {
	e.t.Helper()
	body := map[string]any{"passcode": code, "identifier_type": idType, "identifier": identifier}
	for k, v := range extra {
		body[k] = v
	}
	return e.do("POST", "/cis/v1/auth/otp/authenticate", token, body)
}

func TestSMSOTPLogin(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newSMSEnv(t, o)
		tok := e.appToken()
		userID := e.createPhoneUser(tok, smsPhone, "")
		wantStatus(t, e.sendOTP(tok, map[string]any{"channel": "sms", "identifier_type": "phone_number", "identifier": smsPhone}), 200, "")
		m := waitMessage(t, e.sms, smsPhone, 1)
		code := codeIn(t, m.Text)
		if m.Kind != model.MessageSMS || m.Text != code+" is your Demo code. It expires in 5 minutes." {
			t.Fatalf("unexpected SMS %+v", m)
		}
		res := e.login(tok, "phone_number", smsPhone, code, map[string]any{
			"claims": map[string]any{"id_token": map[string]any{"phone_number": nil, "phone_number_verified": nil}},
		})
		wantStatus(t, res, 200, "")
		id := verifyIDToken(t, e.env, res.JSON(t)["id_token"].(string), e.boot.ClientID)
		if id["sub"] != userID || id["phone_number"] != smsPhone || id["phone_number_verified"] != true {
			t.Fatalf("unexpected ID token claims %v", id)
		}
		if amr := id["amr"].([]any); len(amr) != 1 || amr[0] != "sms" {
			t.Fatalf("amr %v, want [sms]", id["amr"])
		}
		if len(e.mail.Messages()) != 0 {
			t.Fatal("an SMS login sent an email")
		}
	})
}

func TestSMSErrors(t *testing.T) {
	e := newSMSEnv(t, envOptions{})
	tok := e.appToken()
	e.createUser(tok, "nophone@example.com")
	res := e.sendOTP(tok, map[string]any{"channel": "sms", "identifier_type": "email", "identifier": "nophone@example.com"})
	wantStatus(t, res, 404, "user_phone_number_missing")
	res = e.sendOTP(tok, map[string]any{"channel": "sms", "identifier_type": "phone_number", "identifier": "0415 555 2671"})
	wantStatus(t, res, 400, "system_invalid_input")
}

func TestSMSCustomInput(t *testing.T) {
	e := newSMSEnv(t, envOptions{})
	tok := e.appToken()
	e.createPhoneUser(tok, smsPhone, "")
	res := e.sendOTP(tok, map[string]any{"channel": "sms", "identifier_type": "phone_number", "identifier": smsPhone,
		"custom_sms_input": map[string]any{"custom_message": "{app}: your code is {otp}", "sender_id": "DemoCo"}})
	wantStatus(t, res, 200, "")
	m := waitMessage(t, e.sms, smsPhone, 1)
	code := codeIn(t, m.Text)
	if m.Text != "Demo: your code is "+code || m.From != "DemoCo" {
		t.Fatalf("SMS %q from %q, want the substituted template from DemoCo", m.Text, m.From)
	}
	wantStatus(t, e.login(tok, "phone_number", smsPhone, code, nil), 200, "")

	res = e.sendOTP(tok, map[string]any{"channel": "sms", "identifier_type": "phone_number", "identifier": smsPhone,
		"custom_sms_input": map[string]any{"custom_message": "your code is {otp}" + strings.Repeat("!", 130), "sender_id": "A sender too long"}})
	wantStatus(t, res, 400, "system_invalid_input")
	for _, want := range []string{"{otp} and {app}", "140 characters", "sender_id"} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("validation answer does not mention %q: %s", want, res.Body)
		}
	}
}

func TestSMSPhonePrefixLimit(t *testing.T) {
	e := newSMSEnv(t, envOptions{})
	admin := e.adminToken()
	wantStatus(t, e.do("PUT", "/cis/v1/applications/"+e.boot.AppID, admin, map[string]any{"allow_public_signup": true}), 200, "")
	wantStatus(t, e.do("PUT", "/cis/loginPreferences/"+e.boot.AppID+"/authMethods", admin, map[string]any{
		"rate_limits": map[string]any{"sendsPerPhonePrefix": 2, "phonePrefixDigits": 7},
	}), 200, "")
	tok := e.appToken()
	for _, n := range []string{"+14155552601", "+14155552602"} {
		wantStatus(t, e.sendOTP(tok, map[string]any{"channel": "sms", "identifier_type": "phone_number", "identifier": n}), 200, "")
	}
	res := e.sendOTP(tok, map[string]any{"channel": "sms", "identifier_type": "phone_number", "identifier": "+14155552603"})
	wantStatus(t, res, 429, "too_many_requests")
	if res.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// Another range still gets its SMS.
	wantStatus(t, e.sendOTP(tok, map[string]any{"channel": "sms", "identifier_type": "phone_number", "identifier": "+14165552603"}), 200, "")
}

func TestOTPCustomEmailKeepsProfileUnverified(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newSMSEnv(t, o)
		tok := e.appToken()
		e.createUser(tok, "ada@example.com")
		res := e.sendOTP(tok, map[string]any{"channel": "email", "identifier_type": "email", "identifier": "ada@example.com", "custom_email": "Ada.Work@Example.com"})
		wantStatus(t, res, 200, "")
		m := waitMessage(t, e.mail, "ada.work@example.com", 1)
		if _, ok := e.mail.Last("ada@example.com"); ok {
			t.Fatal("the profile's address got the code too")
		}
		res = e.authenticate(tok, "ada@example.com", codeIn(t, m.Text), map[string]any{
			"claims": map[string]any{"id_token": map[string]any{"email": nil, "email_verified": nil}},
		})
		wantStatus(t, res, 200, "")
		id := verifyIDToken(t, e.env, res.JSON(t)["id_token"].(string), e.boot.ClientID)
		if id["email"] != "ada@example.com" || id["email_verified"] != false {
			t.Fatalf("after a custom-email login: email %v verified %v; want the profile's, unverified", id["email"], id["email_verified"])
		}
		u := e.do("GET", "/cis/v1/users/email/ada@example.com", tok, nil)
		wantStatus(t, u, 200, "")
		if v := u.JSON(t)["result"].(map[string]any)["email"].(map[string]any)["email_verified"]; v != false {
			t.Fatalf("profile email verified: %s", u.Body)
		}
	})
}

func TestOTPApprovalData(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newSMSEnv(t, o)
		tok := e.appToken()
		e.createPhoneUser(tok, smsPhone, "")
		approval := map[string]any{"payee": "ACME Ltd", "amount": 42.5, "recurring": false}
		res := e.sendOTP(tok, map[string]any{"channel": "sms", "identifier_type": "phone_number", "identifier": smsPhone, "approval_data": approval})
		wantStatus(t, res, 200, "")
		echoed, _ := res.JSON(t)["approval_data"].(map[string]any)
		if echoed["payee"] != "ACME Ltd" || echoed["amount"] != 42.5 || echoed["recurring"] != false || len(echoed) != 3 {
			t.Fatalf("send answer approval_data %v, want %v", res.JSON(t)["approval_data"], approval)
		}
		m := waitMessage(t, e.sms, smsPhone, 1)
		res = e.login(tok, "phone_number", smsPhone, codeIn(t, m.Text), nil)
		wantStatus(t, res, 200, "")
		id := verifyIDToken(t, e.env, res.JSON(t)["id_token"].(string), e.boot.ClientID)
		claim, _ := id["approval_data"].(map[string]any)
		if claim["payee"] != "ACME Ltd" || claim["amount"] != 42.5 || claim["recurring"] != false || len(claim) != 3 {
			t.Fatalf("ID token approval_data %v, want %v", id["approval_data"], approval)
		}

		res = e.sendOTP(tok, map[string]any{"channel": "sms", "identifier_type": "phone_number", "identifier": smsPhone,
			"approval_data": map[string]any{"nested": map[string]any{"a": 1}, "bad key!": "x"}})
		wantStatus(t, res, 400, "system_invalid_input")
	})
}

func TestOTPDirectChannel(t *testing.T) {
	e := newSMSEnv(t, envOptions{})
	tok := e.appToken()
	e.createPhoneUser(tok, smsPhone, "dir@example.com")
	res := e.sendOTP(tok, map[string]any{"channel": "direct", "identifier_type": "phone_number", "identifier": smsPhone})
	wantStatus(t, res, 200, "")
	code, _ := res.JSON(t)["code"].(string)
	if len(code) != 6 {
		t.Fatalf("direct answer has no code: %s", res.Body)
	}
	res = e.login(tok, "phone_number", smsPhone, code, nil)
	wantStatus(t, res, 200, "")
	if amr := amrOf(t, e.env, res); len(amr) != 1 || amr[0] != "otp" {
		t.Fatalf("amr %v, want [otp]", amr)
	}
	// The worker is given a moment: a direct code must never be delivered.
	time.Sleep(200 * time.Millisecond)
	if n := len(e.sms.Messages()) + len(e.mail.Messages()); n != 0 {
		t.Fatalf("a direct code caused %d deliveries", n)
	}
}

// TestOTPLockoutPerChannel checks that SMS codes follow the sms preferences and email codes the
// email_otp ones.
func TestOTPLockoutPerChannel(t *testing.T) {
	e := newSMSEnv(t, envOptions{})
	admin := e.adminToken()
	wantStatus(t, e.do("PUT", "/cis/loginPreferences/"+e.boot.AppID+"/authMethods", admin, map[string]any{
		"sms":       map[string]any{"maxFailures": 2, "lockoutDuration": 20, "codeLength": 4},
		"email_otp": map[string]any{"maxFailures": 4, "lockoutDuration": 5},
	}), 200, "")
	tok := e.appToken()
	e.createPhoneUser(tok, smsPhone, "lock@example.com")

	wantStatus(t, e.sendOTP(tok, map[string]any{"channel": "sms", "identifier_type": "phone_number", "identifier": smsPhone}), 200, "")
	code := codeIn(t, waitMessage(t, e.sms, smsPhone, 1).Text)
	if len(code) != 4 {
		t.Fatalf("SMS code %q: want the sms codeLength 4", code)
	}
	wrong := "0000"
	if wrong == code {
		wrong = "1111"
	}
	wantStatus(t, e.login(tok, "phone_number", smsPhone, wrong, nil), 400, "auth_invalid_credentials")
	locked := e.login(tok, "phone_number", smsPhone, wrong, nil)
	wantStatus(t, locked, 403, "auth_locked")
	if ra := locked.Header.Get("Retry-After"); ra != "1200" {
		t.Fatalf("Retry-After %q, want the sms lockout of 1200 seconds", ra)
	}
	wantStatus(t, e.login(tok, "phone_number", smsPhone, code, nil), 403, "auth_locked")

	// The lockout is the user's: their email identifier does not get a budget of its own.
	wantStatus(t, e.sendOTP(tok, map[string]any{"channel": "email", "identifier_type": "email", "identifier": "lock@example.com"}), 200, "")
	ecode := codeIn(t, waitMessage(t, e.mail, "lock@example.com", 1).Text)
	wantStatus(t, e.authenticate(tok, "lock@example.com", ecode, nil), 403, "auth_locked")

	// Another user's email code takes email_otp's four failures.
	e.createPhoneUser(tok, "+14155552672", "lock2@example.com")
	wantStatus(t, e.sendOTP(tok, map[string]any{"channel": "email", "identifier_type": "email", "identifier": "lock2@example.com"}), 200, "")
	ecode = codeIn(t, waitMessage(t, e.mail, "lock2@example.com", 1).Text)
	ewrong := "000000"
	if ewrong == ecode {
		ewrong = "111111"
	}
	for range 3 {
		wantStatus(t, e.authenticate(tok, "lock2@example.com", ewrong, nil), 400, "auth_invalid_credentials")
	}
	locked = e.authenticate(tok, "lock2@example.com", ewrong, nil)
	wantStatus(t, locked, 403, "auth_locked")
	if ra := locked.Header.Get("Retry-After"); ra != "300" {
		t.Fatalf("Retry-After %q, want the email_otp lockout of 300 seconds", ra)
	}
}

func TestSMSPublicSignup(t *testing.T) {
	e := newSMSEnv(t, envOptions{})
	admin := e.adminToken()
	wantStatus(t, e.do("PUT", "/cis/v1/applications/"+e.boot.AppID, admin, map[string]any{"allow_public_signup": true}), 200, "")
	tok := e.appToken()
	wantStatus(t, e.sendOTP(tok, map[string]any{"channel": "sms", "identifier_type": "phone_number", "identifier": smsPhone}), 200, "")
	code := codeIn(t, waitMessage(t, e.sms, smsPhone, 1).Text)
	wantStatus(t, e.login(tok, "phone_number", smsPhone, code, nil), 200, "")
	u := e.do("GET", "/cis/v1/users/phone-number/"+smsPhone, tok, nil)
	wantStatus(t, u, 200, "")
	p, _ := u.JSON(t)["result"].(map[string]any)["phone_number"].(map[string]any)
	if p["value"] != smsPhone || p["phone_number_verified"] != true {
		t.Fatalf("signed-up user's phone %v: want %s, verified", p, smsPhone)
	}
}
