package auth_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth/otp"

	"github.com/latchkey/latchkey/internal/auth/authtest"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
)

// TestOutboxRowsHoldNoCodeOrLink reads the outbox as someone with a copy of the database
// would: the rows of an email code, an SMS code and a reset link carry none of them, in any
// column, and only the master key opens them.
func TestOutboxRowsHoldNoCodeOrLink(t *testing.T) {
	f := newFixture(t, auth.Options{})
	f.User("sealed@example.com", "+14155550142")
	f.SendOTP(otp.OTPSend{Channel: model.ChannelEmail, IdentifierType: model.IdentifierEmail, Identifier: "sealed@example.com"})
	f.SendOTP(otp.OTPSend{Channel: model.ChannelSMS, IdentifierType: model.IdentifierEmail, Identifier: "sealed@example.com"})

	raw, err := f.Store.ListMessages(f.Ctx, f.Boot.TenantID, time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != 2 {
		t.Fatalf("%d messages queued, want 2", len(raw))
	}
	other, err := secret.NewKeys(secret.NewMasterKey())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range raw {
		opened, err := delivery.OpenMessage(f.Keys, m)
		if err != nil {
			t.Fatalf("the worker's keys do not open message %s: %v", m.ID, err)
		}
		code := authtest.OTPDigits.FindString(opened.Text)
		if code == "" {
			t.Fatalf("no code in the opened message %q", opened.Text)
		}
		for name, v := range map[string]string{"subject": m.Subject, "text": m.Text, "html": m.HTML,
			"to": m.To, "from": m.From, "last error": m.LastError} {
			if strings.Contains(v, code) {
				t.Errorf("the stored %s of a %s message holds the code %s: %q", name, m.Kind, code, v)
			}
		}
		if m.Text != "" || m.HTML != "" || len(m.Sealed) == 0 || bytes.Contains(m.Sealed, []byte(code)) {
			t.Errorf("the stored %s message is not sealed: text %q, sealed %d bytes", m.Kind, m.Text, len(m.Sealed))
		}
		if _, err := delivery.OpenMessage(other, m); err == nil {
			t.Errorf("another master key opens the %s message", m.Kind)
		}
		redirected := m
		redirected.To = "attacker@example.com"
		if _, err := delivery.OpenMessage(f.Keys, redirected); err == nil {
			t.Errorf("a %s message whose recipient was changed in the database still opens", m.Kind)
		}
	}
}
