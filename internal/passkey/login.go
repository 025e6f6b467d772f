package passkey

import (
	"encoding/json"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/latchkey/latchkey/internal/auth/passkeys"
)

// LoginOptions begins a login ceremony: for the user with handle, allowing their passkeys, or
// with a nil handle for a discoverable passkey (then allow, when set, is sent as given).
func (Verifier) LoginOptions(rp passkeys.RelyingParty, handle []byte, allow []passkeys.StoredPasskey) (json.RawMessage, []byte, error) {
	w, err := relyingParty(rp)
	if err != nil {
		return nil, nil, err
	}
	var assertion *protocol.CredentialAssertion
	var session *webauthn.SessionData
	if handle == nil {
		var opts []webauthn.LoginOption
		if len(allow) > 0 {
			opts = append(opts, webauthn.WithAllowedCredentials(descriptors(allow)))
		}
		assertion, session, err = w.BeginDiscoverableLogin(opts...)
	} else {
		assertion, session, err = w.BeginLogin(user{handle: handle, credentials: credentials(allow)})
	}
	if err != nil {
		return nil, nil, describe(err)
	}
	return encode(assertion.Response, session)
}

// ReadAssertion parses an assertion response without verifying it.
func (Verifier) ReadAssertion(response []byte) (passkeys.Assertion, error) {
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return passkeys.Assertion{}, describe(err)
	}
	return passkeys.Assertion{CredentialID: parsed.RawID, UserHandle: parsed.Response.UserHandle}, nil
}

// VerifyAssertion verifies an assertion by the user with handle, who owns the passkeys in
// owned. A ceremony begun for a named user is checked against that user; one begun without
// a user is a discoverable login, where the response's user handle must be handle.
func (Verifier) VerifyAssertion(rp passkeys.RelyingParty, state, handle []byte, owned []passkeys.StoredPasskey, response []byte) (passkeys.VerifiedAssertion, error) {
	w, err := relyingParty(rp)
	if err != nil {
		return passkeys.VerifiedAssertion{}, err
	}
	session, err := decodeSession(state)
	if err != nil {
		return passkeys.VerifiedAssertion{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return passkeys.VerifiedAssertion{}, describe(err)
	}
	u := user{handle: handle, credentials: credentials(owned)}
	if len(session.UserID) == 0 {
		lookup := func(_, _ []byte) (webauthn.User, error) { return u, nil }
		_, _, err = w.ValidatePasskeyLogin(lookup, session, parsed)
	} else {
		_, err = w.ValidateLogin(u, session, parsed)
	}
	if err != nil {
		return passkeys.VerifiedAssertion{}, describe(err)
	}
	data := parsed.Response.AuthenticatorData
	return passkeys.VerifiedAssertion{SignCount: data.Counter, Flags: byte(data.Flags)}, nil
}
