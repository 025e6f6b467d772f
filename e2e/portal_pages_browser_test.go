package e2e

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestPortalPagesInChromium runs the admin portal's overview, users, signing keys and settings
// pages of a real latchkey process in headless Chromium: the overview counting a login that
// just happened, a user created (a bad address refused by its field first) and edited from the
// keyboard, a temporary password set, an authenticator app removed, the keys rotated after a
// confirmation, an application's rate limits changed, and a change without the CSRF token
// refused. Each page is checked by axe-core and screenshotted, on a laptop's width and a
// phone's.
func TestPortalPagesInChromium(t *testing.T) {
	s := startPortalSite(t)
	b, srv, smtp, boot, origin := s.b, s.srv, s.smtp, s.boot, s.b.origin
	adminToken := srv.token(boot.AdminClientID, boot.AdminClientSecret)

	// The overview: a login that just happened is counted under its method.
	b.do("the overview", chromedp.Navigate(origin+"/admin"), chromedp.WaitVisible(chromedp.ID("logins-total")))
	before := b.count("#logins-total")
	const bob = "bob@example.com"
	demoToken := srv.token(boot.ClientID, boot.ClientSecret)
	bobID := srv.createUser(demoToken, bob)
	srv.sendEmailOTP(demoToken, bob)
	srv.authenticateOTP(demoToken, bob, smtpCode(t, waitSMTP(t, smtp, bob, 1)[0]))
	b.do("the overview again", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("logins-total")))
	if after := b.count("#logins-total"); after != before+1 {
		t.Fatalf("the overview counts %d logins after one more than %d", after, before)
	}
	if rows := b.text("#logins"); !strings.Contains(rows, "Email code") {
		t.Fatalf("the overview does not name the method:\n%s", rows)
	}
	b.shot("overview")

	// A new user: an address that is none is refused next to its field, then the user is made.
	b.do("new user", chromedp.Navigate(origin+"/admin/users"), chromedp.Click(chromedp.CSS(`a[href="/admin/users/new"]`)),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "carol@"), chromedp.SendKeys(chromedp.ID("first_name"), "Carol"),
		chromedp.Submit(chromedp.ID("email")), chromedp.WaitVisible(chromedp.ID("email-problem")))
	if msg := b.text("#email-problem"); !strings.HasPrefix(msg, "email:") {
		t.Fatalf("the problem by the email field reads %q", msg)
	}
	b.shot("user-new-refused")
	b.do("fix the address", chromedp.SetValue(chromedp.ID("email"), "carol@example.com"),
		chromedp.SendKeys(chromedp.ID("custom_data"), `{"plan": "gold"}`), chromedp.Submit(chromedp.ID("email")))
	b.waitText(".notice", "User created.")
	carolID := strings.TrimPrefix(run(b, "the user's address", chromedp.Location()), origin+"/admin/users/")
	carolID, _, _ = strings.Cut(carolID, "?")

	// Edited from the keyboard: the edit form opens with Enter on its summary.
	b.do("open the edit form by keyboard", chromedp.Focus(chromedp.CSS("details summary")), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.ID("first_name")),
		chromedp.SetValue(chromedp.ID("first_name"), "Caroline"), chromedp.SetValue(chromedp.ID("phone_number"), "+14155550123"),
		chromedp.Submit(chromedp.ID("first_name")))
	b.waitText(".notice", "User saved.")
	got := srv.do("GET", "/cis/v1/users/"+carolID, adminToken, nil)
	wantStatus(t, got, 200, "")
	if body := string(got.Body); !strings.Contains(body, `"first_name":"Caroline"`) || !strings.Contains(body, `"+14155550123"`) || !strings.Contains(body, `"plan":"gold"`) {
		t.Fatalf("the API does not see the edit: %s", body)
	}

	// A temporary password, refused while too weak, then set.
	b.do("a weak password", chromedp.SendKeys(chromedp.ID("password"), "abc"), chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("password-problem")))
	b.do("a good password", chromedp.SetValue(chromedp.ID("password"), "Lantern-Quartz-7291"), chromedp.Submit(chromedp.ID("password")))
	b.waitText(".notice", "Temporary password set: the user must choose a new one at their next login.")
	if state := b.text("#password-state"); !strings.Contains(state, "temporary") {
		t.Fatalf("the password reads %q", state)
	}

	// An authenticator app enrolled through the API, removed on Bob's page.
	wantStatus(t, srv.do("POST", "/cis/v1/users/"+bobID+"/totp", adminToken, map[string]any{"name": "Bob's phone"}), 201, "")
	b.do("Bob's page", chromedp.Navigate(origin+"/admin/users/"+bobID), chromedp.WaitVisible(chromedp.ID("user-totp")))
	if apps := b.text("#user-apps"); !strings.Contains(apps, "Demo") && !strings.Contains(apps, boot.AppID) {
		t.Fatalf("Bob's applications read:\n%s", apps)
	}
	b.shot("user-credentials")
	b.do("remove the authenticator", chromedp.Click(chromedp.CSS(`button[aria-label^="Remove the authenticator app"]`)))
	b.waitText(".notice", "Authenticator app removed.")
	list := srv.do("GET", "/cis/v1/users/"+bobID+"/totp", adminToken, nil)
	wantStatus(t, list, 200, "")
	if strings.Contains(string(list.Body), "totp_id") {
		t.Fatalf("the authenticator is still there: %s", list.Body)
	}

	// The signing keys, rotated after a confirmation: the tenant gets an active key of its own.
	b.do("the keys", chromedp.Navigate(origin+"/admin/keys"), chromedp.WaitVisible(chromedp.ID("keys")))
	b.shot("keys")
	b.do("rotate", chromedp.Click(chromedp.CSS(`a[href="/admin/keys/rotate"]`)), chromedp.WaitVisible(chromedp.ID("confirm-rotate")))
	b.shot("keys-rotate")
	b.do("confirm", chromedp.Click(chromedp.ID("confirm-rotate")))
	b.waitText(".notice", "Signing keys rotated: the next key now signs.")
	keys := srv.do("GET", "/cis/v1/applications/signing-keys", adminToken, nil)
	wantStatus(t, keys, 200, "")
	if !strings.Contains(string(keys.Body), `"tenant_id":"`+boot.TenantID+`","kid":`) || !strings.Contains(b.text("#keys"), "active") {
		t.Fatalf("after the rotation the API lists: %s", keys.Body)
	}

	// A setting: the demo application's sends per identifier, out of range, then saved.
	b.do("the settings", chromedp.Navigate(origin+"/admin/settings?app="+boot.AppID), chromedp.WaitVisible(chromedp.ID("sendsPerIdentifier")),
		chromedp.SetValue(chromedp.ID("sendsPerIdentifier"), "5000"))
	run(b, "skip the browser's own range check", chromedp.Evaluate[bool](`document.getElementById("security-form").noValidate = true`))
	b.do("save out of range", chromedp.Submit(chromedp.ID("sendsPerIdentifier")))
	b.waitText(".problems li", "rate_limits.sendsPerIdentifier must be between 1 and 1000")
	b.do("save in range", chromedp.SetValue(chromedp.ID("sendsPerIdentifier"), "7"), chromedp.Submit(chromedp.ID("sendsPerIdentifier")))
	b.waitText(".notice", "Settings saved.")
	b.shot("settings")
	prefs := srv.do("GET", "/cis/loginPreferences/"+boot.AppID, adminToken, nil)
	wantStatus(t, prefs, 200, "")
	if !strings.Contains(string(prefs.Body), `"sendsPerIdentifier":7`) {
		t.Fatalf("the API does not see the new limit: %s", prefs.Body)
	}

	// A password setting, saved from the login preferences page, is the API's.
	b.do("login preferences", chromedp.Navigate(origin+"/admin/apps/"+boot.AppID+"/login"), chromedp.WaitVisible(chromedp.ID("pw_complexity")),
		chromedp.SetValue(chromedp.ID("pw_complexity"), "3"), chromedp.Submit(chromedp.ID("pw_complexity")))
	b.waitText(".notice", "Login preferences saved.")
	prefs = srv.do("GET", "/cis/loginPreferences/"+boot.AppID, adminToken, nil)
	wantStatus(t, prefs, 200, "")
	if !strings.Contains(string(prefs.Body), `"passwordComplexity":3`) {
		t.Fatalf("the API does not see the new password complexity: %s", prefs.Body)
	}

	// A change without the session's token is refused and changes nothing.
	status := run(b, "an edit without the token", chromedp.Evaluate[float64](
		`fetch("/admin/users/`+carolID+`", {method: "POST", body: new URLSearchParams({first_name: "Forged", email: "carol@example.com", csrf: "guessed"})}).then(function(r){return r.status;})`,
		chromedp.EvalAwaitPromise))
	if status != http.StatusForbidden {
		t.Fatalf("an edit with a wrong CSRF token answered %v, want 403", status)
	}
	if body := string(srv.do("GET", "/cis/v1/users/"+carolID, adminToken, nil).Body); strings.Contains(body, "Forged") {
		t.Fatalf("a forged edit changed the user: %s", body)
	}

	// Each change is an admin.change event naming the administrator.
	events := srv.do("GET", "/cis/v1/audit?type=admin.change&page_limit=100", adminToken, nil)
	wantStatus(t, events, 200, "")
	for _, action := range []string{"user.create", "user.update", "user.set_password", "user.delete_totp", "signing_keys.rotate", "application.security"} {
		if !strings.Contains(string(events.Body), `"method":"`+action+`"`) {
			t.Errorf("no %s event in the audit log", action)
		}
	}

	// On a phone's width.
	b.do("a phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(origin+"/admin/overview"), chromedp.WaitVisible(chromedp.ID("logins")))
	b.shot("phone-overview")
	b.do("a user on a phone", chromedp.Navigate(origin+"/admin/users/"+carolID), chromedp.WaitVisible(chromedp.ID("user-apps")))
	b.shot("phone-user")
	if wide := run(b, "measure the page", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)); wide {
		t.Errorf("the user's page is wider than a phone's screen")
	}
}

// count reads a whole number shown in the element.
func (b *portalBrowser) count(sel string) int {
	b.t.Helper()
	n, err := strconv.Atoi(strings.TrimSpace(b.text(sel)))
	if err != nil {
		b.t.Fatalf("%s reads %q, not a number", sel, b.text(sel))
	}
	return n
}
