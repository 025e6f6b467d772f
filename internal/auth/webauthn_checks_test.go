package auth_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/passkey/passkeytest"
)

// lastFailure returns the reason recorded on the newest failed login.
func (f *pkFixture) lastFailure() string {
	f.t.Helper()
	ev := f.events(model.EventLoginFailed)
	if len(ev) == 0 {
		f.t.Fatal("no login.failed event")
	}
	r, _ := details(f.t, ev[0])["reason"].(string)
	return r
}

func TestPasskeyWrongOrigin(t *testing.T) {
	f := newPKFixture(t)
	u := f.user("o@example.com", "")
	phish := f.authenticator()
	phish.Origin = "https://app.example.net"
	_, err := f.tryRegister(phish, u.ID)
	fe := wantCode(t, err, auth.CodeWebAuthnRegister)
	if !strings.Contains(strings.ToLower(fe.Message), "origin") {
		t.Fatalf("registration failure does not name the origin: %s", fe.Message)
	}

	a := f.authenticator()
	f.register(a, u.ID)
	a.Origin = "https://evil.example.org"
	_, err = f.login(a, "o@example.com")
	wantCode(t, err, fault.CodeInvalidCredentials)
	if r := f.lastFailure(); !strings.Contains(strings.ToLower(r), "origin") {
		t.Fatalf("audit reason %q does not name the origin", r)
	}
	// A subdomain listed nowhere is refused too; the listed origin works.
	a.Origin = "https://other.example.com"
	_, err = f.login(a, "o@example.com")
	wantCode(t, err, fault.CodeInvalidCredentials)
	a.Origin = pkOrigin
	if _, err := f.login(a, "o@example.com"); err != nil {
		t.Fatal(err)
	}
}

func TestPasskeyWrongRPID(t *testing.T) {
	f := newPKFixture(t)
	u := f.user("r@example.com", "")
	bad := f.authenticator()
	bad.RPID = "example.net"
	_, err := f.tryRegister(bad, u.ID)
	wantCode(t, err, auth.CodeWebAuthnRegister)

	a := f.authenticator()
	f.register(a, u.ID)
	a.RPID = "evil.com"
	_, err = f.login(a, "r@example.com")
	wantCode(t, err, fault.CodeInvalidCredentials)
	if r := strings.ToLower(f.lastFailure()); !strings.Contains(r, "rp") && !strings.Contains(r, "relying party") {
		t.Fatalf("audit reason %q does not name the relying party id", r)
	}
}

func TestPasskeyReplayedChallenge(t *testing.T) {
	f := newPKFixture(t)
	u := f.user("rp@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	enc := f.answer(a, f.startLogin("rp@example.com"), false)
	if _, err := f.finishLogin(enc); err != nil {
		t.Fatal(err)
	}
	_, err := f.finishLogin(enc)
	wantCode(t, err, auth.CodeWebAuthnSession)

	// A failed attempt spends its ceremony too.
	a.Origin = "https://evil.example.org"
	enc = f.answer(a, f.startLogin("rp@example.com"), false)
	_, err = f.finishLogin(enc)
	wantCode(t, err, fault.CodeInvalidCredentials)
	_, err = f.finishLogin(enc)
	wantCode(t, err, auth.CodeWebAuthnSession)

	// A registration cannot be finished twice either.
	cer := f.startRegistration(auth.PasskeyRegistrationStart{UserID: u.ID})
	reg := auth.PasskeyRegistration{EncodedResult: f.answer(f.authenticator(), cer, true)}
	if _, err := f.pk.FinishExternalRegistration(f.ctx, f.caller, reg); err != nil {
		t.Fatal(err)
	}
	_, err = f.pk.FinishExternalRegistration(f.ctx, f.caller, reg)
	wantCode(t, err, auth.CodeWebAuthnSession)
}

func TestPasskeyCeremonyExpires(t *testing.T) {
	f := newPKFixture(t)
	u := f.user("ex@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	cer, err := f.pk.StartLogin(f.ctx, auth.PasskeyLoginStart{ClientID: f.boot.ClientID, Username: "ex@example.com", Timeout: 30})
	if err != nil {
		t.Fatal(err)
	}
	if options(t, cer)["timeout"] != float64(30000) {
		t.Fatalf("timeout %v, want 30000 ms", options(t, cer)["timeout"])
	}
	enc := f.answer(a, cer, false)
	f.clock.Advance(31 * time.Second)
	_, err = f.finishLogin(enc)
	if fe := wantCode(t, err, auth.CodeWebAuthnSession); !strings.Contains(fe.Message, "expired") {
		t.Fatalf("message %q does not say the ceremony expired", fe.Message)
	}
	for _, bad := range []int{29, 601, -1} {
		_, err := f.pk.StartLogin(f.ctx, auth.PasskeyLoginStart{ClientID: f.boot.ClientID, Timeout: bad})
		wantCode(t, err, fault.CodeInvalidInput)
	}
}

func TestPasskeyClonedAuthenticator(t *testing.T) {
	f := newPKFixture(t)
	u := f.user("cl@example.com", "")
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
	wantCode(t, err, fault.CodeInvalidCredentials)
	ev := f.events(model.EventWebAuthnCloneWarning)
	if len(ev) != 1 || ev[0].UserID != u.ID || ev[0].Method != "webauthn" {
		t.Fatalf("clone warning events: %+v", ev)
	}
	d := details(t, ev[0])
	if d["credential_id"] != reg.CredentialID || d["stored_sign_count"] != float64(2) || d["sign_count"] != float64(2) {
		t.Fatalf("clone warning details: %v", d)
	}
	list, _ := f.pk.ListPasskeys(f.ctx, f.caller, u.ID)
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
	u := f.user("ag@example.com", "")
	a := f.authenticator()
	aaguid := aaguidOf(a)
	f.prefs(func(w *model.WebAuthnPreferences) { w.AAGUIDBlockList = []string{strings.ToUpper(aaguid)} })
	_, err := f.tryRegister(a, u.ID)
	wantCode(t, err, auth.CodeWebAuthnNotAllowed)
	if ev := f.events(model.EventWebAuthnRegistration); len(ev) != 1 || ev[0].Outcome != "failure" || ev[0].Reason != auth.CodeWebAuthnNotAllowed {
		t.Fatalf("refused registration events: %+v", ev)
	}
	f.prefs(func(w *model.WebAuthnPreferences) {
		w.AAGUIDAllowList = []string{"08987058-cadc-4b81-b6e1-30de50dcbe96"}
	})
	_, err = f.tryRegister(a, u.ID)
	wantCode(t, err, auth.CodeWebAuthnNotAllowed)
	f.prefs(func(w *model.WebAuthnPreferences) { w.AAGUIDAllowList = []string{aaguid} })
	f.register(a, u.ID)
	if _, err := f.login(a, "ag@example.com"); err != nil {
		t.Fatal(err)
	}
	// Blocking the model later shuts out the passkey already registered.
	f.prefs(func(w *model.WebAuthnPreferences) { w.AAGUIDBlockList = []string{aaguid} })
	_, err = f.login(a, "ag@example.com")
	wantCode(t, err, auth.CodeWebAuthnNotAllowed)
}

func TestPasskeyUserVerificationRequired(t *testing.T) {
	f := newPKFixture(t)
	u := f.user("uv@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	f.prefs(func(w *model.WebAuthnPreferences) { w.UserVerification = model.UVRequired })
	if got := options(t, f.startLogin("uv@example.com"))["userVerification"]; got != "required" {
		t.Fatalf("request options ask userVerification %v", got)
	}
	a.NoUserVerification = true
	_, err := f.login(a, "uv@example.com")
	wantCode(t, err, fault.CodeInvalidCredentials)
	if r := strings.ToLower(f.lastFailure()); !strings.Contains(r, "verif") {
		t.Fatalf("audit reason %q does not name user verification", r)
	}
	noUV := f.authenticator()
	noUV.NoUserVerification = true
	_, err = f.tryRegister(noUV, u.ID)
	wantCode(t, err, auth.CodeWebAuthnRegister)
	a.NoUserVerification = false
	if _, err := f.login(a, "uv@example.com"); err != nil {
		t.Fatal(err)
	}
}

func TestPasskeySyncedAndAttestationPolicy(t *testing.T) {
	f := newPKFixture(t)
	u := f.user("sy@example.com", "")
	synced := f.authenticator()
	synced.BackupEligible, synced.BackupState = true, true
	f.register(synced, u.ID)
	off := false
	f.prefs(func(w *model.WebAuthnPreferences) { w.AllowSyncedPasskeys = &off })
	_, err := f.tryRegister(f.authenticatorSynced(), u.ID)
	wantCode(t, err, auth.CodeWebAuthnNotAllowed)
	_, err = f.login(synced, "sy@example.com")
	wantCode(t, err, auth.CodeWebAuthnNotAllowed)
	f.register(f.authenticator(), u.ID) // a device-bound passkey is fine

	f.prefs(func(w *model.WebAuthnPreferences) {
		w.AttestationType, w.EnforceAttestation = model.AttestationDirect, true
	})
	if got := options(t, f.startRegistration(auth.PasskeyRegistrationStart{UserID: u.ID}))["attestation"]; got != "direct" {
		t.Fatalf("creation options ask attestation %v", got)
	}
	_, err = f.tryRegister(f.authenticator(), u.ID)
	wantCode(t, err, auth.CodeWebAuthnNotAllowed)
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
	f.updateApp(func(a *model.Application) { a.Preferences.Limits.FailuresPerIdentifier = 2 })
	u := f.user("lk@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	a.Origin = "https://evil.example.org"
	_, err := f.login(a, "lk@example.com")
	wantCode(t, err, fault.CodeInvalidCredentials)
	_, err = f.login(a, "lk@example.com")
	wantCode(t, err, fault.CodeLocked)
	a.Origin = pkOrigin
	_, err = f.login(a, "lk@example.com")
	wantCode(t, err, fault.CodeLocked)
	if ev := f.events(model.EventLockout); len(ev) < 2 {
		t.Fatalf("lockout events: %+v", ev)
	}
	f.clock.Advance(16 * time.Minute)
	if _, err := f.login(a, "lk@example.com"); err != nil {
		t.Fatalf("login after the lockout: %v", err)
	}
}

func TestPasskeyConcurrentFinishes(t *testing.T) {
	f := newPKFixture(t)
	u := f.user("cc@example.com", "")
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
		case fault.As(err).Code != auth.CodeWebAuthnSession:
			t.Errorf("unexpected error %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d finishes of one ceremony succeeded, want exactly 1", wins)
	}
}
