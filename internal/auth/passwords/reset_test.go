package passwords_test

import (
	"net/url"
	"slices"
	"strings"
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

func (f *pwFixture) resetSend(req passwords.PasswordResetSend) (passwords.PasswordResetSent, error) {
	return f.Passwords.SendPasswordReset(f.Ctx, f.Caller, req)
}

func (f *pwFixture) resetComplete(idType, id, code, pw string) error {
	return f.Passwords.CompletePasswordReset(f.Ctx, f.Caller, passwords.PasswordResetComplete{
		IdentifierType: idType, Identifier: id, Code: code, NewPassword: pw,
	})
}

func TestPasswordResetByEmailCode(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.PasswordUser("rita@example.com", "rita", authtest.GoodPassword, false)
	before, err := f.PasswordLogin("", "rita", authtest.GoodPassword, auth.Login{})
	if err != nil {
		t.Fatal(err)
	}
	// Lock the login name; the reset lifts it.
	for i := 0; i < model.DefaultMaxPasswordFailures; i++ {
		_, _ = f.PasswordLogin("", "rita", "Wrong-Guess-0000", auth.Login{})
	}
	out, err := f.resetSend(passwords.PasswordResetSend{IdentifierType: model.IdentifierUsername, Identifier: "rita", Channel: model.ChannelEmail})
	if err != nil || out.Message != "Password reset code sent" || out.Code != "" {
		t.Fatalf("send: %+v, %v", out, err)
	}
	code, msg := f.LastCode("rita@example.com")
	if !strings.Contains(msg.Subject, "password") || !strings.Contains(msg.Text, "choose a new password") {
		t.Fatalf("reset email: %q / %q", msg.Subject, msg.Text)
	}
	err = f.resetComplete(model.IdentifierUsername, "rita", wrongCode(code), authtest.OtherPassword)
	wantCode(t, err, fault.CodeInvalidCredentials)
	err = f.resetComplete(model.IdentifierUsername, "rita", code, "too weak")
	wantCode(t, err, password.CodeWeak)
	err = f.resetComplete(model.IdentifierUsername, "rita", code, authtest.GoodPassword)
	wantCode(t, err, password.CodeRecentlyUsed)
	// The code survived the refused passwords.
	if err := f.resetComplete(model.IdentifierUsername, "rita", code, authtest.OtherPassword); err != nil {
		t.Fatalf("complete: %v", err)
	}
	wantCode(t, f.resetComplete(model.IdentifierUsername, "rita", code, authtest.ThirdPassword), fault.CodeInvalidCredentials)
	if _, err := f.Grants.Refresh(f.Ctx, f.Caller, grant.RefreshRequest{RefreshToken: before.RefreshToken}); err == nil {
		t.Error("a refresh token from before the reset still works")
	}
	if _, err := f.PasswordLogin("", "rita", authtest.OtherPassword, auth.Login{}); err != nil {
		t.Fatalf("login with the new password (the lockout should be lifted): %v", err)
	}
}

func TestPasswordResetCodeFailuresSpendIt(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.PasswordUser("sam@example.com", "sam", authtest.GoodPassword, false)
	out, err := f.resetSend(passwords.PasswordResetSend{IdentifierType: model.IdentifierEmail, Identifier: "sam@example.com", Channel: model.ChannelDirect})
	if err != nil || out.Code == "" {
		t.Fatalf("direct send: %+v, %v", out, err)
	}
	for i := 0; i < model.DefaultMaxPasswordFailures; i++ {
		wantCode(t, f.resetComplete(model.IdentifierEmail, "sam@example.com", wrongCode(out.Code), authtest.OtherPassword), fault.CodeInvalidCredentials)
	}
	wantCode(t, f.resetComplete(model.IdentifierEmail, "sam@example.com", out.Code, authtest.OtherPassword), fault.CodeInvalidCredentials)
	out, err = f.resetSend(passwords.PasswordResetSend{IdentifierType: model.IdentifierEmail, Identifier: "sam@example.com", Channel: model.ChannelDirect})
	if err != nil {
		t.Fatal(err)
	}
	f.Clock.Advance(time.Duration(model.DefaultResetValidityMinutes) * time.Minute)
	wantCode(t, f.resetComplete(model.IdentifierEmail, "sam@example.com", out.Code, authtest.OtherPassword), passwords.CodeResetExpired)
}

func TestPasswordResetLink(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.PasswordUser("lin@example.com", "lin", authtest.GoodPassword, false)
	_, err := f.resetSend(passwords.PasswordResetSend{IdentifierType: model.IdentifierEmail, Identifier: "lin@example.com",
		Channel: model.ChannelEmail, RedirectURI: "https://evil.example/cb"})
	wantCode(t, err, auth.CodeInvalidRedirectURI)
	out, err := f.resetSend(passwords.PasswordResetSend{IdentifierType: model.IdentifierEmail, Identifier: "lin@example.com",
		Channel: model.ChannelDirect, RedirectURI: "http://localhost:3000/callback"})
	if err != nil || out.Message != "Password reset link sent" {
		t.Fatalf("send: %+v, %v", out, err)
	}
	link, err := url.Parse(out.Link)
	if err != nil || link.Host != "localhost:3000" {
		t.Fatalf("link %q: %v", out.Link, err)
	}
	code := link.Query().Get("code")
	// A link's code names its user; a mismatched identifier is refused.
	wantCode(t, f.resetComplete(model.IdentifierEmail, "other@example.com", code, authtest.OtherPassword), fault.CodeInvalidCredentials)
	if err := f.resetComplete("", "", code, authtest.OtherPassword); err != nil {
		t.Fatalf("complete with the link's code alone: %v", err)
	}
	if _, err := f.PasswordLogin("", "lin", authtest.OtherPassword, auth.Login{}); err != nil {
		t.Fatal(err)
	}
}

func TestPasswordResetEnumeration(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.User("nopw@example.com", "")
	send := func(id string) (passwords.PasswordResetSent, error) {
		return f.resetSend(passwords.PasswordResetSend{IdentifierType: model.IdentifierEmail, Identifier: id, Channel: model.ChannelEmail})
	}
	_, err := send("ghost@example.com")
	wantCode(t, err, fault.CodeUserNotFound)
	_, err = send("nopw@example.com")
	wantCode(t, err, password.CodeNotConfigured)
	f.UpdateApp(func(a *model.Application) { a.EnumerationProtection = true })
	f.PasswordUser("real@example.com", "real", authtest.GoodPassword, false)
	real, err := send("real@example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ghost@example.com", "nopw@example.com"} {
		_, before := f.Store.Stats()
		got, err := send(id)
		if err != nil || got != real {
			t.Errorf("%s: %+v, %v; want the answer for a real user, %+v", id, got, err, real)
		}
		// A real send's write transaction, so that timing does not tell them apart either.
		if _, after := f.Store.Stats(); after-before != 1 {
			t.Errorf("%s: the decoy send took %d transactions, want 1 as a real one", id, after-before)
		}
		if len(f.Messages(id)) != 0 {
			t.Errorf("%s was sent a message", id)
		}
	}
}

func TestPasswordResetBySMS(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	u := f.User("sms@example.com", "+14155550123")
	err := f.Passwords.RegisterPassword(f.Ctx, f.Caller, passwords.PasswordRegister{UserID: u.ID, Password: authtest.GoodPassword, EnforceComplexity: true})
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.resetSend(passwords.PasswordResetSend{IdentifierType: model.IdentifierEmail, Identifier: "sms@example.com", Channel: model.ChannelSMS})
	if err != nil || out.Code != "" {
		t.Fatalf("send: %+v, %v", out, err)
	}
	code, msg := f.LastCode("+14155550123")
	if msg.Kind != model.MessageSMS || !strings.HasPrefix(msg.Text, code+" is your") {
		t.Fatalf("SMS = %+v", msg)
	}
	if err := f.resetComplete(model.IdentifierEmail, "sms@example.com", code, authtest.OtherPassword); err != nil {
		t.Fatal(err)
	}
	// The password set by a reset is not temporary, whatever the old one was.
	if _, err := f.PasswordLogin(model.IdentifierEmail, "sms@example.com", authtest.OtherPassword, auth.Login{}); err != nil {
		t.Fatal(err)
	}
	disabled := newOTPFixture(t, auth.Options{SMSDisabled: true})
	_, err = disabled.resetSend(passwords.PasswordResetSend{IdentifierType: model.IdentifierEmail, Identifier: "sms@example.com", Channel: model.ChannelSMS})
	wantCode(t, err, fault.CodeProviderConfig)
}

// Wrong reset codes count against the user across codes: asking for a new code does not buy
// new guesses, and once the application's failuresPerIdentifier is reached even the right
// code is refused until the lockout ends.
func TestPasswordResetFailuresAcrossCodes(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.PasswordUser("guess@example.com", "guess", authtest.GoodPassword, false)
	send := func() string {
		t.Helper()
		out, err := f.resetSend(passwords.PasswordResetSend{IdentifierType: model.IdentifierEmail, Identifier: "guess@example.com", Channel: model.ChannelDirect})
		if err != nil || out.Code == "" {
			t.Fatalf("direct send: %+v, %v", out, err)
		}
		return out.Code
	}
	var code string
	var err error
	for i := 0; i < model.DefaultFailuresPerIdentifier; i++ {
		if i%(model.DefaultMaxPasswordFailures-1) == 0 {
			code = send() // a fresh code before the current one is spent
		}
		err = f.resetComplete(model.IdentifierEmail, "guess@example.com", wrongCode(code), authtest.OtherPassword)
	}
	wantCode(t, err, fault.CodeLocked)
	code = send()
	wantCode(t, f.resetComplete(model.IdentifierEmail, "guess@example.com", code, authtest.OtherPassword), fault.CodeLocked)
	if _, err := f.PasswordLogin("", "guess", authtest.GoodPassword, auth.Login{}); err != nil {
		t.Fatalf("the password changed while reset was locked: %v", err)
	}

	// After the lockout, the right code works, and success clears the count.
	f.Clock.Advance(model.DefaultOTPLockoutDuration*time.Minute + time.Second)
	code = send()
	if err := f.resetComplete(model.IdentifierEmail, "guess@example.com", code, authtest.OtherPassword); err != nil {
		t.Fatalf("reset after the lockout: %v", err)
	}
}

// Under enumeration protection, guesses at an unknown identifier's reset code get the
// answers, and take the transactions, that guesses at a real user's code do.
func TestPasswordResetGuessesAnswerAlike(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.UpdateApp(func(a *model.Application) { a.EnumerationProtection = true })
	f.PasswordUser("real@example.com", "real", authtest.GoodPassword, false)
	answers := func(email string) ([]string, int64) {
		if _, err := f.resetSend(passwords.PasswordResetSend{IdentifierType: model.IdentifierEmail, Identifier: email, Channel: model.ChannelEmail}); err != nil {
			t.Fatal(err)
		}
		_, before := f.Store.Stats()
		var codes []string
		for i := 0; i < model.DefaultFailuresPerIdentifier; i++ {
			err := f.resetComplete(model.IdentifierEmail, email, "00000000", authtest.OtherPassword)
			codes = append(codes, fault.As(err).Code)
		}
		_, after := f.Store.Stats()
		return codes, after - before
	}
	known, knownTx := answers("real@example.com")
	unknown, unknownTx := answers("ghost@example.com")
	if !slices.Equal(known, unknown) || knownTx != unknownTx {
		t.Errorf("guesses answer differently:\nknown   %v (%d transactions)\nunknown %v (%d transactions)", known, knownTx, unknown, unknownTx)
	}
}

// A reset code asked for before the password changed (here by an administrator, whose change
// spends no code of any application) no longer sets a password.
func TestPasswordResetCodeBeforeChangeIsSpent(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	u := f.PasswordUser("early@example.com", "early", authtest.GoodPassword, false)
	out, err := f.resetSend(passwords.PasswordResetSend{IdentifierType: model.IdentifierEmail, Identifier: "early@example.com", Channel: model.ChannelDirect})
	if err != nil || out.Code == "" {
		t.Fatalf("direct send: %+v, %v", out, err)
	}
	f.Clock.Advance(time.Second)
	mgmt, err := f.Store.GetClient(f.Ctx, f.Boot.AdminClientID)
	if err != nil {
		t.Fatal(err)
	}
	admin := model.Caller{TenantID: f.Boot.TenantID, AppID: mgmt.AppID, ClientID: mgmt.ID, Admin: true}
	if err := f.Passwords.SetPassword(f.Ctx, admin, passwords.PasswordSet{UserID: u.ID, Password: authtest.OtherPassword}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.resetComplete(model.IdentifierEmail, "early@example.com", out.Code, authtest.ThirdPassword), fault.CodeInvalidCredentials)
	if _, err := f.PasswordLogin("", "early", authtest.OtherPassword, auth.Login{}); err != nil {
		t.Fatalf("the administrator's password no longer works: %v", err)
	}
}
