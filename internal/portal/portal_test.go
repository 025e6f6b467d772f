package portal_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/admins"
	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/authtest"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/portal"
	"github.com/latchkey/latchkey/internal/roles"
)

// site is the portal over a real store, with an administrator set up.
type site struct {
	t   *testing.T
	f   *authtest.Fixture
	srv *httptest.Server
	ad  *admins.Service
}

func newSite(t *testing.T) *site { return newSiteWith(t, nil) }

// newSiteWith is newSite with a change to the portal's configuration.
func newSiteWith(t *testing.T, configure func(*portal.Config)) *site {
	t.Helper()
	f := authtest.New(t, auth.Options{})
	dir := directory.New(f.Store, directory.Options{Now: f.Clock.Now})
	ad := admins.New(f.Svc, dir, roles.New(f.Store, f.Clock.Now), audit.New(f.Store, f.Keys, f.Clock.Now), admins.Options{})
	cfg := portal.Config{Admins: ad, Tenancy: f.Tenancy, Directory: dir, Sessions: f.Sessions,
		Audit: audit.New(f.Store, f.Keys, f.Clock.Now), Tokens: f.Tokens, Passwords: f.Passwords, TOTP: f.TOTP}
	if configure != nil {
		configure(&cfg)
	}
	p, err := portal.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler())
	t.Cleanup(srv.Close)
	link, err := ad.NewSetupLink(f.Ctx, f.Boot.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ad.RedeemSetupLink(f.Ctx, link, "ada@example.com", model.ClientAttributes{}); err != nil {
		t.Fatal(err)
	}
	return &site{t: t, f: f, srv: srv, ad: ad}
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// send makes a request as a browser on the portal's own pages would, with cookie (if any).
func (s *site) send(method, path string, form url.Values, cookie *http.Cookie, headers map[string]string) (*http.Response, string) {
	s.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, s.srv.URL+path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
		}
		req.Header.Set(k, v)
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res, string(data)
}

// signIn signs the administrator in through the pages and returns the session cookie.
func (s *site) signIn() *http.Cookie {
	s.t.Helper()
	form := url.Values{"tenant": {"default"}, "email": {"ada@example.com"}}
	if res, body := s.send("POST", "/admin/signin", form, nil, nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/signin/code" {
		s.t.Fatalf("send code: %d %s", res.StatusCode, body)
	}
	code, _ := s.f.LastCode("ada@example.com")
	form.Set("code", code)
	res, body := s.send("POST", "/admin/signin/code", form, nil, nil)
	if res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("sign in: %d %s", res.StatusCode, body)
	}
	for _, c := range res.Cookies() {
		if c.Name == "__Host-latchkey_admin" {
			return c
		}
	}
	s.t.Fatalf("no session cookie in %v", res.Header["Set-Cookie"])
	return nil
}

// csrfOf reads the CSRF token of a page's forms.
func csrfOf(t *testing.T, body string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `name="csrf" value="`)
	if !ok {
		t.Fatalf("no CSRF field in the page")
	}
	tok, _, _ := strings.Cut(rest, `"`)
	return tok
}

func TestSessionCookieIsLockedDown(t *testing.T) {
	s := newSite(t)
	c := s.signIn()
	if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Domain != "" {
		t.Fatalf("cookie %+v: want Secure, HttpOnly, SameSite=Strict, Path=/ and no Domain", c)
	}
	if res, _ := s.send("GET", "/admin/apps", nil, c, nil); res.StatusCode != 200 {
		t.Fatalf("signed in, the applications page answers %d", res.StatusCode)
	}
	res, _ := s.send("GET", "/admin/apps", nil, nil, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/signin?next=%2Fadmin%2Fapps" {
		t.Fatalf("signed out, the applications page answers %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestEveryPageHasAStrictPolicy(t *testing.T) {
	s := newSite(t)
	c := s.signIn()
	for _, path := range []string{"/admin/signin", "/admin/apps", "/admin/apps/" + s.f.Boot.AppID, "/admin/apps/" + s.f.Boot.AppID + "/login", "/admin/users", "/admin/audit", "/admin/audit?type=admin.change&since=2020-01-01", "/admin/nowhere"} {
		res, body := s.send("GET", path, nil, c, nil)
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe") ||
			!strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		if res.Header.Get("X-Frame-Options") != "DENY" || res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", path, res.Header)
		}
		// No inline script or style anywhere: the policy would block it, so it would be a bug.
		if strings.Contains(body, "<script>") || strings.Contains(body, "style=") || strings.Contains(body, "onclick") {
			t.Errorf("%s has inline script or style", path)
		}
	}
	// The preview is the one document with inline styles (the email's own), and it may run
	// nothing and be framed only by the portal.
	res, body := s.send("GET", "/admin/apps/"+s.f.Boot.AppID+"/login/preview?kind=otp&otp_color=%23ff5500&otp_code_length=6&otp_expires_in=5&otp_max_failures=5&otp_lockout=15&link_expires_in=15&links_per_user=3", nil, c, nil)
	csp := res.Header.Get("Content-Security-Policy")
	if res.StatusCode != 200 || !strings.Contains(csp, "sandbox") || strings.Contains(csp, "script-src") || !strings.Contains(csp, "frame-ancestors 'self'") ||
		!strings.Contains(body, "#ff5500") {
		t.Fatalf("preview: %d, policy %q", res.StatusCode, csp)
	}
}

func TestChangesNeedTheSessionsTokenAndOrigin(t *testing.T) {
	s := newSite(t)
	c := s.signIn()
	_, page := s.send("GET", "/admin/apps/new", nil, c, nil)
	token := csrfOf(t, page)
	other := s.signIn() // another session of the same administrator: another token
	_, otherPage := s.send("GET", "/admin/apps/new", nil, other, nil)
	if csrfOf(t, otherPage) == token {
		t.Fatal("two sessions share a CSRF token")
	}
	create := func(name, tok string, cookie *http.Cookie, headers map[string]string) int {
		res, _ := s.send("POST", "/admin/apps", url.Values{"name": {name}, "csrf": {tok}}, cookie, headers)
		return res.StatusCode
	}
	cases := []struct {
		name    string
		tok     string
		cookie  *http.Cookie
		headers map[string]string
		want    int
	}{
		{"no token", "", c, nil, http.StatusForbidden},
		{"a wrong token", "forged", c, nil, http.StatusForbidden},
		{"another session's token", csrfOf(t, otherPage), c, nil, http.StatusForbidden},
		{"from another site", token, c, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"from another origin", token, c, map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"without the cookie", token, nil, nil, http.StatusUnauthorized},
	}
	for _, tc := range cases {
		if got := create("Forged "+tc.name, tc.tok, tc.cookie, tc.headers); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	apps, err := s.f.Tenancy.ListApplications(s.f.Ctx, s.f.Admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range apps {
		if strings.HasPrefix(a.Name, "Forged") {
			t.Errorf("a refused request created %q", a.Name)
		}
	}
	if got := create("Real", token, c, map[string]string{"Sec-Fetch-Site": "same-origin"}); got != http.StatusSeeOther {
		t.Fatalf("a change with the token answered %d", got)
	}
}

func TestSignInDoesNotSendAnywhereElse(t *testing.T) {
	s := newSite(t)
	form := url.Values{"tenant": {"default"}, "email": {"ada@example.com"}}
	for _, next := range []string{"//evil.example/admin/", "https://evil.example/", "/admin/\\evil", "/elsewhere"} {
		s.send("POST", "/admin/signin", form, nil, nil)
		code, _ := s.f.LastCode("ada@example.com")
		f := url.Values{"tenant": {"default"}, "email": {"ada@example.com"}, "code": {code}, "next": {next}}
		res, _ := s.send("POST", "/admin/signin/code", f, nil, nil)
		if loc := res.Header.Get("Location"); loc != portal.Landing {
			t.Errorf("next=%q sent the browser to %q", next, loc)
		}
	}
	// An unknown tenant is answered like a known one.
	res, body := s.send("POST", "/admin/signin", url.Values{"tenant": {"nobody"}, "email": {"ada@example.com"}}, nil, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/signin/code" || strings.Contains(body, "nobody") {
		t.Fatalf("an unknown tenant answered %d", res.StatusCode)
	}
}

// sendCookies GETs path with the given cookies (any of them may be nil).
func (s *site) sendCookies(method, path string, cookies ...*http.Cookie) (*http.Response, string) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, c := range cookies {
		if c != nil {
			req.AddCookie(c)
		}
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res, string(data)
}
