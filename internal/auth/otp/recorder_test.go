package otp_test

import (
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/otp"
	"github.com/latchkey/latchkey/internal/model"
)

// loginCounter is an auth.Recorder that tallies what the core reports.
type loginCounter struct {
	mu       sync.Mutex
	logins   map[string]int // method/outcome
	lockouts int
}

func (c *loginCounter) Login(method, outcome string) {
	c.mu.Lock()
	c.logins[method+"/"+outcome]++
	c.mu.Unlock()
}

func (c *loginCounter) Lockout() {
	c.mu.Lock()
	c.lockouts++
	c.mu.Unlock()
}

// Each settled OTP attempt is counted once with its outcome; the guess that spends the code's
// attempts sets one lockout, and the refusals after it count as locked.
func TestOTPAttemptsAreCounted(t *testing.T) {
	rec := &loginCounter{logins: map[string]int{}}
	f := newOTPFixture(t, auth.Options{Recorder: rec})
	f.User("ada@example.com", "")
	send := otp.OTPSend{Channel: "email", IdentifierType: "email", Identifier: "ada@example.com"}
	f.SendOTP(send)
	code, _ := f.LastCode("ada@example.com")
	if _, err := f.AuthenticateOTP("email", "ada@example.com", code); err != nil {
		t.Fatal(err)
	}
	f.SendOTP(send)
	code, _ = f.LastCode("ada@example.com")
	for i := range model.DefaultOTPMaxFailures {
		_, err := f.AuthenticateOTP("email", "ada@example.com", wrongCode(code))
		if err == nil {
			t.Fatalf("wrong code %d accepted", i)
		}
	}
	if _, err := f.AuthenticateOTP("email", "ada@example.com", code); err == nil {
		t.Fatal("the right code was accepted during the lockout")
	}
	want := map[string]int{
		model.AMREmailOTP + "/" + auth.OutcomeSuccess: 1,
		model.AMREmailOTP + "/" + auth.OutcomeFailure: model.DefaultOTPMaxFailures - 1,
		model.AMREmailOTP + "/" + auth.OutcomeLocked:  2,
	}
	for k, v := range want {
		if rec.logins[k] != v {
			t.Errorf("%s counted %d times, want %d (all: %v)", k, rec.logins[k], v, rec.logins)
		}
	}
	if len(rec.logins) != len(want) || rec.lockouts != 1 {
		t.Errorf("logins %v, lockouts %d; want %v and 1", rec.logins, rec.lockouts, want)
	}
}
