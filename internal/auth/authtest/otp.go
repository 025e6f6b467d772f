package authtest

import (
	"regexp"

	"github.com/latchkey/latchkey/internal/auth/otp"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/model"
)

// SendOTP sends a one-time passcode and fails the test if the send fails.
func (f *Fixture) SendOTP(req otp.OTPSend) otp.OTPSent {
	f.T.Helper()
	out, err := f.OTP.SendOTP(f.Ctx, f.Caller, req)
	if err != nil {
		f.T.Fatalf("send OTP %+v: %v", req, err)
	}
	return out
}

// OTPDigits finds a passcode in a message text.
var OTPDigits = regexp.MustCompile(`\b\d{4,8}\b`)

// LastCode reads the code from the newest message to an address.
func (f *Fixture) LastCode(to string) (string, model.OutboxMessage) {
	f.T.Helper()
	msgs := f.Messages(to)
	if len(msgs) == 0 {
		f.T.Fatalf("no message queued for %s", to)
	}
	m := msgs[len(msgs)-1]
	code := OTPDigits.FindString(m.Text)
	if code == "" {
		f.T.Fatalf("no code in message %q", m.Text)
	}
	return code, m
}

// AuthenticateOTP redeems a passcode sent to an identifier.
func (f *Fixture) AuthenticateOTP(idType, identifier, code string) (auth.TokenResponse, error) {
	return f.OTP.AuthenticateOTP(f.Ctx, f.Caller, otp.OTPAuthenticate{Passcode: code, IdentifierType: idType, Identifier: identifier})
}
