package passkey_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth/passkeys"
	"github.com/latchkey/latchkey/internal/passkey"
	"github.com/latchkey/latchkey/internal/passkey/passkeytest"
)

var rp = passkeys.RelyingParty{
	ID: "example.com", Name: "Example", Origins: []string{"https://example.com"},
	UserVerification: "preferred", Attestation: "none", Timeout: time.Minute,
}

func TestRegistrationAndAssertion(t *testing.T) {
	v := passkey.New()
	user := passkeys.PasskeyUser{Handle: []byte("user-1"), Name: "ada", DisplayName: "Ada"}
	opts, state, err := v.RegistrationOptions(rp, user, nil)
	if err != nil {
		t.Fatal(err)
	}
	var o map[string]any
	if err := json.Unmarshal(opts, &o); err != nil || o["timeout"] != float64(60000) {
		t.Fatalf("options %s: %v", opts, err)
	}
	a := passkeytest.New("https://example.com")
	a.Packed = true
	resp, id, err := a.Register(opts)
	if err != nil {
		t.Fatal(err)
	}
	nk, err := v.VerifyRegistration(rp, state, user, resp)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(nk.ID, id) || nk.AttestationFormat != "packed" || !bytes.Equal(nk.AAGUID, a.AAGUID[:]) || nk.Flags&0x45 != 0x45 {
		t.Fatalf("verified registration %+v", nk.StoredPasskey)
	}
	// The same response cannot be verified against another ceremony's challenge.
	_, other, _ := v.RegistrationOptions(rp, user, nil)
	if _, err := v.VerifyRegistration(rp, other, user, resp); err == nil || !strings.Contains(strings.ToLower(err.Error()), "challenge") {
		t.Fatalf("another ceremony's state: %v", err)
	}

	// A discoverable login: no user in the options, the user handle in the answer.
	opts, state, err = v.LoginOptions(rp, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = a.Authenticate(opts)
	if err != nil {
		t.Fatal(err)
	}
	claim, err := v.ReadAssertion(resp)
	if err != nil || !bytes.Equal(claim.CredentialID, id) || string(claim.UserHandle) != "user-1" {
		t.Fatalf("assertion claims %+v: %v", claim, err)
	}
	got, err := v.VerifyAssertion(rp, state, user.Handle, []passkeys.StoredPasskey{nk.StoredPasskey}, resp)
	if err != nil || got.SignCount != 1 {
		t.Fatalf("verified assertion %+v: %v", got, err)
	}
	// The owner must be the one the authenticator names.
	if _, err := v.VerifyAssertion(rp, state, []byte("user-2"), []passkeys.StoredPasskey{nk.StoredPasskey}, resp); err == nil {
		t.Fatal("an assertion verified for another user handle")
	}
}

func TestLoginOptionsWithAllowList(t *testing.T) {
	v := passkey.New()
	ids := [][]byte{{1, 2, 3, 4}, {5, 6, 7, 8}}
	allow := []passkeys.StoredPasskey{{ID: ids[0], Transports: []string{"usb"}}, {ID: ids[1]}}
	for _, handle := range [][]byte{nil, []byte("user-1")} {
		opts, _, err := v.LoginOptions(rp, handle, allow)
		if err != nil {
			t.Fatal(err)
		}
		var o struct {
			RPID  string `json:"rpId"`
			Allow []struct {
				ID         string   `json:"id"`
				Transports []string `json:"transports"`
			} `json:"allowCredentials"`
		}
		if err := json.Unmarshal(opts, &o); err != nil {
			t.Fatal(err)
		}
		if o.RPID != "example.com" || len(o.Allow) != 2 || o.Allow[0].ID != base64.RawURLEncoding.EncodeToString(ids[0]) ||
			len(o.Allow[0].Transports) != 1 {
			t.Fatalf("options for handle %q: %s", handle, opts)
		}
	}
}
