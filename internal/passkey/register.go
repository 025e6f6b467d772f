package passkey

import (
	"encoding/json"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/latchkey/latchkey/internal/auth/passkeys"
)

// RegistrationOptions begins a registration ceremony.
func (Verifier) RegistrationOptions(rp passkeys.RelyingParty, u passkeys.PasskeyUser, exclude []passkeys.StoredPasskey) (json.RawMessage, []byte, error) {
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
func (Verifier) VerifyRegistration(rp passkeys.RelyingParty, state []byte, u passkeys.PasskeyUser, response []byte) (passkeys.NewPasskey, error) {
	w, err := relyingParty(rp)
	if err != nil {
		return passkeys.NewPasskey{}, err
	}
	session, err := decodeSession(state)
	if err != nil {
		return passkeys.NewPasskey{}, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return passkeys.NewPasskey{}, describe(err)
	}
	cred, err := w.CreateCredential(user{handle: u.Handle, name: u.Name, displayName: u.DisplayName}, session, parsed)
	if err != nil {
		return passkeys.NewPasskey{}, describe(err)
	}
	transports := make([]string, len(cred.Transport))
	for i, t := range cred.Transport {
		transports[i] = string(t)
	}
	return passkeys.NewPasskey{
		StoredPasskey: passkeys.StoredPasskey{
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
