package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth/authtest"
	"github.com/latchkey/latchkey/internal/model"
)

// post sends a form from the page at path, with the page's CSRF token, as the browser would.
func (s *site) post(c *http.Cookie, page, action string, form url.Values) (*http.Response, string) {
	s.t.Helper()
	_, body := s.send("GET", page, nil, c, nil)
	form.Set("csrf", csrfOf(s.t, body))
	return s.send("POST", action, form, c, map[string]string{"Sec-Fetch-Site": "same-origin"})
}

// The new pages carry the same policy and no inline script or style, and every change they
// offer is refused without the session's token.
func TestNewPagesAreLockedDownLikeTheOthers(t *testing.T) {
	s := newSite(t)
	c := s.signIn()
	u := s.f.User("carol@example.com", "")
	for _, path := range []string{"/admin/overview", "/admin/keys", "/admin/keys/rotate", "/admin/settings", "/admin/users/new", "/admin/users/" + u.ID} {
		res, body := s.send("GET", path, nil, c, nil)
		if res.StatusCode != 200 {
			t.Errorf("%s answered %d: %.300s", path, res.StatusCode, body)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: policy %q", path, csp)
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, "style=") {
			t.Errorf("%s has inline script or style", path)
		}
	}
	for _, action := range []string{"/admin/keys/rotate", "/admin/settings/language", "/admin/settings/webhook", "/admin/settings/webhook/delete",
		"/admin/settings/apps/" + s.f.Boot.AppID, "/admin/users", "/admin/users/" + u.ID, "/admin/users/" + u.ID + "/verify",
		"/admin/users/" + u.ID + "/password", "/admin/users/" + u.ID + "/totp/x/delete", "/admin/users/" + u.ID + "/passkeys/delete"} {
		if res, _ := s.send("POST", action, url.Values{"csrf": {"forged"}, "email": {"x@example.com"}, "password": {authtest.GoodPassword}}, c, nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s with a forged token answered %d, want 403", action, res.StatusCode)
		}
	}
	if got := s.f.GetUser(u.ID); got.Email != "carol@example.com" {
		t.Errorf("a forged edit changed the user: %+v", got)
	}
}

// A user is created and edited through the directory's rules: a bad address is refused next
// to its field and nothing is made; a temporary password makes the user's password temporary.
func TestUsersCreatedAndEditedThroughTheDomain(t *testing.T) {
	s := newSite(t)
	c := s.signIn()
	res, body := s.post(c, "/admin/users/new", "/admin/users", url.Values{"email": {"not-an-address"}, "first_name": {"Dee"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="email-problem"`) || !strings.Contains(body, `aria-invalid="true"`) {
		t.Fatalf("a bad email: %d, want 400 with the problem by the field: %.2000s", res.StatusCode, body)
	}
	res, body = s.post(c, "/admin/users/new", "/admin/users", url.Values{"email": {"dee@example.com"}, "first_name": {"Dee"},
		"custom_data": {`{"plan":"gold"}`}, "password": {authtest.GoodPassword}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %.1000s", res.StatusCode, body)
	}
	id := strings.TrimPrefix(strings.Split(res.Header.Get("Location"), "?")[0], "/admin/users/")
	u := s.f.GetUser(id)
	if u.Email != "dee@example.com" || u.Name.FirstName != "Dee" || string(u.CustomData) != `{"plan":"gold"}` {
		t.Fatalf("created %+v", u)
	}
	// Taken by another user: a conflict, shown by the field, and nothing changes.
	s.f.User("erin@example.com", "")
	page := "/admin/users/" + id
	res, body = s.post(c, page, page, url.Values{"email": {"erin@example.com"}, "first_name": {"Dee"}, "custom_data": {`{"plan":"gold"}`}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="email-problem"`) {
		t.Fatalf("a taken email: %d %.2000s", res.StatusCode, body)
	}
	res, _ = s.post(c, page, page, url.Values{"email": {"dee@example.com"}, "first_name": {"Deirdre"}, "custom_data": {`{"seats":2}`}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit answered %d", res.StatusCode)
	}
	if u = s.f.GetUser(id); u.Name.FirstName != "Deirdre" || string(u.CustomData) != `{"seats":2}` {
		t.Fatalf("after the edit: %+v (custom data %s)", u.Name, u.CustomData)
	}
	// A password the policy refuses is shown back; a good one replaces the first, temporary.
	res, body = s.post(c, page, page+"/password", url.Values{"password": {"short"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="password-problem"`) {
		t.Fatalf("a weak password: %d %.1500s", res.StatusCode, body)
	}
	res, _ = s.post(c, page, page+"/password", url.Values{"password": {authtest.OtherPassword}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset answered %d", res.StatusCode)
	}
	_, body = s.send("GET", page, nil, c, nil)
	if !strings.Contains(body, `badge">temporary`) {
		t.Errorf("the user's page does not show a temporary password")
	}
}

// An authenticator app removed on the user's page is gone from the TOTP API's list.
func TestTOTPRemoved(t *testing.T) {
	s := newSite(t)
	c := s.signIn()
	u := s.f.User("finn@example.com", "")
	e := s.f.EnrolConfirmedTOTP(u.ID)
	page := "/admin/users/" + u.ID
	if _, body := s.send("GET", page, nil, c, nil); !strings.Contains(body, "/totp/"+e.ID+"/delete") {
		t.Fatal("the user's page does not list the authenticator app")
	}
	if res, _ := s.post(c, page, page+"/totp/"+e.ID+"/delete", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove answered %d", res.StatusCode)
	}
	list, err := s.f.TOTP.ListTOTP(s.f.Ctx, s.f.Admin, u.ID)
	if err != nil || len(list) != 0 {
		t.Fatalf("after removal: %v %v", list, err)
	}
}

// Rotating from the keys page gives the tenant keys of its own: one active, one next.
func TestKeysRotated(t *testing.T) {
	s := newSite(t)
	c := s.signIn()
	if res, _ := s.post(c, "/admin/keys/rotate", "/admin/keys/rotate", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rotate answered %d", res.StatusCode)
	}
	keys, err := s.f.Tokens.TenantKeys(s.f.Ctx, s.f.Boot.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	for _, k := range keys {
		if k.TenantID == s.f.Boot.TenantID {
			states[k.Status]++
		}
	}
	if states[model.KeySigning] != 1 || states[model.KeyValidating] != 1 {
		t.Fatalf("the tenant's own keys after a rotation: %v", states)
	}
	_, body := s.send("GET", "/admin/keys", nil, c, nil)
	if !strings.Contains(body, `badge ok">active`) || !strings.Contains(body, `badge">next`) {
		t.Errorf("the keys page does not show the states")
	}
}

// Rate limits out of the API's range are refused with the API's message; in range they are
// saved, with enumeration protection.
func TestSettingsHeldToTheAPIsRanges(t *testing.T) {
	s := newSite(t)
	c := s.signIn()
	app := s.f.Boot.AppID
	page := "/admin/settings?app=" + app
	form := url.Values{"sendsPerIdentifier": {"5000"}, "sendsPerIp": {"30"}, "sendsPerPhonePrefix": {"100"}, "phonePrefixDigits": {"6"},
		"failuresPerIdentifier": {"10"}, "failuresExpireIn": {"15"}, "enumeration_protection": {"on"}}
	res, body := s.post(c, page, "/admin/settings/apps/"+app, form)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "rate_limits.sendsPerIdentifier must be between 1 and 1000") {
		t.Fatalf("an out-of-range limit: %d %.1500s", res.StatusCode, body)
	}
	form.Set("sendsPerIdentifier", "7")
	if res, _ = s.post(c, page, "/admin/settings/apps/"+app, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save answered %d", res.StatusCode)
	}
	a, err := s.f.Tenancy.Application(s.f.Ctx, s.f.Admin, app)
	if err != nil {
		t.Fatal(err)
	}
	if a.Preferences.Limits.SendsPerIdentifier != 7 || !a.EnumerationProtection {
		t.Fatalf("saved limits %+v, enumeration protection %v", a.Preferences.Limits, a.EnumerationProtection)
	}
	// The webhook: its secret shown once, then a bad address refused with the API's words.
	// It answers with a redirect, and the page it names shows the secret once.
	res, _ = s.post(c, "/admin/settings", "/admin/settings/webhook", url.Values{"webhook_url": {"https://siem.example/hook"}})
	fl := cookieOf(res, "__Host-latchkey_flash")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/settings" || fl == nil || strings.Contains(fl.Value, "whsec_") {
		t.Fatalf("webhook: %d to %q, flash %v", res.StatusCode, res.Header.Get("Location"), fl)
	}
	res, body = s.sendCookies("GET", "/admin/settings", c, fl)
	if res.StatusCode != 200 || !strings.Contains(body, `id="webhook-secret"`) || !strings.Contains(body, "whsec_") {
		t.Fatalf("webhook: %d %.1500s", res.StatusCode, body)
	}
	if _, body = s.send("GET", "/admin/settings", nil, c, nil); strings.Contains(body, "whsec_") {
		t.Fatal("a reload showed the webhook secret again")
	}
	res, body = s.post(c, "/admin/settings", "/admin/settings/webhook", url.Values{"webhook_url": {"ftp://siem.example"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "url must be an absolute http(s) URL") {
		t.Fatalf("a bad webhook: %d %.1500s", res.StatusCode, body)
	}
}

// The overview counts the logins and failures the audit log holds, and the lockouts in force.
func TestOverviewCountsALogin(t *testing.T) {
	s := newSite(t)
	c := s.signIn()
	// The fixture's login flows report to a recorder, not the store: the events are written
	// as the flows write them.
	for _, typ := range []string{model.EventLoginSucceeded, model.EventLoginFailed, model.EventLoginFailed} {
		e := model.AuditEvent{ID: model.NewID(), TenantID: s.f.Boot.TenantID, AppID: s.f.Boot.AppID, Type: typ, Method: model.AMREmailOTP, CreatedAt: s.f.Clock.Now()}
		if err := s.f.Store.AppendAudit(s.f.Ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	lock := model.Lockout{TenantID: s.f.Boot.TenantID, AppID: s.f.Boot.AppID, Key: "otp:email:gus@example.com", Until: s.f.Clock.Now().Add(time.Hour)}
	if err := s.f.Store.PutLockout(s.f.Ctx, lock); err != nil {
		t.Fatal(err)
	}
	_, body := s.send("GET", "/admin/overview", nil, c, nil)
	if !strings.Contains(body, `id="logins-total">1<`) || !strings.Contains(body, `id="failures-total">2<`) || !strings.Contains(body, "Email code") ||
		!strings.Contains(body, `id="locked-total">1<`) || !strings.Contains(body, "otp:email:gus@example.com") {
		t.Fatalf("the overview after one login: %.3000s", body)
	}
	if res, _ := s.send("GET", "/admin", nil, c, nil); res.Header.Get("Location") != "/admin/overview" {
		t.Errorf("/admin sends to %q, want the overview", res.Header.Get("Location"))
	}
}
