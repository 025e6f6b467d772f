package auth_test

import (
	"testing"

	"github.com/latchkey/latchkey/internal/auth/authtest"

	"github.com/latchkey/latchkey/internal/auth"
)

// otpFixture is the shared fixture with the OTP flows' helpers.
type otpFixture struct{ *authtest.Fixture }

func newOTPFixture(t *testing.T, opts auth.Options) *otpFixture {
	t.Helper()
	return &otpFixture{authtest.New(t, opts)}
}

var wantCode = authtest.WantCode

var wrongCode = authtest.WrongCode
