package passkeys

import (
	"bytes"
	"crypto/sha256"

	"github.com/fxamacker/cbor/v2"

	"github.com/latchkey/latchkey/internal/model"
)

// boundTo reports whether a passkey may sign in under the relying party rpID, which must be
// the one it was registered under. A browser never offers a passkey to another relying
// party, but an authenticator an attacker controls signs for whatever rpId it is asked, so
// the assertion's relying party proves nothing about where the key was registered: the
// stored binding does.
//
// A passkey stored before Latchkey recorded the relying party is judged by the attestation
// object stored with it: its authenticator data starts with the hash of the relying party id
// the registration was verified under. Without a readable one the passkey is refused; an
// administrator can delete it and the user register again.
func boundTo(c model.Credential, d passkeyData, rpID string) bool {
	if c.RPID != "" {
		return c.RPID == rpID
	}
	h, ok := attestedRPIDHash(d.AttestationObject)
	want := sha256.Sum256([]byte(rpID))
	return ok && bytes.Equal(h, want[:])
}

// attestedRPIDHash returns the relying party id hash of a stored attestation object's
// authenticator data (WebAuthn §6.1: its first 32 bytes).
func attestedRPIDHash(object []byte) ([]byte, bool) {
	var ao struct {
		AuthData []byte `cbor:"authData"`
	}
	if len(object) == 0 || cbor.Unmarshal(object, &ao) != nil || len(ao.AuthData) < sha256.Size {
		return nil, false
	}
	return ao.AuthData[:sha256.Size], true
}
