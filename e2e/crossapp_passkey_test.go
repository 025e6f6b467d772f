package e2e

import (
	"testing"

	"github.com/latchkey/latchkey/internal/passkey/passkeytest"
)

// The second application of these tests is another site: its own relying party and origin.
const (
	otherRPID   = "mallory.example"
	otherOrigin = "https://mallory.example"
)

// otherSite creates a second application of the tenant with passkeys on its own relying
// party, and returns its client's id and token.
func (e *env) otherSite() (clientID, token string) {
	e.t.Helper()
	res := e.do("POST", "/cis/v1/applications", e.adminToken(), map[string]any{"app_name": "mallory", "redirect_uris": []string{otherOrigin + "/cb"}})
	wantStatus(e.t, res, 201, "")
	r := res.JSON(e.t)["result"].(map[string]any)
	clientID = r["client_id"].(string)
	e.enableWebAuthn(r["app_id"].(string), map[string]any{"rpId": otherRPID, "rpWebOrigins": []string{otherOrigin}})
	return clientID, e.clientToken(clientID, r["client_secret"].(string))
}

// userSession signs a linked user in to the caller's application the way any backend can: a
// code sent to itself (the direct channel) for the user's id.
func (e *env) userSession(token, userID string) map[string]any {
	e.t.Helper()
	res := e.do("POST", "/cis/v1/auth/otp/send", token, map[string]any{"channel": "direct", "identifier_type": "user_id", "identifier": userID})
	wantStatus(e.t, res, 200, "")
	res = e.do("POST", "/cis/v1/auth/otp/authenticate", token, map[string]any{
		"passcode": res.JSON(e.t)["code"], "identifier_type": "user_id", "identifier": userID,
	})
	wantStatus(e.t, res, 200, "")
	return res.JSON(e.t)
}

// forgedLogin answers a passkey login of the demo application (relying party example.com)
// for username with a's credentials whatever relying party they were registered under, as
// an attacker's software authenticator can.
func (e *env) forgedLogin(token, username string, a *passkeytest.Authenticator) response {
	e.t.Helper()
	a.AnyRelyingParty, a.Origin = true, waOrigin
	return e.passkeyLogin(token, username, a, nil)
}

// An application that links an existing user by their email, signs them in to itself with a
// code it sends itself, and registers a passkey with the resulting access token must not get
// a passkey at all: the user is not its own. Were it stored, it would sign the user in to the
// application they came from.
func TestLinkedUserCannotBeGivenAPasskeyBySelfService(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.enableWebAuthn(e.boot.AppID, nil)
		vic := e.createUser(tok, "vic@example.com")
		_, otherTok := e.otherSite()

		res := e.do("POST", "/cis/v1/users", otherTok, map[string]any{"email": "vic@example.com"})
		wantStatus(t, res, 201, "")
		access := e.userSession(otherTok, vic)["access_token"].(string)

		res = e.do("POST", "/cis/v1/auth/webauthn/register/start", access, map[string]any{})
		if res.Status == 200 {
			// The takeover as it ran: finish the registration, then log in to the demo
			// application with the new passkey.
			a := passkeytest.New(otherOrigin)
			c := startedCeremony(t, res, "credential_creation_options")
			reg := e.do("POST", "/cis/v1/auth/webauthn/register", access, map[string]any{"webauthn_encoded_result": encodedResult(t, a, c, true)})
			login := e.forgedLogin(tok, "vic@example.com", a)
			t.Fatalf("self-service registration for a linked user: start 200, finish %d, login to the other application %d",
				reg.Status, login.Status)
		}
		wantStatus(t, res, 403, "user_shared")
	})
}
