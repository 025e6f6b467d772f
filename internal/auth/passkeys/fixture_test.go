package passkeys_test

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"slices"
	"testing"

	"github.com/latchkey/latchkey/internal/auth/authtest"
	"github.com/latchkey/latchkey/internal/auth/passkeys"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/passkey"
	"github.com/latchkey/latchkey/internal/passkey/passkeytest"
)

const (
	pkRPID   = "example.com"
	pkOrigin = "https://app.example.com"
)

// pkFixture is the passkey flows over a real SQLite store, with the go-webauthn verifier and
// an application whose relying party is example.com.
type pkFixture struct {
	*authtest.Fixture
	pk *passkeys.Service
}

func newPKFixture(t *testing.T) *pkFixture {
	t.Helper()
	aud := &authtest.StoreAuditor{}
	f := authtest.New(t, auth.Options{Audit: aud})
	aud.Store = f.Store
	pf := &pkFixture{Fixture: f, pk: passkeys.New(f.Svc, passkey.New())}
	pf.prefs(func(w *model.WebAuthnPreferences) {})
	return pf
}

// prefs sets the application's webauthn_api preferences: example.com, then whatever fn sets.
func (f *pkFixture) prefs(fn func(*model.WebAuthnPreferences)) {
	f.T.Helper()
	f.UpdateApp(func(a *model.Application) {
		w := model.WebAuthnPreferences{RPID: pkRPID, RPWebOrigins: []string{pkOrigin}}
		fn(&w)
		a.Preferences.WebAuthn = w
	})
}

func (f *pkFixture) authenticator() *passkeytest.Authenticator { return passkeytest.New(pkOrigin) }

// startRegistration starts an external registration for a user or an external id.
func (f *pkFixture) startRegistration(req passkeys.PasskeyRegistrationStart) passkeys.PasskeyCeremony {
	f.T.Helper()
	cer, err := f.pk.StartExternalRegistration(f.Ctx, f.Caller, req)
	if err != nil {
		f.T.Fatalf("start registration: %v", err)
	}
	return cer
}

// answer runs the authenticator on a ceremony's options and encodes its answer.
func (f *pkFixture) answer(a *passkeytest.Authenticator, cer passkeys.PasskeyCeremony, register bool) string {
	f.T.Helper()
	var cred []byte
	var err error
	if register {
		cred, _, err = a.Register(cer.Options)
	} else {
		cred, err = a.Authenticate(cer.Options)
	}
	if err != nil {
		f.T.Fatalf("authenticator: %v", err)
	}
	enc, err := passkeys.EncodeResult(cred, cer.SessionID)
	if err != nil {
		f.T.Fatal(err)
	}
	return enc
}

// tryRegister registers a passkey of a for the user, returning the outcome.
func (f *pkFixture) tryRegister(a *passkeytest.Authenticator, userID string) (passkeys.PasskeyRegistered, error) {
	f.T.Helper()
	cer := f.startRegistration(passkeys.PasskeyRegistrationStart{UserID: userID})
	return f.pk.FinishExternalRegistration(f.Ctx, f.Caller, passkeys.PasskeyRegistration{EncodedResult: f.answer(a, cer, true)})
}

func (f *pkFixture) register(a *passkeytest.Authenticator, userID string) passkeys.PasskeyRegistered {
	f.T.Helper()
	out, err := f.tryRegister(a, userID)
	if err != nil {
		f.T.Fatalf("register: %v", err)
	}
	return out
}

// startLogin starts a login for username ("" for a discoverable passkey).
func (f *pkFixture) startLogin(username string) passkeys.PasskeyCeremony {
	f.T.Helper()
	cer, err := f.pk.StartLogin(f.Ctx, passkeys.PasskeyLoginStart{ClientID: f.Boot.ClientID, Username: username})
	if err != nil {
		f.T.Fatalf("start login: %v", err)
	}
	return cer
}

func (f *pkFixture) finishLogin(enc string) (auth.TokenResponse, error) {
	return f.pk.Authenticate(f.Ctx, f.Caller, passkeys.PasskeyAuthenticate{EncodedResult: enc})
}

// login runs a whole login of a for username.
func (f *pkFixture) login(a *passkeytest.Authenticator, username string) (auth.TokenResponse, error) {
	f.T.Helper()
	return f.finishLogin(f.answer(a, f.startLogin(username), false))
}

// events returns the tenant's audit events of one type, newest first.
func (f *pkFixture) events(typ string) []model.AuditEvent {
	f.T.Helper()
	list, _, err := f.Store.ListAudit(f.Ctx, model.AuditQuery{TenantID: f.Boot.TenantID, Type: typ})
	if err != nil {
		f.T.Fatal(err)
	}
	return list
}

// details decodes an audit event's details.
func details(t *testing.T, e model.AuditEvent) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(e.Details, &m); err != nil {
		t.Fatalf("event details %s: %v", e.Details, err)
	}
	return m
}

// options decodes a ceremony's options.
func options(t *testing.T, cer passkeys.PasskeyCeremony) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(cer.Options, &m); err != nil {
		t.Fatalf("options %s: %v", cer.Options, err)
	}
	return m
}

// allowIDs lists the credential ids of request options' allowCredentials.
func allowIDs(t *testing.T, cer passkeys.PasskeyCeremony) []string {
	t.Helper()
	var ids []string
	list, _ := options(t, cer)["allowCredentials"].([]any)
	for _, d := range list {
		ids = append(ids, d.(map[string]any)["id"].(string))
	}
	slices.Sort(ids)
	return ids
}

// aaguidOf is an authenticator's AAGUID in UUID form.
func aaguidOf(a *passkeytest.Authenticator) string {
	h := hex.EncodeToString(a.AAGUID[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func decodeB64(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
