package auth_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth/authtest"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
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
	rec := &totpAuditRecorder{}
	f := &otpFixture{authtest.NewOn(t, postgres, auth.Options{Audit: rec})}
	mgmt, err := f.Store.GetClient(f.Ctx, f.Boot.AdminClientID)
	if err != nil {
		t.Fatal(err)
	}
	admin := model.Caller{TenantID: f.Boot.TenantID, AppID: mgmt.AppID, ClientID: mgmt.ID, Admin: true}
	return &totpFixture{otpFixture: f, audit: rec, admin: admin}
}

func (f *totpFixture) setTOTPPrefs(p model.TOTPPreferences) {
	f.T.Helper()
	f.UpdateApp(func(a *model.Application) { a.Preferences.TOTP = p })
}

func (f *totpFixture) enrol(userID string) auth.TOTPEnrolment {
	f.T.Helper()
	e, err := f.Svc.EnrolTOTP(f.Ctx, f.Caller, userID, auth.TOTPEnrol{Name: "phone"})
	if err != nil {
		f.T.Fatalf("enrol TOTP: %v", err)
	}
	return e
}

// codeAt computes, with the reference library, the code of an enrolment at a time offset from
// the fixture's clock.
func (f *totpFixture) codeAt(e auth.TOTPEnrolment, offset time.Duration) string {
	f.T.Helper()
	alg := map[string]otp.Algorithm{"sha1": otp.AlgorithmSHA1, "sha256": otp.AlgorithmSHA256, "sha512": otp.AlgorithmSHA512}[e.Algorithm]
	code, err := totp.GenerateCodeCustom(e.Secret, f.Clock.Now().Add(offset), totp.ValidateOpts{
		Period: uint(e.Period), Digits: otp.Digits(e.Digits), Algorithm: alg,
	})
	if err != nil {
		f.T.Fatal(err)
	}
	return code
}

func (f *totpFixture) period(e auth.TOTPEnrolment) time.Duration {
	return time.Duration(e.Period) * time.Second
}

// enrolConfirmed enrols a credential, confirms it with the current code, and moves the clock
// to the next step so that a login has a fresh code.
func (f *totpFixture) enrolConfirmed(userID string) auth.TOTPEnrolment {
	f.T.Helper()
	e := f.enrol(userID)
	if _, err := f.Svc.ConfirmTOTP(f.Ctx, f.Caller, userID, e.ID, f.codeAt(e, 0)); err != nil {
		f.T.Fatalf("confirm TOTP: %v", err)
	}
	f.Clock.Advance(f.period(e))
	return e
}

func (f *totpFixture) loginTOTP(email, token string, extra func(*auth.TOTPAuthenticate)) (auth.TokenResponse, error) {
	req := auth.TOTPAuthenticate{Token: token, Identifier: email}
	if extra != nil {
		extra(&req)
	}
	return f.Svc.AuthenticateTOTP(f.Ctx, f.Caller, req)
}

func (f *totpFixture) loginRecovery(email, code string) (auth.TokenResponse, error) {
	return f.Svc.AuthenticateRecoveryCode(f.Ctx, f.Caller, auth.RecoveryCodeAuthenticate{Code: code, Identifier: email})
}

// amr returns the amr claim of a login's ID token.
func (f *totpFixture) amr(tok auth.TokenResponse) []string {
	f.T.Helper()
	var out []string
	for _, v := range f.IDClaims(tok.IDToken)["amr"].([]any) {
		out = append(out, v.(string))
	}
	return out
}
