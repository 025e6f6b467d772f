package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/admins"
)

func TestOperatorCreatesTenants(t *testing.T) {
	s := newSite(t)
	// A tenant's administrator does not reach the operator pages.
	if res, _ := s.send("GET", "/admin/operator/tenants", nil, s.signIn(), nil); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a tenant administrator reached the operator pages: %d", res.StatusCode)
	}
	token, err := s.ad.NewOperatorLink(s.f.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := s.send("GET", "/admin/operator?token="+url.QueryEscape(token), nil, nil, nil); res.StatusCode != 200 {
		t.Fatalf("operator link page: %d", res.StatusCode)
	}
	if res, _ := s.send("POST", "/admin/operator", url.Values{"token": {token}}, nil, map[string]string{"Sec-Fetch-Site": "cross-site"}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a cross-site redemption answered %d", res.StatusCode)
	}
	res, _ := s.send("POST", "/admin/operator", url.Values{"token": {token}}, nil, nil)
	op := cookieOf(res, "__Host-latchkey_operator")
	if res.StatusCode != http.StatusSeeOther || op == nil || !op.Secure || !op.HttpOnly {
		t.Fatalf("redeem: %d %+v", res.StatusCode, op)
	}
	if res, _ := s.send("POST", "/admin/operator", url.Values{"token": {token}}, nil, nil); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("an operator link redeemed twice answered %d", res.StatusCode)
	}
	res, page := s.send("GET", "/admin/operator/tenants", nil, op, nil)
	if res.StatusCode != 200 || !strings.Contains(page, "default") {
		t.Fatalf("tenants page: %d", res.StatusCode)
	}
	csrf := csrfOf(t, page)
	if res, _ := s.send("POST", "/admin/operator/tenants", url.Values{"name": {"forged"}}, op, nil); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a tenant created without the CSRF token: %d", res.StatusCode)
	}
	res, _ = s.send("POST", "/admin/operator/tenants", url.Values{"name": {"acme"}, "csrf": {csrf}}, op, nil)
	fl := cookieOf(res, "__Host-latchkey_flash")
	if res.StatusCode != http.StatusSeeOther || fl == nil {
		t.Fatalf("create tenant: %d", res.StatusCode)
	}
	_, page = s.sendCookies("GET", "/admin/operator/tenants", op, fl)
	_, rest, ok := strings.Cut(page, `id="setup-link" class="mono" readonly value="`)
	if !ok {
		t.Fatal("the new tenant's set-up link is not shown")
	}
	link, _, _ := strings.Cut(rest, `"`)
	link = strings.ReplaceAll(link, "&#43;", "+")
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ad.CheckSetupLink(s.f.Ctx, u.Query().Get("token")); err != nil {
		t.Fatalf("the shown set-up link does not work: %v (%s)", err, link)
	}
	if _, page = s.send("GET", "/admin/operator/tenants", nil, op, nil); strings.Contains(page, `id="setup-link"`) || !strings.Contains(page, "acme") {
		t.Fatal("after a reload the set-up link is shown again, or the tenant is not listed")
	}
	if res, _ := s.send("POST", "/admin/operator/tenants", url.Values{"name": {"acme"}, "csrf": {csrf}}, op, nil); res.StatusCode != http.StatusConflict {
		t.Fatalf("a second tenant of the same name answered %d", res.StatusCode)
	}

	// Sign-out ends the session; an unredeemed link expires.
	if res, _ := s.send("POST", "/admin/operator/signout", url.Values{"csrf": {csrf}}, op, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", res.StatusCode)
	}
	if res, _ := s.send("GET", "/admin/operator/tenants", nil, op, nil); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after sign-out the operator pages answer %d", res.StatusCode)
	}
	late, err := s.ad.NewOperatorLink(s.f.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.f.Clock.Advance(admins.OperatorLinkTTL)
	if res, _ := s.send("POST", "/admin/operator", url.Values{"token": {late}}, nil, nil); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("an expired operator link answered %d", res.StatusCode)
	}
}
