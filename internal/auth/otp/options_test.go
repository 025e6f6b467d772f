package otp_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/otp"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

func TestCustomEmailDoesNotVerifyProfile(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	u := f.User("ha@example.com", phone)
	f.SendOTP(otp.OTPSend{Channel: "email", IdentifierType: "email", Identifier: "ha@example.com", CustomEmail: " Work@Example.COM "})
	if len(f.Messages("ha@example.com")) != 0 {
		t.Fatal("a code with a custom email also went to the profile's address")
	}
	code, _ := f.LastCode("work@example.com")
	tok, err := f.AuthenticateOTP("email", "ha@example.com", code)
	if err != nil {
		t.Fatal(err)
	}
	if amr := f.IDClaims(tok.IDToken)["amr"].([]any); amr[0] != "eotp" {
		t.Fatalf("amr %v, want [eotp]", amr)
	}
	if got := f.GetUser(u.ID); got.EmailVerifiedAt != nil || got.LastAuthAt == nil {
		t.Fatalf("custom-email login: email verified at %v, last auth %v; want unverified and a login", got.EmailVerifiedAt, got.LastAuthAt)
	}

	// The same for a custom phone number.
	f.SendOTP(otp.OTPSend{Channel: "sms", IdentifierType: "email", Identifier: "ha@example.com", CustomPhone: "+14155550100"})
	code, _ = f.LastCode("+14155550100")
	if _, err := f.AuthenticateOTP("email", "ha@example.com", code); err != nil {
		t.Fatal(err)
	}
	if got := f.GetUser(u.ID); got.PhoneVerifiedAt != nil {
		t.Fatal("a custom-number SMS login verified the profile's phone")
	}

	// A later code to the profile's own address verifies it.
	f.SendOTP(otp.OTPSend{Channel: "email", IdentifierType: "email", Identifier: "ha@example.com"})
	code, _ = f.LastCode("ha@example.com")
	if _, err := f.AuthenticateOTP("email", "ha@example.com", code); err != nil {
		t.Fatal(err)
	}
	if got := f.GetUser(u.ID); got.EmailVerifiedAt == nil {
		t.Fatal("a login by the profile's email did not verify it")
	}
}

func TestCustomEmailForUserWithoutEmail(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.User("", phone)
	f.SendOTP(otp.OTPSend{Channel: "email", IdentifierType: "phone_number", Identifier: phone, CustomEmail: "other@example.com"})
	if len(f.Messages("other@example.com")) != 1 {
		t.Fatal("no email to the custom address")
	}
}

func TestCustomDestinationProblems(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.User("io@example.com", phone)
	_, err := f.OTP.SendOTP(f.Ctx, f.Caller, otp.OTPSend{Channel: "sms", IdentifierType: "email", Identifier: "io@example.com",
		CustomEmail: "x@example.com", CustomPhone: "555-0100"})
	fe := wantCode(t, err, fault.CodeInvalidInput)
	for _, want := range []string{"custom_email applies only", "custom_phone_number: phone number"} {
		if !slices.ContainsFunc(fe.Details, func(d string) bool { return strings.Contains(d, want) }) {
			t.Errorf("problems %q do not mention %q", fe.Details, want)
		}
	}
	_, err = f.OTP.SendOTP(f.Ctx, f.Caller, otp.OTPSend{Channel: "email", IdentifierType: "email", Identifier: "io@example.com", CustomEmail: "not an address"})
	wantCode(t, err, fault.CodeInvalidInput)
}

func TestApprovalData(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.User("jo@example.com", "")
	data := json.RawMessage(`{"payee":"ACME Ltd","amount":12.50,"confirmed":true,"tx.id-1":"a_b"}`)
	sent := f.SendOTP(otp.OTPSend{Channel: "email", IdentifierType: "email", Identifier: "jo@example.com", ApprovalData: data})
	want := `{"amount":12.50,"confirmed":true,"payee":"ACME Ltd","tx.id-1":"a_b"}`
	if string(sent.ApprovalData) != want {
		t.Fatalf("answer's approval data %s, want %s", sent.ApprovalData, want)
	}
	code, _ := f.LastCode("jo@example.com")
	tok, err := f.AuthenticateOTP("email", "jo@example.com", code)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(f.IDClaims(tok.IDToken)["approval_data"])
	if string(got) != `{"amount":12.5,"confirmed":true,"payee":"ACME Ltd","tx.id-1":"a_b"}` {
		t.Fatalf("ID token approval_data %s", got)
	}

	// A login without approval data carries none.
	f.SendOTP(otp.OTPSend{Channel: "email", IdentifierType: "email", Identifier: "jo@example.com", ApprovalData: json.RawMessage(`{}`)})
	code, _ = f.LastCode("jo@example.com")
	tok, err = f.AuthenticateOTP("email", "jo@example.com", code)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := f.IDClaims(tok.IDToken)["approval_data"]; ok {
		t.Fatalf("ID token of a plain login has approval_data %v", v)
	}
}

func TestApprovalDataProblems(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.User("ka@example.com", "")
	eleven := map[string]int{}
	for i := range 11 {
		eleven[string(rune('a'+i))] = i
	}
	tooMany, _ := json.Marshal(eleven)
	cases := map[string]string{
		`"a string"`:         "JSON object",
		`[1,2]`:              "JSON object",
		string(tooMany):      "at most 10 keys",
		`{"bad key":"x"}`:    "keys must be",
		`{"nested":{"a":1}}`: "approval_data.nested",
		`{"list":[1]}`:       "approval_data.list",
		`{"nothing":null}`:   "approval_data.nothing",
		`{"long":"` + strings.Repeat("x", 513) + `"}`: "at most 512",
		`{"huge":1e400}`:  "finite number",
		`{"tiny":-1e999}`: "finite number",
	}
	for raw, want := range cases {
		_, err := f.OTP.SendOTP(f.Ctx, f.Caller, otp.OTPSend{Channel: "email", IdentifierType: "email", Identifier: "ka@example.com", ApprovalData: json.RawMessage(raw)})
		fe := wantCode(t, err, fault.CodeInvalidInput)
		if !slices.ContainsFunc(fe.Details, func(d string) bool { return strings.Contains(d, want) }) {
			t.Errorf("approval_data %.40s: problems %q do not mention %q", raw, fe.Details, want)
		}
	}
	if n := len(f.Messages("ka@example.com")); n != 0 {
		t.Fatalf("%d messages queued by invalid sends", n)
	}
}

// TestHiddenUserAnswersAlike checks that with enumeration protection an unknown user gets an
// answer of the same shape as a known one, for every option.
func TestHiddenUserAnswersAlike(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.UpdateApp(func(a *model.Application) { a.EnumerationProtection = true })
	f.User("known@example.com", "")
	req := func(email string) otp.OTPSend {
		return otp.OTPSend{Channel: "direct", IdentifierType: "email", Identifier: email, GenerateRequestID: true,
			ApprovalData: json.RawMessage(`{"amount":5}`)}
	}
	known := f.SendOTP(req("known@example.com"))
	unknown := f.SendOTP(req("nobody@example.com"))
	for _, s := range []otp.OTPSent{known, unknown} {
		if s.Message != "OTP sent" || len(s.Code) != 6 || s.RequestID == "" || string(s.ApprovalData) != `{"amount":5}` {
			t.Fatalf("answer %+v lacks a part", s)
		}
	}
	_, err := f.OTP.AuthenticateOTP(f.Ctx, f.Caller, otp.OTPAuthenticate{Passcode: unknown.Code, IdentifierType: "email",
		Identifier: "nobody@example.com", RequestID: unknown.RequestID})
	wantCode(t, err, fault.CodeInvalidCredentials)
}

// TestHiddenUserWithSignup checks the answers of an application with both public sign-up and
// enumeration protection: an unknown user who cannot sign up, or cannot be reached on the
// channel, gets the decoy answer and nothing is queued.
func TestHiddenUserWithSignup(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.UpdateApp(func(a *model.Application) { a.EnumerationProtection, a.AllowPublicSignup = true, true })
	for _, req := range []otp.OTPSend{
		{Channel: "sms", IdentifierType: "email", Identifier: "new@example.com"}, // no phone to send to
		{Channel: "email", IdentifierType: "username", Identifier: "newbie"},     // usernames cannot sign up
	} {
		if out := f.SendOTP(req); out.Message != "OTP sent" {
			t.Fatalf("send %+v answered %+v", req, out)
		}
	}
	all, err := f.Store.ListMessages(f.Ctx, f.Boot.TenantID, time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		// A decoy queues a stand-in with no recipient, which only the discarding sender takes.
		if m.Kind != model.MessageSuppressed || m.To != "" {
			t.Errorf("message queued for a hidden user: %+v", m)
		}
	}
	// Without enumeration protection the missing phone is reported.
	f.UpdateApp(func(a *model.Application) { a.EnumerationProtection = false })
	_, err = f.OTP.SendOTP(f.Ctx, f.Caller, otp.OTPSend{Channel: "sms", IdentifierType: "email", Identifier: "new@example.com"})
	wantCode(t, err, fault.CodePhoneMissing)
}

// TestHiddenUserSendWrites checks that a decoy send does a real send's write transaction, so
// that its timing does not single out unknown or inactive users, and that nothing redeems the
// code it stores.
func TestHiddenUserSendWrites(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.UpdateApp(func(a *model.Application) { a.EnumerationProtection = true })
	f.User("known@example.com", "")
	blocked := f.User("blocked@example.com", "")
	if err := f.Store.UpdateUser(f.Ctx, f.Boot.TenantID, blocked.ID, func(u model.User) (model.User, error) {
		u.Status = model.UserDisabled
		return u, nil
	}); err != nil {
		t.Fatal(err)
	}
	work := func(email string) (statements, transactions int64) {
		s0, t0 := f.Store.Stats()
		f.SendOTP(otp.OTPSend{Channel: "email", IdentifierType: "email", Identifier: email})
		s1, t1 := f.Store.Stats()
		return s1 - s0, t1 - t0
	}
	realStmts, real := work("known@example.com")
	if real != 1 {
		t.Fatalf("a real send took %d transactions, want 1", real)
	}
	for _, email := range []string{"nobody@example.com", "blocked@example.com"} {
		if stmts, n := work(email); n != real || stmts != realStmts {
			t.Errorf("decoy send for %s took %d statements in %d transactions, a real one %d in %d", email, stmts, n, realStmts, real)
		}
		code, err := f.Store.LatestCode(f.Ctx, f.Boot.TenantID, f.Boot.AppID, model.PurposeOTP, "email:"+email)
		if err != nil {
			t.Fatalf("decoy send for %s stored no code: %v", email, err)
		}
		if code.Channel != "email" || code.MaxFailures == 0 {
			t.Errorf("decoy code %+v is not shaped like a real one", code)
		}
		for _, guess := range []string{"000000", "123456", "999999"} {
			_, err := f.AuthenticateOTP("email", email, guess)
			wantCode(t, err, fault.CodeInvalidCredentials)
		}
		if n := len(f.Messages(email)); n != 0 {
			t.Errorf("decoy send for %s queued %d messages", email, n)
		}
	}
}

// TestHiddenUserGuessesAnswerAlike checks that guesses at an unknown user's code get the
// answers a known user's would: an expired code is reported as such only to whoever presents
// the right code, and wrong guesses lock after as many attempts.
func TestHiddenUserGuessesAnswerAlike(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.UpdateApp(func(a *model.Application) { a.EnumerationProtection = true })
	f.User("known@example.com", "")
	answers := func(email string) []string {
		f.SendOTP(otp.OTPSend{Channel: "email", IdentifierType: "email", Identifier: email, ExpiresIn: 1})
		var codes []string
		for i := 0; i < 2; i++ {
			_, err := f.AuthenticateOTP("email", email, "000000")
			codes = append(codes, fault.As(err).Code)
		}
		f.Clock.Advance(2 * time.Minute)
		for i := 0; i < model.DefaultFailuresPerIdentifier; i++ {
			_, err := f.AuthenticateOTP("email", email, "111111")
			codes = append(codes, fault.As(err).Code)
		}
		return codes
	}
	known, unknown := answers("known@example.com"), answers("nobody@example.com")
	if !slices.Equal(known, unknown) {
		t.Errorf("guesses answer differently:\nknown   %v\nunknown %v", known, unknown)
	}
	if !slices.Contains(known, fault.CodeLocked) || slices.Contains(known, fault.CodeOTPExpired) {
		t.Errorf("guesses at a known user's code: %v; want a lockout and no expiry", known)
	}

	// The right code of an expired send is told it expired.
	f2 := newOTPFixture(t, auth.Options{})
	f2.User("late@example.com", "")
	out := f2.SendOTP(otp.OTPSend{Channel: "direct", IdentifierType: "email", Identifier: "late@example.com", ExpiresIn: 1})
	f2.Clock.Advance(2 * time.Minute)
	_, err := f2.AuthenticateOTP("email", "late@example.com", out.Code)
	wantCode(t, err, fault.CodeOTPExpired)
}

// The per-IP send limit counts an IPv6 host by its /64, and an IPv4 address however it is
// written.
func TestSendLimitPerIPCountsNetworks(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.UpdateApp(func(a *model.Application) {
		a.Preferences.Limits.SendsPerIP = 2
		a.EnumerationProtection = true
	})
	send := func(i int, ip string) error {
		var attrs model.ClientAttributes
		if err := json.Unmarshal([]byte(`{"ip_address":"`+ip+`"}`), &attrs); err != nil {
			t.Fatal(err)
		}
		_, err := f.OTP.SendOTP(f.Ctx, f.Caller, otp.OTPSend{Channel: "direct", IdentifierType: "email",
			Identifier: "ip" + strconv.Itoa(i) + "@example.com", ClientAttributes: attrs})
		return err
	}
	for i, ip := range []string{"2001:db8:1:2::1", "2001:db8:1:2:ffff::9"} {
		if err := send(i, ip); err != nil {
			t.Fatalf("send %d from %s: %v", i, ip, err)
		}
	}
	wantCode(t, send(2, "2001:db8:1:2::abcd"), fault.CodeRateLimited)
	if err := send(3, "2001:db8:1:3::1"); err != nil {
		t.Errorf("another /64: %v", err)
	}
	for i, ip := range []string{"203.0.113.7", "::ffff:203.0.113.7"} {
		if err := send(10+i, ip); err != nil {
			t.Fatalf("send from %s: %v", ip, err)
		}
	}
	wantCode(t, send(12, "::FFFF:CB00:7107"), fault.CodeRateLimited)
}
