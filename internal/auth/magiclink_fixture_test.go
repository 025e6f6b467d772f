package auth

import (
	"context"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
	"github.com/latchkey/latchkey/internal/tenancy"
	"github.com/latchkey/latchkey/internal/token"
)

// mlClock is a settable time source.
type mlClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *mlClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *mlClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// mlFixture is an auth service over a real store with a bootstrapped tenant whose demo client
// may redirect to mlRedirect.
type mlFixture struct {
	t       *testing.T
	ctx     context.Context
	store   *sqlstore.Store
	svc     *Service
	tenancy *tenancy.Service
	clock   *mlClock
	boot    tenancy.Bootstrap
	caller  model.Caller
	keys    *secret.Keys
}

const mlRedirect = "https://shop.example/cb?tab=sign%20in"

func newMLFixture(t *testing.T) *mlFixture {
	t.Helper()
	ctx := context.Background()
	store := sqlstore.NewTestStore(t, false)
	keys, err := secret.NewKeys(secret.NewMasterKey())
	if err != nil {
		t.Fatal(err)
	}
	clk := &mlClock{now: time.Now().UTC().Truncate(time.Second)}
	tokens, err := token.NewManager(store, keys, token.Options{Issuer: "https://latchkey.test", Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	ten := tenancy.New(store, keys, tokens, tenancy.Options{Now: clk.Now})
	boot, err := ten.Bootstrap(ctx, "default", false)
	if err != nil {
		t.Fatal(err)
	}
	err = store.UpdateClient(ctx, boot.TenantID, boot.ClientID, func(c model.Client) (model.Client, error) {
		c.RedirectURIs = []string{"http://localhost:3000/callback", mlRedirect}
		return c, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := New(store, tokens, keys, ten, Options{Issuer: "https://latchkey.test", Now: clk.Now})
	return &mlFixture{
		t: t, ctx: ctx, store: store, svc: svc, tenancy: ten, clock: clk, boot: boot, keys: keys,
		caller: model.Caller{TenantID: boot.TenantID, AppID: boot.AppID, ClientID: boot.ClientID},
	}
}

// user creates an active user of the demo application.
func (f *mlFixture) user(email string) model.User {
	f.t.Helper()
	now := f.clock.Now()
	u := model.User{ID: model.NewID(), TenantID: f.boot.TenantID, Email: email, Status: model.UserActive, CreatedAt: now, UpdatedAt: now}
	if err := f.store.CreateUser(f.ctx, u); err != nil {
		f.t.Fatal(err)
	}
	if err := f.store.LinkUser(f.ctx, model.AppUser{TenantID: f.boot.TenantID, AppID: f.boot.AppID, UserID: u.ID, CreatedAt: now}); err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *mlFixture) updateApp(fn func(*model.Application)) {
	f.t.Helper()
	err := f.store.UpdateApplication(f.ctx, f.boot.TenantID, f.boot.AppID, func(a model.Application) (model.Application, error) {
		fn(&a)
		return a, nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *mlFixture) send(req MagicLinkSend) MagicLinkSent {
	f.t.Helper()
	if req.RedirectURI == "" {
		req.RedirectURI = mlRedirect
	}
	out, err := f.svc.SendMagicLink(f.ctx, f.caller, req)
	if err != nil {
		f.t.Fatalf("send magic link: %v", err)
	}
	return out
}

// messages returns the queued messages to an address, oldest first.
func (f *mlFixture) messages(to string) []model.OutboxMessage {
	f.t.Helper()
	all, err := f.store.ListMessages(f.ctx, f.boot.TenantID, time.Time{}, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []model.OutboxMessage
	for _, m := range all {
		if m.To == to {
			opened, err := delivery.OpenMessage(f.keys, m) // as the delivery worker does
			if err != nil {
				f.t.Fatal(err)
			}
			out = append(out, opened)
		}
	}
	return out
}

var mlLinkInText = regexp.MustCompile(`https://shop\.example/cb\?\S+`)

// lastLink reads the link from the newest email to an address and returns it parsed.
func (f *mlFixture) lastLink(to string) *url.URL {
	f.t.Helper()
	msgs := f.messages(to)
	if len(msgs) == 0 {
		f.t.Fatalf("no email queued for %s", to)
	}
	raw := mlLinkInText.FindString(msgs[len(msgs)-1].Text)
	if raw == "" {
		f.t.Fatalf("no link in email: %q", msgs[len(msgs)-1].Text)
	}
	u, err := url.Parse(raw)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *mlFixture) redeem(code string, extra func(*MagicLinkAuthenticate)) (TokenResponse, error) {
	req := MagicLinkAuthenticate{Code: code}
	if extra != nil {
		extra(&req)
	}
	return f.svc.AuthenticateMagicLink(f.ctx, f.caller, req)
}

// idClaims verifies an ID token and returns its claims.
func (f *mlFixture) idClaims(raw string) map[string]any {
	f.t.Helper()
	var claims map[string]any
	if err := f.svc.signer.Verify(f.ctx, raw, &claims); err != nil {
		f.t.Fatalf("verify ID token: %v", err)
	}
	return claims
}

// wantFault fails unless err is a fault with the code.
func wantFault(t *testing.T, err error, code string) *fault.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	fe := fault.As(err)
	if fe.Code != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
	return fe
}
