package auth_test

import (
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth/otp"

	"golang.org/x/crypto/bcrypt"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/password"
)

func TestPasswordLogin(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	u := f.pwdUser("ada@example.com", "Ada", goodPassword, false)
	if u.Username != "ada" {
		t.Fatalf("username = %q, want the registered login name, normalised", u.Username)
	}
	for _, by := range [][2]string{{"", "ADA"}, {model.IdentifierUsername, "ada"}, {model.IdentifierEmail, "Ada@Example.com"}} {
		res, err := f.pwdLogin(by[0], by[1], goodPassword, auth.Login{})
		if err != nil {
			t.Fatalf("login by %q %q: %v", by[0], by[1], err)
		}
		claims := f.IDClaims(res.IDToken)
		if claims["sub"] != u.ID || !slices.Equal(anyStrings(claims["amr"]), []string{"pwd"}) || res.SessionID == "" || res.RefreshToken == "" {
			t.Fatalf("claims = %v, response = %+v", claims, res)
		}
	}
	_, wrong := f.pwdLogin("", "ada", otherPassword, auth.Login{})
	wantCode(t, wrong, fault.CodeInvalidCredentials)
	_, unknown := f.pwdLogin("", "nobody", otherPassword, auth.Login{})
	sameFailure(t, wrong, unknown)
	f.User("nopass@example.com", "")
	_, noPass := f.pwdLogin(model.IdentifierEmail, "nopass@example.com", otherPassword, auth.Login{})
	sameFailure(t, wrong, noPass)
	// A user of another application is unknown here.
	_, err := f.pwdLogin(model.IdentifierPhone, "+14155550100", goodPassword, auth.Login{})
	sameFailure(t, wrong, err)

	_, err = f.pwdLogin("pet_name", "ada", goodPassword, auth.Login{})
	wantCode(t, err, fault.CodeInvalidInput)
	if f.credential(u.ID).LastUsedAt == nil {
		t.Error("the credential's last use was not recorded")
	}
}

func TestPasswordLockoutTiers(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.setPasswordPrefs(func(p *model.PasswordPreferences) {
		p.MaxPasswordFailures = 10
		p.LockoutTiers = []model.LockoutTier{{Attempts: 3, Duration: 5}, {Attempts: 6, Duration: 60}}
	})
	f.pwdUser("bo@example.com", "bo", goodPassword, false)
	for _, name := range []string{"bo", "ghost"} { // a known and an unknown name lock alike
		for i := 1; i <= 2; i++ {
			_, err := f.pwdLogin("", name, "Wrong-Guess-0000", auth.Login{})
			wantCode(t, err, fault.CodeInvalidCredentials)
		}
		_, err := f.pwdLogin("", name, "Wrong-Guess-0000", auth.Login{})
		if fe := wantCode(t, err, fault.CodeLocked); fe.RetryAfter != 5*time.Minute {
			t.Fatalf("%s: first tier Retry-After %v, want 5m", name, fe.RetryAfter)
		}
	}
	// Locked: even the right password is refused, without being checked.
	_, err := f.pwdLogin("", "bo", goodPassword, auth.Login{})
	wantCode(t, err, fault.CodeLocked)
	f.Clock.Advance(5 * time.Minute)
	for i := 4; i <= 5; i++ {
		_, err := f.pwdLogin("", "bo", "Wrong-Guess-0000", auth.Login{})
		wantCode(t, err, fault.CodeInvalidCredentials)
	}
	_, err = f.pwdLogin("", "bo", "Wrong-Guess-0000", auth.Login{})
	if fe := wantCode(t, err, fault.CodeLocked); fe.RetryAfter != time.Hour {
		t.Fatalf("second tier Retry-After %v, want 1h", fe.RetryAfter)
	}
	f.Clock.Advance(time.Hour)
	if _, err := f.pwdLogin("", "bo", goodPassword, auth.Login{}); err != nil {
		t.Fatalf("login after the lockout: %v", err)
	}
	// Success forgets the failures: two more wrong passwords do not lock.
	for i := 0; i < 2; i++ {
		_, err := f.pwdLogin("", "bo", "Wrong-Guess-0000", auth.Login{})
		wantCode(t, err, fault.CodeInvalidCredentials)
	}
}

func TestPasswordLockoutDefault(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.pwdUser("cy@example.com", "cy", goodPassword, false)
	for i := 1; i < model.DefaultMaxPasswordFailures; i++ {
		_, err := f.pwdLogin("", "cy", "Wrong-Guess-0000", auth.Login{})
		wantCode(t, err, fault.CodeInvalidCredentials)
	}
	_, err := f.pwdLogin("", "cy", "Wrong-Guess-0000", auth.Login{})
	if fe := wantCode(t, err, fault.CodeLocked); fe.RetryAfter != 15*time.Minute {
		t.Fatalf("Retry-After %v, want 15m", fe.RetryAfter)
	}
	// The failures expire: after the lockout, a full count is needed again.
	f.Clock.Advance(16 * time.Minute)
	for i := 1; i < model.DefaultMaxPasswordFailures; i++ {
		_, err := f.pwdLogin("", "cy", "Wrong-Guess-0000", auth.Login{})
		wantCode(t, err, fault.CodeInvalidCredentials)
	}
}

func TestPasswordRehashOnLogin(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	u := f.User("imp@example.com", "")
	bc, err := bcrypt.GenerateFromPassword([]byte("legacy secret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	now := f.Clock.Now()
	prefs := model.LoginPreferences{}.Normalized().Password
	cred, err := password.Shared().Create(f.Ctx, f.Boot.TenantID, u.ID, password.Input{Hash: string(bc)}, prefs, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Store.CreateCredential(f.Ctx, cred); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pwdLogin(model.IdentifierEmail, "imp@example.com", "legacy secret", auth.Login{}); err != nil {
		t.Fatalf("login with an imported bcrypt hash: %v", err)
	}
	stored := string(f.credential(u.ID).Secret)
	if password.Scheme(stored) != password.SchemeArgon2id || password.Shared().NeedsRehash(stored) {
		t.Fatalf("stored hash after login = %q, want argon2id at the current parameters", stored)
	}
	if _, err := f.pwdLogin(model.IdentifierEmail, "imp@example.com", "legacy secret", auth.Login{}); err != nil {
		t.Fatalf("login with the rehashed password: %v", err)
	}
}

func TestPasswordMFA(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.pwdUser("mfa@example.com", "mfa", goodPassword, false)
	first, err := f.pwdLogin("", "mfa", goodPassword, auth.Login{})
	if err != nil {
		t.Fatal(err)
	}
	f.SendOTP(otp.OTPSend{Channel: model.ChannelEmail, IdentifierType: model.IdentifierEmail, Identifier: "mfa@example.com"})
	code, _ := f.LastCode("mfa@example.com")
	second, err := f.OTP.AuthenticateOTP(f.Ctx, f.Caller, otp.OTPAuthenticate{
		Passcode: code, IdentifierType: model.IdentifierEmail, Identifier: "mfa@example.com",
		Login: auth.Login{SessionID: first.SessionID},
	})
	if err != nil {
		t.Fatal(err)
	}
	amr := anyStrings(f.IDClaims(second.IDToken)["amr"])
	if second.SessionID != first.SessionID || !slices.Equal(amr, []string{"pwd", "eotp", "mfa"}) {
		t.Fatalf("session %s (first %s), amr %v", second.SessionID, first.SessionID, amr)
	}
	// And a password added to a session of another user's is refused.
	f.pwdUser("other@example.com", "other", goodPassword, false)
	_, err = f.pwdLogin("", "other", goodPassword, auth.Login{SessionID: first.SessionID})
	wantCode(t, err, fault.CodeSessionNotFound)
}

func anyStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
