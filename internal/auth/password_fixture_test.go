package auth_test

import (
	"testing"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/password"
)

// Tests hash with cheap parameters; the format and every rule are the same at any cost. The
// benchmark sets OWASP's parameters for itself.
func init() {
	h, err := password.NewHasher(password.Config{Params: password.Params{Memory: 256, Time: 1, Threads: 1}})
	if err != nil {
		panic(err)
	}
	password.SetShared(h)
}

const (
	goodPassword  = "Lantern-Quartz-7291"
	otherPassword = "Harbor-Violet-5830"
	thirdPassword = "Meadow-Copper-4417"
)

// pwdUser creates a user of the demo application with a username and a password.
func (f *otpFixture) pwdUser(email, username, pw string, temporary bool) model.User {
	f.T.Helper()
	u := f.User(email, "")
	err := f.Svc.RegisterPassword(f.Ctx, f.Caller, auth.PasswordRegister{
		UserID: u.ID, Password: pw, Username: username, ForceReplace: temporary, EnforceComplexity: true,
	})
	if err != nil {
		f.T.Fatalf("register password: %v", err)
	}
	return f.GetUser(u.ID)
}

func (f *otpFixture) pwdLogin(idType, name, pw string, login auth.Login) (auth.TokenResponse, error) {
	return f.Svc.AuthenticatePassword(f.Ctx, f.Caller, auth.PasswordAuthenticate{
		Username: name, UsernameType: idType, Password: pw, Login: login,
	})
}

func (f *otpFixture) credential(userID string) model.Credential {
	f.T.Helper()
	list, err := f.Store.ListCredentials(f.Ctx, f.Boot.TenantID, userID, model.CredentialPassword)
	if err != nil || len(list) != 1 {
		f.T.Fatalf("password credentials of %s: %d, %v", userID, len(list), err)
	}
	return list[0]
}

func (f *otpFixture) setPasswordPrefs(edit func(*model.PasswordPreferences)) {
	f.T.Helper()
	f.UpdateApp(func(a *model.Application) { edit(&a.Preferences.Password) })
}

// sameFailure fails unless two errors are the same answer: kind, code and message.
func sameFailure(t *testing.T, a, b error) {
	t.Helper()
	fa, fb := fault.As(a), fault.As(b)
	if a == nil || b == nil || fa.Kind != fb.Kind || fa.Code != fb.Code || fa.Message != fb.Message {
		t.Fatalf("answers differ: %v and %v", a, b)
	}
}
