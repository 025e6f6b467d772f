package e2e

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/passkey/passkeytest"
	"github.com/latchkey/latchkey/internal/storage"
)

// faultAgent is the user agent whose audit events the faulty store refuses to append.
const faultAgent = "fault-injected-agent/1.0"

// auditFaultStore fails every audit append for an event from faultAgent, in transactions too:
// a write that fails after an attempt was counted, as an insert PostgreSQL refused would.
type auditFaultStore struct{ storage.Store }

func (s auditFaultStore) InTx(ctx context.Context, fn func(tx storage.Store) error) error {
	return s.Store.InTx(ctx, func(tx storage.Store) error { return fn(auditFaultStore{tx}) })
}

func (s auditFaultStore) AppendAudit(ctx context.Context, e model.AuditEvent) error {
	if e.UserAgent == faultAgent {
		return errors.New("audit append refused (injected fault)")
	}
	return s.Store.AppendAudit(ctx, e)
}

// faulty are the client attributes whose attempt's audit event cannot be written.
var faulty = map[string]any{"client_attributes": map[string]any{"user_agent": faultAgent}}

// TestCountedFailuresSurviveLaterFaults makes wrong attempts at every credential that counts
// failures while the attempt's audit event cannot be stored, so that something fails after
// each count in the same request. Each count still holds: the lockout (or, for a magic link,
// the spent link) follows as it would without the fault, and the right credential is refused.
func TestCountedFailuresSurviveLaterFaults(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		o.wrapStore = func(s storage.Store) storage.Store { return auditFaultStore{s} }
		e := newEnv(t, o)
		tok := e.appToken()
		const limit = 3
		wantStatus(t, e.do("PUT", "/cis/loginPreferences/"+e.boot.AppID+"/authMethods", e.adminToken(), map[string]any{
			"rate_limits": map[string]any{"failuresPerIdentifier": limit},
			"email_otp":   map[string]any{"maxFailures": 10},
			"password": map[string]any{"maxPasswordFailures": 10,
				"lockoutTiers": []any{map[string]any{"attempts": limit, "duration": 30}}},
		}), 200, "")
		e.enableWebAuthn(e.boot.AppID, nil)
		tok = e.appToken()
		guess := func(flow string, try func() response) {
			t.Helper()
			// Each guess is counted, then its event fails: the answer is that error.
			for i := 0; i < limit; i++ {
				if res := try(); res.Status != 500 {
					t.Fatalf("%s: a wrong guess with a failing audit event answered %d: %s", flow, res.Status, res.Body)
				}
			}
		}

		t.Run("otp", func(t *testing.T) {
			e.createUser(tok, "otp@example.com")
			code := directCode(e, tok, "otp@example.com")
			guess("otp", func() response { return e.authenticate(tok, "otp@example.com", otherDigits(code), faulty) })
			wantStatus(t, e.authenticate(tok, "otp@example.com", code, nil), 403, "auth_locked")
		})
		t.Run("password", func(t *testing.T) {
			e.pwdCreateUser(tok, "pw@example.com", "", map[string]any{"password": pwdGood, "force_replace": false})
			guess("password", func() response { return e.pwdLogin(tok, "email", "pw@example.com", "Wrong-Guess-0000", faulty) })
			wantStatus(t, e.pwdLogin(tok, "email", "pw@example.com", pwdGood, nil), 403, "auth_locked")
		})
		t.Run("password change", func(t *testing.T) {
			e.pwdCreateUser(tok, "chg@example.com", "", map[string]any{"password": pwdGood, "force_replace": false})
			extra := map[string]any{"username_type": "email", "client_attributes": faulty["client_attributes"]}
			guess("password change", func() response { return e.pwdChange(tok, "chg@example.com", "Wrong-Guess-0000", pwdOther, extra) })
			wantStatus(t, e.pwdLogin(tok, "email", "chg@example.com", pwdGood, nil), 403, "auth_locked")
		})
		t.Run("reset code", func(t *testing.T) {
			e.pwdCreateUser(tok, "rst@example.com", "", map[string]any{"password": pwdGood, "force_replace": false})
			code := e.directResetCode(tok, "rst@example.com")
			complete := func(c string, attrs map[string]any) response {
				body := map[string]any{"identifier_type": "email", "identifier": "rst@example.com", "code": c, "new_password": pwdOther}
				for k, v := range attrs {
					body[k] = v
				}
				return e.do("POST", "/cis/v1/auth/password/reset/complete", tok, body)
			}
			guess("reset", func() response { return complete(otherDigits(code), faulty) })
			wantStatus(t, complete(code, nil), 403, "auth_locked")
			wantStatus(t, e.pwdLogin(tok, "email", "rst@example.com", pwdOther, nil), 400, "auth_invalid_credentials")
		})
		t.Run("totp", func(t *testing.T) {
			user := e.createUser(tok, "totp@example.com")
			en := e.enrolConfirmedTOTP(tok, user)
			guess("totp", func() response {
				return e.totpLogin(tok, "totp@example.com", otherDigits(e.totpCode(en, 0)), faulty)
			})
			wantStatus(t, e.totpLogin(tok, "totp@example.com", e.totpCode(en, 0), nil), 403, "auth_locked")
		})
		t.Run("recovery code", func(t *testing.T) {
			user := e.createUser(tok, "rec@example.com")
			e.enrolConfirmedTOTP(tok, user)
			codes := e.recoveryCodes(tok, user)
			guess("recovery", func() response {
				body := map[string]any{"code": "AAAA-AAAA-AA", "identifier": "rec@example.com"}
				body["client_attributes"] = faulty["client_attributes"]
				return e.do("POST", "/cis/v1/auth/recovery-code/authenticate", tok, body)
			})
			wantStatus(t, e.recoveryLogin(tok, "rec@example.com", codes[0]), 403, "auth_locked")
		})
		t.Run("passkey", func(t *testing.T) {
			user := e.createUser(tok, "pk@example.com")
			a := passkeytest.New(waOrigin)
			wantStatus(t, e.registerPasskey(tok, map[string]any{"user_id": user}, nil, a), 200, "")
			a.Origin = "https://evil.example.org" // every assertion fails its origin check
			guess("passkey", func() response { return e.passkeyLogin(tok, "pk@example.com", a, faulty) })
			a.Origin = waOrigin
			wantStatus(t, e.passkeyLogin(tok, "pk@example.com", a, nil), 403, "auth_locked")
		})
		t.Run("magic link", func(t *testing.T) {
			e.createUser(tok, "ml@example.com")
			res := e.do("POST", linkSend, tok, map[string]any{"email": "ml@example.com", "redirect_uri": linkRedirect, "channel": "direct"})
			wantStatus(t, res, 200, "")
			link, err := url.Parse(res.JSON(t)["link"].(string))
			if err != nil {
				t.Fatal(err)
			}
			code := link.Query().Get("code")
			// A link is spent after five wrong presentations of its id.
			for i := 0; i < 5; i++ {
				if res := e.redeemLink(tok, otherLast(code), faulty); res.Status != 500 {
					t.Fatalf("a wrong link answered %d: %s", res.Status, res.Body)
				}
			}
			wantStatus(t, e.redeemLink(tok, code, nil), 400, "")
		})
	})
}

// otherDigits changes the first character of a code to another digit or letter.
func otherDigits(code string) string {
	b := []byte(code)
	switch {
	case b[0] >= '0' && b[0] <= '9':
		b[0] = '0' + (b[0]-'0'+1)%10
	case b[0] == 'A':
		b[0] = 'B'
	default:
		b[0] = 'A'
	}
	return string(b)
}

// otherLast changes the last character of a code.
func otherLast(code string) string {
	b := []byte(code)
	if b[len(b)-1] == 'A' {
		b[len(b)-1] = 'B'
	} else {
		b[len(b)-1] = 'A'
	}
	return string(b)
}
