package e2e

import "fmt"

// crossDeviceIsolationCases are the tenant-isolation cases of the cross-device passkey routes.
//
// The steps the devices' browsers call are public and carry only a ticket, a 256-bit secret
// found by its keyed hash whatever the tenant: a bearer token sent with them is not read, and
// whoever holds B's ticket acts as B's flow allows, as anyone holding B's client id may start
// B's logins. What A has (its tokens, and B's ids it may have learnt) never names a ticket, so
// those cases send B's ids in the ticket's place. The routes that take a token act on the
// token's application only: A can neither begin a flow of B's application nor abort one.
func (f *isoFixture) crossDeviceIsolationCases() map[string][]isoCase {
	a, b := f.a, f.b
	same := func(name, method, path string, body any, status int) isoCase {
		return isoCase{name: name, do: f.call(method, path, body), admin: status, client: status}
	}
	asTicket := func(path string) []isoCase {
		return []isoCase{
			{name: "B's ceremony as a ticket", do: f.call("POST", xdBase+path, map[string]any{"cross_device_ticket_id": b.Ceremonies[2]}),
				admin: 404, client: 404, clientCode: "cross_device_ticket_not_found"},
			same("B's session as a ticket", "POST", xdBase+path, map[string]any{"cross_device_ticket_id": b.SessionID}, 404),
		}
	}
	return map[string][]isoCase{
		"POST /cis/v1/auth/webauthn/cross-device/authenticate/init": {
			same("B's client id", "POST", xdBase+"/authenticate/init", map[string]any{"client_id": b.ClientID}, 403),
			same("B's client id and username", "POST", xdBase+"/authenticate/init", map[string]any{"client_id": b.ClientID, "username": b.Email}, 403),
			// A's own flow for B's user's name: nobody is looked up, so it is a ticket like any.
			{name: "A's client id and B's username", do: f.call("POST", xdBase+"/authenticate/init", map[string]any{"client_id": a.ClientID, "username": b.Email}),
				admin: 403, client: 200},
		},
		"POST /cis/v1/auth/webauthn/cross-device/authenticate/start": asTicket("/authenticate/start"),
		"POST /cis/v1/auth/webauthn/cross-device/register/start":     asTicket("/register/start"),
		"POST /cis/v1/auth/webauthn/cross-device/attach-device":      asTicket("/attach-device"),
		"GET /cis/v1/auth/webauthn/cross-device/status": {
			same("B's ceremony as a ticket", "GET", xdBase+"/status?cross_device_ticket_id="+b.Ceremonies[2], nil, 404),
			same("B's user id as a ticket", "GET", xdBase+"/status?cross_device_ticket_id="+b.UserID, nil, 404),
		},
		"POST /cis/v1/auth/webauthn/cross-device/abort": {
			{name: "B's started login", do: f.call("POST", xdBase+"/abort", map[string]any{"cross_device_ticket_id": b.XDLogin}),
				admin: 404, client: 404, clientCode: "cross_device_ticket_not_found"},
			same("B's flow nobody took up", "POST", xdBase+"/abort", map[string]any{"cross_device_ticket_id": b.XDPending}, 404),
			same("B's started registration", "POST", xdBase+"/abort", map[string]any{"cross_device_ticket_id": b.XDRegister}, 404),
		},
		// A's user begins a registration for themselves whatever the body names.
		"POST /cis/v1/auth/webauthn/cross-device/register/init": {{
			name: "B's username", do: f.call("POST", xdBase+"/register/init", map[string]any{"username": b.Email}),
			admin: 401, client: 401, user: 200,
		}},
		// An unknown external id begins the registration of a new user of A: B's external ids
		// are free in A. A management application has no WebAuthn preferences.
		"POST /cis/v1/auth/webauthn/cross-device/external/register/init": {
			{name: "B's external user id", do: f.call("POST", xdBase+"/external/register/init", map[string]any{"external_user_id": b.ExternalID, "username": "x"}),
				admin: 403, client: 200},
		},
		"OPTIONS /cis/v1/auth/webauthn/cross-device/authenticate/init":  {same("preflight", "OPTIONS", xdBase+"/authenticate/init", nil, 204)},
		"OPTIONS /cis/v1/auth/webauthn/cross-device/authenticate/start": {same("preflight", "OPTIONS", xdBase+"/authenticate/start", nil, 204)},
		"OPTIONS /cis/v1/auth/webauthn/cross-device/register/start":     {same("preflight", "OPTIONS", xdBase+"/register/start", nil, 204)},
		"OPTIONS /cis/v1/auth/webauthn/cross-device/attach-device":      {same("preflight", "OPTIONS", xdBase+"/attach-device", nil, 204)},
		"OPTIONS /cis/v1/auth/webauthn/cross-device/status":             {same("preflight", "OPTIONS", xdBase+"/status", nil, 204)},
	}
}

// crossDeviceFinishCases are the cases of the passkey finishes that aim at B's cross-device
// ceremonies, answered on B's authenticating device.
func (f *isoFixture) crossDeviceFinishCases() (login, register []isoCase) {
	b := f.b
	finish := func(name, path, result string) isoCase {
		return isoCase{name: name, do: f.call("POST", path, []byte(fmt.Sprintf(`{"webauthn_encoded_result": %q}`, result))),
			admin: 400, client: 400, clientCode: "auth_webauthn_session_invalid"}
	}
	return []isoCase{finish("B's answered cross-device login", "/cis/v1/auth/webauthn/authenticate", b.XDLoginResult)},
		[]isoCase{finish("B's answered cross-device registration", "/cis/v1/auth/webauthn/external/register", b.XDRegisterResult)}
}
