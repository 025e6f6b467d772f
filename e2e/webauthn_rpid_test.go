package e2e

import (
	"testing"

	"github.com/latchkey/latchkey/internal/passkey/passkeytest"
)

// A passkey is bound to the relying party it was registered under: presented to an
// application with another relying party id by an authenticator that signs for any, it
// signs nobody in, even for a user both applications share.
func TestPasskeyOfAnotherRelyingPartyDoesNotSignIn(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.enableWebAuthn(e.boot.AppID, nil)
		otherClient, otherTok := e.otherSite()
		// The user is the other application's own, so it may give them a passkey there.
		own := e.createUser(otherTok, "olga@example.com")
		a := passkeytest.New(otherOrigin)
		wantStatus(t, e.registerPasskey(otherTok, map[string]any{"user_id": own}, nil, a), 200, "")
		// The demo application links the user too.
		wantStatus(t, e.do("POST", "/cis/v1/users", tok, map[string]any{"email": "olga@example.com"}), 201, "")

		wantStatus(t, e.forgedLogin(tok, "olga@example.com", a), 400, "auth_invalid_credentials")
		wantStatus(t, e.forgedLogin(tok, "", a), 400, "auth_invalid_credentials")

		// Where it was registered, it still signs in.
		a.AnyRelyingParty, a.Origin = false, otherOrigin
		c := e.startPasskeyLogin(otherClient, "olga@example.com")
		res := e.do("POST", "/cis/v1/auth/webauthn/authenticate", otherTok, map[string]any{"webauthn_encoded_result": encodedResult(t, a, c, false)})
		wantStatus(t, res, 200, "")
	})
}
