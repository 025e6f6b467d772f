package otp_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/otp"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

const phone = "+14155552671"

func TestSMSLogin(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	u := f.User("ada@example.com", phone)
	sent := f.SendOTP(otp.OTPSend{Channel: "sms", IdentifierType: "phone_number", Identifier: phone})
	if sent.Message != "OTP sent" || sent.Code != "" {
		t.Fatalf("unexpected answer %+v", sent)
	}
	code, m := f.LastCode(phone)
	if m.Kind != model.MessageSMS || m.Subject != "" || m.HTML != "" || m.From != "" {
		t.Fatalf("unexpected message %+v", m)
	}
	if want := code + " is your Demo code. It expires in 5 minutes."; m.Text != want {
		t.Fatalf("text %q, want %q", m.Text, want)
	}
	if len(f.Messages("ada@example.com")) != 0 {
		t.Fatal("an SMS send also queued an email")
	}
	tok, err := f.AuthenticateOTP("phone_number", phone, code)
	if err != nil {
		t.Fatal(err)
	}
	claims := f.IDClaims(tok.IDToken)
	if amr := claims["amr"].([]any); len(amr) != 1 || amr[0] != "sms" {
		t.Fatalf("amr %v, want [sms]", claims["amr"])
	}
	got := f.GetUser(u.ID)
	if got.PhoneVerifiedAt == nil || got.EmailVerifiedAt != nil {
		t.Fatalf("after an SMS login phone verified %v, email verified %v; want only the phone", got.PhoneVerifiedAt, got.EmailVerifiedAt)
	}
}

func TestSMSToProfilePhoneOfUserNamedByEmail(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.User("bo@example.com", phone)
	f.SendOTP(otp.OTPSend{Channel: "sms", IdentifierType: "email", Identifier: "bo@example.com"})
	code, _ := f.LastCode(phone)
	if _, err := f.AuthenticateOTP("email", "bo@example.com", code); err != nil {
		t.Fatal(err)
	}
}

func TestSMSWithoutPhone(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.User("cy@example.com", "")
	_, err := f.OTP.SendOTP(f.Ctx, f.Caller, otp.OTPSend{Channel: "sms", IdentifierType: "email", Identifier: "cy@example.com"})
	if fe := wantCode(t, err, fault.CodePhoneMissing); fe.Kind != fault.NotFound {
		t.Fatalf("kind %v, want not found", fe.Kind)
	}
}

func TestSMSDisabled(t *testing.T) {
	f := newOTPFixture(t, auth.Options{SMSDisabled: true})
	f.User("di@example.com", phone)
	_, err := f.OTP.SendOTP(f.Ctx, f.Caller, otp.OTPSend{Channel: "sms", IdentifierType: "phone_number", Identifier: phone})
	if fe := wantCode(t, err, fault.CodeProviderConfig); fe.Kind != fault.Invalid {
		t.Fatalf("kind %v, want invalid", fe.Kind)
	}
	// Other channels still work.
	f.SendOTP(otp.OTPSend{Channel: "email", IdentifierType: "phone_number", Identifier: phone})
}

func TestCustomSMSInput(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.User("", phone)
	f.SendOTP(otp.OTPSend{Channel: "sms", IdentifierType: "phone_number", Identifier: phone,
		SMS: &otp.SMSContent{Message: "Your {app} login: {otp}. Never share {otp}.", SenderID: "Acme Bank"}})
	code, m := f.LastCode(phone)
	if want := "Your Demo login: " + code + ". Never share " + code + "."; m.Text != want || m.From != "Acme Bank" {
		t.Fatalf("message %q from %q, want %q from Acme Bank", m.Text, m.From, want)
	}

	_, err := f.OTP.SendOTP(f.Ctx, f.Caller, otp.OTPSend{Channel: "sms", IdentifierType: "phone_number", Identifier: phone,
		SMS: &otp.SMSContent{Message: "code {otp}" + strings.Repeat(".", 140), SenderID: "TwelveChars1"}})
	fe := wantCode(t, err, fault.CodeInvalidInput)
	for _, want := range []string{"{otp} and {app}", "140 characters", "sender_id"} {
		if !slices.ContainsFunc(fe.Details, func(d string) bool { return strings.Contains(d, want) }) {
			t.Errorf("problems %q do not mention %q", fe.Details, want)
		}
	}
	for _, id := range []string{"12345", "Acme-Bank", "Äcme"} {
		_, err := f.OTP.SendOTP(f.Ctx, f.Caller, otp.OTPSend{Channel: "sms", IdentifierType: "phone_number", Identifier: phone,
			SMS: &otp.SMSContent{SenderID: id}})
		wantCode(t, err, fault.CodeInvalidInput)
	}
}

// TestSMSUsesSMSPreferences checks that code length, expiry, failures and lockout of an SMS
// code come from the sms preferences and those of an email code from email_otp.
func TestSMSUsesSMSPreferences(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.UpdateApp(func(a *model.Application) {
		a.Preferences.SMS = model.OTPPreferences{CodeLength: 4, ExpiresIn: 2, MaxFailures: 2, LockoutDuration: 30}
		a.Preferences.EmailOTP = model.OTPPreferences{CodeLength: 8, MaxFailures: 4, LockoutDuration: 7}
	})
	f.User("ed@example.com", phone)
	f.SendOTP(otp.OTPSend{Channel: "sms", IdentifierType: "phone_number", Identifier: phone})
	code, m := f.LastCode(phone)
	if len(code) != 4 || !strings.Contains(m.Text, "2 minutes") {
		t.Fatalf("SMS %q: want a 4-digit code expiring in 2 minutes", m.Text)
	}
	f.SendOTP(otp.OTPSend{Channel: "email", IdentifierType: "email", Identifier: "ed@example.com"})
	if ecode, _ := f.LastCode("ed@example.com"); len(ecode) != 8 {
		t.Fatalf("email code %q: want 8 digits", ecode)
	}

	f.SendOTP(otp.OTPSend{Channel: "sms", IdentifierType: "phone_number", Identifier: phone})
	code, _ = f.LastCode(phone)
	_, err := f.AuthenticateOTP("phone_number", phone, wrongCode(code))
	wantCode(t, err, fault.CodeInvalidCredentials)
	_, err = f.AuthenticateOTP("phone_number", phone, wrongCode(code))
	fe := wantCode(t, err, fault.CodeLocked)
	if fe.RetryAfter != 30*time.Minute {
		t.Fatalf("lockout of %v, want the sms lockoutDuration of 30 minutes", fe.RetryAfter)
	}
	_, err = f.AuthenticateOTP("phone_number", phone, code)
	wantCode(t, err, fault.CodeLocked)
}

func TestPublicSignupByPhone(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.UpdateApp(func(a *model.Application) { a.AllowPublicSignup = true })
	f.SendOTP(otp.OTPSend{Channel: "sms", IdentifierType: "phone_number", Identifier: phone})
	code, _ := f.LastCode(phone)
	tok, err := f.AuthenticateOTP("phone_number", phone, code)
	if err != nil {
		t.Fatal(err)
	}
	u := f.GetUser(f.IDClaims(tok.IDToken)["sub"].(string))
	if u.PhoneNumber != phone || u.PhoneVerifiedAt == nil || u.Email != "" {
		t.Fatalf("signed-up user %+v: want the verified phone and no email", u)
	}
}

func TestPhonePrefixLimit(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.UpdateApp(func(a *model.Application) {
		a.AllowPublicSignup = true
		a.Preferences.Limits = model.RateLimits{SendsPerPhonePrefix: 2, PhonePrefixDigits: 6}
	})
	// Three numbers of one range; the third send is refused whichever way the number is named.
	f.SendOTP(otp.OTPSend{Channel: "sms", IdentifierType: "phone_number", Identifier: "+14155552671"})
	u := f.User("", "+14155552672")
	f.SendOTP(otp.OTPSend{Channel: "sms", IdentifierType: "user_id", Identifier: u.ID})
	_, err := f.OTP.SendOTP(f.Ctx, f.Caller, otp.OTPSend{Channel: "sms", IdentifierType: "phone_number", Identifier: "+14155552673"})
	if fe := wantCode(t, err, fault.CodeRateLimited); fe.RetryAfter <= 0 {
		t.Fatalf("no Retry-After on %v", fe)
	}
	// Another range, and email or direct codes for numbers of the full range, still go.
	f.SendOTP(otp.OTPSend{Channel: "sms", IdentifierType: "phone_number", Identifier: "+14165552671"})
	f.SendOTP(otp.OTPSend{Channel: "direct", IdentifierType: "phone_number", Identifier: "+14155552674"})
	// A custom number is counted by its own prefix.
	f.User("fi@example.com", "+14165552679")
	_, err = f.OTP.SendOTP(f.Ctx, f.Caller, otp.OTPSend{Channel: "sms", IdentifierType: "email", Identifier: "fi@example.com", CustomPhone: "+14155552675"})
	wantCode(t, err, fault.CodeRateLimited)
}

func TestDirectCodeFollowsIdentifierPreferences(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.UpdateApp(func(a *model.Application) { a.Preferences.SMS.CodeLength = 7 })
	f.User("gu@example.com", phone)
	sent := f.SendOTP(otp.OTPSend{Channel: "direct", IdentifierType: "phone_number", Identifier: phone})
	if len(sent.Code) != 7 {
		t.Fatalf("direct code %q for a phone number: want the sms length 7", sent.Code)
	}
	if len(f.Messages(phone)) != 0 {
		t.Fatal("a direct code was also sent")
	}
	tok, err := f.AuthenticateOTP("phone_number", phone, sent.Code)
	if err != nil {
		t.Fatal(err)
	}
	if amr := f.IDClaims(tok.IDToken)["amr"].([]any); amr[0] != "otp" {
		t.Fatalf("amr %v, want [otp]", amr)
	}
}
