package e2e

import (
	"regexp"
	"slices"
	"sync"
	"testing"
)

var recoveryCodeShape = regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{2}$`)

// recoveryCodes generates a user's recovery codes.
func (e *env) recoveryCodes(token, userID string) []string {
	e.t.Helper()
	res := e.do("POST", "/cis/v1/users/"+userID+"/recovery-codes", token, nil)
	wantStatus(e.t, res, 201, "")
	var out []string
	for _, c := range result(e.t, res)["recovery_codes"].([]any) {
		out = append(out, c.(string))
	}
	return out
}

func (e *env) recoveryRemaining(token, userID string) float64 {
	e.t.Helper()
	res := e.do("GET", "/cis/v1/users/"+userID+"/recovery-codes", token, nil)
	wantStatus(e.t, res, 200, "")
	return result(e.t, res)["remaining"].(float64)
}

func TestRecoveryCodesOnceOnly(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		user := e.createUser(tok, "rex@example.com")
		if n := e.recoveryRemaining(tok, user); n != 0 {
			t.Fatalf("%v codes before any were generated", n)
		}
		codes := e.recoveryCodes(tok, user)
		if len(codes) != 10 {
			t.Fatalf("%d codes, want 10", len(codes))
		}
		for _, c := range codes {
			if !recoveryCodeShape.MatchString(c) {
				t.Fatalf("code %q has the wrong shape", c)
			}
		}
		if n := e.recoveryRemaining(tok, user); n != 10 {
			t.Fatalf("remaining %v, want 10", n)
		}

		res := e.recoveryLogin(tok, "rex@example.com", codes[0])
		wantStatus(t, res, 200, "")
		if amr := amrOf(t, e, res); !slices.Equal(amr, []string{"rec"}) {
			t.Fatalf("amr %v, want [rec]", amr)
		}
		wantStatus(t, e.recoveryLogin(tok, "rex@example.com", codes[0]), 400, "auth_invalid_credentials")
		wantStatus(t, e.recoveryLogin(tok, "nobody@example.com", codes[1]), 400, "auth_invalid_credentials")
		wantStatus(t, e.recoveryLogin(tok, "rex@example.com", "not a code"), 400, "system_invalid_input")
		if n := e.recoveryRemaining(tok, user); n != 9 {
			t.Fatalf("remaining %v, want 9", n)
		}

		// Regenerating replaces every earlier code.
		fresh := e.recoveryCodes(tok, user)
		wantStatus(t, e.recoveryLogin(tok, "rex@example.com", codes[1]), 400, "auth_invalid_credentials")
		wantStatus(t, e.do("DELETE", "/cis/v1/users/"+user+"/recovery-codes", tok, nil), 204, "")
		wantStatus(t, e.recoveryLogin(tok, "rex@example.com", fresh[0]), 400, "auth_invalid_credentials")
	})
}

func TestRecoveryCodeConcurrentUses(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		user := e.createUser(tok, "con@example.com")
		code := e.recoveryCodes(tok, user)[0]
		const n = 10
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = e.recoveryLogin(tok, "con@example.com", code).Status
			}()
		}
		wg.Wait()
		ok := 0
		for _, s := range statuses {
			switch s {
			case 200:
				ok++
			case 400:
			default:
				t.Errorf("a concurrent use answered %d", s)
			}
		}
		if ok != 1 {
			t.Fatalf("%d of %d concurrent uses succeeded (%v), want exactly 1", ok, n, statuses)
		}
		if left := e.recoveryRemaining(tok, user); left != 9 {
			t.Fatalf("remaining %v, want 9", left)
		}
	})
}

func TestRecoveryCodeAfterTOTPLockout(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	res := e.do("PUT", "/cis/loginPreferences/"+e.boot.AppID+"/authMethods", e.adminToken(), map[string]any{
		"rate_limits": map[string]any{"failuresPerIdentifier": 1}})
	wantStatus(t, res, 200, "")
	user := e.createUser(tok, "lost@example.com")
	first := e.authenticate(tok, "lost@example.com", e.sendCode(tok, "lost@example.com", 0), nil)
	wantStatus(t, first, 200, "")
	en := e.enrolConfirmedTOTP(tok, user)
	codes := e.recoveryCodes(tok, user)
	wrong := []byte(e.totpCode(en, 0))
	wrong[0] = '0' + (wrong[0]-'0'+1)%10
	wantStatus(t, e.totpLogin(tok, "lost@example.com", string(wrong), nil), 403, "auth_locked")
	// Locked out of TOTP, the user still gets in with a recovery code, as a second factor too.
	res = e.do("POST", "/cis/v1/auth/recovery-code/authenticate", tok, map[string]any{
		"code": codes[3], "identifier": "lost@example.com", "session_id": first.JSON(t)["session_id"]})
	wantStatus(t, res, 200, "")
	if amr := amrOf(t, e, res); !slices.Equal(amr, []string{"eotp", "rec", "mfa"}) {
		t.Fatalf("amr %v, want [eotp rec mfa]", amr)
	}
}
