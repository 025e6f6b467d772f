package e2e

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTOTPEnrolConfirmLogin(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		user := e.createUser(tok, "tia@example.com")
		res := e.do("POST", "/cis/v1/users/"+user+"/totp", tok, map[string]any{"name": "phone"})
		wantStatus(t, res, 201, "")
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("enrolment with a secret is cacheable: %q", res.Header.Get("Cache-Control"))
		}
		en := totpEnrolment(result(t, res))
		if en["algorithm"] != "sha1" || en["digits"] != float64(6) || en["period"] != float64(30) || en["confirmed"] != false {
			t.Fatalf("enrolment %v", en)
		}
		uri, err := url.Parse(en["uri"].(string))
		if err != nil || uri.Scheme != "otpauth" || uri.Host != "totp" || uri.Query().Get("secret") != en["secret"] {
			t.Fatalf("uri %v", en["uri"])
		}
		qr, ok := strings.CutPrefix(en["qr_code"].(string), "data:image/png;base64,")
		if !ok {
			t.Fatalf("qr_code is not a PNG data URI: %.40s", en["qr_code"])
		}
		raw, err := base64.StdEncoding.DecodeString(qr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
			t.Fatalf("qr_code does not decode as PNG: %v", err)
		}

		// Unconfirmed, it logs nobody in; a wrong code does not confirm it.
		wantStatus(t, e.totpLogin(tok, "tia@example.com", e.totpCode(en, 0), nil), 400, "auth_invalid_credentials")
		wrong := []byte(e.totpCode(en, 0))
		wrong[0] = '0' + (wrong[0]-'0'+1)%10
		wantStatus(t, e.confirmTOTP(tok, user, en, string(wrong)), 400, "auth_invalid_credentials")
		res = e.confirmTOTP(tok, user, en, e.totpCode(en, 0))
		wantStatus(t, res, 200, "")
		if result(t, res)["confirmed"] != true {
			t.Fatalf("confirm answered %s", res.Body)
		}
		wantStatus(t, e.confirmTOTP(tok, user, en, e.totpCode(en, 0)), 409, "auth_totp_already_confirmed")
		// The confirming code is spent.
		wantStatus(t, e.totpLogin(tok, "tia@example.com", e.totpCode(en, 0), nil), 400, "auth_invalid_credentials")

		e.clock.Advance(totpPeriod(en))
		code := e.totpCode(en, 0)
		login := e.totpLogin(tok, "tia@example.com", code, nil)
		wantStatus(t, login, 200, "")
		if amr := amrOf(t, e, login); !slices.Equal(amr, []string{"otp"}) {
			t.Fatalf("amr %v, want [otp]", amr)
		}
		// Replay of the same code is refused.
		wantStatus(t, e.totpLogin(tok, "tia@example.com", code, nil), 400, "auth_invalid_credentials")

		res = e.do("GET", "/cis/v1/users/"+user+"/totp", tok, nil)
		wantStatus(t, res, 200, "")
		list := res.JSON(t)["result"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["last_used_at"] == nil || list[0].(map[string]any)["secret"] != nil {
			t.Fatalf("list %s", res.Body)
		}
	})
}

func TestTOTPWindowEdges(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		user := e.createUser(tok, "wes@example.com")
		en := e.enrolConfirmedTOTP(tok, user)
		step := totpPeriod(en)
		e.clock.Advance(2 * step)
		wantStatus(t, e.totpLogin(tok, "wes@example.com", e.totpCode(en, -2*step), nil), 400, "auth_invalid_credentials")
		wantStatus(t, e.totpLogin(tok, "wes@example.com", e.totpCode(en, -step), nil), 200, "")
		wantStatus(t, e.totpLogin(tok, "wes@example.com", e.totpCode(en, step), nil), 200, "")
		wantStatus(t, e.totpLogin(tok, "wes@example.com", e.totpCode(en, 2*step), nil), 400, "auth_invalid_credentials")
	})
}

func TestTOTPAlgorithmFromPreferences(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		admin, tok := e.adminToken(), e.appToken()
		prefs := "/cis/loginPreferences/" + e.boot.AppID
		res := e.do("PUT", prefs+"/authMethods", admin, map[string]any{"totp": map[string]any{"algorithm": "sha256", "digits": 8}})
		wantStatus(t, res, 200, "")
		got := result(t, res)["auth_methods"].(map[string]any)["totp"].(map[string]any)
		if got["algorithm"] != "sha256" || got["digits"] != float64(8) || got["period"] != float64(30) || got["window"] != float64(1) {
			t.Fatalf("stored totp preferences %v", got)
		}
		wantStatus(t, e.do("PUT", prefs+"/authMethods", admin, map[string]any{"totp": map[string]any{"digits": 7}}), 400, "system_invalid_input")

		user := e.createUser(tok, "ula@example.com")
		en := e.enrolConfirmedTOTP(tok, user)
		if en["algorithm"] != "sha256" || en["digits"] != float64(8) || !strings.Contains(en["uri"].(string), "algorithm=SHA256") {
			t.Fatalf("enrolment %v", en)
		}
		code := e.totpCode(en, 0)
		if len(code) != 8 {
			t.Fatalf("reference code %q", code)
		}
		wantStatus(t, e.totpLogin(tok, "ula@example.com", code[2:], nil), 400, "auth_invalid_credentials")
		wantStatus(t, e.totpLogin(tok, "ula@example.com", code, nil), 200, "")
	})
}

func TestTOTPMaxPerUser(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		user := e.createUser(tok, "max@example.com")
		en := e.enrolConfirmedTOTP(tok, user)
		wantStatus(t, e.do("POST", "/cis/v1/users/"+user+"/totp", tok, map[string]any{}), 409, "auth_totp_limit_reached")

		path := "/cis/v1/users/" + user + "/totp/" + en["totp_id"].(string)
		wantStatus(t, e.do("DELETE", path, tok, nil), 204, "")
		wantStatus(t, e.do("DELETE", path, tok, nil), 404, "totp_not_found")
		wantStatus(t, e.totpLogin(tok, "max@example.com", e.totpCode(en, 0), nil), 400, "auth_invalid_credentials")
		e.enrolConfirmedTOTP(tok, user)
	})
}

func TestTOTPLockout(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		res := e.do("PUT", "/cis/loginPreferences/"+e.boot.AppID+"/authMethods", e.adminToken(), map[string]any{
			"rate_limits": map[string]any{"failuresPerIdentifier": 3}, "totp": map[string]any{"lockoutDuration": 5}})
		wantStatus(t, res, 200, "")
		user := e.createUser(tok, "lox@example.com")
		en := e.enrolConfirmedTOTP(tok, user)
		wrong := func() string {
			w := []byte(e.totpCode(en, 0))
			w[0] = '0' + (w[0]-'0'+1)%10
			return string(w)
		}

		unknown := e.totpLogin(tok, "nobody@example.com", e.totpCode(en, 0), nil)
		bad := e.totpLogin(tok, "lox@example.com", wrong(), nil)
		wantStatus(t, unknown, 400, "auth_invalid_credentials")
		wantStatus(t, bad, 400, "auth_invalid_credentials")
		if unknown.JSON(t)["message"] != bad.JSON(t)["message"] {
			t.Fatalf("unknown user %s and wrong code %s answer differently", unknown.Body, bad.Body)
		}
		wantStatus(t, e.totpLogin(tok, "lox@example.com", wrong(), nil), 400, "auth_invalid_credentials")
		locked := e.totpLogin(tok, "lox@example.com", wrong(), nil)
		wantStatus(t, locked, 403, "auth_locked")
		if locked.Header.Get("Retry-After") != "300" {
			t.Fatalf("Retry-After %q, want 300", locked.Header.Get("Retry-After"))
		}
		wantStatus(t, e.totpLogin(tok, "lox@example.com", e.totpCode(en, 0), nil), 403, "auth_locked")
		e.clock.Advance(5 * time.Minute)
		wantStatus(t, e.totpLogin(tok, "lox@example.com", e.totpCode(en, 0), nil), 200, "")
	})
}

func TestTOTPAfterEmailOTPIsMFA(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		user := e.createUser(tok, "mo@example.com")
		// The email goes first: the outbox delivers at real time, which enrolment's clock
		// step would leave behind.
		first := e.authenticate(tok, "mo@example.com", e.sendCode(tok, "mo@example.com", 0), nil)
		wantStatus(t, first, 200, "")
		sid := first.JSON(t)["session_id"].(string)
		en := e.enrolConfirmedTOTP(tok, user)
		second := e.totpLogin(tok, "mo@example.com", e.totpCode(en, 0), map[string]any{"session_id": sid, "identifier_type": "email"})
		wantStatus(t, second, 200, "")
		if second.JSON(t)["session_id"] != sid {
			t.Fatalf("TOTP factor went to another session: %s", second.Body)
		}
		if amr := amrOf(t, e, second); !slices.Equal(amr, []string{"eotp", "otp", "mfa"}) {
			t.Fatalf("amr %v, want [eotp otp mfa]", amr)
		}
	})
}

func TestTOTPEnrolmentVisibility(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	user := e.createUser(tok, "vis@example.com")
	_, other := e.secondApp("shop")
	wantStatus(t, e.do("POST", "/cis/v1/users/"+user+"/totp", other, map[string]any{}), 404, "user_not_found")
	wantStatus(t, e.do("GET", "/cis/v1/users/"+user+"/totp", other, nil), 404, "user_not_found")
	wantStatus(t, e.do("POST", "/cis/v1/users/"+user+"/recovery-codes", other, nil), 404, "user_not_found")
	wantStatus(t, e.do("GET", "/cis/v1/users/"+user+"/recovery-codes", other, nil), 404, "user_not_found")
	// A management token sees the tenant's users.
	wantStatus(t, e.do("POST", "/cis/v1/users/"+user+"/totp", e.adminToken(), map[string]any{}), 201, "")
	wantStatus(t, e.do("GET", "/cis/v1/users/"+user+"/totp", "", nil), 401, "unauthorized")

	// The GET collections under a user leave other paths as they were.
	wantStatus(t, e.do("GET", "/cis/v1/users/"+user+"/nothing", tok, nil), 404, "not_found")
	res := e.do("GET", "/cis/v1/users/"+user+"/apps", tok, nil)
	wantStatus(t, res, 405, "")
	if res.Header.Get("Allow") != "DELETE" {
		t.Fatalf("Allow %q, want DELETE", res.Header.Get("Allow"))
	}
	wantStatus(t, e.do("GET", "/cis/v1/users/email/vis@example.com", tok, nil), 200, "")
}
