package otp_test

import (
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/otp"
	"github.com/latchkey/latchkey/internal/fault"
)

// expires_in is Mosaic's number of minutes until the code expires: it replaces the
// application's setting, for a longer code as for a shorter one, and is bounded to an hour.
func TestExpiresInMinutes(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.User("long@example.com", "")
	out := f.SendOTP(otp.OTPSend{Channel: "direct", IdentifierType: "email", Identifier: "long@example.com", ExpiresIn: 30})
	f.Clock.Advance(29 * time.Minute) // far past the application's 5 minutes
	if _, err := f.AuthenticateOTP("email", "long@example.com", out.Code); err != nil {
		t.Fatalf("a 30-minute code after 29 minutes: %v", err)
	}
	out = f.SendOTP(otp.OTPSend{Channel: "direct", IdentifierType: "email", Identifier: "long@example.com", ExpiresIn: 30})
	f.Clock.Advance(30*time.Minute + time.Second)
	_, err := f.AuthenticateOTP("email", "long@example.com", out.Code)
	wantCode(t, err, fault.CodeOTPExpired)

	f.SendOTP(otp.OTPSend{Channel: "email", IdentifierType: "email", Identifier: "long@example.com", ExpiresIn: 12})
	if _, m := f.LastCode("long@example.com"); !strings.Contains(m.Text, "12 minutes") {
		t.Errorf("the email does not give the requested lifetime: %q", m.Text)
	}
	for _, n := range []int{-1, 61} {
		_, err := f.OTP.SendOTP(f.Ctx, f.Caller, otp.OTPSend{Channel: "direct", IdentifierType: "email", Identifier: "long@example.com", ExpiresIn: n})
		fe := wantCode(t, err, fault.CodeInvalidInput)
		if !strings.Contains(fe.Error(), "expires_in must be between 1 and 60 minutes") {
			t.Errorf("expires_in %d: %v", n, fe)
		}
	}
}

// A custom identifier type (Mosaic's tenants may define their own) names nobody in Latchkey,
// whose users have none: the send and the authentication say so instead of looking it up.
func TestCustomIdentifierTypeRefused(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.User("cust@example.com", "")
	_, err := f.OTP.SendOTP(f.Ctx, f.Caller, otp.OTPSend{Channel: "email", IdentifierType: "employee_number", Identifier: "E-1001"})
	fe := wantCode(t, err, fault.CodeInvalidInput)
	if !strings.Contains(fe.Error(), `identifier_type "employee_number" is not supported: custom identifier types are not supported yet`) {
		t.Errorf("send: %v", fe)
	}
	_, err = f.AuthenticateOTP("employee_number", "E-1001", "123456")
	fe = wantCode(t, err, fault.CodeInvalidInput)
	if !strings.Contains(fe.Error(), "custom identifier types") {
		t.Errorf("authenticate: %v", fe)
	}
	if n := len(f.Messages("cust@example.com")); n != 0 {
		t.Errorf("%d messages sent for a refused send", n)
	}
}
