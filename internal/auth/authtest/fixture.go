package authtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth/grant"
	"github.com/latchkey/latchkey/internal/auth/session"

	"github.com/latchkey/latchkey/internal/auth/passwords"

	"github.com/latchkey/latchkey/internal/auth/magiclink"

	"github.com/latchkey/latchkey/internal/auth/otp"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/totp"
	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
	"github.com/latchkey/latchkey/internal/tenancy"
	"github.com/latchkey/latchkey/internal/token"
)

// Issuer is the fixture's token issuer.
const Issuer = "https://latchkey.test"

// Clock is a clock that moves only when a test advances it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Fixture is the core authentication service over a real store with a bootstrapped tenant:
// its demo application and client are the Caller.
type Fixture struct {
	T       *testing.T
	Ctx     context.Context
	Store   *sqlstore.Store
	Svc     *auth.Service
	Tokens  *token.Manager
	Tenancy *tenancy.Service
	Clock   *Clock
	Boot    tenancy.Bootstrap
	Caller  model.Caller
	Keys    *secret.Keys
	// Admin is the tenant's management client, as an admin API caller.
	Admin model.Caller
	// Audit keeps the events the service records, unless the test passed an auditor of its own.
	Audit *AuditRecorder
	// TOTP and OTP are the login methods built on Svc.
	TOTP  *totp.Service
	OTP   *otp.Service
	Links *magiclink.Service
	// Passwords is the password flows built on Svc.
	Passwords *passwords.Service
	// Sessions and Grants are the session and token flows built on Svc.
	Sessions *session.Service
	Grants   *grant.Service
}

// New builds the fixture over SQLite with opts (its issuer and clock are the fixture's).
func New(t *testing.T, opts auth.Options) *Fixture { return NewOn(t, false, opts) }

// NewOn builds the fixture over SQLite, or over PostgreSQL when postgres is set (skipping the
// test when no server is configured).
func NewOn(t *testing.T, postgres bool, opts auth.Options) *Fixture {
	t.Helper()
	ctx := context.Background()
	store := sqlstore.NewTestStore(t, postgres)
	keys, err := secret.NewKeys(secret.NewMasterKey())
	if err != nil {
		t.Fatal(err)
	}
	clk := &Clock{now: time.Now().UTC().Truncate(time.Second)}
	tokens, err := token.NewManager(store, keys, token.Options{Issuer: Issuer, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	ten := tenancy.New(store, keys, tokens, tenancy.Options{Now: clk.Now})
	boot, err := ten.Bootstrap(ctx, "default", false)
	if err != nil {
		t.Fatal(err)
	}
	opts.Issuer, opts.Now = Issuer, clk.Now
	var rec *AuditRecorder
	if opts.Audit == nil {
		rec = &AuditRecorder{}
		opts.Audit = rec
	}
	mgmt, err := store.GetClient(ctx, boot.AdminClientID)
	if err != nil {
		t.Fatal(err)
	}
	svc := auth.New(store, tokens, keys, ten, opts)
	return &Fixture{
		T: t, Ctx: ctx, Store: store, Svc: svc, Tokens: tokens,
		Tenancy: ten, Clock: clk, Boot: boot, Keys: keys, Audit: rec, TOTP: totp.New(svc), OTP: otp.New(svc), Links: magiclink.New(svc), Passwords: passwords.New(svc), Sessions: session.New(svc), Grants: grant.New(svc),
		Caller: model.Caller{TenantID: boot.TenantID, AppID: boot.AppID, ClientID: boot.ClientID},
		Admin:  model.Caller{TenantID: boot.TenantID, AppID: mgmt.AppID, ClientID: mgmt.ID, Admin: true},
	}
}

// BothBackends runs fn over a fixture on SQLite and, when configured, on PostgreSQL.
func BothBackends(t *testing.T, fn func(t *testing.T, f *Fixture)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, NewOn(t, false, auth.Options{})) })
	t.Run("postgres", func(t *testing.T) { fn(t, NewOn(t, true, auth.Options{})) })
}

// User creates an active user of the demo application.
func (f *Fixture) User(email, phone string) model.User {
	f.T.Helper()
	now := f.Clock.Now()
	u := model.User{ID: model.NewID(), TenantID: f.Boot.TenantID, Email: email, PhoneNumber: phone, Status: model.UserActive, CreatedAt: now, UpdatedAt: now}
	if err := f.Store.CreateUser(f.Ctx, u); err != nil {
		f.T.Fatal(err)
	}
	if err := f.Store.LinkUser(f.Ctx, model.AppUser{TenantID: f.Boot.TenantID, AppID: f.Boot.AppID, UserID: u.ID, CreatedAt: now}); err != nil {
		f.T.Fatal(err)
	}
	return u
}

// GetUser reads a user of the tenant.
func (f *Fixture) GetUser(id string) model.User {
	f.T.Helper()
	u, err := f.Store.GetUser(f.Ctx, f.Boot.TenantID, id)
	if err != nil {
		f.T.Fatal(err)
	}
	return u
}

// UpdateApp changes the demo application.
func (f *Fixture) UpdateApp(fn func(*model.Application)) {
	f.T.Helper()
	err := f.Store.UpdateApplication(f.Ctx, f.Boot.TenantID, f.Boot.AppID, func(a model.Application) (model.Application, error) {
		fn(&a)
		return a, nil
	})
	if err != nil {
		f.T.Fatal(err)
	}
}

// Messages returns the queued messages to an address, oldest first, opened as the delivery
// worker opens them.
func (f *Fixture) Messages(to string) []model.OutboxMessage {
	f.T.Helper()
	all, err := f.Store.ListMessages(f.Ctx, f.Boot.TenantID, time.Time{}, 1000)
	if err != nil {
		f.T.Fatal(err)
	}
	var out []model.OutboxMessage
	for _, m := range all {
		if m.To == to {
			opened, err := delivery.OpenMessage(f.Keys, m)
			if err != nil {
				f.T.Fatal(err)
			}
			out = append(out, opened)
		}
	}
	return out
}

// IDClaims verifies an ID token and returns its claims.
func (f *Fixture) IDClaims(raw string) map[string]any {
	f.T.Helper()
	var claims map[string]any
	if err := f.Tokens.Verify(f.Ctx, raw, &claims); err != nil {
		f.T.Fatalf("verify ID token: %v", err)
	}
	return claims
}

// Work runs fn and returns the SQL statements and transactions it ran.
func (f *Fixture) Work(fn func() error) (statements, transactions int64, err error) {
	s0, t0 := f.Store.Stats()
	err = fn()
	s1, t1 := f.Store.Stats()
	return s1 - s0, t1 - t0, err
}

// WantCode fails unless err is a fault with the code, and returns it.
func WantCode(t *testing.T, err error, code string) *fault.Error {
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

// StoreAuditor appends audit events to the store of their transaction, as the audit log does,
// without webhooks.
type StoreAuditor struct{ Store storage.Store }

// Record appends e through st, or through the auditor's store when st is nil.
func (a *StoreAuditor) Record(ctx context.Context, st storage.Store, e model.AuditEvent) error {
	if st == nil {
		st = a.Store
	}
	if e.ID == "" {
		e.ID = model.NewID()
	}
	return st.AppendAudit(ctx, e)
}

// WrongCode returns a code of the same length that is not code.
func WrongCode(code string) string {
	w := []byte(code)
	w[0] = '0' + (w[0]-'0'+1)%10
	return string(w)
}
