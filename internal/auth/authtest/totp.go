package authtest

import (
	"context"
	"sync"
	"time"

	"github.com/pquerna/otp"
	otptotp "github.com/pquerna/otp/totp"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/totp"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// AuditRecorder keeps the audit events a service records, in memory.
type AuditRecorder struct {
	mu     sync.Mutex
	events []model.AuditEvent
}

// Record keeps e.
func (a *AuditRecorder) Record(_ context.Context, _ storage.Store, e model.AuditEvent) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, e)
	return nil
}

// Last returns the newest event of a type.
func (a *AuditRecorder) Last(typ string) (model.AuditEvent, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := len(a.events) - 1; i >= 0; i-- {
		if a.events[i].Type == typ {
			return a.events[i], true
		}
	}
	return model.AuditEvent{}, false
}

// SetTOTPPrefs sets the demo application's TOTP preferences.
func (f *Fixture) SetTOTPPrefs(p model.TOTPPreferences) {
	f.T.Helper()
	f.UpdateApp(func(a *model.Application) { a.Preferences.TOTP = p })
}

// EnrolTOTP enrols a TOTP authenticator for a user, unconfirmed.
func (f *Fixture) EnrolTOTP(userID string) totp.TOTPEnrolment {
	f.T.Helper()
	e, err := f.TOTP.EnrolTOTP(f.Ctx, f.Caller, userID, totp.TOTPEnrol{Name: "phone"})
	if err != nil {
		f.T.Fatalf("enrol TOTP: %v", err)
	}
	return e
}

// TOTPCodeAt computes, with a reference library, the code of an enrolment at a time offset
// from the fixture's clock.
func (f *Fixture) TOTPCodeAt(e totp.TOTPEnrolment, offset time.Duration) string {
	f.T.Helper()
	alg := map[string]otp.Algorithm{"sha1": otp.AlgorithmSHA1, "sha256": otp.AlgorithmSHA256, "sha512": otp.AlgorithmSHA512}[e.Algorithm]
	code, err := otptotp.GenerateCodeCustom(e.Secret, f.Clock.Now().Add(offset), otptotp.ValidateOpts{
		Period: uint(e.Period), Digits: otp.Digits(e.Digits), Algorithm: alg,
	})
	if err != nil {
		f.T.Fatal(err)
	}
	return code
}

// Period is the time step of an enrolment.
func Period(e totp.TOTPEnrolment) time.Duration { return time.Duration(e.Period) * time.Second }

// EnrolConfirmedTOTP enrols an authenticator, confirms it with the current code, and moves the
// clock to the next step so that a login has a fresh code.
func (f *Fixture) EnrolConfirmedTOTP(userID string) totp.TOTPEnrolment {
	f.T.Helper()
	e := f.EnrolTOTP(userID)
	if _, err := f.TOTP.ConfirmTOTP(f.Ctx, f.Caller, userID, e.ID, f.TOTPCodeAt(e, 0)); err != nil {
		f.T.Fatalf("confirm TOTP: %v", err)
	}
	f.Clock.Advance(Period(e))
	return e
}

// LoginTOTP logs in by email address and TOTP code; extra may change the request.
func (f *Fixture) LoginTOTP(email, token string, extra func(*totp.TOTPAuthenticate)) (auth.TokenResponse, error) {
	req := totp.TOTPAuthenticate{Token: token, Identifier: email}
	if extra != nil {
		extra(&req)
	}
	return f.TOTP.AuthenticateTOTP(f.Ctx, f.Caller, req)
}

// LoginRecovery logs in by email address and recovery code.
func (f *Fixture) LoginRecovery(email, code string) (auth.TokenResponse, error) {
	return f.TOTP.AuthenticateRecoveryCode(f.Ctx, f.Caller, totp.RecoveryCodeAuthenticate{Code: code, Identifier: email})
}

// AMR returns the amr claim of a login's ID token.
func (f *Fixture) AMR(tok auth.TokenResponse) []string {
	f.T.Helper()
	var out []string
	for _, v := range f.IDClaims(tok.IDToken)["amr"].([]any) {
		out = append(out, v.(string))
	}
	return out
}
