package auth_test

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/password"
)

func (f *otpFixture) change(name, cur, next string, login auth.Login) (auth.TokenResponse, error) {
	return f.Svc.ChangePassword(f.Ctx, f.Caller, auth.PasswordChange{
		Username: name, CurrentPassword: cur, NewPassword: next, Login: login,
	})
}

func TestTemporaryPassword(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.pwdUser("tmp@example.com", "tmp", goodPassword, true)
	_, err := f.pwdLogin("", "tmp", goodPassword, auth.Login{})
	if fe := wantCode(t, err, password.CodeTemporary); fe.Kind != fault.Forbidden {
		t.Fatalf("kind %v, want forbidden", fe.Kind)
	}
	// A wrong password still reads as wrong, not as temporary.
	_, err = f.pwdLogin("", "tmp", otherPassword, auth.Login{})
	wantCode(t, err, fault.CodeInvalidCredentials)

	_, err = f.change("tmp", goodPassword, goodPassword, auth.Login{})
	wantCode(t, err, password.CodeRecentlyUsed)
	_, err = f.change("tmp", goodPassword, "weak", auth.Login{})
	wantCode(t, err, password.CodeWeak)
	_, err = f.change("tmp", otherPassword, thirdPassword, auth.Login{})
	wantCode(t, err, fault.CodeInvalidCredentials)
	res, err := f.change("tmp", goodPassword, otherPassword, auth.Login{})
	if err != nil || res.AccessToken == "" {
		t.Fatalf("change: %+v, %v", res, err)
	}
	if _, err := f.pwdLogin("", "tmp", otherPassword, auth.Login{}); err != nil {
		t.Fatalf("login with the new password: %v", err)
	}
	_, err = f.pwdLogin("", "tmp", goodPassword, auth.Login{})
	wantCode(t, err, fault.CodeInvalidCredentials)
}

func TestExpiredPasswords(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.pwdUser("old@example.com", "old", goodPassword, false)
	f.pwdUser("tmpold@example.com", "tmpold", goodPassword, true)
	f.Clock.Advance(time.Duration(model.DefaultTempPasswordValidityHours) * time.Hour)
	_, err := f.pwdLogin("", "tmpold", goodPassword, auth.Login{})
	wantCode(t, err, password.CodeExpired)
	_, err = f.change("tmpold", goodPassword, otherPassword, auth.Login{})
	wantCode(t, err, password.CodeExpired)

	f.Clock.Advance(time.Duration(model.DefaultPasswordExpiresIn) * 24 * time.Hour)
	_, err = f.pwdLogin("", "old", goodPassword, auth.Login{})
	wantCode(t, err, password.CodeExpired)
	// ignoreExpiration lets an expired password log in again.
	f.setPasswordPrefs(func(p *model.PasswordPreferences) { p.IgnoreExpiration = true })
	if _, err := f.pwdLogin("", "old", goodPassword, auth.Login{}); err != nil {
		t.Fatalf("login with ignoreExpiration: %v", err)
	}
	f.setPasswordPrefs(func(p *model.PasswordPreferences) { p.IgnoreExpiration = false })
	if _, err := f.change("old", goodPassword, otherPassword, auth.Login{}); err != nil {
		t.Fatalf("change of an expired password: %v", err)
	}
	if _, err := f.pwdLogin("", "old", otherPassword, auth.Login{}); err != nil {
		t.Fatalf("login after the change: %v", err)
	}
}

func TestChangeEndsOtherSessions(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.pwdUser("ses@example.com", "ses", goodPassword, false)
	old, err := f.pwdLogin("", "ses", goodPassword, auth.Login{})
	if err != nil {
		t.Fatal(err)
	}
	kept, err := f.pwdLogin("", "ses", goodPassword, auth.Login{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.change("ses", goodPassword, otherPassword, auth.Login{SessionID: kept.SessionID})
	if err != nil || res.SessionID != kept.SessionID {
		t.Fatalf("change into a session: %+v, %v", res, err)
	}
	if _, err := f.Svc.Refresh(f.Ctx, f.Caller, auth.RefreshRequest{RefreshToken: old.RefreshToken}); err == nil {
		t.Error("a refresh token of another session still works after the change")
	}
	if _, err := f.Svc.Refresh(f.Ctx, f.Caller, auth.RefreshRequest{RefreshToken: res.RefreshToken}); err != nil {
		t.Errorf("the kept session's new refresh token: %v", err)
	}
}

func TestRegisterAndSetPassword(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	u := f.User("reg@example.com", "")
	reg := auth.PasswordRegister{UserID: u.ID, Password: goodPassword, EnforceComplexity: true}
	weak := reg
	weak.Password = "password"
	err := f.Svc.RegisterPassword(f.Ctx, f.Caller, weak)
	wantCode(t, err, password.CodeWeak)
	weak.Password = "Qwertyuiop123!"
	wantCode(t, f.Svc.RegisterPassword(f.Ctx, f.Caller, weak), password.CodeBreached)
	weak.EnforceComplexity = false
	weak.Password = "short"
	if err := f.Svc.RegisterPassword(f.Ctx, f.Caller, weak); err != nil {
		t.Fatalf("enforce_complexity false: %v", err)
	}
	wantCode(t, f.Svc.RegisterPassword(f.Ctx, f.Caller, reg), password.CodeAlreadyConfigured)

	set := auth.PasswordSet{UserID: u.ID, Password: goodPassword, EnforceComplexity: true}
	if err := f.Svc.SetPassword(f.Ctx, f.Caller, set); err != nil {
		t.Fatalf("set: %v", err)
	}
	if _, err := f.pwdLogin(model.IdentifierEmail, "reg@example.com", goodPassword, auth.Login{}); err != nil {
		t.Fatalf("login after set: %v", err)
	}
	f.setPasswordPrefs(func(p *model.PasswordPreferences) { p.BlockPreviousPasswords = 2 })
	set.Password = otherPassword
	if err := f.Svc.SetPassword(f.Ctx, f.Caller, set); err != nil {
		t.Fatal(err)
	}
	set.Password = goodPassword
	wantCode(t, f.Svc.SetPassword(f.Ctx, f.Caller, set), password.CodeRecentlyUsed)
	set.ForceReplace = true
	set.Password = thirdPassword
	if err := f.Svc.SetPassword(f.Ctx, f.Caller, set); err != nil {
		t.Fatal(err)
	}
	_, err = f.pwdLogin(model.IdentifierEmail, "reg@example.com", thirdPassword, auth.Login{})
	wantCode(t, err, password.CodeTemporary)

	bare := f.User("bare@example.com", "")
	wantCode(t, f.Svc.SetPassword(f.Ctx, f.Caller, auth.PasswordSet{UserID: bare.ID, Password: goodPassword}), password.CodeNotConfigured)
	wantCode(t, f.Svc.RegisterPassword(f.Ctx, f.Caller, auth.PasswordRegister{UserID: model.NewID(), Password: goodPassword}), fault.CodeUserNotFound)
	// The login name must match an existing username.
	named := f.User("named@example.com", "")
	f.pwdUser("taken@example.com", "taken", goodPassword, false)
	err = f.Svc.RegisterPassword(f.Ctx, f.Caller, auth.PasswordRegister{UserID: named.ID, Password: goodPassword, Username: "taken", EnforceComplexity: true})
	wantCode(t, err, fault.CodeUserExists)
	if len(f.listPasswords(named.ID)) != 0 {
		t.Error("a refused registration left a credential")
	}
	// A management client registers under the default policy.
	admin := model.Caller{TenantID: f.Boot.TenantID, AppID: "mgmt", ClientID: f.Boot.AdminClientID, Admin: true}
	if err := f.Svc.RegisterPassword(f.Ctx, admin, auth.PasswordRegister{UserID: named.ID, Password: goodPassword, EnforceComplexity: true}); err != nil {
		t.Fatalf("admin register: %v", err)
	}
}

func (f *otpFixture) listPasswords(userID string) []model.Credential {
	f.T.Helper()
	list, err := f.Store.ListCredentials(f.Ctx, f.Boot.TenantID, userID, model.CredentialPassword)
	if err != nil {
		f.T.Fatal(err)
	}
	return list
}
