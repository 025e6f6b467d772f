package passkeys_test

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/auth/authtest"
	"github.com/latchkey/latchkey/internal/auth/passkeys"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

func TestPasskeyUnknownUsers(t *testing.T) {
	f := newPKFixture(t)
	// Called from the internet, the start never tells whether a user exists.
	if _, err := f.pk.StartLogin(f.Ctx, passkeys.PasskeyLoginStart{ClientID: f.Boot.ClientID, Username: "nobody@example.com"}); err != nil {
		t.Fatalf("public start for an unknown user: %v, want decoy options", err)
	}
	// Relayed by the application's backend, it answers as the application is configured.
	backend := &f.Caller
	_, err := f.pk.StartLogin(f.Ctx, passkeys.PasskeyLoginStart{ClientID: f.Boot.ClientID, Username: "nobody@example.com", Backend: backend})
	authtest.WantCode(t, err, fault.CodeUserNotFound)
	f.User("nokeys@example.com", "")
	_, err = f.pk.StartLogin(f.Ctx, passkeys.PasskeyLoginStart{ClientID: f.Boot.ClientID, Username: "nokeys@example.com", Backend: backend})
	authtest.WantCode(t, err, passkeys.CodeWebAuthnNotFound)

	// Under enumeration protection an unknown user gets options like a real one's, the same
	// each time, and a login that can only fail.
	f.UpdateApp(func(a *model.Application) { a.EnumerationProtection = true })
	first := f.startLogin("nobody@example.com")
	second := f.startLogin("nobody@example.com")
	ids := allowIDs(t, first)
	if len(ids) != 1 || !slices.Equal(ids, allowIDs(t, second)) || first.SessionID == second.SessionID {
		t.Fatalf("decoy options differ or are empty: %v %v", ids, allowIDs(t, second))
	}
	if len(allowIDs(t, f.startLogin("nokeys@example.com"))) != 1 {
		t.Fatal("a user without passkeys is told apart from one with a passkey")
	}
	u := f.User("real@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	// Even a real passkey cannot finish a ceremony started for an unknown user.
	if _, err := a.Authenticate(first.Options); err == nil {
		t.Fatal("the authenticator answered for a decoy credential")
	}
	cred, err := a.Authenticate(f.startLogin("").Options)
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := passkeys.EncodeResult(cred, first.SessionID)
	_, err = f.finishLogin(enc)
	authtest.WantCode(t, err, fault.CodeInvalidCredentials)
}

func TestPasskeyInputErrors(t *testing.T) {
	f := newPKFixture(t)
	_, err := f.pk.StartLogin(f.Ctx, passkeys.PasskeyLoginStart{ClientID: "nope"})
	authtest.WantCode(t, err, fault.CodeClientNotFound)
	_, err = f.pk.StartLogin(f.Ctx, passkeys.PasskeyLoginStart{Username: "a", Identifier: "b", Timeout: 5})
	fe := authtest.WantCode(t, err, fault.CodeInvalidInput)
	if len(fe.Details) != 3 {
		t.Fatalf("problems %v, want client_id, timeout and username/identifier", fe.Details)
	}
	for enc, want := range map[string]string{
		"":                               "required",
		"%%%":                            "base64url",
		b64(`[1]`):                       "JSON object",
		b64(`{"id":"x"}`):                "webauthn_session_id is required",
		b64(`{"webauthn_session_id":7}`): "must be a string",
	} {
		_, err := f.finishLogin(enc)
		if fe := authtest.WantCode(t, err, fault.CodeInvalidInput); !strings.Contains(fe.Message, want) {
			t.Errorf("encoded result %q: message %q lacks %q", enc, fe.Message, want)
		}
	}
	_, err = f.pk.Authenticate(f.Ctx, f.Caller, passkeys.PasskeyAuthenticate{EncodedResult: b64(`{"webauthn_session_id":"abcdefghij"}`), SessionID: "klmnopqrst"})
	authtest.WantCode(t, err, fault.CodeInvalidInput)
	_, err = f.finishLogin(b64(`{"webauthn_session_id":"abcdefghijklmnop"}`))
	authtest.WantCode(t, err, passkeys.CodeWebAuthnSession)

	// Another application's client cannot finish this application's ceremony.
	u := f.User("x@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	enc := f.answer(a, f.startLogin("x@example.com"), false)
	other := f.Caller
	other.AppID = model.NewID()
	_, err = f.pk.Authenticate(f.Ctx, other, passkeys.PasskeyAuthenticate{EncodedResult: enc})
	authtest.WantCode(t, err, passkeys.CodeWebAuthnSession)
	if _, err := f.finishLogin(enc); err != nil {
		t.Fatalf("the ceremony was spent by another application's attempt: %v", err)
	}

	// No relying party id: WebAuthn is off for the application.
	f.UpdateApp(func(a *model.Application) { a.Preferences.WebAuthn = model.WebAuthnPreferences{} })
	_, err = f.pk.StartLogin(f.Ctx, passkeys.PasskeyLoginStart{ClientID: f.Boot.ClientID})
	authtest.WantCode(t, err, passkeys.CodePreferencesMissing)
	_, err = f.pk.StartExternalRegistration(f.Ctx, f.Caller, passkeys.PasskeyRegistrationStart{UserID: u.ID})
	authtest.WantCode(t, err, passkeys.CodePreferencesMissing)
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestPasskeyStartLimitPerIP(t *testing.T) {
	f := newPKFixture(t)
	f.prefs(func(w *model.WebAuthnPreferences) { w.StartsPerIP = 2 })
	start := func(ip string) error {
		_, err := f.pk.StartLogin(f.Ctx, passkeys.PasskeyLoginStart{ClientID: f.Boot.ClientID, IPAddress: ip})
		return err
	}
	for range 2 {
		if err := start("203.0.113.7"); err != nil {
			t.Fatal(err)
		}
	}
	authtest.WantCode(t, start("203.0.113.7"), fault.CodeRateLimited)
	if err := start("203.0.113.8"); err != nil {
		t.Fatalf("another address was limited: %v", err)
	}
}

func TestPasskeyManagement(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("m@example.com", "")
	a := f.authenticator()
	reg := f.register(a, u.ID)
	v, err := f.pk.RenamePasskey(f.Ctx, f.Caller, u.ID, reg.CredentialID, "  Phone  ")
	if err != nil || v.Name != "Phone" {
		t.Fatalf("rename: %+v %v", v, err)
	}
	_, err = f.pk.RenamePasskey(f.Ctx, f.Caller, u.ID, reg.CredentialID, "")
	authtest.WantCode(t, err, fault.CodeInvalidInput)
	other := f.User("n@example.com", "")
	_, err = f.pk.RenamePasskey(f.Ctx, f.Caller, other.ID, reg.CredentialID, "Mine")
	authtest.WantCode(t, err, passkeys.CodeWebAuthnNotFound)
	// One passkey is read by its user and credential id only.
	if got, err := f.pk.GetPasskey(f.Ctx, f.Caller, u.ID, reg.CredentialID); err != nil || got.Name != "Phone" || got.CredentialID != reg.CredentialID {
		t.Fatalf("get: %+v %v", got, err)
	}
	_, err = f.pk.GetPasskey(f.Ctx, f.Caller, other.ID, reg.CredentialID)
	authtest.WantCode(t, err, passkeys.CodeWebAuthnNotFound)
	_, err = f.pk.GetPasskey(f.Ctx, f.Caller, u.ID, "")
	authtest.WantCode(t, err, passkeys.CodeWebAuthnNotFound)

	// A client of another application sees neither the user nor the passkey.
	foreign := model.Caller{TenantID: f.Boot.TenantID, AppID: model.NewID(), ClientID: model.NewID()}
	_, err = f.pk.ListPasskeys(f.Ctx, foreign, u.ID)
	authtest.WantCode(t, err, fault.CodeUserNotFound)
	authtest.WantCode(t, f.pk.DeletePasskey(f.Ctx, foreign, u.ID, reg.CredentialID), fault.CodeUserNotFound)
	_, err = f.pk.GetPasskey(f.Ctx, foreign, u.ID, reg.CredentialID)
	authtest.WantCode(t, err, fault.CodeUserNotFound)
	admin := model.Caller{TenantID: f.Boot.TenantID, AppID: model.NewID(), ClientID: f.Boot.AdminClientID, Admin: true}
	if list, err := f.pk.ListPasskeys(f.Ctx, admin, u.ID); err != nil || len(list) != 1 {
		t.Fatalf("admin list: %v %v", list, err)
	}

	if err := f.pk.DeletePasskey(f.Ctx, f.Caller, u.ID, reg.CredentialID); err != nil {
		t.Fatal(err)
	}
	authtest.WantCode(t, f.pk.DeletePasskey(f.Ctx, f.Caller, u.ID, reg.CredentialID), passkeys.CodeWebAuthnNotFound)
	_, err = f.login(a, "")
	authtest.WantCode(t, err, fault.CodeInvalidCredentials)
}

func TestPasskeyReplaceExisting(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("rx@example.com", "")
	old := f.authenticator()
	f.register(old, u.ID)
	f.prefs(func(w *model.WebAuthnPreferences) { w.ReplaceExistingPasskey = true })
	cer := f.startRegistration(passkeys.PasskeyRegistrationStart{UserID: u.ID})
	if ex, _ := options(t, cer)["excludeCredentials"].([]any); len(ex) != 0 {
		t.Fatalf("a replacing registration excludes %v", ex)
	}
	fresh := f.authenticator()
	if _, err := f.pk.FinishExternalRegistration(f.Ctx, f.Caller, passkeys.PasskeyRegistration{EncodedResult: f.answer(fresh, cer, true)}); err != nil {
		t.Fatal(err)
	}
	if list, _ := f.pk.ListPasskeys(f.Ctx, f.Caller, u.ID); len(list) != 1 {
		t.Fatalf("%d passkeys after a replacing registration, want 1", len(list))
	}
	_, err := f.login(old, "")
	authtest.WantCode(t, err, fault.CodeInvalidCredentials)
	if _, err := f.login(fresh, "rx@example.com"); err != nil {
		t.Fatal(err)
	}
}

func TestPasskeyInactiveUser(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("in@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	enc := f.answer(a, f.startLogin(""), false)
	err := f.Store.UpdateUser(f.Ctx, f.Boot.TenantID, u.ID, func(x model.User) (model.User, error) {
		x.Status = model.UserDisabled
		return x, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.finishLogin(enc)
	authtest.WantCode(t, err, fault.CodeUserNotActive)
	_, err = f.pk.StartLogin(f.Ctx, passkeys.PasskeyLoginStart{ClientID: f.Boot.ClientID, Username: "in@example.com", Backend: &f.Caller})
	authtest.WantCode(t, err, fault.CodeUserNotActive)
	_, err = f.pk.StartExternalRegistration(f.Ctx, f.Caller, passkeys.PasskeyRegistrationStart{UserID: u.ID})
	authtest.WantCode(t, err, fault.CodeUserNotActive)
}

func TestPasskeyLoginNames(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("names@example.com", "+14155550123")
	err := f.Store.UpdateUser(f.Ctx, f.Boot.TenantID, u.ID, func(x model.User) (model.User, error) {
		x.Username, x.ExternalUserID = "grace_h", "crm-99"
		return x, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a := f.authenticator()
	f.register(a, u.ID)
	for _, name := range []string{"Grace_H", "NAMES@example.com", "+14155550123", "crm-99"} {
		tok, err := f.login(a, name)
		if err != nil {
			t.Fatalf("login as %q: %v", name, err)
		}
		if f.IDClaims(tok.IDToken)["sub"] != u.ID {
			t.Fatalf("login as %q logged in someone else", name)
		}
	}
	for idType, v := range map[string]string{"user_id": u.ID, "email": "names@example.com", "username": "grace_h"} {
		cer, err := f.pk.StartLogin(f.Ctx, passkeys.PasskeyLoginStart{ClientID: f.Boot.ClientID, IdentifierType: idType, Identifier: v})
		if err != nil {
			t.Fatalf("start by %s: %v", idType, err)
		}
		if _, err := f.finishLogin(f.answer(a, cer, false)); err != nil {
			t.Fatalf("login by %s: %v", idType, err)
		}
	}
}

func TestPasskeyStartRelayedByBackend(t *testing.T) {
	f := newPKFixture(t)
	f.prefs(func(w *model.WebAuthnPreferences) { w.StartsPerIP = 1 })
	start := func(backend *model.Caller, endUser string) error {
		_, err := f.pk.StartLogin(f.Ctx, passkeys.PasskeyLoginStart{
			ClientID: f.Boot.ClientID, IPAddress: "10.0.0.1", Backend: backend,
			ClientAttributes: model.ClientAttributes{IPAddress: endUser},
		})
		return err
	}
	// A backend that proves itself is counted by the end users' addresses, not its own.
	if err := start(&f.Caller, "198.51.100.1"); err != nil {
		t.Fatal(err)
	}
	if err := start(&f.Caller, "198.51.100.2"); err != nil {
		t.Fatal(err)
	}
	authtest.WantCode(t, start(&f.Caller, "198.51.100.2"), fault.CodeRateLimited)
	// Without a token the claimed address is ignored.
	if err := start(nil, "198.51.100.3"); err != nil {
		t.Fatal(err)
	}
	authtest.WantCode(t, start(nil, "198.51.100.4"), fault.CodeRateLimited)
	foreign := model.Caller{TenantID: f.Boot.TenantID, AppID: model.NewID(), ClientID: model.NewID()}
	authtest.WantCode(t, start(&foreign, "198.51.100.5"), fault.CodeForbidden)
}

// Failed logins started for an unknown user lock as a real user's do, after
// failuresPerIdentifier of them, so that a lockout tells nobody which users exist.
func TestPasskeyDecoyFailuresLock(t *testing.T) {
	f := newPKFixture(t)
	f.UpdateApp(func(a *model.Application) { a.EnumerationProtection = true })
	u := f.User("real@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	var codes []string
	for i := 0; i < model.DefaultFailuresPerIdentifier+1; i++ {
		cred, err := a.Authenticate(f.startLogin("").Options)
		if err != nil {
			t.Fatal(err)
		}
		enc, _ := passkeys.EncodeResult(cred, f.startLogin("nobody@example.com").SessionID)
		_, err = f.finishLogin(enc)
		codes = append(codes, fault.As(err).Code)
	}
	for i, code := range codes {
		want := fault.CodeInvalidCredentials
		if i >= model.DefaultFailuresPerIdentifier-1 {
			want = fault.CodeLocked
		}
		if code != want {
			t.Fatalf("attempt %d answered %s, want %s (all: %v)", i+1, code, want, codes)
		}
	}
}

// Audit events name a session by a reference, never by its id (a credential for silent
// login), and the sessions an administrator lists carry the same reference.
func TestAuditNamesSessionsByReference(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("audited@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	tok, err := f.login(a, "audited@example.com")
	if err != nil {
		t.Fatal(err)
	}
	events := f.events(model.EventLoginSucceeded)
	if len(events) == 0 {
		t.Fatal("no login.succeeded event")
	}
	d := details(t, events[0])
	if _, ok := d["session_id"]; ok || strings.Contains(string(events[0].Details), tok.SessionID) {
		t.Errorf("the audit event carries the session id: %s", events[0].Details)
	}
	list, err := f.Sessions.ListSessions(f.Ctx, f.Caller, u.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("sessions: %v, %v", list, err)
	}
	// The listed session is named by its reference, the id is nowhere in it.
	if ref, _ := d["session_ref"].(string); ref == "" || ref != list[0].ID || list[0].ID == tok.SessionID {
		t.Errorf("audit session_ref %q, listed session %s, session id %s", ref, list[0].ID, tok.SessionID)
	}
}

// A login refused after the assertion verified (here: a session to add the factor to that does
// not exist) spends the ceremony all the same: the assertion cannot be replayed.
func TestPasskeyRefusedLoginSpendsCeremony(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("once@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	enc := f.answer(a, f.startLogin("once@example.com"), false)
	_, err := f.pk.Authenticate(f.Ctx, f.Caller, passkeys.PasskeyAuthenticate{EncodedResult: enc, Login: auth.Login{SessionID: model.NewID()}})
	authtest.WantCode(t, err, fault.CodeSessionNotFound)
	if _, err := f.finishLogin(enc); err == nil {
		t.Fatal("the assertion of a refused login logged in when presented again")
	}
}

// TestPasskeyStartWorkParity checks that a public login start does the same database work and
// leaves on the same grid for every name: a user with a passkey found by username or by
// external user id (the last form tried), a user without passkeys, and nobody. A start that
// stopped at the first form that matched, or skipped the passkey read for nobody, would
// answer sooner and tell who exists.
func TestPasskeyStartWorkParity(t *testing.T) {
	f := newPKFixture(t)
	withKey := f.User("keyed@example.com", "")
	f.register(f.authenticator(), withKey.ID)
	external := f.User("external@example.com", "")
	if err := f.Store.UpdateUser(f.Ctx, f.Boot.TenantID, external.ID, func(u model.User) (model.User, error) {
		u.ExternalUserID = "partner-77@example.org"
		return u, nil
	}); err != nil {
		t.Fatal(err)
	}
	f.register(f.authenticator(), external.ID)
	f.User("nokeys@example.com", "")
	names := []string{"keyed@example.com", "partner-77@example.org", "nokeys@example.com", "nobody@example.com"}
	start := func(name string) {
		if _, err := f.pk.StartLogin(f.Ctx, passkeys.PasskeyLoginStart{ClientID: f.Boot.ClientID, Username: name}); err != nil {
			t.Fatalf("start for %s: %v", name, err)
		}
	}
	for _, n := range names {
		start(n) // statements prepared on first use count on no side
	}
	wantS, wantT := int64(-1), int64(-1)
	for _, n := range names {
		before := f.Svc.HeldAnswers()
		s0, t0 := f.Store.Stats()
		start(n)
		s1, t1 := f.Store.Stats()
		if held := f.Svc.HeldAnswers() - before; held != 1 {
			t.Errorf("start for %s: %d answers held to the grid, want 1", n, held)
		}
		if wantS < 0 {
			wantS, wantT = s1-s0, t1-t0
		}
		if s1-s0 != wantS || t1-t0 != wantT {
			t.Errorf("start for %s: %d statements in %d transactions, want %d in %d as for a user with a passkey",
				n, s1-s0, t1-t0, wantS, wantT)
		}
	}
}
