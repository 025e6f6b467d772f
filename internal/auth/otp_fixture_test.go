package auth_test

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
	"github.com/latchkey/latchkey/internal/tenancy"
	"github.com/latchkey/latchkey/internal/token"
)

type otpClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *otpClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *otpClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// otpFixture is an auth service over a real SQLite store with a bootstrapped tenant.
type otpFixture struct {
	t      *testing.T
	ctx    context.Context
	store  *sqlstore.Store
	svc    *auth.Service
	tokens *token.Manager
	clock  *otpClock
	boot   tenancy.Bootstrap
	caller model.Caller
	keys   *secret.Keys
}

func newOTPFixture(t *testing.T, opts auth.Options) *otpFixture {
	t.Helper()
	ctx := context.Background()
	store := sqlstore.NewTestStore(t, false)
	keys, err := secret.NewKeys(secret.NewMasterKey())
	if err != nil {
		t.Fatal(err)
	}
	clk := &otpClock{now: time.Now().UTC().Truncate(time.Second)}
	tokens, err := token.NewManager(store, keys, token.Options{Issuer: "https://latchkey.test", Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	ten := tenancy.New(store, keys, tokens, tenancy.Options{Now: clk.Now})
	boot, err := ten.Bootstrap(ctx, "default", false)
	if err != nil {
		t.Fatal(err)
	}
	opts.Issuer, opts.Now = "https://latchkey.test", clk.Now
	return &otpFixture{
		t: t, ctx: ctx, store: store, svc: auth.New(store, tokens, keys, ten, opts), tokens: tokens,
		clock: clk, boot: boot, keys: keys,
		caller: model.Caller{TenantID: boot.TenantID, AppID: boot.AppID, ClientID: boot.ClientID},
	}
}

// user creates an active user of the demo application.
func (f *otpFixture) user(email, phone string) model.User {
	f.t.Helper()
	now := f.clock.Now()
	u := model.User{ID: model.NewID(), TenantID: f.boot.TenantID, Email: email, PhoneNumber: phone, Status: model.UserActive, CreatedAt: now, UpdatedAt: now}
	if err := f.store.CreateUser(f.ctx, u); err != nil {
		f.t.Fatal(err)
	}
	if err := f.store.LinkUser(f.ctx, model.AppUser{TenantID: f.boot.TenantID, AppID: f.boot.AppID, UserID: u.ID, CreatedAt: now}); err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *otpFixture) getUser(id string) model.User {
	f.t.Helper()
	u, err := f.store.GetUser(f.ctx, f.boot.TenantID, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *otpFixture) updateApp(fn func(*model.Application)) {
	f.t.Helper()
	err := f.store.UpdateApplication(f.ctx, f.boot.TenantID, f.boot.AppID, func(a model.Application) (model.Application, error) {
		fn(&a)
		return a, nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *otpFixture) send(req auth.OTPSend) auth.OTPSent {
	f.t.Helper()
	out, err := f.svc.SendOTP(f.ctx, f.caller, req)
	if err != nil {
		f.t.Fatalf("send OTP %+v: %v", req, err)
	}
	return out
}

// messages returns the queued messages to an address, oldest first.
func (f *otpFixture) messages(to string) []model.OutboxMessage {
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

var otpDigits = regexp.MustCompile(`\b\d{4,8}\b`)

// lastCode reads the code from the newest message to an address.
func (f *otpFixture) lastCode(to string) (string, model.OutboxMessage) {
	f.t.Helper()
	msgs := f.messages(to)
	if len(msgs) == 0 {
		f.t.Fatalf("no message queued for %s", to)
	}
	m := msgs[len(msgs)-1]
	code := otpDigits.FindString(m.Text)
	if code == "" {
		f.t.Fatalf("no code in message %q", m.Text)
	}
	return code, m
}

func (f *otpFixture) authenticate(idType, identifier, code string) (auth.TokenResponse, error) {
	return f.svc.AuthenticateOTP(f.ctx, f.caller, auth.OTPAuthenticate{Passcode: code, IdentifierType: idType, Identifier: identifier})
}

func (f *otpFixture) idClaims(raw string) map[string]any {
	f.t.Helper()
	var claims map[string]any
	if err := f.tokens.Verify(f.ctx, raw, &claims); err != nil {
		f.t.Fatalf("verify ID token: %v", err)
	}
	return claims
}

// wantCode fails unless err is a fault with the code, and returns it.
func wantCode(t *testing.T, err error, code string) *fault.Error {
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

// wrongCode returns a code of the same length that is not code.
func wrongCode(code string) string {
	w := []byte(code)
	w[0] = '0' + (w[0]-'0'+1)%10
	return string(w)
}
