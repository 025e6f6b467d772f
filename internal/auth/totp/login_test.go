package totp_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth/otp"

	"github.com/latchkey/latchkey/internal/auth/authtest"
	"github.com/latchkey/latchkey/internal/auth/totp"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

func TestTOTPLoginAndReplay(t *testing.T) {
	f := newTOTPFixture(t)
	u := f.User("ed@example.com", "")
	e := f.EnrolConfirmedTOTP(u.ID)

	code := f.TOTPCodeAt(e, 0)
	tok, err := f.LoginTOTP("ED@example.com", code, nil)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	claims := f.IDClaims(tok.IDToken)
	if claims["sub"] != u.ID || !slices.Equal(f.AMR(tok), []string{"otp"}) || tok.RefreshToken == "" || tok.SessionID == "" {
		t.Fatalf("claims %v, tokens %+v", claims, tok)
	}
	if ev, ok := f.Audit.Last(model.EventLoginSucceeded); !ok || ev.Method != "otp" || ev.UserID != u.ID {
		t.Fatalf("login audit event %+v", ev)
	}
	if got := f.GetUser(u.ID); got.LastAuthAt == nil || got.EmailVerifiedAt != nil {
		t.Fatalf("a TOTP login must record the login and verify no email: %+v", got)
	}

	// The same code again, even at once, is refused.
	_, err = f.LoginTOTP("ed@example.com", code, nil)
	wantCode(t, err, fault.CodeInvalidCredentials)
	if ev, ok := f.Audit.Last(model.EventLoginFailed); !ok || ev.Reason != fault.CodeInvalidCredentials || ev.Method != "otp" {
		t.Fatalf("failure audit event %+v", ev)
	}
	list, _ := f.TOTP.ListTOTP(f.Ctx, f.Caller, u.ID)
	if len(list) != 1 || list[0].LastUsedAt == nil {
		t.Fatalf("last use not recorded: %+v", list)
	}

	// user_id and username identifiers work too; validation lists every problem.
	f.Clock.Advance(30 * time.Second)
	if _, err := f.LoginTOTP(u.ID, f.TOTPCodeAt(e, 0), func(r *totp.TOTPAuthenticate) { r.IdentifierType = "user_id" }); err != nil {
		t.Fatalf("login by user id: %v", err)
	}
	_, err = f.TOTP.AuthenticateTOTP(f.Ctx, f.Caller, totp.TOTPAuthenticate{IdentifierType: "pigeon", Token: "12a"})
	if fe := wantCode(t, err, fault.CodeInvalidInput); len(fe.Details) != 3 {
		t.Fatalf("problems %v, want identifier_type, identifier and token", fe.Details)
	}
}

func TestTOTPConcurrentReplay(t *testing.T) {
	bothBackends(t, testTOTPConcurrentReplay)
}

func testTOTPConcurrentReplay(t *testing.T, f *authtest.Fixture) {
	u := f.User("fi@example.com", "")
	e := f.EnrolConfirmedTOTP(u.ID)
	code := f.TOTPCodeAt(e, 0)
	const n = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.LoginTOTP("fi@example.com", code, nil); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if fault.As(err).Code != fault.CodeInvalidCredentials {
				t.Errorf("concurrent login: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d of %d concurrent logins with one code succeeded, want 1", wins, n)
	}
}

func TestTOTPWindow(t *testing.T) {
	f := newTOTPFixture(t)
	u := f.User("gu@example.com", "")
	e := f.EnrolConfirmedTOTP(u.ID)
	step := authtest.Period(e)
	f.Clock.Advance(2 * step)

	// Two steps ago is outside a window of one.
	_, err := f.LoginTOTP("gu@example.com", f.TOTPCodeAt(e, -2*step), nil)
	wantCode(t, err, fault.CodeInvalidCredentials)
	// The previous step is inside it.
	if _, err := f.LoginTOTP("gu@example.com", f.TOTPCodeAt(e, -step), nil); err != nil {
		t.Fatalf("previous step refused: %v", err)
	}
	// So is the next one; once it is used, the current one is older and refused.
	if _, err := f.LoginTOTP("gu@example.com", f.TOTPCodeAt(e, step), nil); err != nil {
		t.Fatalf("next step refused: %v", err)
	}
	_, err = f.LoginTOTP("gu@example.com", f.TOTPCodeAt(e, 0), nil)
	wantCode(t, err, fault.CodeInvalidCredentials)

	// A window of two reaches two steps back.
	f.SetTOTPPrefs(model.TOTPPreferences{Window: 2})
	f.Clock.Advance(4 * step)
	if _, err := f.LoginTOTP("gu@example.com", f.TOTPCodeAt(e, -2*step), nil); err != nil {
		t.Fatalf("two steps back with window 2: %v", err)
	}
	_, err = f.LoginTOTP("gu@example.com", f.TOTPCodeAt(e, -3*step), nil)
	wantCode(t, err, fault.CodeInvalidCredentials)
}

func TestTOTPAlgorithmPreferences(t *testing.T) {
	f := newTOTPFixture(t)
	u := f.User("ha@example.com", "")
	f.SetTOTPPrefs(model.TOTPPreferences{Algorithm: "sha256", Digits: 8, Period: 60, Issuer: "Acme Bank"})
	e := f.EnrolConfirmedTOTP(u.ID)
	if e.Algorithm != "sha256" || e.Digits != 8 || e.Period != 60 || len(e.Secret) != 52 {
		t.Fatalf("enrolment %+v with secret %q, want sha256/8/60 and a 32-byte key", e.TOTPCredential, e.Secret)
	}
	for _, want := range []string{"algorithm=SHA256", "digits=8", "period=60", "issuer=Acme", "totp/Acme%20Bank:ha@example.com"} {
		if !strings.Contains(e.URI, want) {
			t.Fatalf("URI %s lacks %s", e.URI, want)
		}
	}
	code := f.TOTPCodeAt(e, 0)
	if len(code) != 8 {
		t.Fatalf("reference code %q is not 8 digits", code)
	}
	// The six-digit code of the same key and time, or a SHA-1 code, does not log in.
	_, err := f.LoginTOTP("ha@example.com", code[2:], nil)
	wantCode(t, err, fault.CodeInvalidCredentials)
	sha1 := e
	sha1.Algorithm = "sha1"
	if c := f.TOTPCodeAt(sha1, 0); c != code {
		_, err = f.LoginTOTP("ha@example.com", c, nil)
		wantCode(t, err, fault.CodeInvalidCredentials)
	}
	if _, err := f.LoginTOTP("ha@example.com", code, nil); err != nil {
		t.Fatalf("login with an 8-digit SHA-256 code: %v", err)
	}

	// A later change of preferences leaves the enrolled credential as it was.
	f.SetTOTPPrefs(model.TOTPPreferences{})
	f.Clock.Advance(authtest.Period(e))
	if _, err := f.LoginTOTP("ha@example.com", f.TOTPCodeAt(e, 0), nil); err != nil {
		t.Fatalf("login after the preferences changed: %v", err)
	}
}

func TestTOTPLockout(t *testing.T) {
	f := newTOTPFixture(t)
	u := f.User("io@example.com", "")
	e := f.EnrolConfirmedTOTP(u.ID)
	f.UpdateApp(func(a *model.Application) {
		a.Preferences.Limits.FailuresPerIdentifier = 3
		a.Preferences.TOTP.LockoutDuration = 10
	})

	// An unknown user and a wrong code answer alike.
	_, unknownErr := f.LoginTOTP("nobody@example.com", f.TOTPCodeAt(e, 0), nil)
	_, wrongErr := f.LoginTOTP("io@example.com", wrongCode(f.TOTPCodeAt(e, 0)), nil)
	uf, wf := wantCode(t, unknownErr, fault.CodeInvalidCredentials), wantCode(t, wrongErr, fault.CodeInvalidCredentials)
	if uf.Message != wf.Message || uf.Kind != wf.Kind {
		t.Fatalf("unknown user %v and wrong code %v differ", uf, wf)
	}

	_, err := f.LoginTOTP("io@example.com", wrongCode(f.TOTPCodeAt(e, 0)), nil)
	wantCode(t, err, fault.CodeInvalidCredentials)
	_, err = f.LoginTOTP("io@example.com", wrongCode(f.TOTPCodeAt(e, 0)), nil)
	if fe := wantCode(t, err, fault.CodeLocked); fe.RetryAfter != 10*time.Minute {
		t.Fatalf("retry after %v, want 10m", fe.RetryAfter)
	}
	if _, ok := f.Audit.Last(model.EventLockout); !ok {
		t.Fatal("no lockout audit event")
	}
	// While locked, even the right code is refused; other methods are not locked.
	_, err = f.LoginTOTP("io@example.com", f.TOTPCodeAt(e, 0), nil)
	wantCode(t, err, fault.CodeLocked)
	codes, err := f.TOTP.GenerateRecoveryCodes(f.Ctx, f.Caller, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.LoginRecovery("io@example.com", codes.Codes[0]); err != nil {
		t.Fatalf("a TOTP lockout blocked recovery codes: %v", err)
	}

	f.Clock.Advance(10 * time.Minute)
	if _, err := f.LoginTOTP("io@example.com", f.TOTPCodeAt(e, 0), nil); err != nil {
		t.Fatalf("login after the lockout ended: %v", err)
	}
}

func TestTOTPInactiveUser(t *testing.T) {
	f := newTOTPFixture(t)
	u := f.User("jo@example.com", "")
	e := f.EnrolConfirmedTOTP(u.ID)
	err := f.Store.UpdateUser(f.Ctx, f.Boot.TenantID, u.ID, func(u model.User) (model.User, error) {
		u.Status = model.UserDisabled
		return u, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.LoginTOTP("jo@example.com", f.TOTPCodeAt(e, 0), nil)
	wantCode(t, err, fault.CodeUserNotActive)
}

func TestTOTPAsSecondFactor(t *testing.T) {
	f := newTOTPFixture(t)
	u := f.User("ky@example.com", "")
	e := f.EnrolConfirmedTOTP(u.ID)
	f.SendOTP(otp.OTPSend{Channel: "email", IdentifierType: "email", Identifier: "ky@example.com"})
	code, _ := f.LastCode("ky@example.com")
	first, err := f.AuthenticateOTP("email", "ky@example.com", code)
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.LoginTOTP("ky@example.com", f.TOTPCodeAt(e, 0), func(r *totp.TOTPAuthenticate) { r.SessionID = first.SessionID })
	if err != nil {
		t.Fatal(err)
	}
	if second.SessionID != first.SessionID || !slices.Equal(f.AMR(second), []string{"eotp", "otp", "mfa"}) {
		t.Fatalf("session %s (want %s), amr %v", second.SessionID, first.SessionID, f.AMR(second))
	}

	// Another user's session is refused, and the code is not spent by the refusal.
	other := f.User("lu@example.com", "")
	oe := f.EnrolConfirmedTOTP(other.ID)
	_, err = f.TOTP.AuthenticateTOTP(f.Ctx, f.Caller, totp.TOTPAuthenticate{Token: f.TOTPCodeAt(oe, 0), Identifier: "lu@example.com", Login: auth.Login{SessionID: first.SessionID}})
	wantCode(t, err, fault.CodeSessionNotFound)
	if _, err := f.LoginTOTP("lu@example.com", f.TOTPCodeAt(oe, 0), nil); err != nil {
		t.Fatalf("code spent by a refused login: %v", err)
	}
}
