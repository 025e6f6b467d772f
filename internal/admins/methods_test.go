package admins_test

import (
	"errors"
	"testing"

	"github.com/latchkey/latchkey/internal/admins"
	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/auth/authtest"
	"github.com/latchkey/latchkey/internal/auth/totp"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// setUpPasswordAndTOTP gives a signed-in administrator a password and a confirmed
// authenticator from their account, and returns the enrolment.
func setUpPasswordAndTOTP(t *testing.T, f *authtest.Fixture, s *admins.Service, a admins.Admin, pw string) totp.TOTPEnrolment {
	t.Helper()
	if err := s.SetPassword(f.Ctx, a, pw, model.ClientAttributes{}); err != nil {
		t.Fatalf("set password: %v", err)
	}
	e, err := s.StartTOTP(f.Ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ConfirmTOTP(f.Ctx, a, e.ID, f.TOTPCodeAt(e, 0), model.ClientAttributes{}); err != nil {
		t.Fatalf("confirm TOTP: %v", err)
	}
	f.Clock.Advance(authtest.Period(e))
	return e
}

const goodPassword = "Correct horse battery staple 42!"

func TestPasswordAndTOTPSignIn(t *testing.T) {
	authtest.BothBackends(t, func(t *testing.T, f *authtest.Fixture) {
		s, _ := newAdmins(f)
		a, _ := setUp(t, f, s, "ada@example.com")
		e := setUpPasswordAndTOTP(t, f, s, a, goodPassword)

		// The password alone begins a session that is no portal session.
		half, err := s.PasswordStep(f.Ctx, f.Boot.TenantID, "ada@example.com", goodPassword, model.ClientAttributes{})
		if err != nil {
			t.Fatalf("password step: %v", err)
		}
		if _, err := s.Session(f.Ctx, f.Boot.TenantID, half); !errors.Is(err, admins.ErrSignedOut) {
			t.Fatalf("a session that proved only the password is a portal session: %v", err)
		}
		if _, _, err := s.TOTPStep(f.Ctx, f.Boot.TenantID, "ada@example.com", half, authtest.WrongCode(f.TOTPCodeAt(e, 0)), model.ClientAttributes{}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a wrong TOTP code: %v", err)
		}
		got, sid, err := s.TOTPStep(f.Ctx, f.Boot.TenantID, "ada@example.com", half, f.TOTPCodeAt(e, 0), model.ClientAttributes{})
		if err != nil {
			t.Fatalf("TOTP step: %v", err)
		}
		if sid != half || got.UserID != a.UserID {
			t.Fatalf("signed in as %+v with session %q, want the password step's session %q", got, sid, half)
		}
		if _, err := s.Session(f.Ctx, f.Boot.TenantID, sid); err != nil {
			t.Fatalf("the finished sign-in's session: %v", err)
		}
		// The code just used does not work twice (TOTP's own replay rule).
		again, err := s.PasswordStep(f.Ctx, f.Boot.TenantID, "ada@example.com", goodPassword, model.ClientAttributes{})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.TOTPStep(f.Ctx, f.Boot.TenantID, "ada@example.com", again, f.TOTPCodeAt(e, 0), model.ClientAttributes{}); err == nil {
			t.Fatal("a TOTP code was accepted twice")
		}
	})
}

// Wrong passwords lock the address out through the password login's own rule, even for the
// right password afterwards.
func TestPasswordStepLocksOut(t *testing.T) {
	f := authtest.New(t, authtestOptions())
	s, _ := newAdmins(f)
	a, _ := setUp(t, f, s, "ada@example.com")
	setUpPasswordAndTOTP(t, f, s, a, goodPassword)
	var err error
	for i := 0; i < 20 && !fault.Is(err, fault.Locked); i++ {
		_, err = s.PasswordStep(f.Ctx, f.Boot.TenantID, "ada@example.com", "wrong password "+string(rune('a'+i)), model.ClientAttributes{})
	}
	if !fault.Is(err, fault.Locked) {
		t.Fatalf("20 wrong passwords did not lock the address out: %v", err)
	}
	if _, err := s.PasswordStep(f.Ctx, f.Boot.TenantID, "ada@example.com", goodPassword, model.ClientAttributes{}); !fault.Is(err, fault.Locked) {
		t.Fatalf("the right password during the lockout: %v", err)
	}
}

func TestSignInMethodsAreEnforced(t *testing.T) {
	f := authtest.New(t, authtestOptions())
	s, log := newAdmins(f)
	a, emailSession := setUp(t, f, s, "ada@example.com")
	if got, _ := s.SignInMethods(f.Ctx, f.Boot.TenantID); len(got) != len(admins.Methods) {
		t.Fatalf("default methods %v", got)
	}
	// Nobody can choose methods they could not sign in with themselves.
	if err := s.SetSignInMethods(f.Ctx, a, []string{model.AdminSignInPasswordAndTOTP}, model.ClientAttributes{}); !fault.Is(err, fault.Invalid) {
		t.Fatalf("chose only a method the administrator has not set up: %v", err)
	}
	for _, bad := range [][]string{nil, {"carrier_pigeon"}} {
		if err := s.SetSignInMethods(f.Ctx, a, bad, model.ClientAttributes{}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("methods %v: %v", bad, err)
		}
	}
	e := setUpPasswordAndTOTP(t, f, s, a, goodPassword)
	if err := s.SetSignInMethods(f.Ctx, a, []string{model.AdminSignInPasswordAndTOTP}, model.ClientAttributes{}); err != nil {
		t.Fatal(err)
	}
	// Email codes are no longer sent, and the session an email code began has ended.
	if err := s.SendCode(f.Ctx, f.Boot.TenantID, "ada@example.com", model.ClientAttributes{}); !fault.Is(err, fault.Forbidden) {
		t.Fatalf("an email code was sent though the tenant no longer offers it: %v", err)
	}
	if _, err := s.Session(f.Ctx, f.Boot.TenantID, emailSession); !errors.Is(err, admins.ErrSignedOut) {
		t.Fatalf("a session begun by a method no longer offered still works: %v", err)
	}
	// A set-up link is not spent on an administrator who could not sign in.
	link, err := s.NewSetupLink(f.Ctx, f.Boot.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RedeemSetupLink(f.Ctx, link, "bob@example.com", model.ClientAttributes{}); !fault.Is(err, fault.Forbidden) {
		t.Fatalf("a set-up link redeemed though email codes are off: %v", err)
	}
	if _, err := s.CheckSetupLink(f.Ctx, link); err != nil {
		t.Fatalf("the refused redemption spent the link: %v", err)
	}
	half, err := s.PasswordStep(f.Ctx, f.Boot.TenantID, "ada@example.com", goodPassword, model.ClientAttributes{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.TOTPStep(f.Ctx, f.Boot.TenantID, "ada@example.com", half, f.TOTPCodeAt(e, 0), model.ClientAttributes{}); err != nil {
		t.Fatalf("the offered method: %v", err)
	}
	if ev := lastAdminChange(t, f, log); ev.Method != "admin_settings.update" {
		t.Fatalf("the change was not audited: %+v", ev)
	}
}

// lastAdminChange is the newest admin.change event of the fixture's tenant.
func lastAdminChange(t *testing.T, f *authtest.Fixture, log *audit.Log) model.AuditEvent {
	t.Helper()
	events, _, err := log.Search(f.Ctx, f.Admin, audit.Query{Type: model.EventAdminChange, Limit: 1})
	if err != nil || len(events) == 0 {
		t.Fatalf("events %v %v", events, err)
	}
	return events[0]
}
