package passkeys_test

import (
	"encoding/base64"
	"slices"
	"testing"

	"github.com/latchkey/latchkey/internal/auth/authtest"
	"github.com/latchkey/latchkey/internal/auth/passkeys"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

func TestPasskeyRegisterAndLogin(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("ada@example.com", "")
	a := f.authenticator()

	cer := f.startRegistration(passkeys.PasskeyRegistrationStart{UserID: u.ID})
	opts := options(t, cer)
	rp := opts["rp"].(map[string]any)
	user := opts["user"].(map[string]any)
	sel := opts["authenticatorSelection"].(map[string]any)
	if rp["id"] != pkRPID || user["id"] != base64.RawURLEncoding.EncodeToString([]byte(u.ID)) || user["name"] != "ada@example.com" ||
		sel["residentKey"] != "required" || sel["userVerification"] != "preferred" || opts["timeout"] != float64(300000) ||
		opts["challenge"] == "" || opts["attestation"] != "none" {
		t.Fatalf("unexpected creation options: %s", cer.Options)
	}
	reg, err := f.pk.FinishExternalRegistration(f.Ctx, f.Caller, passkeys.PasskeyRegistration{EncodedResult: f.answer(a, cer, true)})
	if err != nil {
		t.Fatal(err)
	}
	if reg.UserID != u.ID || reg.NewUser || reg.UserName != "ada@example.com" || reg.CredentialID == "" || reg.SessionID != cer.SessionID {
		t.Fatalf("unexpected registration: %+v", reg)
	}
	list, err := f.pk.ListPasskeys(f.Ctx, f.Caller, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].CredentialID != reg.CredentialID || list[0].Name != "Passkey" || list[0].AAGUID == "" ||
		!slices.Equal(list[0].Transports, []string{"internal"}) || !list[0].UserVerified || list[0].AttestationFormat != "none" {
		t.Fatalf("unexpected passkeys: %+v", list)
	}
	if ev := f.events(model.EventWebAuthnRegistration); len(ev) != 1 || ev[0].Outcome != "success" || ev[0].UserID != u.ID {
		t.Fatalf("registration audit events: %+v", ev)
	}

	login := f.startLogin("ADA@example.com")
	req := options(t, login)
	if req["rpId"] != pkRPID || req["userVerification"] != "preferred" || req["timeout"] != float64(300000) ||
		!slices.Equal(allowIDs(t, login), []string{reg.CredentialID}) {
		t.Fatalf("unexpected request options: %s", login.Options)
	}
	tok, err := f.finishLogin(f.answer(a, login, false))
	if err != nil {
		t.Fatal(err)
	}
	id := f.IDClaims(tok.IDToken)
	if amr := id["amr"].([]any); len(amr) != 1 || amr[0] != "webauthn" || id["sub"] != u.ID || tok.SessionID == "" || tok.RefreshToken == "" {
		t.Fatalf("unexpected login: %v %+v", id, tok)
	}
	after, _ := f.pk.ListPasskeys(f.Ctx, f.Caller, u.ID)
	if after[0].SignCount != 1 || after[0].LastUsedAt == nil {
		t.Fatalf("the login did not advance the passkey: %+v", after[0])
	}
	if ev := f.events(model.EventLoginSucceeded); len(ev) != 1 || ev[0].Method != "webauthn" || ev[0].UserID != u.ID {
		t.Fatalf("login audit events: %+v", ev)
	}
}

func TestPasskeyDiscoverableLogin(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("bo@example.com", "")
	a := f.authenticator()
	a.Packed = true
	f.register(a, u.ID)
	other := f.User("cy@example.com", "")
	f.register(f.authenticator(), other.ID)

	cer := f.startLogin("")
	if ids := allowIDs(t, cer); len(ids) != 0 {
		t.Fatalf("a username-less login lists credentials: %v", ids)
	}
	tok, err := f.finishLogin(f.answer(a, cer, false))
	if err != nil {
		t.Fatal(err)
	}
	if sub := f.IDClaims(tok.IDToken)["sub"]; sub != u.ID {
		t.Fatalf("logged in %v, want %s", sub, u.ID)
	}
	list, _ := f.pk.ListPasskeys(f.Ctx, f.Caller, u.ID)
	if list[0].AttestationFormat != "packed" {
		t.Fatalf("attestation format %q, want packed", list[0].AttestationFormat)
	}

	// Without a user handle the authenticator does not name the user: refused.
	a.OmitUserHandle = true
	if _, err := f.login(a, ""); err == nil {
		t.Fatal("a discoverable login without a user handle succeeded")
	}
}

func TestPasskeyAsSecondFactor(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("mf@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	first, err := f.login(a, "mf@example.com")
	if err != nil {
		t.Fatal(err)
	}
	enc := f.answer(a, f.startLogin("mf@example.com"), false)
	tok, err := f.pk.Authenticate(f.Ctx, f.Caller, passkeys.PasskeyAuthenticate{EncodedResult: enc, Login: auth.Login{SessionID: first.SessionID}})
	if err != nil {
		t.Fatal(err)
	}
	if tok.SessionID != first.SessionID {
		t.Fatalf("the factor started a new session %s, want %s", tok.SessionID, first.SessionID)
	}
	// Two passkey logins are one kind of factor: no mfa.
	if amr := f.IDClaims(tok.IDToken)["amr"].([]any); len(amr) != 1 {
		t.Fatalf("amr %v, want [webauthn]", amr)
	}

	// A login started with approval data approves that transaction in the ID token.
	cer, err := f.pk.StartLogin(f.Ctx, passkeys.PasskeyLoginStart{
		ClientID: f.Boot.ClientID, Username: "mf@example.com", ApprovalData: []byte(`{"amount": 120, "payee": "Acme"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err = f.finishLogin(f.answer(a, cer, false))
	if err != nil {
		t.Fatal(err)
	}
	if ap, _ := f.IDClaims(tok.IDToken)["approval_data"].(map[string]any); ap["payee"] != "Acme" || ap["amount"] != float64(120) {
		t.Fatalf("approval_data %v", f.IDClaims(tok.IDToken)["approval_data"])
	}
	_, err = f.pk.StartLogin(f.Ctx, passkeys.PasskeyLoginStart{ClientID: f.Boot.ClientID, ApprovalData: []byte(`{"nested": {}}`)})
	authtest.WantCode(t, err, "system_invalid_input")
}

func TestPasskeyExternalRegistrationCreatesUser(t *testing.T) {
	f := newPKFixture(t)
	a := f.authenticator()
	cer := f.startRegistration(passkeys.PasskeyRegistrationStart{ExternalUserID: " ext-42 ", DisplayName: "Ext User"})
	if user := options(t, cer)["user"].(map[string]any); user["name"] != "ext-42" || user["displayName"] != "Ext User" {
		t.Fatalf("user entity %v", user)
	}
	reg, err := f.pk.FinishExternalRegistration(f.Ctx, f.Caller, passkeys.PasskeyRegistration{
		EncodedResult: f.answer(a, cer, true), ExternalUserID: "ext-42", UserEmail: "Ext@Example.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reg.NewUser || reg.UserName != "ext-42" {
		t.Fatalf("registration %+v, want a new user", reg)
	}
	u := f.GetUser(reg.UserID)
	if u.ExternalUserID != "ext-42" || u.Email != "ext@example.com" || u.EmailVerifiedAt != nil || u.Status != model.UserActive {
		t.Fatalf("created user %+v", u)
	}
	if _, err := f.Store.GetAppUser(f.Ctx, f.Boot.TenantID, f.Boot.AppID, u.ID); err != nil {
		t.Fatalf("the new user is not linked to the application: %v", err)
	}
	tok, err := f.login(a, "")
	if err != nil {
		t.Fatal(err)
	}
	if f.IDClaims(tok.IDToken)["sub"] != u.ID {
		t.Fatal("the new passkey does not log the new user in")
	}

	// The same external id again registers a second passkey for the same user.
	cer = f.startRegistration(passkeys.PasskeyRegistrationStart{ExternalUserID: "ext-42"})
	reg2, err := f.pk.FinishExternalRegistration(f.Ctx, f.Caller, passkeys.PasskeyRegistration{EncodedResult: f.answer(f.authenticator(), cer, true)})
	if err != nil {
		t.Fatal(err)
	}
	if reg2.NewUser || reg2.UserID != u.ID {
		t.Fatalf("second registration %+v, want the same user", reg2)
	}

	// A mismatched external id at the finish is refused.
	cer = f.startRegistration(passkeys.PasskeyRegistrationStart{ExternalUserID: "ext-43"})
	_, err = f.pk.FinishExternalRegistration(f.Ctx, f.Caller, passkeys.PasskeyRegistration{EncodedResult: f.answer(f.authenticator(), cer, true), ExternalUserID: "ext-44"})
	authtest.WantCode(t, err, "system_invalid_input")
	if _, err := f.Store.GetUserBy(f.Ctx, f.Boot.TenantID, storage.UserByExternalUserID, "ext-43"); err == nil {
		t.Fatal("a refused registration created its user")
	}
}

func TestPasskeySelfRegistrationWithUserToken(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("me@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	tok, err := f.login(a, "me@example.com")
	if err != nil {
		t.Fatal(err)
	}
	uc, err := f.Svc.AuthenticateUser(f.Ctx, tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if uc.UserID != u.ID || uc.SessionRef == "" || uc.SessionRef == tok.SessionID || uc.AppID != f.Boot.AppID || uc.ClientID != f.Boot.ClientID {
		t.Fatalf("user caller %+v", uc)
	}
	for name, bearer := range map[string]string{"id token": tok.IDToken, "refresh token": tok.RefreshToken, "empty": ""} {
		if _, err := f.Svc.AuthenticateUser(f.Ctx, bearer); err == nil {
			t.Fatalf("%s accepted as a user access token", name)
		}
	}

	second := f.authenticator()
	cer, err := f.pk.StartSelfRegistration(f.Ctx, uc, passkeys.PasskeyRegistrationStart{})
	if err != nil {
		t.Fatal(err)
	}
	if ex, _ := options(t, cer)["excludeCredentials"].([]any); len(ex) != 1 {
		t.Fatalf("creation options exclude %v, want the user's passkey", ex)
	}
	// The ceremony is the user's own: a backend cannot finish it as an external one.
	enc := f.answer(second, cer, true)
	_, err = f.pk.FinishExternalRegistration(f.Ctx, f.Caller, passkeys.PasskeyRegistration{EncodedResult: enc})
	authtest.WantCode(t, err, passkeys.CodeWebAuthnSession)
	reg, err := f.pk.FinishSelfRegistration(f.Ctx, uc, passkeys.PasskeyRegistration{EncodedResult: enc, Name: "Laptop"})
	if err != nil {
		t.Fatal(err)
	}
	list, _ := f.pk.ListPasskeys(f.Ctx, f.Caller, u.ID)
	if len(list) != 2 || list[1].Name != "Laptop" || list[1].CredentialID != reg.CredentialID {
		t.Fatalf("passkeys after self registration: %+v", list)
	}

	// Logging out ends the token's use.
	if err := f.Sessions.Logout(f.Ctx, f.Caller, tok.SessionID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Svc.AuthenticateUser(f.Ctx, tok.AccessToken); err == nil {
		t.Fatal("the access token of an ended session still authenticates")
	}
}
