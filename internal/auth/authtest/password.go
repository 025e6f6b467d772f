package authtest

import (
	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/passwords"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/password"
)

// Tests hash with cheap parameters; the format and every rule are the same at any cost.
// Benchmarks set OWASP's parameters for themselves.
func init() {
	h, err := password.NewHasher(password.Config{Params: password.Params{Memory: 256, Time: 1, Threads: 1}})
	if err != nil {
		panic(err)
	}
	password.SetShared(h)
}

// Passwords that meet the default complexity rules.
const (
	GoodPassword  = "Lantern-Quartz-7291"
	OtherPassword = "Harbor-Violet-5830"
	ThirdPassword = "Meadow-Copper-4417"
)

// PasswordUser creates a user of the demo application with a username and a password.
func (f *Fixture) PasswordUser(email, username, pw string, temporary bool) model.User {
	f.T.Helper()
	u := f.User(email, "")
	err := f.Passwords.RegisterPassword(f.Ctx, f.Caller, passwords.PasswordRegister{
		UserID: u.ID, Password: pw, Username: username, ForceReplace: temporary, EnforceComplexity: true,
	})
	if err != nil {
		f.T.Fatalf("register password: %v", err)
	}
	return f.GetUser(u.ID)
}

// PasswordLogin logs in with a password.
func (f *Fixture) PasswordLogin(idType, name, pw string, login auth.Login) (auth.TokenResponse, error) {
	return f.Passwords.AuthenticatePassword(f.Ctx, f.Caller, passwords.PasswordAuthenticate{
		Username: name, UsernameType: idType, Password: pw, Login: login,
	})
}

// SetPasswordPrefs edits the demo application's password preferences.
func (f *Fixture) SetPasswordPrefs(edit func(*model.PasswordPreferences)) {
	f.T.Helper()
	f.UpdateApp(func(a *model.Application) { edit(&a.Preferences.Password) })
}
