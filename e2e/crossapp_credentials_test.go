package e2e

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/passkey/passkeytest"
)

// credentialWritingRoutes are the routes that can give a user something to sign in with (a
// password, TOTP key, recovery codes, passkey, or a login identifier). Each case calls its
// route as an application that merely linked the user, which the demo application created,
// and must be refused with user_shared.
func credentialWritingRoutes(t *testing.T, e *env, tok, otherTok string) map[string]func() response {
	vic := e.pwdCreateUser(tok, "vic@example.com", "vic", map[string]any{"password": pwdGood, "force_replace": false})
	pending := e.enrolTOTP(tok, vic)
	e.createUser(tok, "wes@example.com") // not linked to the other application yet
	wantStatus(t, e.do("POST", "/cis/v1/users", otherTok, map[string]any{"email": "vic@example.com"}), 201, "")
	vicAccess := e.userSession(otherTok, vic)["access_token"].(string)

	// Ceremonies the other application opened while the user was still its own, finished
	// after the demo application linked them too.
	olga := e.createUser(otherTok, "olga@example.com")
	a := passkeytest.New(otherOrigin)
	external := startedCeremony(t, e.do("POST", "/cis/v1/auth/webauthn/external/register/start", otherTok, map[string]any{"user_id": olga}), "credential_creation_options")
	olgaAccess := e.userSession(otherTok, olga)["access_token"].(string)
	self := startedCeremony(t, e.do("POST", "/cis/v1/auth/webauthn/register/start", olgaAccess, map[string]any{}), "credential_creation_options")
	// A cross-device registration the other application began for her then, whose ceremony
	// the authenticating device starts only now.
	olgaTicket := xdTicket(t, e.raw("POST", xdBase+"/register/init", olgaAccess, `{"username": "olga"}`))
	wantStatus(t, e.do("POST", "/cis/v1/users", tok, map[string]any{"email": "olga@example.com"}), 201, "")
	// A user with an external id, created by the demo application and linked by the other.
	wantStatus(t, e.do("POST", "/cis/v1/users", tok, map[string]any{"email": "xena@example.com", "external_user_id": "crm-xena"}), 201, "")
	wantStatus(t, e.do("POST", "/cis/v1/users", otherTok, map[string]any{"email": "xena@example.com"}), 201, "")

	user := "/cis/v1/users/" + vic
	return map[string]func() response{
		"POST /cis/v1/users": func() response {
			return e.do("POST", "/cis/v1/users", otherTok, map[string]any{"email": "wes@example.com", "credentials": map[string]any{"password": pwdOther}})
		},
		// A member created with a password goes through the Users API's create: a user who
		// already exists is linked, and the password refused.
		"POST /cis/v1/organizations/{organization_id}/members": func() response {
			res := e.do("POST", "/cis/v1/organizations", e.adminToken(), map[string]any{
				"name": "mallory org", "app_ids": []string{claimsOf(t, otherTok)["app_id"].(string)}})
			wantStatus(t, res, 201, "")
			org := result(t, res)["organization_id"].(string)
			return e.do("POST", "/cis/v1/organizations/"+org+"/members", otherTok, map[string]any{
				"email": "wes@example.com", "credentials": map[string]any{"password": pwdOther}})
		},
		"PUT /cis/v1/users/{user_id}": func() response {
			return e.do("PUT", user, otherTok, map[string]any{"email": "mallory@mallory.example"})
		},
		"POST /cis/v1/users/{user_id}/password": func() response {
			return e.do("POST", user+"/password", otherTok, map[string]any{"password": pwdOther, "force_replace": false})
		},
		"PUT /cis/v1/users/{user_id}/password": func() response {
			return e.do("PUT", user+"/password", otherTok, map[string]any{"password": pwdOther, "force_replace": false})
		},
		"POST /cis/v1/users/{user_id}/totp": func() response {
			return e.do("POST", user+"/totp", otherTok, map[string]any{})
		},
		"POST /cis/v1/users/{user_id}/totp/{totp_id}/confirm": func() response {
			return e.confirmTOTP(otherTok, vic, pending, e.totpCode(pending, 0))
		},
		"POST /cis/v1/users/{user_id}/recovery-codes": func() response {
			return e.do("POST", user+"/recovery-codes", otherTok, nil)
		},
		"POST /cis/v1/auth/webauthn/external/register/start": func() response {
			return e.do("POST", "/cis/v1/auth/webauthn/external/register/start", otherTok, map[string]any{"user_id": vic})
		},
		"POST /cis/v1/auth/webauthn/external/register": func() response {
			return e.do("POST", "/cis/v1/auth/webauthn/external/register", otherTok, map[string]any{"webauthn_encoded_result": encodedResult(t, a, external, true)})
		},
		"POST /cis/v1/auth/webauthn/register/start": func() response {
			return e.do("POST", "/cis/v1/auth/webauthn/register/start", vicAccess, map[string]any{})
		},
		"POST /cis/v1/auth/webauthn/register": func() response {
			return e.do("POST", "/cis/v1/auth/webauthn/register", olgaAccess, map[string]any{"webauthn_encoded_result": encodedResult(t, a, self, true)})
		},
		"POST /cis/v1/auth/totp/register": func() response {
			return e.raw("POST", "/cis/v1/auth/totp/register", vicAccess, `{"allow_override": true}`)
		},
		"POST /cis/v1/auth/webauthn/cross-device/register/init": func() response {
			return e.raw("POST", xdBase+"/register/init", vicAccess, `{"username": "vic"}`)
		},
		"POST /cis/v1/auth/webauthn/cross-device/external/register/init": func() response {
			return e.raw("POST", xdBase+"/external/register/init", otherTok, `{"external_user_id": "crm-xena", "username": "xena"}`)
		},
		"POST /cis/v1/auth/webauthn/cross-device/register/start": func() response {
			return e.raw("POST", xdBase+"/register/start", "", ticketBody(olgaTicket))
		},
		// Vouching for an address, or making it the primary one, is a login identifier.
		"POST /cis/v1/users/{user_id}/emails/{email}/verify": func() response {
			return e.do("POST", user+"/emails/vic@example.com/verify", otherTok, map[string]any{"change_to_primary": true})
		},
		"POST /cis/v1/users/{user_id}/phone-numbers/{phone_number}/verify": func() response {
			return e.do("POST", user+"/phone-numbers/%2B14155550100/verify", otherTok, map[string]any{})
		},
		// The user's own token is no more than the application's word: it may have run the login.
		"POST /cis/v1/users/me/password-credentials": func() response {
			return e.do("POST", "/cis/v1/users/me/password-credentials", vicAccess, map[string]any{"password": pwdOther})
		},
		// A code the application sent itself is its own word, not the user's.
		"POST /cis/v1/auth/password/reset/complete": func() response {
			res := e.do("POST", "/cis/v1/auth/password/reset/send", otherTok, map[string]any{"identifier_type": "email", "identifier": "vic@example.com", "channel": "direct"})
			wantStatus(t, res, 200, "")
			return e.do("POST", "/cis/v1/auth/password/reset/complete", otherTok, map[string]any{
				"identifier_type": "email", "identifier": "vic@example.com", "code": res.JSON(t)["code"], "new_password": pwdOther})
		},
	}
}

// routesAddingNoCredential are the other POST, PUT and PATCH routes, each with why it cannot give a
// user a credential the calling application does not own. A new route that writes must be
// placed in one list or the other before this test passes.
var routesAddingNoCredential = map[string]string{
	"POST /cis/v1/applications/{app_id}/roles":                                                     "roles of an application (management token)",
	"PUT /cis/v1/applications/{app_id}/roles/{role_id}":                                            "roles of an application (management token)",
	"POST /cis/v1/applications/{app_id}/roles/{role_id}/assignments":                               "roles given to users: what a token says they may do, not a way to sign in (management token)",
	"POST /cis/v1/applications/{app_id}/role-groups":                                               "bundles of an application's roles (management token)",
	"POST /cis/v1/applications/{app_id}/organizations/{organization_id}/role-groups/set":           "what an organization's members may be given, not a credential (management token)",
	"POST /cis/v1/applications/{app_id}/organizations/{organization_id}/roles-and-groups/set":      "what an organization's members may be given, not a credential (management token)",
	"POST /cis/v1/organizations/{organization_id}/logo":                                            "an organization's image, not a credential (management token)",
	"POST /cis/v1/client-roles":                                                                    "client roles: which APIs a client may call, not a user's credential (write:client_role)",
	"PUT /cis/v1/client-roles/{role_id}":                                                           "client roles: which APIs a client may call, not a user's credential (write:client_role)",
	"POST /cis/v1/groups":                                                                          "groups of users, not credentials",
	"PUT /cis/v1/groups/{group_id}":                                                                "groups of users, not credentials",
	"POST /cis/v1/groups/{group_id}/users":                                                         "group membership, not a credential",
	"POST /cis/v1/organizations":                                                                   "organizations (management token)",
	"PUT /cis/v1/organizations/{organization_id}":                                                  "organizations (management token)",
	"PUT /cis/v1/organizations/{organization_id}/apps":                                             "the applications an organization may use (management token)",
	"POST /cis/v1/organizations/{organization_id}/members":                                         "membership of an organization; a new member's user is made by the Users API's create, which adds no credential to a user the application does not own",
	"PUT /cis/v1/organizations/{organization_id}/members/{user_id}":                                "a membership's flags, not a credential",
	"POST /cis/v1/applications/{app_id}/organizations/{organization_id}/members/{member_id}/roles": "a member's roles: what a token says they may do, not a way to sign in (management token)",
	"PUT /cis/loginPreferences/{appId}/authMethods":                                                "an application's own settings (its own token or the management token)",
	"POST /cis/v1/applications":                                                                    "applications (management token, or a client role with create:app)",
	"PUT /cis/v1/applications/{appId}":                                                             "an application's own settings (its own token or the management token)",
	"POST /cis/v1/applications/{appId}/clients":                                                    "credentials of the application, not of a user (its own token or the management token)",
	"PUT /cis/v1/applications/{appId}/resources":                                                   "resources (management token, or a client role with write:resource)",
	"POST /cis/v1/applications/{appId}/clients/{clientId}/secret":                                  "client secrets, not a user's (its own token or the management token)",
	"PUT /cis/v1/applications/{appId}/clients/{clientId}":                                          "clients, not users (its own token or the management token)",
	"POST /cis/v1/applications/signing-keys":                                                       "the tenant's token-signing keys (management token, or a client role with write:signing_key)",
	"POST /cis/v1/applications/signing-keys/upload":                                                "the tenant's token-signing keys (management token, or a client role with write:signing_key)",
	"PUT /cis/v1/applications/signing-keys/{id}":                                                   "the tenant's token-signing keys (management token, or a client role with write:signing_key)",
	"PUT /cis/v1/audit/webhook":                                                                    "the tenant's audit webhook (management token)",
	"PUT /cis/v1/tenant":                                                                           "the tenant's default language (management token)",
	"POST /cis/v1/resources":                                                                       "resources",
	"PUT /cis/v1/resources/{resourceId}":                                                           "resources",
	"POST /cis/v1/auth/link/email/send":                                                            "sends a link to the user's own address",
	"POST /cis/v1/auth/link/email/authenticate":                                                    "a login to the caller's own application",
	"POST /cis/v1/auth/otp/send":                                                                   "sends a code (to the caller itself only by its own choice, for its own login)",
	"POST /cis/v1/auth/otp/authenticate":                                                           "a login to the caller's own application",
	"POST /cis/v1/auth/password/authenticate":                                                      "a login, proven by the password",
	"POST /cis/v1/auth/password/change":                                                            "proven by the current password, which already signs the user in everywhere",
	"POST /cis/v1/auth/password/reset/send":                                                        "sends a code; completing the reset is the write, tested above",
	"POST /cis/v1/auth/recovery-code/authenticate":                                                 "a login, proven by a recovery code",
	"POST /cis/v1/auth/session/authenticate":                                                       "single sign-on with an existing session, Latchkey's documented cross-application path",
	"POST /cis/v1/auth/session/logout":                                                             "ends a session",
	"POST /cis/v1/auth/token/refresh":                                                              "refreshes the caller's own client's tokens",
	"POST /cis/v1/auth/totp/authenticate":                                                          "a login, proven by a TOTP code",
	"POST /cis/v1/auth/webauthn/authenticate":                                                      "a login, proven by a passkey of the application's relying party",
	"POST /cis/v1/auth/webauthn/authenticate/start":                                                "opens a login ceremony",
	"PUT /cis/v1/applications/{appId}/clients/{clientId}/resources":                                "clients (management token)",
	"POST /oidc/token":                                                                             "tokens of the calling client itself (client credentials)",
	"POST /oidc/token/introspection":                                                               "reads a token",
	"POST /oidc/token/revocation":                                                                  "revokes a token",
	"PUT /cis/v1/users/{user_id}/webauthn/{credential_id}":                                         "renames a passkey",
	"POST /cis/v1/auth/totp/transaction/start":                                                     "starts a transaction signing; approving it is a login, proven by the TOTP key",
	"POST /cis/v1/auth/webauthn/cross-device/authenticate/init":                                    "begins a login flow",
	"POST /cis/v1/auth/webauthn/cross-device/authenticate/start":                                   "opens a login ceremony",
	"POST /cis/v1/auth/webauthn/cross-device/attach-device":                                        "marks a flow as taken up by a device",
	"POST /cis/v1/auth/webauthn/cross-device/abort":                                                "ends a flow",
	"PATCH /cis/v1/users/{user_id}/webauthn-credentials/{credential_id}":                           "renames a passkey",
	"PATCH /cis/v1/users/me/webauthn-credentials/{credential_id}":                                  "renames one of the user's own passkeys",
}

// No route lets an application give a user it merely linked a way to sign in: every route
// that writes sign-in credentials or identifiers refuses it, and every other writing route
// is listed with the reason it cannot.
func TestCredentialRoutesRefuseAnApplicationThatMerelyLinkedTheUser(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.enableWebAuthn(e.boot.AppID, nil)
		_, otherTok := e.otherSite()
		cases := credentialWritingRoutes(t, e, tok, otherTok)

		for _, rt := range e.api.Routes() {
			if rt.Method != http.MethodPost && rt.Method != http.MethodPut && rt.Method != http.MethodPatch {
				continue
			}
			key := rt.Method + " " + rt.Pattern
			if _, ok := cases[key]; ok {
				continue
			}
			if _, ok := routesAddingNoCredential[key]; !ok {
				t.Errorf("%s is in neither list: add a case to credentialWritingRoutes if it can give a user a way to sign in, "+
					"else list it in routesAddingNoCredential with the reason it cannot", key)
			}
		}
		// In a fixed order, so that a failure reads the same each run.
		for _, key := range slices.Sorted(maps.Keys(cases)) {
			t.Run(key, func(t *testing.T) { wantStatus(t, cases[key](), 403, "user_shared") })
		}

		// Nothing was added: the user still signs in to the demo application with their own
		// password only, and has no passkey.
		wantStatus(t, e.pwdLogin(tok, "email", "vic@example.com", pwdGood, nil), 200, "")
		wantStatus(t, e.pwdLogin(tok, "email", "vic@example.com", pwdOther, nil), 400, "auth_invalid_credentials")
		for _, email := range []string{"vic@example.com", "olga@example.com"} {
			res := e.do("GET", "/cis/v1/users/email/"+email, e.adminToken(), nil)
			wantStatus(t, res, 200, "")
			id := result(t, res)["user_id"].(string)
			res = e.do("GET", "/cis/v1/users/"+id+"/webauthn", e.adminToken(), nil)
			wantStatus(t, res, 200, "")
			if list, _ := res.JSON(t)["result"].([]any); len(list) != 0 {
				t.Errorf("%s has passkeys: %s", email, res.Body)
			}
		}
	})
}

// A reset code Latchkey delivered to the user's own address is the person's proof: the
// linking application may complete that reset, as the user's own application may.
func TestDeliveredResetCodeIsTheUsersProof(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		_, otherTok := e.otherSite()
		e.pwdCreateUser(tok, "rosa@example.com", "", map[string]any{"password": pwdGood, "force_replace": false})
		wantStatus(t, e.do("POST", "/cis/v1/users", otherTok, map[string]any{"email": "rosa@example.com"}), 201, "")
		res := e.do("POST", "/cis/v1/auth/password/reset/send", otherTok, map[string]any{"identifier_type": "email", "identifier": "rosa@example.com", "channel": "email"})
		wantStatus(t, res, 200, "")
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		msgs, err := e.mail.WaitFor(ctx, "rosa@example.com", 1)
		if err != nil {
			t.Fatalf("no reset email: %v", err)
		}
		m := codeInText.FindStringSubmatch(msgs[0].Text)
		if m == nil {
			t.Fatalf("no code in the reset email: %q", msgs[0].Text)
		}
		res = e.do("POST", "/cis/v1/auth/password/reset/complete", otherTok, map[string]any{
			"identifier_type": "email", "identifier": "rosa@example.com", "code": m[1], "new_password": pwdOther})
		wantStatus(t, res, 200, "")
		wantStatus(t, e.pwdLogin(tok, "email", "rosa@example.com", pwdOther, nil), 200, "")
	})
}
