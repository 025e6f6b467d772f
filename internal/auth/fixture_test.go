package auth_test

import (
	"testing"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/authtest"
)

// fixture is the shared fixture, with the helpers of the core's own tests.
type fixture struct{ *authtest.Fixture }

func newFixture(t *testing.T, opts auth.Options) *fixture {
	t.Helper()
	return &fixture{authtest.New(t, opts)}
}

// bothBackends runs fn over SQLite and, when configured, PostgreSQL.
func bothBackends(t *testing.T, fn func(t *testing.T, f *fixture)) {
	authtest.BothBackends(t, func(t *testing.T, f *authtest.Fixture) { fn(t, &fixture{f}) })
}
