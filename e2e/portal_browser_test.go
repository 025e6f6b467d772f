package e2e

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/latchkey/latchkey/internal/delivery/deliverytest"
)

// setupLinkInOutput matches the one-time link a first start prints for the first administrator.
var setupLinkInOutput = regexp.MustCompile(`https?://\S+/admin/setup\?token=\S+`)

// portalBrowser drives the admin portal in Chromium and keeps screenshots of its pages.
type portalBrowser struct {
	t      *testing.T
	ctx    context.Context
	origin string
	shots  string
	axe    string // axe-core's source, read once
}

func (b *portalBrowser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		body, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		b.t.Fatalf("%s: %v\nat %s:\n%s", what, err, loc, body)
	}
}

func run[T any](b *portalBrowser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// text returns the visible text of the first element selector matches.
func (b *portalBrowser) text(sel string) string {
	b.t.Helper()
	return run(b, "read "+sel, chromedp.Evaluate[string](`(function(){var e=document.querySelector(`+jsString(sel)+`);return e?e.innerText:"<missing>";})()`))
}

// waitText waits until the element's text is want.
func (b *portalBrowser) waitText(sel, want string) {
	b.t.Helper()
	expr := `(function(){var e=document.querySelector(` + jsString(sel) + `);return !!e && e.innerText.trim()===` + jsString(want) + `;})()`
	// Polled from here rather than in the page: a navigation in between replaces the page.
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s never read %q (it reads %q; last error %v)", sel, want, b.text(sel), err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// shot saves a screenshot of the page, and checks the page with axe-core.
func (b *portalBrowser) shot(name string) {
	b.t.Helper()
	b.checkAccessibility(name)
	png := run(b, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// TestPortalInChromium runs the admin portal of a real latchkey process in headless Chromium:
// the first administrator's set-up link, sign-in by a code sent over SMTP, an application and
// a client created with their secrets copied, a secret rotated, login preferences changed with
// the preview following, a user's session revoked, forged changes refused, and sign-out.
func TestPortalInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium is required for the browser test in CI, but %s is missing: %v", chromiumPath, err)
		}
		t.Skipf("Chromium is not installed at %s (apt-get install chromium); skipping the browser test", chromiumPath)
	}
	st := sqliteStore(t)
	smtp := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{})
	addr := freeLoopbackAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	// http://localhost is a secure context, where the browser keeps Secure (__Host-) cookies.
	origin := "http://localhost:" + port
	srv := startLatchkeyServer(t, st, addr, map[string]string{"LATCHKEY_SMTP_URL": smtp.URL(), "LATCHKEY_PUBLIC_URL": origin})
	boot := srv.waitBootstrap()
	var link string
	pollUntil(t, processWait, "the set-up link on standard output", func() bool {
		link = setupLinkInOutput.FindString(srv.stdout.String())
		return link != ""
	})
	if !strings.HasPrefix(link, origin+"/admin/setup?token=") {
		t.Fatalf("set-up link %q is not on the public URL %s", link, origin)
	}
	adminToken := srv.token(boot.AdminClientID, boot.AdminClientSecret)

	b := &portalBrowser{t: t, ctx: newChromium(t), origin: origin, shots: t.ArtifactDir()}
	t.Logf("screenshots in %s", b.shots)
	if _, err := chromedp.CallBrowser(b.ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "clipboard-read"}, Setting: browser.PermissionSettingGranted, Origin: origin}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.CallBrowser(b.ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "clipboard-write", AllowWithoutSanitization: true}, Setting: browser.PermissionSettingGranted, Origin: origin}); err != nil {
		t.Fatal(err)
	}
	b.do("viewport", chromedp.EmulateViewport(1280, 900))

	// The first administrator: the link, then a code by email.
	const adminEmail = "ada@example.com"
	b.do("open the set-up link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("email")))
	b.shot("setup")
	b.do("become administrator", chromedp.SendKeys(chromedp.ID("email"), adminEmail), chromedp.Submit(chromedp.ID("email")),
		chromedp.WaitVisible(chromedp.ID("code")))
	code := smtpCode(t, waitSMTP(t, smtp, adminEmail, 1)[0])
	b.shot("signin-code")
	b.do("sign in", chromedp.SendKeys(chromedp.ID("code"), code), chromedp.Submit(chromedp.ID("code")))
	b.waitText("h1", "Overview") // an administrator starts on the overview
	b.do("the applications", chromedp.Navigate(origin+"/admin/apps"))
	b.waitText("h1", "Applications")
	b.shot("applications")
	// The check can fail: an input without a label is reported.
	run(b, "add an unlabelled input", chromedp.Evaluate[bool](`!!document.querySelector("main").appendChild(document.createElement("input"))`))
	if report := b.axeViolations("applications with an unlabelled input"); !strings.Contains(report, `"id":"label"`) {
		t.Fatalf("axe-core does not report an unlabelled input: %s", report)
	}
	// The set-up link is spent.
	if res := srv.do("GET", strings.TrimPrefix(link, origin), "", nil); res.Status != http.StatusBadRequest {
		t.Fatalf("the set-up link answered %d a second time, want 400", res.Status)
	}

	// An application, whose default client's secret is shown once and copied.
	b.do("new application", chromedp.Click(chromedp.CSS(`a[href="/admin/apps/new"]`)), chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.SendKeys(chromedp.ID("name"), "Shop"), chromedp.SendKeys(chromedp.ID("redirect_uris"), "https://shop.example/callback"),
		chromedp.Submit(chromedp.ID("name")), chromedp.WaitVisible(chromedp.ID("issued-secret")))
	clientID := b.text("#issued-client-id")
	secret := run(b, "read the secret", chromedp.Value(chromedp.ID("issued-secret")))
	b.do("copy the secret", chromedp.Click(chromedp.CSS(`button.copy`)))
	b.waitText(".copied", "Copied")
	b.shot("application-created")
	copied := run(b, "read the clipboard", chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if copied != secret || !strings.HasPrefix(secret, "lk_cs_") {
		t.Fatalf("the clipboard holds %q, want the secret shown, %q", copied, secret)
	}
	srv.token(clientID, secret) // the secret shown works
	apps := srv.do("GET", "/cis/v1/applications", adminToken, nil)
	wantStatus(t, apps, 200, "")
	var shopID string
	for _, a := range apps.JSON(t)["result"].([]any) {
		if m := a.(map[string]any); m["app_name"] == "Shop" {
			shopID, _ = m["app_id"].(string)
		}
	}
	if shopID == "" {
		t.Fatalf("the application made in the portal is not in the API's list: %s", apps.Body)
	}

	// A second client, and its secret rotated: the old secret stops working at once.
	b.do("create a client", chromedp.Navigate(origin+"/admin/apps/"+shopID), chromedp.WaitVisible(chromedp.ID("client-name")),
		chromedp.SendKeys(chromedp.ID("client-name"), "Reports"), chromedp.Submit(chromedp.ID("client-name")),
		chromedp.WaitVisible(chromedp.ID("issued-secret")))
	reportsID, reportsSecret := b.text("#issued-client-id"), run(b, "read the secret", chromedp.Value(chromedp.ID("issued-secret")))
	srv.token(reportsID, reportsSecret)
	b.do("rotate its secret", chromedp.Navigate(origin+"/admin/apps/"+shopID), chromedp.WaitVisible(chromedp.ID("client-name")),
		chromedp.Click(chromedp.CSS(`form[action="/admin/apps/`+shopID+`/clients/`+reportsID+`/secret"] button`)),
		chromedp.WaitVisible(chromedp.ID("issued-secret")))
	rotated := run(b, "read the new secret", chromedp.Value(chromedp.ID("issued-secret")))
	if rotated == reportsSecret || b.text("#issued-client-id") != reportsID {
		t.Fatalf("rotation showed %q for %s", rotated, b.text("#issued-client-id"))
	}
	if res := srv.tokenResponse(reportsID, reportsSecret); res.Status != http.StatusUnauthorized && res.Status != http.StatusBadRequest {
		t.Fatalf("the rotated-out secret still answers %d: %s", res.Status, res.Body)
	}
	srv.token(reportsID, rotated)

	// Its settings: a lifetime that is no number is shown back with the problem, then saved.
	clientPage := origin + "/admin/apps/" + shopID + "/clients/" + reportsID
	b.do("edit the client", chromedp.Navigate(clientPage), chromedp.WaitVisible(chromedp.ID("access_token_ttl")),
		chromedp.SendKeys(chromedp.ID("access_token_ttl"), "ten minutes"), chromedp.Submit(chromedp.ID("access_token_ttl")))
	b.waitText(".problems li", "access_token_ttl must be a whole number of seconds")
	b.do("fix the lifetime", chromedp.SetValue(chromedp.ID("access_token_ttl"), "600"),
		chromedp.SetValue(chromedp.ID("redirect_uris"), "https://reports.example/cb"), chromedp.Submit(chromedp.ID("access_token_ttl")))
	b.waitText(".notice", "Client saved.")
	b.shot("client")
	got := srv.do("GET", "/cis/v1/applications/"+shopID+"/clients/"+reportsID, adminToken, nil)
	wantStatus(t, got, 200, "")
	if body := string(got.Body); !strings.Contains(body, `"access_token_ttl":600`) || !strings.Contains(body, `"https://reports.example/cb"`) {
		t.Fatalf("the API does not see the client's new settings: %s", body)
	}
	// And deleted, after a confirmation.
	b.do("delete the client", chromedp.Click(chromedp.CSS(`a[href$="/clients/`+reportsID+`/delete"]`)), chromedp.WaitVisible(chromedp.ID("confirm-delete")))
	b.shot("confirm-delete")
	b.do("confirm", chromedp.Click(chromedp.ID("confirm-delete")))
	b.waitText(".notice", "Client deleted.")
	if res := srv.tokenResponse(reportsID, rotated); res.Status == http.StatusOK {
		t.Fatal("a deleted client still gets tokens")
	}

	// Login preferences: the preview follows the form before anything is saved.
	b.do("open login preferences", chromedp.Navigate(origin+"/admin/apps/"+shopID+"/login"), chromedp.WaitVisible(chromedp.ID("preview-frame")))
	if s := b.text("#preview-subject"); s != "Your Shop sign-in code" {
		t.Fatalf("the preview's first subject is %q", s)
	}
	b.do("change the subject and colour", chromedp.SendKeys(chromedp.ID("otp_subject"), "Your code for Shop"),
		chromedp.SendKeys(chromedp.ID("otp_color"), "#ff5500"))
	b.waitText("#preview-subject", "Your code for Shop")
	frameHTML := run(b, "fetch the preview frame", chromedp.Evaluate[string](
		`fetch(document.getElementById("preview-frame").src).then(function(r){return r.text();})`, chromedp.EvalAwaitPromise))
	if !strings.Contains(frameHTML, "#ff5500") || !strings.Contains(frameHTML, "Shop") {
		t.Fatalf("the preview frame does not show the new colour: %.400s", frameHTML)
	}
	b.do("an out-of-range code length", chromedp.SetValue(chromedp.ID("otp_code_length"), "12"))
	run(b, "tell the form", chromedp.Evaluate[bool](`document.getElementById("prefs-form").dispatchEvent(new Event("input"))`))
	b.waitText("#preview-problems", "email_otp.codeLength must be between 4 and 8")
	b.shot("login-preferences")
	b.do("fix it and save", chromedp.SetValue(chromedp.ID("otp_code_length"), "6"), chromedp.Submit(chromedp.ID("otp_subject")))
	b.waitText(".notice", "Login preferences saved.")
	prefs := srv.do("GET", "/cis/loginPreferences/"+shopID, adminToken, nil)
	wantStatus(t, prefs, 200, "")
	if body := string(prefs.Body); !strings.Contains(body, `"subject":"Your code for Shop"`) || !strings.Contains(body, `"primaryColor":"#ff5500"`) {
		t.Fatalf("the API does not see the saved preferences: %s", body)
	}

	// A user's session, found and revoked.
	const userEmail = "bob@example.com"
	demoToken := srv.token(boot.ClientID, boot.ClientSecret)
	srv.createUser(demoToken, userEmail)
	srv.sendEmailOTP(demoToken, userEmail)
	srv.authenticateOTP(demoToken, userEmail, smtpCode(t, waitSMTP(t, smtp, userEmail, 1)[0]))
	b.do("find the user", chromedp.Navigate(origin+"/admin/users"), chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), "bob"), chromedp.Submit(chromedp.ID("q")))
	b.waitText(".pager span", "1–1 of 1")
	b.shot("users")
	b.do("open the user", chromedp.Click(chromedp.CSS(`tbody th a`)), chromedp.WaitVisible(chromedp.CSS(`button[aria-label^="Revoke session"]`)))
	b.do("revoke the session", chromedp.Click(chromedp.CSS(`button[aria-label^="Revoke session"]`)))
	b.waitText(".notice", "Session revoked.")
	// Disabled, the user can no longer sign in; the page shows the events about them.
	b.do("disable the user", chromedp.Click(chromedp.CSS(`form[action$="/status"] button`)))
	b.waitText(".notice", "User disabled: they can no longer sign in.")
	b.shot("user")
	if res := srv.do("POST", "/cis/v1/auth/otp/send", demoToken, map[string]any{"channel": "email", "identifier_type": "email", "identifier": userEmail}); res.Status != http.StatusForbidden {
		t.Fatalf("a send to a disabled user answered %d, want 403: %s", res.Status, res.Body)
	}
	if events := b.text("table.events"); !strings.Contains(events, "user.disable") || !strings.Contains(events, "login.succeeded") {
		t.Fatalf("the user's page does not list their events:\n%s", events)
	}
	// The audit log, filtered to admin changes.
	b.do("the audit log", chromedp.Navigate(origin+"/admin/audit"), chromedp.WaitVisible(chromedp.ID("type")),
		chromedp.SetValue(chromedp.ID("type"), "admin.change"), chromedp.Submit(chromedp.ID("type")))
	b.waitText(".pager span", "10 events")
	if events := b.text("table.events"); strings.Contains(events, "login.succeeded") || !strings.Contains(events, "client.rotate_secret") {
		t.Fatalf("the filtered audit log shows:\n%s", events)
	}
	b.shot("audit")
	if n := run(b, "count active sessions", chromedp.Evaluate[float64](`document.querySelectorAll(".badge.ok").length - document.querySelectorAll("dd .badge.ok").length`)); n != 0 {
		t.Fatalf("%v sessions are still active after the revocation", n)
	}

	// Forged changes: from another site (the SameSite cookie stays home) and from the portal's
	// own origin without the session's token. Neither creates anything.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<form id="f" method="post" action="` + origin + `/admin/apps">` +
			`<input name="name" value="Forged"><input name="csrf" value="guessed"></form>` +
			`<script>document.getElementById("f").submit()</script>`))
	}))
	t.Cleanup(evil.Close)
	b.do("a cross-site form", chromedp.Navigate(evil.URL))
	b.waitText("h1", "Signed out")
	status := run(b, "a same-origin post without the token", chromedp.Evaluate[float64](
		`fetch("/admin/apps", {method: "POST", body: new URLSearchParams({name: "Forged", csrf: "guessed"})}).then(function(r){return r.status;})`,
		chromedp.EvalAwaitPromise))
	if status != http.StatusForbidden {
		t.Fatalf("a post with a wrong CSRF token answered %v, want 403", status)
	}
	b.do("back to the list", chromedp.Navigate(origin+"/admin/apps"))
	b.waitText("h1", "Applications") // still signed in: the forgery did not sign the admin out
	if list := b.text("table"); strings.Contains(list, "Forged") {
		t.Fatalf("a forged request created an application:\n%s", list)
	}

	// Every change is in the audit log with the administrator's identity.
	events := srv.do("GET", "/cis/v1/audit?type=admin.change&page_limit=100", adminToken, nil)
	wantStatus(t, events, 200, "")
	for _, action := range []string{"admin.setup", "application.create", "client.create", "client.rotate_secret", "client.update",
		"client.delete", "login_preferences.update", "sessions.revoke", "user.disable"} {
		if !strings.Contains(string(events.Body), `"method":"`+action+`"`) {
			t.Errorf("no %s event in the audit log", action)
		}
	}
	if !strings.Contains(string(events.Body), `"admin_email":"`+adminEmail+`"`) {
		t.Errorf("the audit events do not name the administrator: %.600s", events.Body)
	}

	// On a phone's width the pages reflow to one column.
	b.do("a phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(origin+"/admin/apps/"+shopID+"/login"), chromedp.WaitVisible(chromedp.ID("preview-frame")))
	b.shot("phone-login-preferences")
	b.do("a laptop again", chromedp.EmulateViewport(1280, 900))

	// Sign-out ends the session: the portal asks to sign in again.
	b.do("sign out", chromedp.Click(chromedp.CSS(`form[action="/admin/signout"] button`)), chromedp.WaitVisible(chromedp.ID("email")))
	b.waitText(".notice", "You have signed out.")
	b.do("the portal after sign-out", chromedp.Navigate(origin+"/admin/apps"), chromedp.WaitVisible(chromedp.ID("email")))
}

// checkAccessibility runs axe-core on the page and fails the test on any serious or critical
// violation. The script is evaluated through the DevTools protocol, which the page's
// Content-Security-Policy does not govern; the page itself still runs only its own files.
func (b *portalBrowser) checkAccessibility(page string) {
	b.t.Helper()
	if b.axe == "" {
		src, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
		if err != nil {
			b.t.Fatal(err)
		}
		b.axe = string(src)
	}
	run(b, "load axe-core on "+page, chromedp.Evaluate[bool](b.axe+";\ntypeof axe === \"object\""))
	if report := b.axeViolations(page); report != "[]" {
		b.t.Errorf("axe-core finds serious accessibility violations on the %s page: %s", page, report)
	}
}

// axeViolations returns the serious and critical violations axe-core finds on the page, as JSON.
func (b *portalBrowser) axeViolations(page string) string {
	b.t.Helper()
	return run(b, "run axe-core on "+page, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
		return JSON.stringify(r.violations.filter(function (v) { return v.impact === "serious" || v.impact === "critical"; })
			.map(function (v) { return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) { return n.target.join(" "); })}; }));
	})`, chromedp.EvalAwaitPromise))
}
