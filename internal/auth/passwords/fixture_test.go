package passwords_test

import (
	"testing"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/authtest"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

func credential(f *pwFixture, userID string) model.Credential {
	f.T.Helper()
	list, err := f.Store.ListCredentials(f.Ctx, f.Boot.TenantID, userID, model.CredentialPassword)
	if err != nil || len(list) != 1 {
		f.T.Fatalf("password credentials of %s: %d, %v", userID, len(list), err)
	}
	return list[0]
}

// sameFailure fails unless two errors are the same answer: kind, code and message.
func sameFailure(t *testing.T, a, b error) {
	t.Helper()
	fa, fb := fault.As(a), fault.As(b)
	if a == nil || b == nil || fa.Kind != fb.Kind || fa.Code != fb.Code || fa.Message != fb.Message {
		t.Fatalf("answers differ: %v and %v", a, b)
	}
}

// pwFixture is the shared fixture with the password flows' helpers.
type pwFixture struct{ *authtest.Fixture }

func newOTPFixture(t *testing.T, opts auth.Options) *pwFixture {
	t.Helper()
	return &pwFixture{authtest.New(t, opts)}
}

var (
	wantCode  = authtest.WantCode
	wrongCode = authtest.WrongCode
)
