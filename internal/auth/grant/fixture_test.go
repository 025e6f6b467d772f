package grant_test

import (
	"testing"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/authtest"
)

func newOTPFixture(t *testing.T, opts auth.Options) *authtest.Fixture {
	t.Helper()
	return authtest.New(t, opts)
}

var wantCode = authtest.WantCode
