package passkeys_test

import (
	"encoding/json"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
)

// storedPasskey returns the user's one WebAuthn credential as stored.
func (f *pkFixture) storedPasskey(userID string) model.Credential {
	f.T.Helper()
	list, err := f.Store.ListCredentials(f.Ctx, f.Boot.TenantID, userID, model.CredentialWebAuthn)
	if err != nil || len(list) != 1 {
		f.T.Fatalf("passkeys of %s: %v %+v", userID, err, list)
	}
	return list[0]
}

// unbind clears a passkey's stored binding, as a row from before bindings were stored reads.
func (f *pkFixture) unbind(c model.Credential) {
	f.T.Helper()
	err := f.Store.UpdateCredential(f.Ctx, c.TenantID, c.ID, func(cur model.Credential) (model.Credential, error) {
		cur.RPID, cur.AppID = "", ""
		return cur, nil
	})
	if err != nil {
		f.T.Fatal(err)
	}
}

// A passkey records the relying party and application it was registered under, and a login
// on another relying party refuses it even from an authenticator that signs for any.
func TestPasskeyIsBoundToItsRelyingParty(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("rita@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	c := f.storedPasskey(u.ID)
	if c.RPID != pkRPID || c.AppID != f.Boot.AppID {
		t.Fatalf("stored binding: rp %q app %q, want %q %q", c.RPID, c.AppID, pkRPID, f.Boot.AppID)
	}

	// The application moves to another relying party: the old passkey is not offered, and
	// an authenticator that answers anyway is refused.
	f.prefs(func(w *model.WebAuthnPreferences) { w.RPID = "login.example.com" })
	a.AnyRelyingParty = true
	if _, err := f.login(a, ""); err == nil {
		t.Fatal("a passkey of another relying party signed in")
	}
	if ev := f.events(model.EventLoginFailed); len(ev) == 0 || details(t, ev[0])["reason"] != "the passkey was registered under another relying party" {
		t.Fatalf("failed login audit events: %+v", ev)
	}
}

// Passkeys stored before bindings were: the first login binds one whose stored attestation
// names the login's relying party, and refuses one whose attestation names another or that
// has none.
func TestUnboundPasskeyIsJudgedByItsAttestation(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("sam@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	f.unbind(f.storedPasskey(u.ID))
	if _, err := f.login(a, "sam@example.com"); err != nil {
		t.Fatalf("an unbound passkey of this relying party: %v", err)
	}
	if c := f.storedPasskey(u.ID); c.RPID != pkRPID {
		t.Fatalf("the first login bound the passkey to %q, want %q", c.RPID, pkRPID)
	}

	// Registered under example.com, presented to login.example.com.
	f.unbind(f.storedPasskey(u.ID))
	f.prefs(func(w *model.WebAuthnPreferences) { w.RPID = "login.example.com" })
	a.AnyRelyingParty = true
	if _, err := f.login(a, ""); err == nil {
		t.Fatal("an unbound passkey whose attestation names another relying party signed in")
	}
	if c := f.storedPasskey(u.ID); c.RPID != "" {
		t.Fatalf("a refused login bound the passkey to %q", c.RPID)
	}

	// Without a stored attestation nothing says where it belongs: refused.
	f.prefs(func(w *model.WebAuthnPreferences) {})
	a.AnyRelyingParty = false
	c := f.storedPasskey(u.ID)
	err := f.Store.UpdateCredential(f.Ctx, c.TenantID, c.ID, func(cur model.Credential) (model.Credential, error) {
		cur.Data = stripAttestation(t, cur.Data)
		return cur, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.login(a, ""); err == nil {
		t.Fatal("an unbound passkey without an attestation signed in")
	}
}

// stripAttestation removes the stored registration response from a passkey's data.
func stripAttestation(t *testing.T, data json.RawMessage) json.RawMessage {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil || m["attestation_object"] == nil {
		t.Fatalf("passkey data without an attestation object: %v %s", err, data)
	}
	delete(m, "attestation_object")
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
