package admins_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/admins"
	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/authtest"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/roles"
)

const (
	idle   = 30 * time.Minute
	maxAge = 2 * time.Hour
)

func newAdmins(f *authtest.Fixture) (*admins.Service, *audit.Log) {
	log := audit.New(f.Store, f.Keys, f.Clock.Now)
	return admins.New(f.Svc, directory.New(f.Store, directory.Options{Now: f.Clock.Now}), roles.New(f.Store, f.Clock.Now), log,
		admins.Options{IdleTimeout: idle, MaxAge: maxAge}), log
}

// setUp makes email an administrator through a set-up link and signs them in.
func setUp(t *testing.T, f *authtest.Fixture, s *admins.Service, email string) (admins.Admin, string) {
	t.Helper()
	link, err := s.NewSetupLink(f.Ctx, f.Boot.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RedeemSetupLink(f.Ctx, link, email, model.ClientAttributes{}); err != nil {
		t.Fatal(err)
	}
	return signIn(t, f, s, email)
}

func signIn(t *testing.T, f *authtest.Fixture, s *admins.Service, email string) (admins.Admin, string) {
	t.Helper()
	if err := s.SendCode(f.Ctx, f.Boot.TenantID, email, model.ClientAttributes{}); err != nil {
		t.Fatal(err)
	}
	code, _ := f.LastCode(email)
	a, sid, err := s.SignIn(f.Ctx, f.Boot.TenantID, email, code, model.ClientAttributes{})
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	return a, sid
}

func TestSetupLinkMakesOneAdministrator(t *testing.T) {
	authtest.BothBackends(t, func(t *testing.T, f *authtest.Fixture) {
		s, _ := newAdmins(f)
		first, err := s.NewSetupLink(f.Ctx, f.Boot.TenantID)
		if err != nil {
			t.Fatal(err)
		}
		second, err := s.NewSetupLink(f.Ctx, f.Boot.TenantID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RedeemSetupLink(f.Ctx, first, "ada@example.com", model.ClientAttributes{}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a link replaced by a newer one redeemed: %v", err)
		}
		u, err := s.RedeemSetupLink(f.Ctx, second, "Ada@Example.com", model.ClientAttributes{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RedeemSetupLink(f.Ctx, second, "eve@example.com", model.ClientAttributes{}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a spent link redeemed again: %v", err)
		}
		if _, err := s.CheckSetupLink(f.Ctx, second[:len(second)-2]+"xx"); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a link with a wrong secret checked out: %v", err)
		}
		a, sid := signIn(t, f, s, "ada@example.com")
		if a.UserID != u.ID || a.Email != "ada@example.com" || !reflect.DeepEqual(a.Caller, f.Admin) {
			t.Fatalf("signed in as %+v, want %s acting as the management client %+v", a, u.ID, f.Admin)
		}
		if got, err := s.Session(f.Ctx, f.Boot.TenantID, sid); err != nil || got.UserID != u.ID {
			t.Fatalf("session: %+v %v", got, err)
		}
	})
}

func TestSetupLinkExpires(t *testing.T) {
	f := authtest.New(t, authtestOptions())
	s, _ := newAdmins(f)
	link, err := s.NewSetupLink(f.Ctx, f.Boot.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	f.Clock.Advance(admins.SetupLinkTTL)
	if _, err := s.RedeemSetupLink(f.Ctx, link, "ada@example.com", model.ClientAttributes{}); !fault.Is(err, fault.Invalid) {
		t.Fatalf("an expired link redeemed: %v", err)
	}
}

func TestSessionIdleAndAbsoluteLimits(t *testing.T) {
	f := authtest.New(t, authtestOptions())
	s, _ := newAdmins(f)
	_, sid := setUp(t, f, s, "ada@example.com")
	f.Clock.Advance(idle - time.Minute)
	if _, err := s.Session(f.Ctx, f.Boot.TenantID, sid); err != nil {
		t.Fatalf("a session used within the idle timeout ended: %v", err)
	}
	f.Clock.Advance(idle)
	if _, err := s.Session(f.Ctx, f.Boot.TenantID, sid); !errors.Is(err, admins.ErrSignedOut) {
		t.Fatalf("a session idle for longer than the timeout still works: %v", err)
	}

	// Used often enough never to be idle, a session still ends at the absolute limit.
	_, sid = signIn(t, f, s, "ada@example.com")
	for elapsed := time.Duration(0); elapsed < maxAge; elapsed += idle / 2 {
		if _, err := s.Session(f.Ctx, f.Boot.TenantID, sid); err != nil {
			t.Fatalf("after %s: %v", elapsed, err)
		}
		f.Clock.Advance(idle / 2)
	}
	// Last used a quarter of an hour ago, so not idle; but begun maxAge ago.
	if _, err := s.Session(f.Ctx, f.Boot.TenantID, sid); !errors.Is(err, admins.ErrSignedOut) {
		t.Fatalf("a session older than the absolute limit still works: %v", err)
	}
}

func TestSignOutAndLostRoleEndTheSession(t *testing.T) {
	f := authtest.New(t, authtestOptions())
	s, _ := newAdmins(f)
	a, sid := setUp(t, f, s, "ada@example.com")
	if err := s.SignOut(f.Ctx, a, sid); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(f.Ctx, f.Boot.TenantID, sid); !errors.Is(err, admins.ErrSignedOut) {
		t.Fatalf("a signed-out session still works: %v", err)
	}

	_, sid = signIn(t, f, s, "ada@example.com")
	rs := roles.New(f.Store, f.Clock.Now)
	list, err := rs.UserRoles(f.Ctx, f.Admin, f.Admin.AppID, a.UserID)
	if err != nil || len(list) != 1 {
		t.Fatalf("roles %v %v", list, err)
	}
	if err := rs.Unassign(f.Ctx, f.Admin, f.Admin.AppID, list[0].ID, a.UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(f.Ctx, f.Boot.TenantID, sid); !errors.Is(err, admins.ErrSignedOut) {
		t.Fatalf("the session of a user no longer an administrator still works: %v", err)
	}
}

// A user of the management application without the admin role proves their address and is
// still refused, and the session the login made is ended at once.
func TestOnlyAdministratorsSignIn(t *testing.T) {
	f := authtest.New(t, authtestOptions())
	s, _ := newAdmins(f)
	setUp(t, f, s, "ada@example.com")
	now := f.Clock.Now()
	bob := model.User{ID: model.NewID(), TenantID: f.Boot.TenantID, Email: "bob@example.com", Status: model.UserActive, CreatedAt: now, UpdatedAt: now}
	if err := f.Store.CreateUser(f.Ctx, bob); err != nil {
		t.Fatal(err)
	}
	if err := f.Store.LinkUser(f.Ctx, model.AppUser{TenantID: f.Boot.TenantID, AppID: f.Admin.AppID, UserID: bob.ID, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.SendCode(f.Ctx, f.Boot.TenantID, bob.Email, model.ClientAttributes{}); err != nil {
		t.Fatal(err)
	}
	code, _ := f.LastCode(bob.Email)
	if _, _, err := s.SignIn(f.Ctx, f.Boot.TenantID, bob.Email, code, model.ClientAttributes{}); !fault.Is(err, fault.Forbidden) {
		t.Fatalf("a user without the admin role signed in: %v", err)
	}
	views, err := f.Sessions.ListSessions(f.Ctx, f.Admin, bob.ID)
	if err != nil || len(views) != 1 || views[0].Active {
		t.Fatalf("the refused login's session is %+v (%v), want one, ended", views, err)
	}
	// An address that is nobody's is answered alike, and nothing is sent to it.
	if err := s.SendCode(f.Ctx, f.Boot.TenantID, "nobody@example.com", model.ClientAttributes{}); err != nil {
		t.Fatalf("a send to an unknown address answered %v", err)
	}
	if msgs := f.Messages("nobody@example.com"); len(msgs) != 0 {
		t.Fatalf("%d messages were queued for an unknown address", len(msgs))
	}
}

func TestCSRFTokensBelongToTheirSession(t *testing.T) {
	f := authtest.New(t, authtestOptions())
	s, _ := newAdmins(f)
	a, b := model.NewID(), model.NewID()
	ta, tb := s.CSRFToken(a), s.CSRFToken(b)
	if ta == tb || ta == "" || len(ta) < 40 {
		t.Fatalf("tokens %q and %q", ta, tb)
	}
	if !s.CheckCSRF(a, ta) || s.CheckCSRF(a, tb) || s.CheckCSRF(a, "") || s.CheckCSRF(b, ta) {
		t.Fatal("a token checked against the wrong session, or its own failed")
	}
}

func TestRecordNamesTheAdministrator(t *testing.T) {
	f := authtest.New(t, authtestOptions())
	s, log := newAdmins(f)
	a, _ := setUp(t, f, s, "ada@example.com")
	if err := s.Record(f.Ctx, a, "client.rotate_secret", "", model.ClientAttributes{IPAddress: "192.0.2.7"}, map[string]any{"client_id": "c1"}); err != nil {
		t.Fatal(err)
	}
	events, _, err := log.Search(f.Ctx, f.Admin, audit.Query{Type: model.EventAdminChange, Limit: 10})
	if err != nil || len(events) == 0 {
		t.Fatalf("events %v %v", events, err)
	}
	e := events[0]
	var d map[string]any
	_ = json.Unmarshal(e.Details, &d)
	if e.Method != "client.rotate_secret" || e.IPAddress != "192.0.2.7" || d["admin_user_id"] != a.UserID ||
		d["admin_email"] != "ada@example.com" || d["admin_session_ref"] != a.SessionRef || d["client_id"] != "c1" {
		t.Fatalf("event %+v details %v", e, d)
	}
}

// authtestOptions are the core's options for these tests: the defaults.
func authtestOptions() auth.Options { return auth.Options{} }
