package portal_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/admins"
	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/portal"
)

// cookieOf returns the named cookie a response set (nil when it set none).
func cookieOf(res *http.Response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (s *site) countApps() int {
	s.t.Helper()
	apps, err := s.f.Tenancy.ListApplications(s.f.Ctx, s.f.Admin)
	if err != nil {
		s.t.Fatal(err)
	}
	return len(apps)
}

// A successful POST answers 303, so a reload repeats nothing; the secret it made is shown by
// the page the redirect names, to that session only, once, and not after the flash expires.
func TestCreateRedirectsAndShowsTheSecretOnce(t *testing.T) {
	s := newSite(t)
	c := s.signIn()
	_, page := s.send("GET", "/admin/apps/new", nil, c, nil)
	before := s.countApps()
	res, _ := s.send("POST", "/admin/apps", url.Values{"name": {"Shop"}, "csrf": {csrfOf(t, page)}}, c, nil)
	loc, fl := res.Header.Get("Location"), cookieOf(res, "__Host-latchkey_flash")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/apps/") || fl == nil {
		t.Fatalf("create answered %d to %q with flash %v", res.StatusCode, loc, fl)
	}
	if !fl.Secure || !fl.HttpOnly || fl.SameSite != http.SameSiteStrictMode || fl.MaxAge <= 0 || fl.MaxAge > 300 {
		t.Fatalf("flash cookie %+v", fl)
	}
	if strings.Contains(fl.Value, "Shop") || len(fl.Value) < 60 {
		t.Fatalf("flash cookie is not sealed: %q", fl.Value)
	}
	if n := s.countApps(); n != before+1 {
		t.Fatalf("%d applications after one create, want %d", n, before+1)
	}

	// Another session of the same administrator cannot open this session's flash.
	other := s.signIn()
	res, body := s.sendCookies("GET", loc, other, fl)
	if res.StatusCode != 200 || strings.Contains(body, `id="issued-secret"`) {
		t.Fatalf("another session's page showed the secret (%d)", res.StatusCode)
	}

	res, body = s.sendCookies("GET", loc, c, fl)
	if res.StatusCode != 200 || !strings.Contains(body, `id="issued-secret"`) || !strings.Contains(body, "shown only once") {
		t.Fatalf("the redirect's page did not show the secret: %d", res.StatusCode)
	}
	if cl := cookieOf(res, "__Host-latchkey_flash"); cl == nil || cl.MaxAge >= 0 {
		t.Fatalf("the page that showed the secret did not clear the flash: %v", res.Header["Set-Cookie"])
	}
	// A reload (the browser no longer sends the cleared flash) shows no secret and makes nothing.
	res, body = s.send("GET", loc, nil, c, nil)
	if res.StatusCode != 200 || strings.Contains(body, `id="issued-secret"`) {
		t.Fatalf("a reload showed the secret again (%d)", res.StatusCode)
	}
	if n := s.countApps(); n != before+1 {
		t.Fatalf("a reload made an application: %d", n)
	}
	// Kept by someone past its life, the flash no longer opens.
	s.f.Clock.Advance(admins.FlashTTL)
	if _, body = s.sendCookies("GET", loc, c, fl); strings.Contains(body, `id="issued-secret"`) {
		t.Fatal("an expired flash showed the secret")
	}
}

// Sending a code answers 303 to the code form: reloading that form sends no second code.
func TestCodeFormSurvivesAReload(t *testing.T) {
	s := newSite(t)
	res, _ := s.send("POST", "/admin/signin", url.Values{"tenant": {"default"}, "email": {"ada@example.com"}}, nil, nil)
	pending := cookieOf(res, "__Host-latchkey_signin")
	if res.StatusCode != http.StatusSeeOther || pending == nil {
		t.Fatalf("send answered %d, pending %v", res.StatusCode, pending)
	}
	sent := len(s.f.Messages("ada@example.com"))
	for i := 0; i < 2; i++ {
		res, body := s.sendCookies("GET", "/admin/signin/code", pending)
		if res.StatusCode != 200 || !strings.Contains(body, `name="code"`) || !strings.Contains(body, "ada@example.com") {
			t.Fatalf("code form: %d", res.StatusCode)
		}
	}
	if n := len(s.f.Messages("ada@example.com")); n != sent {
		t.Fatalf("reloading the code form sent %d more messages", n-sent)
	}
	// Without the cookie (or with a forged one) the form sends the browser back to sign in.
	forged := &http.Cookie{Name: "__Host-latchkey_signin", Value: strings.Repeat("A", len(pending.Value))}
	for _, cs := range [][]*http.Cookie{nil, {forged}} {
		res, _ := s.sendCookies("GET", "/admin/signin/code", cs...)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/signin" {
			t.Fatalf("code form without a sign-in in progress: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
	}
}

// Behind a trusted proxy the portal sees what the browser sees: the origin forms come from,
// HTTPS, and the client's address in the audit log. From any other peer those headers are
// ignored.
func TestTrustedProxies(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	proxied := map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "login.example.com",
		"X-Forwarded-For": "198.51.100.9", "Origin": "https://login.example.com"}

	s := newSiteWith(t, func(c *portal.Config) { c.TrustedProxies = loopback })
	c := s.signIn()
	_, page := s.send("GET", "/admin/apps/new", nil, c, nil)
	res, _ := s.send("POST", "/admin/apps", url.Values{"name": {"Proxied"}, "csrf": {csrfOf(t, page)}}, c, proxied)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a form posted through the trusted proxy answered %d", res.StatusCode)
	}
	events, _, err := audit.New(s.f.Store, s.f.Keys, s.f.Clock.Now).Search(s.f.Ctx, s.f.Admin, audit.Query{Type: model.EventAdminChange, Limit: 5})
	if err != nil || len(events) == 0 || events[0].IPAddress != "198.51.100.9" {
		t.Fatalf("audit events %+v (%v): want the forwarded client address", events, err)
	}
	// A plain-HTTP host is a secure context only when a trusted proxy says the browser used HTTPS.
	res, body := s.send("GET", "/admin/signin", nil, nil, map[string]string{"Host": "login.example.com", "X-Forwarded-Proto": "https"})
	if res.StatusCode != 200 {
		t.Fatalf("sign-in through the trusted TLS proxy: %d %s", res.StatusCode, body)
	}

	u := newSite(t) // no trusted proxies
	c = u.signIn()
	_, page = u.send("GET", "/admin/apps/new", nil, c, nil)
	if res, _ := u.send("POST", "/admin/apps", url.Values{"name": {"Spoofed"}, "csrf": {csrfOf(t, page)}}, c, proxied); res.StatusCode != http.StatusForbidden {
		t.Fatalf("forwarding headers from an untrusted peer passed the origin check: %d", res.StatusCode)
	}
	res, body = u.send("GET", "/admin/signin", nil, nil, map[string]string{"Host": "login.example.com", "X-Forwarded-Proto": "https"})
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "LATCHKEY_TRUSTED_PROXIES") {
		t.Fatalf("plain HTTP at a public host answered %d", res.StatusCode)
	}
}
