package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
)

// checkTenantBWorks checks, after every isolation case has run, that each of tenant B's
// credentials, tokens, pending codes and ceremonies still does its job for B: none was
// spent, locked or replaced by tenant A's calls. The checks that spend something come in an
// order that keeps the later ones meaningful (a completed password reset comes last).
func (f *isoFixture) checkTenantBWorks(t *testing.T) {
	t.Helper()
	e, b := f.e, f.b
	ten, err := e.store.GetTenant(context.Background(), b.TenantID)
	if err != nil || ten.WebhookURL != b.WebhookURL {
		t.Fatalf("tenant B's audit webhook is %q (%v), want %q", ten.WebhookURL, err, b.WebhookURL)
	}
	if ten.DefaultLanguage != "" {
		t.Fatalf("tenant B's default language became %q", ten.DefaultLanguage)
	}
	steps := []struct {
		name string
		do   func() response
		want int
	}{
		{"session", func() response {
			return e.do("POST", "/cis/v1/auth/session/authenticate", b.client, map[string]any{"session_id": b.SessionID})
		}, 200},
		{"refresh token", func() response {
			return e.do("POST", "/cis/v1/auth/token/refresh", b.client, map[string]any{"refresh_token": b.RefreshToken})
		}, 200},
		{"pending OTP", func() response { return e.authenticate(b.client, b.Email, b.PendingCode, nil) }, 200},
		{"pending magic link", func() response {
			return e.do("POST", "/cis/v1/auth/link/email/authenticate", b.client, map[string]any{"code": b.PendingLink})
		}, 200},
		{"TOTP", func() response { return e.totpLogin(b.client, b.Email, e.totpCode(b.TOTP, 0), nil) }, 200},
		{"recovery code", func() response { return e.recoveryLogin(b.client, b.Email, b.RecoveryCodes[0]) }, 200},
		{"passkey login", func() response {
			return e.do("POST", "/cis/v1/auth/webauthn/authenticate", b.client, map[string]any{"webauthn_encoded_result": b.PasskeyLogin})
		}, 200},
		{"passkey registration", func() response {
			return e.do("POST", "/cis/v1/auth/webauthn/external/register", b.client, map[string]any{"webauthn_encoded_result": b.PasskeyRegister})
		}, 200},
		{"cross-device login", func() response {
			return e.raw("POST", "/cis/v1/auth/webauthn/authenticate", b.client, fmt.Sprintf(`{"webauthn_encoded_result": %q}`, b.XDLoginResult))
		}, 200},
		{"cross-device login's session, polled", func() response {
			res := e.xdStatus(b.XDLogin)
			if res.Status == 200 && res.JSON(t)["session_id"] == nil {
				t.Errorf("tenant B's cross-device poll carries no session: %s", res.Body)
			}
			return res
		}, 200},
		{"cross-device registration", func() response {
			return e.raw("POST", "/cis/v1/auth/webauthn/external/register", b.client, fmt.Sprintf(`{"webauthn_encoded_result": %q}`, b.XDRegisterResult))
		}, 200},
		{"cross-device flow not yet taken up", func() response {
			return e.raw("POST", xdBase+"/attach-device", "", ticketBody(b.XDPending))
		}, 200},
		{"password", func() response { return e.pwdLogin(b.client, "email", b.Email, pwdGood, nil) }, 200},
		{"password reset link", func() response {
			return e.do("POST", "/cis/v1/auth/password/reset/complete", b.client, map[string]any{"code": b.ResetLink, "new_password": pwdOther})
		}, 200},
		// A completed reset spends the user's other pending reset codes (that the typed code
		// was still pending until then, the state snapshot shows).
		{"password reset code after the link", func() response {
			return e.do("POST", "/cis/v1/auth/password/reset/complete", b.client, map[string]any{
				"identifier_type": "email", "identifier": b.Email, "code": b.ResetCode, "new_password": pwdThird})
		}, 400},
	}
	for _, s := range steps {
		if res := s.do(); res.Status != s.want {
			t.Errorf("tenant B's %s after the isolation cases: status %d, want %d: %s", s.name, res.Status, s.want, res.Body)
		}
	}
	creds, err := e.store.ListCredentials(context.Background(), b.TenantID, b.UserID, model.CredentialWebAuthn)
	if err != nil || len(creds) != 2 {
		t.Errorf("tenant B's passkeys: %d (%v), want 2", len(creds), err)
	}
}
