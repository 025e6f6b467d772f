package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	otptotp "github.com/pquerna/otp/totp"
)

// valueOf reads the value attribute of the element with the given id.
func valueOf(t *testing.T, body, id string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `id="`+id+`"`)
	if !ok {
		t.Fatalf("no #%s in the page", id)
	}
	_, rest, ok = strings.Cut(rest, `value="`)
	if !ok {
		t.Fatalf("#%s has no value", id)
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

const portalPassword = "Correct horse battery staple 42!"

// setUpPasswordAndTOTP sets a password and an authenticator from the account page and returns
// the authenticator's key.
func (s *site) setUpPasswordAndTOTP(c *http.Cookie) string {
	t := s.t
	t.Helper()
	_, page := s.send("GET", "/admin/account", nil, c, nil)
	csrf := csrfOf(t, page)
	res, body := s.send("POST", "/admin/account/password", url.Values{"csrf": {csrf}, "password": {portalPassword}, "password_again": {portalPassword}}, c, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set password: %d %s", res.StatusCode, body)
	}
	res, _ = s.send("POST", "/admin/account/totp", url.Values{"csrf": {csrf}}, c, nil)
	fl := cookieOf(res, "__Host-latchkey_flash")
	if res.StatusCode != http.StatusSeeOther || fl == nil {
		t.Fatalf("add TOTP: %d", res.StatusCode)
	}
	_, page = s.sendCookies("GET", "/admin/account", c, fl)
	key := valueOf(t, page, "totp-secret")
	if !strings.Contains(page, `src="data:image/png;base64,`) {
		t.Fatal("the account page shows no QR code of the new key")
	}
	_, rest, _ := strings.Cut(page, `name="totp_id" value="`)
	totpID, _, _ := strings.Cut(rest, `"`)
	code, _ := otptotp.GenerateCode(key, s.f.Clock.Now())
	if res, body := s.send("POST", "/admin/account/totp/confirm", url.Values{"csrf": {csrf}, "totp_id": {totpID}, "code": {code}}, c, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm TOTP: %d %s", res.StatusCode, body)
	}
	s.f.Clock.Advance(30 * time.Second)
	return key
}

func TestPasswordAndTOTPSignInThroughThePages(t *testing.T) {
	s := newSite(t)
	key := s.setUpPasswordAndTOTP(s.signIn())

	form := url.Values{"tenant": {"default"}, "email": {"ada@example.com"}, "password": {portalPassword}, "next": {"/admin/users"}}
	res, _ := s.send("POST", "/admin/signin/password", form, nil, nil)
	mfa := cookieOf(res, "__Host-latchkey_mfa")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/signin/totp" || mfa == nil {
		t.Fatalf("password step: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if cookieOf(res, "__Host-latchkey_admin") != nil {
		t.Fatal("the password alone set a session cookie")
	}
	if res, body := s.sendCookies("GET", "/admin/signin/totp", mfa); res.StatusCode != 200 || !strings.Contains(body, `name="code"`) {
		t.Fatalf("TOTP form: %d", res.StatusCode)
	}
	post := func(code string, cookie *http.Cookie, headers map[string]string) *http.Response {
		req, _ := http.NewRequest("POST", s.srv.URL+"/admin/signin/totp", strings.NewReader(url.Values{"code": {code}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		if cookie != nil {
			req.AddCookie(cookie)
		}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	code, _ := otptotp.GenerateCode(key, s.f.Clock.Now())
	if res := post(code, mfa, map[string]string{"Sec-Fetch-Site": "cross-site"}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a cross-site TOTP step answered %d", res.StatusCode)
	}
	if res := post(code, nil, nil); res.StatusCode != http.StatusBadRequest || cookieOf(res, "__Host-latchkey_admin") != nil {
		t.Fatalf("a TOTP step without the password step answered %d", res.StatusCode)
	}
	res = post(code, mfa, nil)
	admin := cookieOf(res, "__Host-latchkey_admin")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/users" || admin == nil {
		t.Fatalf("TOTP step: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if cl := cookieOf(res, "__Host-latchkey_mfa"); cl == nil || cl.MaxAge >= 0 {
		t.Fatal("signing in did not clear the sign-in in progress")
	}
	if res, _ := s.send("GET", "/admin/users", nil, admin, nil); res.StatusCode != 200 {
		t.Fatalf("signed in by password and TOTP, the users page answers %d", res.StatusCode)
	}
	// The pending cookie is spent with its code: replayed, it signs nobody in again.
	if res := post(code, mfa, nil); res.StatusCode == http.StatusSeeOther {
		t.Fatal("the same TOTP step signed in twice")
	}

	// A wrong password goes no further, and says no more than that.
	form.Set("password", "Wrong horse battery staple 42!")
	res, body := s.send("POST", "/admin/signin/password", form, nil, nil)
	if res.StatusCode != http.StatusBadRequest || cookieOf(res, "__Host-latchkey_mfa") != nil {
		t.Fatalf("a wrong password answered %d", res.StatusCode)
	}
	form.Set("tenant", "nobody")
	res, other := s.send("POST", "/admin/signin/password", form, nil, nil)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "invalid") || !strings.Contains(other, "invalid") {
		t.Fatalf("an unknown tenant answered %d", res.StatusCode)
	}
}
