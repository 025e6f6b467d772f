package e2e

import (
	"encoding/json"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	otptotp "github.com/pquerna/otp/totp"

	"github.com/latchkey/latchkey/internal/delivery/deliverytest"
	"github.com/latchkey/latchkey/internal/tenancy"
)

// inviteLinkInMail matches the link of an invitation email.
var inviteLinkInMail = regexp.MustCompile(`https?://\S+/admin/invite\?token=[A-Za-z0-9._~-]+`)

// portalSite is a latchkey process with its first administrator signed in to the portal in
// Chromium.
type portalSite struct {
	b     *portalBrowser
	srv   *latchkeyProcess
	smtp  *deliverytest.SMTPServer
	admin string
	st    procStore
	env   map[string]string
	boot  tenancy.Bootstrap
}

// startPortalSite starts a process on http://localhost (a secure context), sets up its first
// administrator through the printed link and signs them in with the code sent over SMTP.
func startPortalSite(t *testing.T) *portalSite {
	t.Helper()
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
	origin := "http://localhost:" + port
	env := map[string]string{"LATCHKEY_SMTP_URL": smtp.URL(), "LATCHKEY_PUBLIC_URL": origin}
	srv := startLatchkeyServer(t, st, addr, env)
	boot := srv.waitBootstrap()
	var link string
	pollUntil(t, processWait, "the set-up link on standard output", func() bool {
		link = setupLinkInOutput.FindString(srv.stdout.String())
		return link != ""
	})
	b := &portalBrowser{t: t, ctx: newChromium(t), origin: origin, shots: t.ArtifactDir()}
	t.Logf("screenshots in %s", b.shots)
	b.do("viewport", chromedp.EmulateViewport(1280, 900))
	const admin = "ada@example.com"
	b.do("open the set-up link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("email")))
	b.do("become administrator", chromedp.SendKeys(chromedp.ID("email"), admin), chromedp.Submit(chromedp.ID("email")),
		chromedp.WaitVisible(chromedp.ID("code")))
	code := smtpCode(t, waitSMTP(t, smtp, admin, 1)[0])
	b.do("sign in", chromedp.SendKeys(chromedp.ID("code"), code), chromedp.Submit(chromedp.ID("code")))
	b.waitText("h1", "Overview")
	return &portalSite{b: b, srv: srv, smtp: smtp, admin: admin, st: st, env: env, boot: boot}
}

// signOut signs out and waits for the sign-in page.
func (s *portalSite) signOut() {
	s.b.t.Helper()
	s.b.do("sign out", chromedp.Click(chromedp.CSS(`form[action="/admin/signout"] button`)), chromedp.WaitVisible(chromedp.ID("email")))
}

// nextTOTPStep waits for the next 30-second step, so that a code differs from the last one used.
func nextTOTPStep() {
	time.Sleep(time.Duration(30-time.Now().Unix()%30)*time.Second + 200*time.Millisecond)
}

// TestPortalSignInMethodsInChromium sets up a passkey (Chromium's virtual authenticator) and a
// password with an authenticator app from the account page, then signs in with each.
func TestPortalSignInMethodsInChromium(t *testing.T) {
	s := startPortalSite(t)
	b := s.b
	enableUI := false
	if _, err := chromedp.Call(b.ctx, webauthn.Enable, webauthn.EnableParams{EnableUI: &enableUI}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true,
			HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
		},
	}); err != nil {
		t.Fatal(err)
	}

	b.do("the account page", chromedp.Click(chromedp.CSS(`a.email`)), chromedp.WaitVisible(chromedp.ID("passkey-add")))
	b.do("add a passkey", chromedp.Click(chromedp.ID("passkey-add")))
	b.waitText(".notice", "Passkey added.")

	const password = "Correct horse battery staple 42!"
	b.do("set a password", chromedp.SendKeys(chromedp.ID("new-password"), password), chromedp.SendKeys(chromedp.ID("new-password-again"), password),
		chromedp.Submit(chromedp.ID("new-password")))
	b.waitText(".notice", "Password set.")
	b.do("add an authenticator app", chromedp.Click(chromedp.ID("totp-add")), chromedp.WaitVisible(chromedp.ID("totp-secret")))
	b.shot("account-new-authenticator")
	key := run(b, "read the key", chromedp.Value(chromedp.ID("totp-secret")))
	code, err := otptotp.GenerateCode(key, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.do("confirm it", chromedp.SendKeys(chromedp.ID("totp-confirm"), code), chromedp.Submit(chromedp.ID("totp-confirm")))
	b.waitText(".notice", "Authenticator app added.")
	// The key was shown once: the page after the redirect, reloaded, no longer has it.
	b.do("reload the account page", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("totp-add")))
	if n := run(b, "look for the key", chromedp.Evaluate[int](`document.querySelectorAll("#totp-secret").length`)); n != 0 {
		t.Fatal("the authenticator's key is shown again after a reload")
	}
	b.shot("account")

	// A passkey, which names the administrator itself.
	s.signOut()
	b.shot("signin")
	b.do("sign in with the passkey", chromedp.Click(chromedp.ID("passkey-signin")))
	b.waitText("h1", "Overview")

	// A password, then the authenticator's next code.
	s.signOut()
	b.do("the password", chromedp.SendKeys(chromedp.ID("pw-email"), s.admin), chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")), chromedp.WaitVisible(chromedp.ID("totp-code")))
	b.shot("signin-totp")
	nextTOTPStep()
	code, _ = otptotp.GenerateCode(key, time.Now())
	b.do("the code", chromedp.SendKeys(chromedp.ID("totp-code"), code), chromedp.Submit(chromedp.ID("totp-code")))
	b.waitText("h1", "Overview")

	// Only passkeys from now on: the other forms leave the sign-in page.
	b.do("choose passkeys only", chromedp.Navigate(b.origin+"/admin/account"), chromedp.WaitVisible(chromedp.ID("method-passkey")),
		chromedp.Click(chromedp.ID("method-password_totp")), chromedp.Click(chromedp.ID("method-email_code")),
		chromedp.Submit(chromedp.ID("method-passkey")))
	// The session began by password and TOTP, no longer offered, has ended: the redirect
	// lands on the sign-in page, which offers only the passkey.
	b.do("the sign-in page", chromedp.WaitVisible(chromedp.ID("passkey-signin")))
	if n := run(b, "count the forms", chromedp.Evaluate[int](`document.querySelectorAll("main form").length`)); n != 1 {
		t.Fatalf("the sign-in page shows %d forms, want only the passkey's", n)
	}
	b.do("sign in with the passkey again", chromedp.Click(chromedp.ID("passkey-signin")))
	b.waitText("h1", "Your account") // where the sign-out interrupted the administrator
	if on := run(b, "read the choice", chromedp.Evaluate[string](`Array.from(document.querySelectorAll("input[name=methods]:checked")).map(function(e){return e.value;}).join()`)); on != "passkey" {
		t.Fatalf("methods on after the change: %q", on)
	}

	if body := run(b, "the audit log", chromedp.Evaluate[string](`fetch("/admin/audit?type=admin.change").then(function(r){return r.text();})`, chromedp.EvalAwaitPromise)); !strings.Contains(body, "admin_settings.update") ||
		!strings.Contains(body, "account.add_passkey") || !strings.Contains(body, "account.add_totp") {
		t.Fatalf("the audit log lacks the account changes")
	}
}

// TestPortalReloadRepeatsNothingInChromium creates an application and reloads the page the
// create's redirect showed: nothing is created twice and the secret is not shown again.
func TestPortalReloadRepeatsNothingInChromium(t *testing.T) {
	s := startPortalSite(t)
	b := s.b
	b.do("new application", chromedp.Navigate(b.origin+"/admin/apps/new"), chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.SendKeys(chromedp.ID("name"), "Shop"), chromedp.Submit(chromedp.ID("name")), chromedp.WaitVisible(chromedp.ID("issued-secret")))
	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("client-name")))
	if n := run(b, "look for the secret", chromedp.Evaluate[int](`document.querySelectorAll("#issued-secret").length`)); n != 0 {
		t.Fatal("the secret is shown again after a reload")
	}
	b.do("the list", chromedp.Navigate(b.origin+"/admin/apps"), chromedp.WaitVisible(chromedp.CSS("table")))
	if n := strings.Count(b.text("table"), "Shop"); n != 1 {
		t.Fatalf("the list shows %d applications named Shop after a reload, want 1", n)
	}
}

// TestPortalInviteInChromium invites an administrator, follows the link of the email the SMTP
// server received, accepts, and lands signed in as the new administrator.
func TestPortalInviteInChromium(t *testing.T) {
	s := startPortalSite(t)
	b := s.b
	const bob = "bob@example.com"
	b.do("the administrators page", chromedp.Click(chromedp.CSS(`nav a[href="/admin/invites"]`)), chromedp.WaitVisible(chromedp.ID("invite-email")),
		chromedp.SendKeys(chromedp.ID("invite-email"), bob), chromedp.Submit(chromedp.ID("invite-email")))
	b.waitText(".notice", "Invitation sent.")
	b.shot("invites")
	link := inviteLinkInMail.FindString(waitSMTP(t, s.smtp, bob, 1)[0].Text)
	if !strings.HasPrefix(link, b.origin+"/admin/invite?token=") {
		t.Fatalf("the invitation email carries no link to the portal: %q", link)
	}
	b.do("follow the link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("accept-invite")))
	b.shot("invite-accept")
	b.do("accept", chromedp.Click(chromedp.ID("accept-invite")))
	b.waitText("h1", "Your account")
	if who := b.text("a.email"); who != bob {
		t.Fatalf("signed in as %q, want %s", who, bob)
	}
	b.do("the link again", chromedp.Navigate(link))
	b.waitText("h1", "Invitation")
	if body := b.text("main"); !strings.Contains(body, "not valid") {
		t.Fatalf("a spent invitation's page says %q", body)
	}
	b.do("the administrators page", chromedp.Navigate(b.origin+"/admin/invites"), chromedp.WaitVisible(chromedp.CSS("table")))
	if row := b.text("tbody tr"); !strings.Contains(row, bob) || !strings.Contains(row, "accepted") || !strings.Contains(row, s.admin) {
		t.Fatalf("the invitation's row reads %q", row)
	}
}

// TestPortalOperatorInChromium signs the operator in with the link latchkey init prints,
// creates a tenant, and sets up that tenant's first administrator with the link shown once,
// who then sees their own tenant only.
func TestPortalOperatorInChromium(t *testing.T) {
	s := startPortalSite(t)
	b := s.b
	res := runLatchkey(t, s.st, s.env, "init", "--operator-link", "--json")
	var out struct {
		URL string `json:"operator_url"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); res.code != 0 || err != nil || !strings.HasPrefix(out.URL, b.origin+"/admin/operator?token=") {
		t.Fatalf("init --operator-link: %d %q %v\n%s", res.code, res.stdout, err, res.stderr)
	}
	b.do("the operator link", chromedp.Navigate(out.URL), chromedp.WaitVisible(chromedp.ID("operator-signin")))
	b.do("sign in as the operator", chromedp.Click(chromedp.ID("operator-signin")), chromedp.WaitVisible(chromedp.ID("tenant-name")))
	b.do("create a tenant", chromedp.SendKeys(chromedp.ID("tenant-name"), "acme"), chromedp.Submit(chromedp.ID("tenant-name")),
		chromedp.WaitVisible(chromedp.ID("setup-link")))
	b.shot("operator-tenant-created")
	link := run(b, "read the set-up link", chromedp.Value(chromedp.ID("setup-link")))
	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("tenant-name")))
	if n := run(b, "look for the link", chromedp.Evaluate[int](`document.querySelectorAll("#setup-link").length`)); n != 0 {
		t.Fatal("the set-up link is shown again after a reload")
	}
	if n := strings.Count(b.text("tbody"), "acme"); n != 1 {
		t.Fatalf("the tenants list names acme %d times after a reload, want 1", n)
	}

	const carol = "carol@acme.example"
	b.do("the new tenant's set-up link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("email")))
	b.do("become its administrator", chromedp.SendKeys(chromedp.ID("email"), carol), chromedp.Submit(chromedp.ID("email")),
		chromedp.WaitVisible(chromedp.ID("code")))
	code := smtpCode(t, waitSMTP(t, s.smtp, carol, 1)[0])
	b.do("sign in", chromedp.SendKeys(chromedp.ID("code"), code), chromedp.Submit(chromedp.ID("code")))
	b.waitText("h1", "Overview")
	if tenant := b.text(".tenant"); tenant != "acme" {
		t.Fatalf("the new administrator is in tenant %q", tenant)
	}
	// The default tenant's administrator is not among this tenant's users.
	b.do("search the users", chromedp.Navigate(b.origin+"/admin/users?q=ada"), chromedp.WaitVisible(chromedp.ID("q")))
	if list := b.text("main"); strings.Contains(list, s.admin) {
		t.Fatalf("the new tenant's administrator sees another tenant's user:\n%s", list)
	}
	b.do("search for themselves", chromedp.Navigate(b.origin+"/admin/users?q=carol"), chromedp.WaitVisible(chromedp.ID("q")))
	if list := b.text("main"); !strings.Contains(list, carol) {
		t.Fatalf("the users search does not find the administrator themselves:\n%s", list)
	}
	if res := s.srv.do("GET", "/admin/operator/tenants", "", nil); res.Status != 401 {
		t.Fatalf("the operator pages without the operator's cookie answered %d", res.Status)
	}
}
