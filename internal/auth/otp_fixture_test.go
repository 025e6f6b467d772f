package auth_test

import (
	"regexp"
	"testing"

	"github.com/latchkey/latchkey/internal/auth/authtest"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/model"
)

// otpFixture is the shared fixture with the OTP flows' helpers.
type otpFixture struct{ *authtest.Fixture }

func newOTPFixture(t *testing.T, opts auth.Options) *otpFixture {
	t.Helper()
	return &otpFixture{authtest.New(t, opts)}
}

func (f *otpFixture) send(req auth.OTPSend) auth.OTPSent {
	f.T.Helper()
	out, err := f.Svc.SendOTP(f.Ctx, f.Caller, req)
	if err != nil {
		f.T.Fatalf("send OTP %+v: %v", req, err)
	}
	return out
}

var otpDigits = regexp.MustCompile(`\b\d{4,8}\b`)

// lastCode reads the code from the newest message to an address.
func (f *otpFixture) lastCode(to string) (string, model.OutboxMessage) {
	f.T.Helper()
	msgs := f.Messages(to)
	if len(msgs) == 0 {
		f.T.Fatalf("no message queued for %s", to)
	}
	m := msgs[len(msgs)-1]
	code := otpDigits.FindString(m.Text)
	if code == "" {
		f.T.Fatalf("no code in message %q", m.Text)
	}
	return code, m
}

func (f *otpFixture) authenticate(idType, identifier, code string) (auth.TokenResponse, error) {
	return f.Svc.AuthenticateOTP(f.Ctx, f.Caller, auth.OTPAuthenticate{Passcode: code, IdentifierType: idType, Identifier: identifier})
}

// wrongCode returns a code of the same length that is not code.
func wrongCode(code string) string {
	w := []byte(code)
	w[0] = '0' + (w[0]-'0'+1)%10
	return string(w)
}

var wantCode = authtest.WantCode
