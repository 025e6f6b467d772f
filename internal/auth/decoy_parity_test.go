package auth_test

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth/authtest"
	"github.com/latchkey/latchkey/internal/auth/passwords"

	"github.com/latchkey/latchkey/internal/auth/magiclink"

	"github.com/latchkey/latchkey/internal/auth/otp"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// parityCase is one request that enumeration protection answers alike for every identity.
type parityCase struct {
	name string
	// do makes the request for an email address and a phone number.
	do func(f *fixture, email, phone string) error
	// message is set when a real send queues a message, which a decoy must render too.
	message bool
	// bareSends is set when a user with an email address alone is sent a real message.
	bareSends bool
}

func parityCases() []parityCase {
	otp := func(channel, idType string) func(f *fixture, email, phone string) error {
		return func(f *fixture, email, phone string) error {
			id := email
			if idType == model.IdentifierPhone {
				id = phone
			}
			_, err := f.OTP.SendOTP(f.Ctx, f.Caller, otp.OTPSend{Channel: channel, IdentifierType: idType, Identifier: id})
			return err
		}
	}
	reset := func(channel, redirect string) func(f *fixture, email, phone string) error {
		return func(f *fixture, email, _ string) error {
			_, err := f.Passwords.SendPasswordReset(f.Ctx, f.Caller, passwords.PasswordResetSend{
				IdentifierType: model.IdentifierEmail, Identifier: email, Channel: channel, RedirectURI: redirect})
			return err
		}
	}
	link := func(channel string) func(f *fixture, email, phone string) error {
		return func(f *fixture, email, _ string) error {
			_, err := f.Links.SendMagicLink(f.Ctx, f.Caller, magiclink.MagicLinkSend{Channel: channel,
				IdentifierType: model.IdentifierEmail, Identifier: email, RedirectURI: parityRedirect})
			return err
		}
	}
	return []parityCase{
		{name: "otp direct", do: otp(model.ChannelDirect, model.IdentifierEmail)},
		{name: "otp email", do: otp(model.ChannelEmail, model.IdentifierEmail), message: true, bareSends: true},
		{name: "otp sms by phone", do: otp(model.ChannelSMS, model.IdentifierPhone), message: true},
		{name: "otp sms by email", do: otp(model.ChannelSMS, model.IdentifierEmail), message: true},
		{name: "magic link email", do: link(model.ChannelEmail), message: true, bareSends: true},
		{name: "magic link direct", do: link(model.ChannelDirect)},
		{name: "reset email code", do: reset(model.ChannelEmail, ""), message: true},
		{name: "reset email link", do: reset(model.ChannelEmail, parityRedirect), message: true},
		{name: "reset sms", do: reset(model.ChannelSMS, ""), message: true},
		{name: "reset direct", do: reset(model.ChannelDirect, "")},
		{name: "totp login", do: func(f *fixture, email, _ string) error {
			_, err := f.LoginTOTP(email, "000000", nil)
			return err
		}},
		{name: "recovery code login", do: func(f *fixture, email, _ string) error {
			_, err := f.LoginRecovery(email, "0000-0000-00")
			return err
		}},
	}
}

const parityRedirect = "https://app.example.com/callback"

// TestDecoyWorkParity checks, under enumeration protection, that every send and every login
// by a stored credential does the same database work (SQL statements and transactions) for a
// user who does not exist, an inactive one and one without the method's credential or address
// as for a complete user, answers alike, and that a decoy send renders the message a real send
// queues (kept as a handled stand-in that nobody is sent). Work skipped for a hidden user is
// time saved, which tells an attacker who exists.
func TestDecoyWorkParity(t *testing.T) {
	bothBackends(t, func(t *testing.T, f *fixture) {
		known, hidden := parityUsers(f)
		for _, c := range parityCases() {
			// Once each first, so that statements prepared on first use count on no side.
			for _, h := range hidden {
				_ = c.do(f, h.email, h.phone)
			}
			_ = c.do(f, known.Email, "+14155550100")
			ks, kt, kerr := f.Work(func() error { return c.do(f, known.Email, "+14155550100") })
			var real model.OutboxMessage
			if c.message {
				real = f.lastMessage()
			}
			for _, h := range hidden {
				hs, ht, herr := f.Work(func() error { return c.do(f, h.email, h.phone) })
				if hs != ks || ht != kt {
					t.Errorf("%s, %s user: %d statements in %d transactions, a known user's %d in %d", c.name, h.name, hs, ht, ks, kt)
				}
				if fault.As(herr).Code != fault.As(kerr).Code {
					t.Errorf("%s, %s user: answered %v, a known user %v", c.name, h.name, herr, kerr)
				}
				if !c.message || (h.name == "bare" && c.bareSends) {
					continue
				}
				decoy := f.lastMessage()
				if decoy.Kind != model.MessageSuppressed || decoy.To != "" {
					t.Errorf("%s, %s user: the decoy queued a %s message to %q", c.name, h.name, decoy.Kind, decoy.To)
				}
				if decoy.Text == "" || decoy.Subject != real.Subject || (decoy.HTML == "") != (real.HTML == "") {
					t.Errorf("%s, %s user: the decoy rendered subject %q, %d bytes of text, %d of HTML; a real send %q, %d, %d",
						c.name, h.name, decoy.Subject, len(decoy.Text), len(decoy.HTML), real.Subject, len(real.Text), len(real.HTML))
				}
			}
		}
	})
}

// parityIdentity is an email address and phone number a parity case may name a user by.
type parityIdentity struct{ name, email, phone string }

// parityUsers turns enumeration protection on, with send limits that do not bind, and creates
// a complete user (password, phone number, TOTP, recovery codes) and the identities that
// protection hides: nobody, an inactive user and a user without any credential or phone.
func parityUsers(f *fixture) (known model.User, hidden []parityIdentity) {
	f.T.Helper()
	f.UpdateApp(func(a *model.Application) {
		a.EnumerationProtection = true
		a.Preferences.Limits.SendsPerIdentifier, a.Preferences.MagicLink.LinksPerUser = 1000, 1000
	})
	err := f.Store.UpdateClient(f.Ctx, f.Boot.TenantID, f.Boot.ClientID, func(c model.Client) (model.Client, error) {
		c.RedirectURIs = append(c.RedirectURIs, parityRedirect)
		return c, nil
	})
	if err != nil {
		f.T.Fatal(err)
	}
	known = f.PasswordUser("known@example.com", "", authtest.GoodPassword, false)
	f.setPhone(known.ID, "+14155550100")
	f.EnrolConfirmedTOTP(known.ID)
	if _, err := f.TOTP.GenerateRecoveryCodes(f.Ctx, f.Caller, known.ID); err != nil {
		f.T.Fatal(err)
	}
	inactive := f.PasswordUser("inactive@example.com", "", authtest.GoodPassword, false)
	f.setPhone(inactive.ID, "+14155550101")
	if err := f.Store.UpdateUser(f.Ctx, f.Boot.TenantID, inactive.ID, func(u model.User) (model.User, error) {
		u.Status = model.UserDisabled
		return u, nil
	}); err != nil {
		f.T.Fatal(err)
	}
	bare := f.User("bare@example.com", "") // no password, phone, TOTP or recovery codes
	return known, []parityIdentity{
		{"unknown", "nobody@example.com", "+14155550199"},
		{"inactive", "inactive@example.com", "+14155550101"},
		{"bare", bare.Email, "+14155550198"},
	}
}

// TestAlikeAnswersLeaveOnTheGrid checks that under enumeration protection every answer the
// protection makes alike, for a complete user and for each hidden one, is held to
// auth.DefaultAnswerGrid and so takes at least one step of it; and that without the protection, where
// answers differ anyway, none is held.
func TestAlikeAnswersLeaveOnTheGrid(t *testing.T) {
	f := newFixture(t, auth.Options{})
	known, hidden := parityUsers(f)
	all := append([]parityIdentity{{"known", known.Email, "+14155550100"}}, hidden...)
	for _, protect := range []bool{true, false} {
		f.UpdateApp(func(a *model.Application) { a.EnumerationProtection = protect })
		for _, c := range parityCases() {
			for _, id := range all {
				before := f.Svc.HeldAnswers()
				t0 := time.Now()
				_ = c.do(f, id.email, id.phone)
				elapsed, held := time.Since(t0), f.Svc.HeldAnswers()-before
				switch {
				case protect && (held != 1 || elapsed < auth.DefaultAnswerGrid):
					t.Errorf("%s, %s user, protected: %d answers held, answered after %v; want 1, at least %v",
						c.name, id.name, held, elapsed, auth.DefaultAnswerGrid)
				case !protect && held != 0:
					t.Errorf("%s, %s user, unprotected: %d answers held, want none", c.name, id.name, held)
				}
			}
		}
	}
}

// lastMessage returns the newest queued message of the tenant.
func (f *fixture) lastMessage() model.OutboxMessage {
	f.T.Helper()
	all, err := f.Store.ListMessages(f.Ctx, f.Boot.TenantID, f.Clock.Now().Add(-24*3600e9), 10000)
	if err != nil || len(all) == 0 {
		f.T.Fatalf("no message: %v", err)
	}
	// Bodies are queued sealed; the worker opens them just before sending, and so does this.
	m, err := delivery.OpenMessage(f.Keys, all[len(all)-1])
	if err != nil {
		f.T.Fatalf("open the last message: %v", err)
	}
	return m
}

func (f *fixture) setPhone(userID, phone string) {
	f.T.Helper()
	err := f.Store.UpdateUser(f.Ctx, f.Boot.TenantID, userID, func(u model.User) (model.User, error) {
		u.PhoneNumber = phone
		return u, nil
	})
	if err != nil {
		f.T.Fatal(err)
	}
}

// Under enumeration protection a known user without the channel's address gets the decoy, as
// an unknown one does: "no phone number" would say the user exists.
func TestHiddenUserWithoutAddress(t *testing.T) {
	f := newFixture(t, auth.Options{})
	f.User("nophone@example.com", "")
	_, err := f.OTP.SendOTP(f.Ctx, f.Caller, otp.OTPSend{Channel: "sms", IdentifierType: "email", Identifier: "nophone@example.com"})
	authtest.WantCode(t, err, fault.CodePhoneMissing)
	f.UpdateApp(func(a *model.Application) { a.EnumerationProtection = true })
	for _, email := range []string{"nophone@example.com", "nobody@example.com"} {
		out, err := f.OTP.SendOTP(f.Ctx, f.Caller, otp.OTPSend{Channel: "sms", IdentifierType: "email", Identifier: email})
		if err != nil || out.Message != "OTP sent" {
			t.Errorf("%s: %+v, %v; want the decoy answer", email, out, err)
		}
	}
	f.PasswordUser("withpw@example.com", "withpw", authtest.GoodPassword, false)
	_, err = f.Passwords.SendPasswordReset(f.Ctx, f.Caller, passwords.PasswordResetSend{IdentifierType: model.IdentifierEmail, Identifier: "withpw@example.com", Channel: model.ChannelSMS})
	if err != nil {
		t.Errorf("password reset by SMS for a user without a phone: %v; want the decoy answer", err)
	}
}
