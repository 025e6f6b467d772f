package auth_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
	"github.com/latchkey/latchkey/internal/tenancy"
	"github.com/latchkey/latchkey/internal/token"
)

// totpAuditRecorder keeps the audit events a service records.
type totpAuditRecorder struct {
	mu     sync.Mutex
	events []model.AuditEvent
}

func (a *totpAuditRecorder) Record(_ context.Context, _ storage.Store, e model.AuditEvent) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, e)
	return nil
}

// last returns the newest event of a type.
func (a *totpAuditRecorder) last(typ string) (model.AuditEvent, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := len(a.events) - 1; i >= 0; i-- {
		if a.events[i].Type == typ {
			return a.events[i], true
		}
	}
	return model.AuditEvent{}, false
}

// bothBackends runs fn over SQLite and, when configured, PostgreSQL.
func bothBackends(t *testing.T, fn func(t *testing.T, f *totpFixture)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newTOTPFixtureOn(t, false)) })
	t.Run("postgres", func(t *testing.T) { fn(t, newTOTPFixtureOn(t, true)) })
}

// totpFixture is an OTP fixture with an audit recorder and an admin caller.
type totpFixture struct {
	*otpFixture
	audit *totpAuditRecorder
	admin model.Caller
}

func newTOTPFixture(t *testing.T) *totpFixture {
	t.Helper()
	return newTOTPFixtureOn(t, false)
}

// newTOTPFixtureOn builds the fixture over SQLite, or over PostgreSQL when postgres is set
// (skipping the test when no server is configured).
func newTOTPFixtureOn(t *testing.T, postgres bool) *totpFixture {
	t.Helper()
	ctx := context.Background()
	store := sqlstore.NewTestStore(t, postgres)
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
	rec := &totpAuditRecorder{}
	svc := auth.New(store, tokens, keys, ten, auth.Options{Issuer: "https://latchkey.test", Now: clk.Now, Audit: rec})
	f := &otpFixture{
		t: t, ctx: ctx, store: store, svc: svc, tokens: tokens, clock: clk, boot: boot, keys: keys,
		caller: model.Caller{TenantID: boot.TenantID, AppID: boot.AppID, ClientID: boot.ClientID},
	}
	mgmt, err := f.store.GetClient(f.ctx, f.boot.AdminClientID)
	if err != nil {
		t.Fatal(err)
	}
	admin := model.Caller{TenantID: f.boot.TenantID, AppID: mgmt.AppID, ClientID: mgmt.ID, Admin: true}
	return &totpFixture{otpFixture: f, audit: rec, admin: admin}
}

func (f *totpFixture) setTOTPPrefs(p model.TOTPPreferences) {
	f.t.Helper()
	f.updateApp(func(a *model.Application) { a.Preferences.TOTP = p })
}

func (f *totpFixture) enrol(userID string) auth.TOTPEnrolment {
	f.t.Helper()
	e, err := f.svc.EnrolTOTP(f.ctx, f.caller, userID, auth.TOTPEnrol{Name: "phone"})
	if err != nil {
		f.t.Fatalf("enrol TOTP: %v", err)
	}
	return e
}

// codeAt computes, with the reference library, the code of an enrolment at a time offset from
// the fixture's clock.
func (f *totpFixture) codeAt(e auth.TOTPEnrolment, offset time.Duration) string {
	f.t.Helper()
	alg := map[string]otp.Algorithm{"sha1": otp.AlgorithmSHA1, "sha256": otp.AlgorithmSHA256, "sha512": otp.AlgorithmSHA512}[e.Algorithm]
	code, err := totp.GenerateCodeCustom(e.Secret, f.clock.Now().Add(offset), totp.ValidateOpts{
		Period: uint(e.Period), Digits: otp.Digits(e.Digits), Algorithm: alg,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return code
}

func (f *totpFixture) period(e auth.TOTPEnrolment) time.Duration {
	return time.Duration(e.Period) * time.Second
}

// enrolConfirmed enrols a credential, confirms it with the current code, and moves the clock
// to the next step so that a login has a fresh code.
func (f *totpFixture) enrolConfirmed(userID string) auth.TOTPEnrolment {
	f.t.Helper()
	e := f.enrol(userID)
	if _, err := f.svc.ConfirmTOTP(f.ctx, f.caller, userID, e.ID, f.codeAt(e, 0)); err != nil {
		f.t.Fatalf("confirm TOTP: %v", err)
	}
	f.clock.Advance(f.period(e))
	return e
}

func (f *totpFixture) loginTOTP(email, token string, extra func(*auth.TOTPAuthenticate)) (auth.TokenResponse, error) {
	req := auth.TOTPAuthenticate{Token: token, Identifier: email}
	if extra != nil {
		extra(&req)
	}
	return f.svc.AuthenticateTOTP(f.ctx, f.caller, req)
}

func (f *totpFixture) loginRecovery(email, code string) (auth.TokenResponse, error) {
	return f.svc.AuthenticateRecoveryCode(f.ctx, f.caller, auth.RecoveryCodeAuthenticate{Code: code, Identifier: email})
}

// amr returns the amr claim of a login's ID token.
func (f *totpFixture) amr(tok auth.TokenResponse) []string {
	f.t.Helper()
	var out []string
	for _, v := range f.idClaims(tok.IDToken)["amr"].([]any) {
		out = append(out, v.(string))
	}
	return out
}
