package magiclink_test

import (
	"net/url"
	"regexp"
	"testing"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/authtest"
	"github.com/latchkey/latchkey/internal/auth/magiclink"

	"github.com/latchkey/latchkey/internal/model"
)

// mlRedirect is a redirect URI of the demo client, with a query of its own.
const mlRedirect = "https://shop.example/cb?tab=sign%20in"

// mlFixture is the shared fixture with the magic-link flows' helpers.
type mlFixture struct {
	*authtest.Fixture
	links *magiclink.Service
}

func newMLFixture(t *testing.T) *mlFixture { return newMLFixtureOn(t, false) }

// newMLFixtureOn is newMLFixture over PostgreSQL when postgres is set (skipped when no server
// is configured).
func newMLFixtureOn(t *testing.T, postgres bool) *mlFixture {
	t.Helper()
	f := authtest.NewOn(t, postgres, auth.Options{})
	err := f.Store.UpdateClient(f.Ctx, f.Boot.TenantID, f.Boot.ClientID, func(c model.Client) (model.Client, error) {
		c.RedirectURIs = []string{"http://localhost:3000/callback", mlRedirect}
		return c, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return &mlFixture{Fixture: f, links: magiclink.New(f.Svc)}
}

// user creates an active user of the demo application.
func (f *mlFixture) user(email string) model.User {
	f.T.Helper()
	now := f.Clock.Now()
	u := model.User{ID: model.NewID(), TenantID: f.Boot.TenantID, Email: email, Status: model.UserActive, CreatedAt: now, UpdatedAt: now}
	if err := f.Store.CreateUser(f.Ctx, u); err != nil {
		f.T.Fatal(err)
	}
	if err := f.Store.LinkUser(f.Ctx, model.AppUser{TenantID: f.Boot.TenantID, AppID: f.Boot.AppID, UserID: u.ID, CreatedAt: now}); err != nil {
		f.T.Fatal(err)
	}
	return u
}

func (f *mlFixture) send(req magiclink.MagicLinkSend) magiclink.MagicLinkSent {
	f.T.Helper()
	if req.RedirectURI == "" {
		req.RedirectURI = mlRedirect
	}
	out, err := f.links.SendMagicLink(f.Ctx, f.Caller, req)
	if err != nil {
		f.T.Fatalf("send magic link: %v", err)
	}
	return out
}

var mlLinkInText = regexp.MustCompile(`https://shop\.example/cb\?\S+`)

// lastLink reads the link from the newest email to an address and returns it parsed.
func (f *mlFixture) lastLink(to string) *url.URL {
	f.T.Helper()
	msgs := f.Messages(to)
	if len(msgs) == 0 {
		f.T.Fatalf("no email queued for %s", to)
	}
	raw := mlLinkInText.FindString(msgs[len(msgs)-1].Text)
	if raw == "" {
		f.T.Fatalf("no link in email: %q", msgs[len(msgs)-1].Text)
	}
	u, err := url.Parse(raw)
	if err != nil {
		f.T.Fatal(err)
	}
	return u
}

func (f *mlFixture) redeem(code string, extra func(*magiclink.MagicLinkAuthenticate)) (auth.TokenResponse, error) {
	req := magiclink.MagicLinkAuthenticate{Code: code}
	if extra != nil {
		extra(&req)
	}
	return f.links.AuthenticateMagicLink(f.Ctx, f.Caller, req)
}

var wantFault = authtest.WantCode
