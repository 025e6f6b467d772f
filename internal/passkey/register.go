package passkey

import (
	"encoding/json"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/latchkey/latchkey/internal/auth"
)

// RegistrationOptions begins a registration ceremony.
func (Verifier) RegistrationOptions(rp auth.RelyingParty, u auth.PasskeyUser, exclude []auth.StoredPasskey) (json.RawMessage, []byte, error) {
	w, err := relyingParty(rp)
	if err != nil {
		return nil, nil, err
	}
	var opts []webauthn.RegistrationOption
	if len(exclude) > 0 {
		opts = append(opts, webauthn.WithExclusions(descriptors(exclude)))
	}
	creation, session, err := w.BeginRegistration(user{handle: u.Handle, name: u.Name, displayName: u.DisplayName}, opts...)
	if err != nil {
		return nil, nil, describe(err)
	}
	return encode(creation.Response, session)
}

// VerifyRegistration verifies an attestation response against its ceremony.
func (Verifier) VerifyRegistration(rp auth.RelyingParty, state []byte, u auth.PasskeyUser, response []byte) (auth.NewPasskey, error) {
	w, err := relyingParty(rp)
	if err != nil {
		return auth.NewPasskey{}, err
	}
	session, err := decodeSession(state)
	if err != nil {
		return auth.NewPasskey{}, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return auth.NewPasskey{}, describe(err)
	}
	cred, err := w.CreateCredential(user{handle: u.Handle, name: u.Name, displayName: u.DisplayName}, session, parsed)
	if err != nil {
		return auth.NewPasskey{}, describe(err)
	}
	transports := make([]string, len(cred.Transport))
	for i, t := range cred.Transport {
		transports[i] = string(t)
	}
	return auth.NewPasskey{
		StoredPasskey: auth.StoredPasskey{
			ID: cred.ID, PublicKey: cred.PublicKey, SignCount: cred.Authenticator.SignCount,
			AAGUID: cred.Authenticator.AAGUID, Transports: transports,
			Flags:           byte(parsed.Response.AttestationObject.AuthData.Flags),
			AttestationType: cred.AttestationType, AttestationFormat: cred.AttestationFormat,
		},
		Attachment:        string(parsed.AuthenticatorAttachment),
		AttestationObject: cred.Attestation.Object,
		ClientDataJSON:    cred.Attestation.ClientDataJSON,
	}, nil
}
