package totp_test

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/auth/authtest"
	"github.com/latchkey/latchkey/internal/auth/totp"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

var recoveryShape = regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{2}$`)

func TestRecoveryCodes(t *testing.T) {
	f := newTOTPFixture(t)
	u := f.User("ma@example.com", "")
	st, err := f.TOTP.RecoveryCodeStatus(f.Ctx, f.Caller, u.ID)
	if err != nil || st.Remaining != 0 || st.CreatedAt != nil {
		t.Fatalf("status before any codes: %+v, %v", st, err)
	}
	codes, err := f.TOTP.GenerateRecoveryCodes(f.Ctx, f.Caller, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes.Codes) != totp.RecoveryCodeCount {
		t.Fatalf("%d codes, want %d", len(codes.Codes), totp.RecoveryCodeCount)
	}
	seen := map[string]bool{}
	for _, c := range codes.Codes {
		if !recoveryShape.MatchString(c) || seen[c] {
			t.Fatalf("code %q is malformed or repeated", c)
		}
		seen[c] = true
	}
	// Only keyed hashes are stored.
	creds, err := f.Store.ListCredentials(f.Ctx, f.Boot.TenantID, u.ID, model.CredentialRecovery)
	if err != nil || len(creds) != totp.RecoveryCodeCount {
		t.Fatalf("%d stored codes, %v", len(creds), err)
	}
	for _, cr := range creds {
		for _, c := range codes.Codes {
			if strings.Contains(string(cr.Secret), strings.ReplaceAll(c, "-", "")) {
				t.Fatal("a recovery code is stored in the clear")
			}
		}
	}

	tok, err := f.LoginRecovery("ma@example.com", codes.Codes[0])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.AMR(tok), []string{"rec"}) {
		t.Fatalf("amr %v, want [rec]", f.AMR(tok))
	}
	if ev, ok := f.Audit.Last(model.EventLoginSucceeded); !ok || ev.Method != "rec" {
		t.Fatalf("audit event %+v", ev)
	}
	// Once only.
	_, err = f.LoginRecovery("ma@example.com", codes.Codes[0])
	wantCode(t, err, fault.CodeInvalidCredentials)
	// Case, hyphens and look-alike letters do not matter.
	typed := strings.ToUpper(strings.ReplaceAll(codes.Codes[1], "-", " "))
	typed = strings.NewReplacer("0", "O", "1", "l").Replace(typed)
	if _, err := f.LoginRecovery("ma@example.com", typed); err != nil {
		t.Fatalf("typed as %q: %v", typed, err)
	}
	st, err = f.TOTP.RecoveryCodeStatus(f.Ctx, f.Caller, u.ID)
	if err != nil || st.Remaining != 8 || st.Used != 2 || st.CreatedAt == nil {
		t.Fatalf("status %+v, %v; want 8 remaining, 2 used", st, err)
	}

	// New codes replace the old ones.
	fresh, err := f.TOTP.GenerateRecoveryCodes(f.Ctx, f.Caller, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.LoginRecovery("ma@example.com", codes.Codes[2])
	wantCode(t, err, fault.CodeInvalidCredentials)
	if st, _ := f.TOTP.RecoveryCodeStatus(f.Ctx, f.Caller, u.ID); st.Remaining != 10 || st.Used != 0 {
		t.Fatalf("status after regeneration %+v", st)
	}
	// Another user's code does not log this one in.
	other := f.User("ne@example.com", "")
	if _, err := f.TOTP.GenerateRecoveryCodes(f.Ctx, f.Caller, other.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.LoginRecovery("ne@example.com", fresh.Codes[0])
	wantCode(t, err, fault.CodeInvalidCredentials)

	if err := f.TOTP.DeleteRecoveryCodes(f.Ctx, f.Caller, u.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.LoginRecovery("ma@example.com", fresh.Codes[0])
	wantCode(t, err, fault.CodeInvalidCredentials)

	// Malformed input is a validation error, listing every problem.
	_, err = f.TOTP.AuthenticateRecoveryCode(f.Ctx, f.Caller, totp.RecoveryCodeAuthenticate{Code: "abc"})
	if fe := wantCode(t, err, fault.CodeInvalidInput); len(fe.Details) != 2 {
		t.Fatalf("problems %v, want identifier and code", fe.Details)
	}
}

func TestRecoveryCodeConcurrentUse(t *testing.T) {
	bothBackends(t, testRecoveryCodeConcurrentUse)
}

func testRecoveryCodeConcurrentUse(t *testing.T, f *authtest.Fixture) {
	u := f.User("ol@example.com", "")
	codes, err := f.TOTP.GenerateRecoveryCodes(f.Ctx, f.Caller, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	const n = 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.LoginRecovery("ol@example.com", codes.Codes[0])
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case fault.As(err).Code != fault.CodeInvalidCredentials:
				t.Errorf("concurrent use: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d of %d concurrent uses of one code succeeded, want 1", wins, n)
	}
}

func TestRecoveryCodeLockout(t *testing.T) {
	f := newTOTPFixture(t)
	u := f.User("pi@example.com", "")
	codes, err := f.TOTP.GenerateRecoveryCodes(f.Ctx, f.Caller, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.UpdateApp(func(a *model.Application) { a.Preferences.Limits.FailuresPerIdentifier = 2 })
	_, err = f.LoginRecovery("pi@example.com", "aaaa-aaaa-aa")
	wantCode(t, err, fault.CodeInvalidCredentials)
	_, err = f.LoginRecovery("pi@example.com", "aaaa-aaaa-ab")
	wantCode(t, err, fault.CodeLocked)
	_, err = f.LoginRecovery("pi@example.com", codes.Codes[0])
	wantCode(t, err, fault.CodeLocked)
	if st, _ := f.TOTP.RecoveryCodeStatus(f.Ctx, f.Caller, u.ID); st.Remaining != 10 {
		t.Fatalf("a refused login spent a code: %+v", st)
	}
}
