package passwords_test

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth/grant"

	"github.com/latchkey/latchkey/internal/auth/authtest"
	"github.com/latchkey/latchkey/internal/auth/passwords"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/password"
)

func (f *pwFixture) change(name, cur, next string, login auth.Login) (auth.TokenResponse, error) {
	return f.Passwords.ChangePassword(f.Ctx, f.Caller, passwords.PasswordChange{
		Username: name, CurrentPassword: cur, NewPassword: next, Login: login,
	})
}

func TestTemporaryPassword(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.PasswordUser("tmp@example.com", "tmp", authtest.GoodPassword, true)
	_, err := f.PasswordLogin("", "tmp", authtest.GoodPassword, auth.Login{})
	if fe := wantCode(t, err, password.CodeTemporary); fe.Kind != fault.Forbidden {
		t.Fatalf("kind %v, want forbidden", fe.Kind)
	}
	// A wrong password still reads as wrong, not as temporary.
	_, err = f.PasswordLogin("", "tmp", authtest.OtherPassword, auth.Login{})
	wantCode(t, err, fault.CodeInvalidCredentials)

	_, err = f.change("tmp", authtest.GoodPassword, authtest.GoodPassword, auth.Login{})
	wantCode(t, err, password.CodeRecentlyUsed)
	_, err = f.change("tmp", authtest.GoodPassword, "weak", auth.Login{})
	wantCode(t, err, password.CodeWeak)
	_, err = f.change("tmp", authtest.OtherPassword, authtest.ThirdPassword, auth.Login{})
	wantCode(t, err, fault.CodeInvalidCredentials)
	res, err := f.change("tmp", authtest.GoodPassword, authtest.OtherPassword, auth.Login{})
	if err != nil || res.AccessToken == "" {
		t.Fatalf("change: %+v, %v", res, err)
	}
	if _, err := f.PasswordLogin("", "tmp", authtest.OtherPassword, auth.Login{}); err != nil {
		t.Fatalf("login with the new password: %v", err)
	}
	_, err = f.PasswordLogin("", "tmp", authtest.GoodPassword, auth.Login{})
	wantCode(t, err, fault.CodeInvalidCredentials)
}

func TestExpiredPasswords(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.PasswordUser("old@example.com", "old", authtest.GoodPassword, false)
	f.PasswordUser("tmpold@example.com", "tmpold", authtest.GoodPassword, true)
	f.Clock.Advance(time.Duration(model.DefaultTempPasswordValidityHours) * time.Hour)
	_, err := f.PasswordLogin("", "tmpold", authtest.GoodPassword, auth.Login{})
	wantCode(t, err, password.CodeExpired)
	_, err = f.change("tmpold", authtest.GoodPassword, authtest.OtherPassword, auth.Login{})
	wantCode(t, err, password.CodeExpired)

	f.Clock.Advance(time.Duration(model.DefaultPasswordExpiresIn) * 24 * time.Hour)
	_, err = f.PasswordLogin("", "old", authtest.GoodPassword, auth.Login{})
	wantCode(t, err, password.CodeExpired)
	// ignoreExpiration lets an expired password log in again.
	f.SetPasswordPrefs(func(p *model.PasswordPreferences) { p.IgnoreExpiration = true })
	if _, err := f.PasswordLogin("", "old", authtest.GoodPassword, auth.Login{}); err != nil {
		t.Fatalf("login with ignoreExpiration: %v", err)
	}
	f.SetPasswordPrefs(func(p *model.PasswordPreferences) { p.IgnoreExpiration = false })
	if _, err := f.change("old", authtest.GoodPassword, authtest.OtherPassword, auth.Login{}); err != nil {
		t.Fatalf("change of an expired password: %v", err)
	}
	if _, err := f.PasswordLogin("", "old", authtest.OtherPassword, auth.Login{}); err != nil {
		t.Fatalf("login after the change: %v", err)
	}
}

func TestChangeEndsOtherSessions(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.PasswordUser("ses@example.com", "ses", authtest.GoodPassword, false)
	old, err := f.PasswordLogin("", "ses", authtest.GoodPassword, auth.Login{})
	if err != nil {
		t.Fatal(err)
	}
	kept, err := f.PasswordLogin("", "ses", authtest.GoodPassword, auth.Login{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.change("ses", authtest.GoodPassword, authtest.OtherPassword, auth.Login{SessionID: kept.SessionID})
	if err != nil || res.SessionID != kept.SessionID {
		t.Fatalf("change into a session: %+v, %v", res, err)
	}
	if _, err := f.Grants.Refresh(f.Ctx, f.Caller, grant.RefreshRequest{RefreshToken: old.RefreshToken}); err == nil {
		t.Error("a refresh token of another session still works after the change")
	}
	if _, err := f.Grants.Refresh(f.Ctx, f.Caller, grant.RefreshRequest{RefreshToken: res.RefreshToken}); err != nil {
		t.Errorf("the kept session's new refresh token: %v", err)
	}
}

func TestRegisterAndSetPassword(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	u := f.User("reg@example.com", "")
	reg := passwords.PasswordRegister{UserID: u.ID, Password: authtest.GoodPassword, EnforceComplexity: true}
	weak := reg
	weak.Password = "password"
	err := f.Passwords.RegisterPassword(f.Ctx, f.Caller, weak)
	wantCode(t, err, password.CodeWeak)
	weak.Password = "Qwertyuiop123!"
	wantCode(t, f.Passwords.RegisterPassword(f.Ctx, f.Caller, weak), password.CodeBreached)
	weak.EnforceComplexity = false
	weak.Password = "short"
	if err := f.Passwords.RegisterPassword(f.Ctx, f.Caller, weak); err != nil {
		t.Fatalf("enforce_complexity false: %v", err)
	}
	wantCode(t, f.Passwords.RegisterPassword(f.Ctx, f.Caller, reg), password.CodeAlreadyConfigured)

	set := passwords.PasswordSet{UserID: u.ID, Password: authtest.GoodPassword, EnforceComplexity: true}
	if err := f.Passwords.SetPassword(f.Ctx, f.Caller, set); err != nil {
		t.Fatalf("set: %v", err)
	}
	if _, err := f.PasswordLogin(model.IdentifierEmail, "reg@example.com", authtest.GoodPassword, auth.Login{}); err != nil {
		t.Fatalf("login after set: %v", err)
	}
	f.SetPasswordPrefs(func(p *model.PasswordPreferences) { p.BlockPreviousPasswords = 2 })
	set.Password = authtest.OtherPassword
	if err := f.Passwords.SetPassword(f.Ctx, f.Caller, set); err != nil {
		t.Fatal(err)
	}
	set.Password = authtest.GoodPassword
	wantCode(t, f.Passwords.SetPassword(f.Ctx, f.Caller, set), password.CodeRecentlyUsed)
	set.ForceReplace = true
	set.Password = authtest.ThirdPassword
	if err := f.Passwords.SetPassword(f.Ctx, f.Caller, set); err != nil {
		t.Fatal(err)
	}
	_, err = f.PasswordLogin(model.IdentifierEmail, "reg@example.com", authtest.ThirdPassword, auth.Login{})
	wantCode(t, err, password.CodeTemporary)

	bare := f.User("bare@example.com", "")
	wantCode(t, f.Passwords.SetPassword(f.Ctx, f.Caller, passwords.PasswordSet{UserID: bare.ID, Password: authtest.GoodPassword}), password.CodeNotConfigured)
	wantCode(t, f.Passwords.RegisterPassword(f.Ctx, f.Caller, passwords.PasswordRegister{UserID: model.NewID(), Password: authtest.GoodPassword}), fault.CodeUserNotFound)
	// The login name must match an existing username.
	named := f.User("named@example.com", "")
	f.PasswordUser("taken@example.com", "taken", authtest.GoodPassword, false)
	err = f.Passwords.RegisterPassword(f.Ctx, f.Caller, passwords.PasswordRegister{UserID: named.ID, Password: authtest.GoodPassword, Username: "taken", EnforceComplexity: true})
	wantCode(t, err, fault.CodeUserExists)
	if len(f.listPasswords(named.ID)) != 0 {
		t.Error("a refused registration left a credential")
	}
	// A management client registers under the default policy.
	admin := model.Caller{TenantID: f.Boot.TenantID, AppID: "mgmt", ClientID: f.Boot.AdminClientID, Admin: true}
	if err := f.Passwords.RegisterPassword(f.Ctx, admin, passwords.PasswordRegister{UserID: named.ID, Password: authtest.GoodPassword, EnforceComplexity: true}); err != nil {
		t.Fatalf("admin register: %v", err)
	}
}

func (f *pwFixture) listPasswords(userID string) []model.Credential {
	f.T.Helper()
	list, err := f.Store.ListCredentials(f.Ctx, f.Boot.TenantID, userID, model.CredentialPassword)
	if err != nil {
		f.T.Fatal(err)
	}
	return list
}
