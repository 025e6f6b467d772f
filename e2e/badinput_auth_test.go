package e2e

import (
	"strings"

	"github.com/latchkey/latchkey/internal/passkey/passkeytest"
)

// seedBadInput gives tenant A what the body routes act on: a user with a session, an
// unconfirmed TOTP enrolment and a passkey, and a resource. It returns the ids, and the
// records whose state must not change, with the user's tokens (the access token signs the
// self-service passkey calls in; the refresh token shows by introspection that no bad body
// rotated it).
func seedBadInput(e *env, admin, client string) (badInputIDs, *tenantRecords) {
	e.t.Helper()
	t := e.t
	ids := badInputIDs{app: e.boot.AppID, client: e.boot.ClientID}
	ids.user = e.createUser(client, "ada@example.com")
	res := e.do("POST", "/cis/v1/resources", admin, map[string]any{"uri": "https://api.example.com/"})
	wantStatus(t, res, 201, "")
	ids.resource = result(t, res)["resource_id"].(string)
	e.enableWebAuthnAs(admin, e.boot.AppID, nil)
	ids.totp = e.enrolTOTP(client, ids.user)["totp_id"].(string)
	res = e.registerPasskey(client, map[string]any{"user_id": ids.user}, nil, passkeytest.New(waOrigin))
	wantStatus(t, res, 200, "")
	ids.passkey = res.JSON(t)["credential_id"].(string)
	login := e.directLogin(client, "ada@example.com", nil)
	tenant := &tenantRecords{
		TenantID: e.boot.TenantID, UserID: ids.user, Email: "ada@example.com",
		ClientID: e.boot.ClientID, ClientSecret: e.boot.ClientSecret,
		AccessToken: login["access_token"].(string), RefreshToken: login["refresh_token"].(string),
	}
	return ids, tenant
}

// joinBodyRoutes joins the tables of body routes; a route in two of them is a mistake that
// TestBadJSONBodies would hide, so it panics.
func joinBodyRoutes(parts ...map[string]jsonRoute) map[string]jsonRoute {
	out := map[string]jsonRoute{}
	for _, p := range parts {
		for k, v := range p {
			if _, dup := out[k]; dup {
				panic("bad input table names " + k + " twice")
			}
			out[k] = v
		}
	}
	return out
}

// loginFields are the fields every authenticate call takes, with the route's own.
func loginFields(own map[string]string) map[string]string {
	f := map[string]string{"session_id": "string", "resource": "string", "claims": "object",
		"claims.id_token": "object", "client_attributes": "object", "client_attributes.user_agent": "string",
		"device_id": "string", "org_id": "string"}
	for k, v := range own {
		f[k] = v
	}
	return f
}

func fixedPath(p string) func(badInputIDs) string { return func(badInputIDs) string { return p } }

// sessionBodyRoutes are the session, refresh and audit webhook routes with a JSON body.
var sessionBodyRoutes = map[string]jsonRoute{
	"POST /cis/v1/auth/token/refresh": {
		path:   fixedPath("/cis/v1/auth/token/refresh"),
		fields: map[string]string{"refresh_token": "string", "claims": "object", "claims.access_token": "object"},
	},
	"POST /cis/v1/auth/session/authenticate": {path: fixedPath("/cis/v1/auth/session/authenticate"), fields: loginFields(nil)},
	"POST /cis/v1/auth/session/logout": {
		path: fixedPath("/cis/v1/auth/session/logout"), fields: map[string]string{"session_id": "string"},
	},
	"PUT /cis/v1/tenant": {
		admin: true, path: fixedPath("/cis/v1/tenant"), fields: map[string]string{"default_language": "string"},
	},
	"PUT /cis/v1/audit/webhook": {
		admin: true, path: fixedPath("/cis/v1/audit/webhook"), fields: map[string]string{"url": "string"},
	},
}

// credentialBodyRoutes are the TOTP, recovery code and password routes with a JSON body.
var credentialBodyRoutes = map[string]jsonRoute{
	"POST /cis/v1/users/{user_id}/totp": {
		path: func(ids badInputIDs) string { return "/cis/v1/users/" + ids.user + "/totp" }, fields: map[string]string{"name": "string"},
	},
	"POST /cis/v1/users/{user_id}/totp/{totp_id}/confirm": {
		path:   func(ids badInputIDs) string { return "/cis/v1/users/" + ids.user + "/totp/" + ids.totp + "/confirm" },
		fields: map[string]string{"code": "string"},
	},
	"POST /cis/v1/auth/totp/authenticate": {
		path:    fixedPath("/cis/v1/auth/totp/authenticate"),
		fields:  loginFields(map[string]string{"token": "string", "identifier_type": "string", "identifier": "string"}),
		several: map[string]any{"identifier_type": "fax", "token": "12"},
		wants:   []string{"identifier_type", "identifier is required", "token"},
	},
	"POST /cis/v1/auth/totp/register": {
		user: true, path: fixedPath("/cis/v1/auth/totp/register"),
		fields:  map[string]string{"device_id": "string", "label": "string", "allow_override": "bool"},
		several: map[string]any{"device_id": strings.Repeat("d", 81), "label": "bell\u0007"},
		wants:   []string{"device_id", "label"},
	},
	"POST /cis/v1/auth/totp/transaction/start": {
		path: fixedPath("/cis/v1/auth/totp/transaction/start"),
		fields: map[string]string{"device_id": "string", "approval_data": "object", "identifier_type": "string",
			"identifier": "string"},
		several: map[string]any{"identifier_type": "fax"},
		wants:   []string{"identifier_type", "identifier is required", "approval_data is required"},
	},
	"POST /cis/v1/auth/recovery-code/authenticate": {
		path:    fixedPath("/cis/v1/auth/recovery-code/authenticate"),
		fields:  loginFields(map[string]string{"code": "string", "identifier_type": "string", "identifier": "string"}),
		several: map[string]any{"identifier_type": "fax", "code": "nope"},
		wants:   []string{"identifier_type", "identifier is required", "code"},
	},
	"POST /cis/v1/users/{user_id}/password": {
		path:    func(ids badInputIDs) string { return "/cis/v1/users/" + ids.user + "/password" },
		fields:  passwordFields(true),
		several: map[string]any{"username": "no spaces allowed"},
		wants:   []string{"password is required", "username"},
	},
	"PUT /cis/v1/users/{user_id}/password": {
		path: func(ids badInputIDs) string { return "/cis/v1/users/" + ids.user + "/password" }, fields: passwordFields(false),
	},
	"POST /cis/v1/auth/password/authenticate": {
		path:    fixedPath("/cis/v1/auth/password/authenticate"),
		fields:  loginFields(map[string]string{"username": "string", "username_type": "string", "password": "string"}),
		several: map[string]any{"username_type": "fax"},
		wants:   []string{"username_type", "username is required", "password is required"},
	},
	"POST /cis/v1/auth/password/change": {
		path: fixedPath("/cis/v1/auth/password/change"),
		fields: loginFields(map[string]string{"username": "string", "username_type": "string",
			"current_password": "string", "new_password": "string"}),
		several: map[string]any{"username_type": "fax", "new_password": "bad\u0007bell"},
		wants:   []string{"username_type", "username is required", "current_password is required", "new_password"},
	},
	"POST /cis/v1/auth/password/reset/send": {
		path: fixedPath("/cis/v1/auth/password/reset/send"),
		fields: map[string]string{"identifier_type": "string", "identifier": "string", "channel": "string",
			"redirect_uri": "string", "client_attributes": "object", "client_attributes.ip_address": "string"},
		several: map[string]any{"identifier_type": "fax", "channel": "pigeon"},
		wants:   []string{"identifier_type", "identifier is required", "channel"},
	},
	"POST /cis/v1/auth/password/reset/complete": {
		path: fixedPath("/cis/v1/auth/password/reset/complete"),
		fields: map[string]string{"identifier_type": "string", "identifier": "string", "code": "string",
			"new_password": "string", "client_attributes": "object"},
		several: map[string]any{"identifier_type": "fax"},
		wants:   []string{"code is required", "identifier_type", "identifier is required", "new_password is required"},
	},
}

func passwordFields(register bool) map[string]string {
	f := map[string]string{"password": "string", "force_replace": "bool", "enforce_complexity": "bool"}
	if register {
		f["username"] = "string"
	}
	return f
}

// passkeyBodyRoutes are the WebAuthn routes with a JSON body. The public login start is sent
// without a token, as a browser sends it; the self-service registration with the access token
// of a signed-in user, which it checks before it reads the body.
var passkeyBodyRoutes = map[string]jsonRoute{
	"POST /cis/v1/auth/webauthn/authenticate/start": {
		anonymous: true, path: fixedPath("/cis/v1/auth/webauthn/authenticate/start"),
		fields: map[string]string{"client_id": "string", "username": "string", "identifier_type": "string",
			"identifier": "string", "timeout": "number", "client_attributes": "object"},
		several: map[string]any{"timeout": 5, "identifier_type": "fax"},
		wants:   []string{"client_id is required", "timeout", "identifier_type", "identifier is required"},
	},
	"POST /cis/v1/auth/webauthn/authenticate": {
		path:   fixedPath("/cis/v1/auth/webauthn/authenticate"),
		fields: loginFields(map[string]string{"webauthn_encoded_result": "string", "webauthn_session_id": "string"}),
	},
	"POST /cis/v1/auth/webauthn/external/register/start": {
		path:    fixedPath("/cis/v1/auth/webauthn/external/register/start"),
		fields:  registerStartFields,
		several: map[string]any{"username": strings.Repeat("x", 65), "display_name": "bell\u0007", "timeout": 5},
		wants:   []string{"username", "display_name", "timeout", "user_id or external_user_id is required"},
	},
	"POST /cis/v1/auth/webauthn/external/register": {
		path:    fixedPath("/cis/v1/auth/webauthn/external/register"),
		fields:  registerFields,
		several: map[string]any{"user_email": "not-an-email", "name": "bell\u0007"},
		wants:   []string{"webauthn_encoded_result is required", "user_email", "name"},
	},
	"POST /cis/v1/auth/webauthn/register/start": {
		user: true, path: fixedPath("/cis/v1/auth/webauthn/register/start"), fields: registerStartFields,
		several: map[string]any{"username": strings.Repeat("x", 65), "display_name": "bell\u0007", "timeout": 5},
		wants:   []string{"username", "display_name", "timeout"},
	},
	"POST /cis/v1/auth/webauthn/register": {
		user: true, path: fixedPath("/cis/v1/auth/webauthn/register"), fields: registerFields,
		several: map[string]any{"name": "bell\u0007"},
		wants:   []string{"webauthn_encoded_result is required", "name"},
	},
	"PUT /cis/v1/users/{user_id}/webauthn/{credential_id}": {
		path:   func(ids badInputIDs) string { return "/cis/v1/users/" + ids.user + "/webauthn/" + ids.passkey },
		fields: map[string]string{"name": "string"},
	},
	"POST /cis/v1/auth/webauthn/cross-device/authenticate/init": {
		anonymous: true, path: fixedPath(xdBase + "/authenticate/init"),
		fields: map[string]string{"client_id": "string", "username": "string", "approval_data": "object",
			"client_attributes": "object", "client_attributes.user_agent": "string"},
		several: map[string]any{"username": strings.Repeat("x", 257), "approval_data": map[string]any{"no spaces": "x"}},
		wants:   []string{"client_id is required", "username", "approval_data"},
	},
	"POST /cis/v1/auth/webauthn/cross-device/authenticate/start": {
		anonymous: true, path: fixedPath(xdBase + "/authenticate/start"), fields: ticketFields,
	},
	"POST /cis/v1/auth/webauthn/cross-device/register/init": {
		user: true, path: fixedPath(xdBase + "/register/init"), fields: map[string]string{"username": "string"},
	},
	"POST /cis/v1/auth/webauthn/cross-device/external/register/init": {
		path:    fixedPath(xdBase + "/external/register/init"),
		fields:  map[string]string{"external_user_id": "string", "username": "string"},
		several: map[string]any{"username": "bell\u0007"},
		wants:   []string{"username", "external_user_id is required"},
	},
	"POST /cis/v1/auth/webauthn/cross-device/register/start": {
		anonymous: true, path: fixedPath(xdBase + "/register/start"), fields: ticketFields,
	},
	"POST /cis/v1/auth/webauthn/cross-device/attach-device": {
		anonymous: true, path: fixedPath(xdBase + "/attach-device"), fields: ticketFields,
	},
	"POST /cis/v1/auth/webauthn/cross-device/abort": {path: fixedPath(xdBase + "/abort"), fields: ticketFields},
}

var (
	ticketFields        = map[string]string{"cross_device_ticket_id": "string"}
	registerStartFields = map[string]string{"user_id": "string", "external_user_id": "string", "username": "string",
		"display_name": "string", "timeout": "number"}
	registerFields = map[string]string{"webauthn_encoded_result": "string", "webauthn_session_id": "string",
		"external_user_id": "string", "user_email": "string", "name": "string", "device_id": "string",
		"client_attributes": "object", "client_attributes.user_agent": "string"}
)
