package passwords_test

import (
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth/authtest"
	"github.com/latchkey/latchkey/internal/auth/otp"

	"golang.org/x/crypto/bcrypt"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/password"
)

func TestPasswordLogin(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	u := f.PasswordUser("ada@example.com", "Ada", authtest.GoodPassword, false)
	if u.Username != "ada" {
		t.Fatalf("username = %q, want the registered login name, normalised", u.Username)
	}
	for _, by := range [][2]string{{"", "ADA"}, {model.IdentifierUsername, "ada"}, {model.IdentifierEmail, "Ada@Example.com"}} {
		res, err := f.PasswordLogin(by[0], by[1], authtest.GoodPassword, auth.Login{})
		if err != nil {
			t.Fatalf("login by %q %q: %v", by[0], by[1], err)
		}
		claims := f.IDClaims(res.IDToken)
		if claims["sub"] != u.ID || !slices.Equal(anyStrings(claims["amr"]), []string{"pwd"}) || res.SessionID == "" || res.RefreshToken == "" {
			t.Fatalf("claims = %v, response = %+v", claims, res)
		}
	}
	_, wrong := f.PasswordLogin("", "ada", authtest.OtherPassword, auth.Login{})
	wantCode(t, wrong, fault.CodeInvalidCredentials)
	_, unknown := f.PasswordLogin("", "nobody", authtest.OtherPassword, auth.Login{})
	sameFailure(t, wrong, unknown)
	f.User("nopass@example.com", "")
	_, noPass := f.PasswordLogin(model.IdentifierEmail, "nopass@example.com", authtest.OtherPassword, auth.Login{})
	sameFailure(t, wrong, noPass)
	// A user of another application is unknown here.
	_, err := f.PasswordLogin(model.IdentifierPhone, "+14155550100", authtest.GoodPassword, auth.Login{})
	sameFailure(t, wrong, err)

	_, err = f.PasswordLogin("pet_name", "ada", authtest.GoodPassword, auth.Login{})
	wantCode(t, err, fault.CodeInvalidInput)
	if credential(f, u.ID).LastUsedAt == nil {
		t.Error("the credential's last use was not recorded")
	}
}

func TestPasswordLockoutTiers(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.SetPasswordPrefs(func(p *model.PasswordPreferences) {
		p.MaxPasswordFailures = 10
		p.LockoutTiers = []model.LockoutTier{{Attempts: 3, Duration: 5}, {Attempts: 6, Duration: 60}}
	})
	f.PasswordUser("bo@example.com", "bo", authtest.GoodPassword, false)
	for _, name := range []string{"bo", "ghost"} { // a known and an unknown name lock alike
		for i := 1; i <= 2; i++ {
			_, err := f.PasswordLogin("", name, "Wrong-Guess-0000", auth.Login{})
			wantCode(t, err, fault.CodeInvalidCredentials)
		}
		_, err := f.PasswordLogin("", name, "Wrong-Guess-0000", auth.Login{})
		if fe := wantCode(t, err, fault.CodeLocked); fe.RetryAfter != 5*time.Minute {
			t.Fatalf("%s: first tier Retry-After %v, want 5m", name, fe.RetryAfter)
		}
	}
	// Locked: even the right password is refused, without being checked.
	_, err := f.PasswordLogin("", "bo", authtest.GoodPassword, auth.Login{})
	wantCode(t, err, fault.CodeLocked)
	f.Clock.Advance(5 * time.Minute)
	for i := 4; i <= 5; i++ {
		_, err := f.PasswordLogin("", "bo", "Wrong-Guess-0000", auth.Login{})
		wantCode(t, err, fault.CodeInvalidCredentials)
	}
	_, err = f.PasswordLogin("", "bo", "Wrong-Guess-0000", auth.Login{})
	if fe := wantCode(t, err, fault.CodeLocked); fe.RetryAfter != time.Hour {
		t.Fatalf("second tier Retry-After %v, want 1h", fe.RetryAfter)
	}
	f.Clock.Advance(time.Hour)
	if _, err := f.PasswordLogin("", "bo", authtest.GoodPassword, auth.Login{}); err != nil {
		t.Fatalf("login after the lockout: %v", err)
	}
	// Success forgets the failures: two more wrong passwords do not lock.
	for i := 0; i < 2; i++ {
		_, err := f.PasswordLogin("", "bo", "Wrong-Guess-0000", auth.Login{})
		wantCode(t, err, fault.CodeInvalidCredentials)
	}
}

func TestPasswordLockoutDefault(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.PasswordUser("cy@example.com", "cy", authtest.GoodPassword, false)
	for i := 1; i < model.DefaultMaxPasswordFailures; i++ {
		_, err := f.PasswordLogin("", "cy", "Wrong-Guess-0000", auth.Login{})
		wantCode(t, err, fault.CodeInvalidCredentials)
	}
	_, err := f.PasswordLogin("", "cy", "Wrong-Guess-0000", auth.Login{})
	if fe := wantCode(t, err, fault.CodeLocked); fe.RetryAfter != 15*time.Minute {
		t.Fatalf("Retry-After %v, want 15m", fe.RetryAfter)
	}
	// The failures expire: after the lockout, a full count is needed again.
	f.Clock.Advance(16 * time.Minute)
	for i := 1; i < model.DefaultMaxPasswordFailures; i++ {
		_, err := f.PasswordLogin("", "cy", "Wrong-Guess-0000", auth.Login{})
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
	if _, err := f.PasswordLogin(model.IdentifierEmail, "imp@example.com", "legacy secret", auth.Login{}); err != nil {
		t.Fatalf("login with an imported bcrypt hash: %v", err)
	}
	stored := string(credential(f, u.ID).Secret)
	if password.Scheme(stored) != password.SchemeArgon2id || password.Shared().NeedsRehash(stored) {
		t.Fatalf("stored hash after login = %q, want argon2id at the current parameters", stored)
	}
	if _, err := f.PasswordLogin(model.IdentifierEmail, "imp@example.com", "legacy secret", auth.Login{}); err != nil {
		t.Fatalf("login with the rehashed password: %v", err)
	}
}

func TestPasswordMFA(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.PasswordUser("mfa@example.com", "mfa", authtest.GoodPassword, false)
	first, err := f.PasswordLogin("", "mfa", authtest.GoodPassword, auth.Login{})
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
	f.PasswordUser("other@example.com", "other", authtest.GoodPassword, false)
	_, err = f.PasswordLogin("", "other", authtest.GoodPassword, auth.Login{SessionID: first.SessionID})
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
