package passkey

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/latchkey/latchkey/internal/auth/passkeys"
)

// Verifier is the go-webauthn implementation of passkeys.PasskeyVerifier.
type Verifier struct{}

var _ passkeys.PasskeyVerifier = Verifier{}

// New returns a Verifier.
func New() Verifier { return Verifier{} }

// relyingParty configures the library for one ceremony. Passkeys are discoverable credentials,
// so registrations require a resident key; that is what lets a login start without a
// username.
func relyingParty(rp passkeys.RelyingParty) (*webauthn.WebAuthn, error) {
	residentKey := true
	timeout := webauthn.TimeoutConfig{Timeout: rp.Timeout, TimeoutUVD: rp.Timeout}
	w, err := webauthn.New(&webauthn.Config{
		RPID:                  rp.ID,
		RPDisplayName:         rp.Name,
		RPOrigins:             rp.Origins,
		AttestationPreference: protocol.ConveyancePreference(rp.Attestation),
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			RequireResidentKey: &residentKey,
			UserVerification:   protocol.UserVerificationRequirement(rp.UserVerification),
		},
		// The ceremony's expiry is enforced by Latchkey with its own clock, when the
		// ceremony is redeemed; these only set the timeout the browser is given.
		Timeouts: webauthn.TimeoutsConfig{Login: timeout, Registration: timeout},
		// Browsers differ in which extension outputs they return unasked (credProps, for
		// one); Latchkey requests none and relies on none, so they are ignored rather than
		// failing the ceremony.
		ExtensionsUnsolicitedOutputPolicy: protocol.UnsolicitedOutputPolicyIgnore,
	})
	if err != nil {
		return nil, fmt.Errorf("configure relying party %s: %w", rp.ID, err)
	}
	return w, nil
}

// user is the library's view of a user: the handle, names and registered credentials.
type user struct {
	handle      []byte
	name        string
	displayName string
	credentials []webauthn.Credential
}

func (u user) WebAuthnID() []byte                         { return u.handle }
func (u user) WebAuthnName() string                       { return u.name }
func (u user) WebAuthnDisplayName() string                { return u.displayName }
func (u user) WebAuthnCredentials() []webauthn.Credential { return u.credentials }

// credential turns a stored passkey into the library's credential record.
func credential(p passkeys.StoredPasskey) webauthn.Credential {
	transports := make([]protocol.AuthenticatorTransport, len(p.Transports))
	for i, t := range p.Transports {
		transports[i] = protocol.AuthenticatorTransport(t)
	}
	return webauthn.Credential{
		ID: p.ID, PublicKey: p.PublicKey, AttestationType: p.AttestationType,
		AttestationFormat: p.AttestationFormat, Transport: transports,
		Flags:         webauthn.NewCredentialFlags(protocol.AuthenticatorFlags(p.Flags)),
		Authenticator: webauthn.Authenticator{AAGUID: p.AAGUID, SignCount: p.SignCount},
	}
}

func credentials(list []passkeys.StoredPasskey) []webauthn.Credential {
	out := make([]webauthn.Credential, len(list))
	for i, p := range list {
		out[i] = credential(p)
	}
	return out
}

func descriptors(list []passkeys.StoredPasskey) []protocol.CredentialDescriptor {
	out := make([]protocol.CredentialDescriptor, len(list))
	for i, p := range list {
		c := credential(p)
		out[i] = c.Descriptor()
	}
	return out
}

// encode returns the options and the session data to keep.
func encode(options any, session *webauthn.SessionData) (json.RawMessage, []byte, error) {
	opts, err := json.Marshal(options)
	if err != nil {
		return nil, nil, fmt.Errorf("encode options: %w", err)
	}
	state, err := json.Marshal(session)
	if err != nil {
		return nil, nil, fmt.Errorf("encode session: %w", err)
	}
	return opts, state, nil
}

func decodeSession(state []byte) (webauthn.SessionData, error) {
	var s webauthn.SessionData
	if err := json.Unmarshal(state, &s); err != nil {
		return s, fmt.Errorf("decode session: %w", err)
	}
	return s, nil
}

// describe turns a library error into one whose message says what failed and why: the
// library's short description and, when it has one, its detail.
func describe(err error) error {
	var pe *protocol.Error
	if !errors.As(err, &pe) {
		return err
	}
	msg := pe.Details
	if msg == "" {
		msg = pe.Type
	}
	if pe.DevInfo != "" {
		msg += " (" + pe.DevInfo + ")"
	}
	return errors.New(msg)
}
