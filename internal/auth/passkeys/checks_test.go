package passkeys_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth/authtest"
	"github.com/latchkey/latchkey/internal/auth/passkeys"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/passkey/passkeytest"
)

// lastFailure returns the reason recorded on the newest failed login.
func (f *pkFixture) lastFailure() string {
	f.T.Helper()
	ev := f.events(model.EventLoginFailed)
	if len(ev) == 0 {
		f.T.Fatal("no login.failed event")
	}
	r, _ := details(f.T, ev[0])["reason"].(string)
	return r
}

func TestPasskeyWrongOrigin(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("o@example.com", "")
	phish := f.authenticator()
	phish.Origin = "https://app.example.net"
	_, err := f.tryRegister(phish, u.ID)
	fe := authtest.WantCode(t, err, passkeys.CodeWebAuthnRegister)
	if !strings.Contains(strings.ToLower(fe.Message), "origin") {
		t.Fatalf("registration failure does not name the origin: %s", fe.Message)
	}

	a := f.authenticator()
	f.register(a, u.ID)
	a.Origin = "https://evil.example.org"
	_, err = f.login(a, "o@example.com")
	authtest.WantCode(t, err, fault.CodeInvalidCredentials)
	if r := f.lastFailure(); !strings.Contains(strings.ToLower(r), "origin") {
		t.Fatalf("audit reason %q does not name the origin", r)
	}
	// A subdomain listed nowhere is refused too; the listed origin works.
	a.Origin = "https://other.example.com"
	_, err = f.login(a, "o@example.com")
	authtest.WantCode(t, err, fault.CodeInvalidCredentials)
	a.Origin = pkOrigin
	if _, err := f.login(a, "o@example.com"); err != nil {
		t.Fatal(err)
	}
}

func TestPasskeyWrongRPID(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("r@example.com", "")
	bad := f.authenticator()
	bad.RPID = "example.net"
	_, err := f.tryRegister(bad, u.ID)
	authtest.WantCode(t, err, passkeys.CodeWebAuthnRegister)

	a := f.authenticator()
	f.register(a, u.ID)
	a.RPID = "evil.com"
	_, err = f.login(a, "r@example.com")
	authtest.WantCode(t, err, fault.CodeInvalidCredentials)
	if r := strings.ToLower(f.lastFailure()); !strings.Contains(r, "rp") && !strings.Contains(r, "relying party") {
		t.Fatalf("audit reason %q does not name the relying party id", r)
	}
}

func TestPasskeyReplayedChallenge(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("rp@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	enc := f.answer(a, f.startLogin("rp@example.com"), false)
	if _, err := f.finishLogin(enc); err != nil {
		t.Fatal(err)
	}
	_, err := f.finishLogin(enc)
	authtest.WantCode(t, err, passkeys.CodeWebAuthnSession)

	// A failed attempt spends its ceremony too.
	a.Origin = "https://evil.example.org"
	enc = f.answer(a, f.startLogin("rp@example.com"), false)
	_, err = f.finishLogin(enc)
	authtest.WantCode(t, err, fault.CodeInvalidCredentials)
	_, err = f.finishLogin(enc)
	authtest.WantCode(t, err, passkeys.CodeWebAuthnSession)

	// A registration cannot be finished twice either.
	cer := f.startRegistration(passkeys.PasskeyRegistrationStart{UserID: u.ID})
	reg := passkeys.PasskeyRegistration{EncodedResult: f.answer(f.authenticator(), cer, true)}
	if _, err := f.pk.FinishExternalRegistration(f.Ctx, f.Caller, reg); err != nil {
		t.Fatal(err)
	}
	_, err = f.pk.FinishExternalRegistration(f.Ctx, f.Caller, reg)
	authtest.WantCode(t, err, passkeys.CodeWebAuthnSession)
}

func TestPasskeyCeremonyExpires(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("ex@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	cer, err := f.pk.StartLogin(f.Ctx, passkeys.PasskeyLoginStart{ClientID: f.Boot.ClientID, Username: "ex@example.com", Timeout: 30})
	if err != nil {
		t.Fatal(err)
	}
	if options(t, cer)["timeout"] != float64(30000) {
		t.Fatalf("timeout %v, want 30000 ms", options(t, cer)["timeout"])
	}
	enc := f.answer(a, cer, false)
	f.Clock.Advance(31 * time.Second)
	_, err = f.finishLogin(enc)
	if fe := authtest.WantCode(t, err, passkeys.CodeWebAuthnSession); !strings.Contains(fe.Message, "expired") {
		t.Fatalf("message %q does not say the ceremony expired", fe.Message)
	}
	for _, bad := range []int{29, 601, -1} {
		_, err := f.pk.StartLogin(f.Ctx, passkeys.PasskeyLoginStart{ClientID: f.Boot.ClientID, Timeout: bad})
		authtest.WantCode(t, err, fault.CodeInvalidInput)
	}
}

func TestPasskeyClonedAuthenticator(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("cl@example.com", "")
	a := f.authenticator()
	reg := f.register(a, u.ID)
	for range 2 {
		if _, err := f.login(a, "cl@example.com"); err != nil {
			t.Fatal(err)
		}
	}
	// A copy of the key that has signed fewer times than the original.
	id, _ := decodeB64(reg.CredentialID)
	a.SetCounter(id, 1)
	_, err := f.login(a, "cl@example.com")
	authtest.WantCode(t, err, fault.CodeInvalidCredentials)
	ev := f.events(model.EventWebAuthnCloneWarning)
	if len(ev) != 1 || ev[0].UserID != u.ID || ev[0].Method != "webauthn" {
		t.Fatalf("clone warning events: %+v", ev)
	}
	d := details(t, ev[0])
	if d["credential_id"] != reg.CredentialID || d["stored_sign_count"] != float64(2) || d["sign_count"] != float64(2) {
		t.Fatalf("clone warning details: %v", d)
	}
	list, _ := f.pk.ListPasskeys(f.Ctx, f.Caller, u.ID)
	if list[0].SignCount != 2 {
		t.Fatalf("sign count %d after a refused login, want 2", list[0].SignCount)
	}
	// The original, whose counter is ahead, still logs in.
	a.SetCounter(id, 9)
	if _, err := f.login(a, "cl@example.com"); err != nil {
		t.Fatal(err)
	}
}

func TestPasskeyAAGUIDLists(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("ag@example.com", "")
	a := f.authenticator()
	aaguid := aaguidOf(a)
	f.prefs(func(w *model.WebAuthnPreferences) { w.AAGUIDBlockList = []string{strings.ToUpper(aaguid)} })
	_, err := f.tryRegister(a, u.ID)
	authtest.WantCode(t, err, passkeys.CodeWebAuthnNotAllowed)
	if ev := f.events(model.EventWebAuthnRegistration); len(ev) != 1 || ev[0].Outcome != "failure" || ev[0].Reason != passkeys.CodeWebAuthnNotAllowed {
		t.Fatalf("refused registration events: %+v", ev)
	}
	f.prefs(func(w *model.WebAuthnPreferences) {
		w.AAGUIDAllowList = []string{"08987058-cadc-4b81-b6e1-30de50dcbe96"}
	})
	_, err = f.tryRegister(a, u.ID)
	authtest.WantCode(t, err, passkeys.CodeWebAuthnNotAllowed)
	f.prefs(func(w *model.WebAuthnPreferences) { w.AAGUIDAllowList = []string{aaguid} })
	f.register(a, u.ID)
	if _, err := f.login(a, "ag@example.com"); err != nil {
		t.Fatal(err)
	}
	// Blocking the model later shuts out the passkey already registered.
	f.prefs(func(w *model.WebAuthnPreferences) { w.AAGUIDBlockList = []string{aaguid} })
	_, err = f.login(a, "ag@example.com")
	authtest.WantCode(t, err, passkeys.CodeWebAuthnNotAllowed)
}

func TestPasskeyUserVerificationRequired(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("uv@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	f.prefs(func(w *model.WebAuthnPreferences) { w.UserVerification = model.UVRequired })
	if got := options(t, f.startLogin("uv@example.com"))["userVerification"]; got != "required" {
		t.Fatalf("request options ask userVerification %v", got)
	}
	a.NoUserVerification = true
	_, err := f.login(a, "uv@example.com")
	authtest.WantCode(t, err, fault.CodeInvalidCredentials)
	if r := strings.ToLower(f.lastFailure()); !strings.Contains(r, "verif") {
		t.Fatalf("audit reason %q does not name user verification", r)
	}
	noUV := f.authenticator()
	noUV.NoUserVerification = true
	_, err = f.tryRegister(noUV, u.ID)
	authtest.WantCode(t, err, passkeys.CodeWebAuthnRegister)
	a.NoUserVerification = false
	if _, err := f.login(a, "uv@example.com"); err != nil {
		t.Fatal(err)
	}
}

func TestPasskeySyncedAndAttestationPolicy(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("sy@example.com", "")
	synced := f.authenticator()
	synced.BackupEligible, synced.BackupState = true, true
	f.register(synced, u.ID)
	off := false
	f.prefs(func(w *model.WebAuthnPreferences) { w.AllowSyncedPasskeys = &off })
	_, err := f.tryRegister(f.authenticatorSynced(), u.ID)
	authtest.WantCode(t, err, passkeys.CodeWebAuthnNotAllowed)
	_, err = f.login(synced, "sy@example.com")
	authtest.WantCode(t, err, passkeys.CodeWebAuthnNotAllowed)
	f.register(f.authenticator(), u.ID) // a device-bound passkey is fine

	f.prefs(func(w *model.WebAuthnPreferences) {
		w.AttestationType, w.EnforceAttestation = model.AttestationDirect, true
	})
	if got := options(t, f.startRegistration(passkeys.PasskeyRegistrationStart{UserID: u.ID}))["attestation"]; got != "direct" {
		t.Fatalf("creation options ask attestation %v", got)
	}
	_, err = f.tryRegister(f.authenticator(), u.ID)
	authtest.WantCode(t, err, passkeys.CodeWebAuthnNotAllowed)
	packed := f.authenticator()
	packed.Packed = true
	f.register(packed, u.ID)
}

func (f *pkFixture) authenticatorSynced() *passkeytest.Authenticator {
	a := f.authenticator()
	a.BackupEligible = true
	return a
}

func TestPasskeyLockout(t *testing.T) {
	f := newPKFixture(t)
	f.UpdateApp(func(a *model.Application) { a.Preferences.Limits.FailuresPerIdentifier = 2 })
	u := f.User("lk@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	a.Origin = "https://evil.example.org"
	_, err := f.login(a, "lk@example.com")
	authtest.WantCode(t, err, fault.CodeInvalidCredentials)
	_, err = f.login(a, "lk@example.com")
	authtest.WantCode(t, err, fault.CodeLocked)
	a.Origin = pkOrigin
	_, err = f.login(a, "lk@example.com")
	authtest.WantCode(t, err, fault.CodeLocked)
	if ev := f.events(model.EventLockout); len(ev) < 2 {
		t.Fatalf("lockout events: %+v", ev)
	}
	f.Clock.Advance(16 * time.Minute)
	if _, err := f.login(a, "lk@example.com"); err != nil {
		t.Fatalf("login after the lockout: %v", err)
	}
}

func TestPasskeyConcurrentFinishes(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("cc@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	enc := f.answer(a, f.startLogin("cc@example.com"), false)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.finishLogin(enc)
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case fault.As(err).Code != passkeys.CodeWebAuthnSession:
			t.Errorf("unexpected error %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d finishes of one ceremony succeeded, want exactly 1", wins)
	}
}
