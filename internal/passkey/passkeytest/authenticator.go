package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/fxamacker/cbor/v2"
)

// Authenticator data flags (WebAuthn §6.1).
const (
	flagUP = 0x01
	flagUV = 0x04
	flagBE = 0x08
	flagBS = 0x10
	flagAT = 0x40
)

// Authenticator is one software authenticator with the browser around it. Its exported
// fields may be changed between ceremonies.
type Authenticator struct {
	// Origin is the origin the browser reports in clientDataJSON.
	Origin string
	// RPID, when set, is hashed into the authenticator data instead of the options' rpId,
	// as a phishing page's authenticator would.
	RPID string
	// AAGUID is the authenticator model's id.
	AAGUID [16]byte
	// Packed makes registrations carry packed self attestation instead of none.
	Packed bool
	// NoUserVerification leaves the user-verified flag unset; by default it is set.
	NoUserVerification bool
	// BackupEligible and BackupState set the backup flags, as a synced passkey would.
	BackupEligible bool
	BackupState    bool
	// OmitUserHandle leaves userHandle out of assertions.
	OmitUserHandle bool
	// AnyRelyingParty answers any relying party's request with its newest credential,
	// whatever relying party it was registered under and whatever the request allows,
	// hashing the request's rpId into the authenticator data: what an attacker's own
	// software authenticator can do, and a browser never does.
	AnyRelyingParty bool

	mu    sync.Mutex
	creds []*credential
}

type credential struct {
	id     []byte
	key    *ecdsa.PrivateKey
	rpID   string
	handle []byte
	count  uint32
}

// New returns an authenticator whose browser runs at origin.
func New(origin string) *Authenticator {
	a := &Authenticator{Origin: origin}
	_, _ = rand.Read(a.AAGUID[:])
	return a
}

var b64 = base64.RawURLEncoding

// creationOptions is what Register reads of PublicKeyCredentialCreationOptions.
type creationOptions struct {
	RP        struct{ ID string }   `json:"rp"`
	User      struct{ ID string }   `json:"user"`
	Challenge string                `json:"challenge"`
	Exclude   []struct{ ID string } `json:"excludeCredentials"`
}

// Register answers creation options as navigator.credentials.create would and returns the
// JSON of PublicKeyCredential.toJSON() and the new credential's id.
func (a *Authenticator) Register(options []byte) ([]byte, []byte, error) {
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, nil, fmt.Errorf("creation options: %w", err)
	}
	handle, err := b64.DecodeString(o.User.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("user.id: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, ex := range o.Exclude {
		for _, c := range a.creds {
			if b64.EncodeToString(c.id) == ex.ID {
				return nil, nil, errors.New("InvalidStateError: the authenticator already holds an excluded credential")
			}
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	c := &credential{id: make([]byte, 32), key: key, rpID: o.RP.ID, handle: handle}
	_, _ = rand.Read(c.id)
	clientData, _ := json.Marshal(map[string]any{"type": "webauthn.create", "challenge": o.Challenge, "origin": a.Origin, "crossOrigin": false})
	cose, err := coseKey(key)
	if err != nil {
		return nil, nil, err
	}
	attested := append(append(append([]byte{}, a.AAGUID[:]...), byte(len(c.id)>>8), byte(len(c.id))), c.id...)
	authData := a.authData(o.RP.ID, flagAT, 0, append(attested, cose...))
	object, err := a.attestationObject(key, authData, clientData)
	if err != nil {
		return nil, nil, err
	}
	a.creds = append(a.creds, c)
	out, err := json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.id), "rawId": b64.EncodeToString(c.id), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON": b64.EncodeToString(clientData), "attestationObject": b64.EncodeToString(object),
			"transports": []string{"internal"},
		},
	})
	return out, c.id, err
}

// requestOptions is what Authenticate reads of PublicKeyCredentialRequestOptions.
type requestOptions struct {
	RPID      string                `json:"rpId"`
	Challenge string                `json:"challenge"`
	Allow     []struct{ ID string } `json:"allowCredentials"`
}

// Authenticate answers request options as navigator.credentials.get would, with the newest
// credential it holds that the options allow (any of the relying party's for a discoverable
// login), and returns the JSON of PublicKeyCredential.toJSON().
func (a *Authenticator) Authenticate(options []byte) ([]byte, error) {
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("request options: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.pick(o)
	if c == nil {
		return nil, errors.New("NotAllowedError: no credential for these options")
	}
	c.count++
	clientData, _ := json.Marshal(map[string]any{"type": "webauthn.get", "challenge": o.Challenge, "origin": a.Origin, "crossOrigin": false})
	rpID := c.rpID
	if a.AnyRelyingParty {
		rpID = o.RPID
	}
	authData := a.authData(rpID, 0, c.count, nil)
	sig, err := sign(c.key, authData, clientData)
	if err != nil {
		return nil, err
	}
	resp := map[string]any{
		"clientDataJSON": b64.EncodeToString(clientData), "authenticatorData": b64.EncodeToString(authData),
		"signature": b64.EncodeToString(sig),
	}
	if !a.OmitUserHandle {
		resp["userHandle"] = b64.EncodeToString(c.handle)
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.id), "rawId": b64.EncodeToString(c.id), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{}, "response": resp,
	})
}

func (a *Authenticator) pick(o requestOptions) *credential {
	for i := len(a.creds) - 1; i >= 0; i-- {
		c := a.creds[i]
		if c.rpID != o.RPID && !a.AnyRelyingParty {
			continue
		}
		if len(o.Allow) == 0 || a.AnyRelyingParty {
			return c
		}
		for _, al := range o.Allow {
			if al.ID == b64.EncodeToString(c.id) {
				return c
			}
		}
	}
	return nil
}

// SetCounter sets the signature counter of a credential; the next assertion uses n+1. Setting
// it below a value already sent imitates a cloned authenticator.
func (a *Authenticator) SetCounter(id []byte, n uint32) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range a.creds {
		if string(c.id) == string(id) {
			c.count = n
		}
	}
}

// authData builds authenticator data: the relying party id hash, flags, counter and any
// attested credential data.
func (a *Authenticator) authData(rpID string, extra byte, count uint32, attested []byte) []byte {
	if a.RPID != "" {
		rpID = a.RPID
	}
	hash := sha256.Sum256([]byte(rpID))
	flags := flagUP | extra
	if !a.NoUserVerification {
		flags |= flagUV
	}
	if a.BackupEligible {
		flags |= flagBE
	}
	if a.BackupState {
		flags |= flagBS
	}
	out := append(hash[:], flags)
	out = binary.BigEndian.AppendUint32(out, count)
	return append(out, attested...)
}

// attestationObject encodes authData with attestation "none" or packed self attestation: the
// credential key signing authData and the client data hash.
func (a *Authenticator) attestationObject(key *ecdsa.PrivateKey, authData, clientData []byte) ([]byte, error) {
	obj := map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": authData}
	if a.Packed {
		sig, err := sign(key, authData, clientData)
		if err != nil {
			return nil, err
		}
		obj["fmt"], obj["attStmt"] = "packed", map[string]any{"alg": -7, "sig": sig}
	}
	return encMode.Marshal(obj)
}

func sign(key *ecdsa.PrivateKey, authData, clientData []byte) ([]byte, error) {
	cdh := sha256.Sum256(clientData)
	digest := sha256.Sum256(append(append([]byte{}, authData...), cdh[:]...))
	return ecdsa.SignASN1(rand.Reader, key, digest[:])
}

// encMode is CTAP2's canonical CBOR.
var encMode, _ = cbor.CTAP2EncOptions().EncMode()

// coseKey encodes an ECDSA P-256 public key as a COSE_Key for ES256.
func coseKey(key *ecdsa.PrivateKey) ([]byte, error) {
	point, err := key.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		return nil, err
	}
	return encMode.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: point[1:33], -3: point[33:65]})
}
