package auth_test

import (
	"testing"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/authtest"
)

// totpFixture is the shared fixture, as the tests that also use TOTP know it.
type totpFixture = otpFixture

func newTOTPFixture(t *testing.T) *totpFixture {
	t.Helper()
	return newTOTPFixtureOn(t, false)
}

func newTOTPFixtureOn(t *testing.T, postgres bool) *totpFixture {
	t.Helper()
	return &otpFixture{authtest.NewOn(t, postgres, auth.Options{})}
}

// bothBackends runs fn over SQLite and, when configured, PostgreSQL.
func bothBackends(t *testing.T, fn func(t *testing.T, f *totpFixture)) {
	authtest.BothBackends(t, func(t *testing.T, f *authtest.Fixture) { fn(t, &otpFixture{f}) })
}
