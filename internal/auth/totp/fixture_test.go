package totp_test

import (
	"testing"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/authtest"
)

func newTOTPFixture(t *testing.T) *authtest.Fixture {
	t.Helper()
	return authtest.New(t, auth.Options{})
}

var (
	bothBackends = authtest.BothBackends
	wantCode     = authtest.WantCode
	wrongCode    = authtest.WrongCode
)
