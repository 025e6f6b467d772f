package otp_test

import (
	"testing"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/otp"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// TestSuccessForgetsCountedFailures checks that a login forgets the wrong guesses counted
// before it (so that a user is not locked by guesses that a success interrupted), and that
// the forgetting costs a statement only when there is something to forget.
func TestSuccessForgetsCountedFailures(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	email := "counted@example.com"
	f.User(email, "")
	// Sends enough for the test; the failure budget stays the default.
	f.UpdateApp(func(a *model.Application) { a.Preferences.Limits.SendsPerIdentifier = 100 })
	send := func() { f.SendOTP(otp.OTPSend{Channel: "email", IdentifierType: "email", Identifier: email}) }
	login := func() (int64, error) {
		code, _ := f.LastCode(email)
		st, _, err := f.Work(func() error { _, err := f.AuthenticateOTP("email", email, code); return err })
		return st, err
	}
	send()
	if _, err := login(); err != nil { // the first login fills the node's caches
		t.Fatal(err)
	}
	send()
	clean, err := login()
	if err != nil {
		t.Fatal(err)
	}
	// One wrong guess counted, then a success: one statement more, the counter's delete.
	guessWrong := func() {
		t.Helper()
		code, _ := f.LastCode(email)
		_, err := f.AuthenticateOTP("email", email, wrongCode(code))
		wantCode(t, err, fault.CodeInvalidCredentials)
	}
	send()
	guessWrong()
	counted, err := login()
	if err != nil {
		t.Fatal(err)
	}
	if counted != clean+1 {
		t.Fatalf("a login after a wrong guess took %d statements, one without took %d; want one more", counted, clean)
	}
	// The guess was forgotten: one fewer than the budget, on codes of their own, locks nothing.
	for range model.DefaultFailuresPerIdentifier - 1 {
		send()
		guessWrong()
	}
	send()
	if _, err := login(); err != nil {
		t.Fatalf("login after %d wrong guesses since the last success: %v", model.DefaultFailuresPerIdentifier-1, err)
	}
}
