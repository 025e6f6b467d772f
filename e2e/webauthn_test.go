package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/auth/passkeys"

	"github.com/latchkey/latchkey/internal/passkey/passkeytest"
)

const (
	waRPID   = "example.com"
	waOrigin = "https://app.example.com"
)

// enableWebAuthn sets an application's webauthn_api preferences through the admin API.
func (e *env) enableWebAuthn(appID string, prefs map[string]any) {
	e.t.Helper()
	e.enableWebAuthnAs(e.adminToken(), appID, prefs)
}

// enableWebAuthnAs does the same with the admin token of the application's tenant.
func (e *env) enableWebAuthnAs(admin, appID string, prefs map[string]any) {
	e.t.Helper()
	if prefs == nil {
		prefs = map[string]any{"rpId": waRPID, "rpWebOrigins": []string{waOrigin}}
	}
	res := e.do("PUT", "/cis/loginPreferences/"+appID+"/authMethods", admin, map[string]any{"webauthn_api": prefs})
	wantStatus(e.t, res, 200, "")
}

// ceremony is a start answer: the ceremony id and its options, as JSON.
type ceremony struct {
	id      string
	options []byte
}

func startedCeremony(t *testing.T, res response, key string) ceremony {
	t.Helper()
	wantStatus(t, res, 200, "")
	body := res.JSON(t)
	id, _ := body["webauthn_session_id"].(string)
	opts, ok := body[key].(map[string]any)
	if id == "" || !ok || opts["challenge"] == "" {
		t.Fatalf("start answer lacks webauthn_session_id or %s: %s", key, res.Body)
	}
	data, err := json.Marshal(opts)
	if err != nil {
		t.Fatal(err)
	}
	return ceremony{id: id, options: data}
}

// encodedResult runs the authenticator on a ceremony and encodes its answer.
func encodedResult(t *testing.T, a *passkeytest.Authenticator, c ceremony, register bool) string {
	t.Helper()
	var cred []byte
	var err error
	if register {
		cred, _, err = a.Register(c.options)
	} else {
		cred, err = a.Authenticate(c.options)
	}
	if err != nil {
		t.Fatalf("authenticator: %v", err)
	}
	enc, err := passkeys.EncodeResult(cred, c.id)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

// registerPasskey registers a passkey of a through the external registration calls.
func (e *env) registerPasskey(token string, start, finish map[string]any, a *passkeytest.Authenticator) response {
	e.t.Helper()
	c := startedCeremony(e.t, e.do("POST", "/cis/v1/auth/webauthn/external/register/start", token, start), "credential_creation_options")
	body := map[string]any{"webauthn_encoded_result": encodedResult(e.t, a, c, true)}
	for k, v := range finish {
		body[k] = v
	}
	return e.do("POST", "/cis/v1/auth/webauthn/external/register", token, body)
}

// startPasskeyLogin calls the public start for a client id and optional username.
func (e *env) startPasskeyLogin(clientID, username string) ceremony {
	e.t.Helper()
	body := map[string]any{"client_id": clientID}
	if username != "" {
		body["username"] = username
	}
	return startedCeremony(e.t, e.do("POST", "/cis/v1/auth/webauthn/authenticate/start", "", body), "credential_request_options")
}

// passkeyLogin logs in with a passkey of a and returns the authenticate answer.
func (e *env) passkeyLogin(token, username string, a *passkeytest.Authenticator, extra map[string]any) response {
	e.t.Helper()
	body := map[string]any{"webauthn_encoded_result": encodedResult(e.t, a, e.startPasskeyLogin(e.boot.ClientID, username), false)}
	for k, v := range extra {
		body[k] = v
	}
	return e.do("POST", "/cis/v1/auth/webauthn/authenticate", token, body)
}

func TestWebAuthnOverHTTP(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.enableWebAuthn(e.boot.AppID, nil)
		prefs := result(t, e.do("GET", "/cis/loginPreferences/"+e.boot.AppID, e.adminToken(), nil))
		wa := prefs["auth_methods"].(map[string]any)["webauthn_api"].(map[string]any)
		if wa["rpId"] != waRPID || wa["userVerification"] != "preferred" || wa["allowSyncedPasskeys"] != true {
			t.Fatalf("webauthn_api preferences: %v", wa)
		}

		// A backend registers a passkey for an external user Latchkey does not know yet.
		a := passkeytest.New(waOrigin)
		res := e.registerPasskey(tok, map[string]any{"external_user_id": "crm-7", "display_name": "Grace"},
			map[string]any{"external_user_id": "crm-7", "user_email": "grace@example.com"}, a)
		wantStatus(t, res, 200, "")
		reg := res.JSON(t)
		userID, _ := reg["user_id"].(string)
		if userID == "" || reg["new_user"] != true || reg["webauthn_username"] != "crm-7" || reg["credential_id"] == "" || reg["webauthn_session_id"] == "" {
			t.Fatalf("registration answer: %s", res.Body)
		}
		user := result(t, e.do("GET", "/cis/v1/users/"+userID, tok, nil))
		if user["external_user_id"] != "crm-7" {
			t.Fatalf("created user: %v", user)
		}

		// The browser starts the login with the public client id; the backend finishes it.
		c := e.startPasskeyLogin(e.boot.ClientID, "grace@example.com")
		enc := encodedResult(t, a, c, false)
		res = e.do("POST", "/cis/v1/auth/webauthn/authenticate", tok, map[string]any{
			"webauthn_encoded_result": enc, "claims": map[string]any{"id_token": map[string]any{"email": nil}},
		})
		wantStatus(t, res, 200, "")
		login := res.JSON(t)
		id := verifyIDToken(t, e, login["id_token"].(string), e.boot.ClientID)
		if id["sub"] != userID || id["email"] != "grace@example.com" || len(id["amr"].([]any)) != 1 || id["amr"].([]any)[0] != "webauthn" {
			t.Fatalf("ID token claims: %v", id)
		}
		wantStatus(t, e.do("POST", "/cis/v1/auth/webauthn/authenticate", tok, map[string]any{"webauthn_encoded_result": enc}), 400, "auth_webauthn_session_invalid")

		// The logged-in user adds a second passkey with their own access token.
		access := login["access_token"].(string)
		wantStatus(t, e.do("POST", "/cis/v1/auth/webauthn/register/start", tok, map[string]any{}), 401, "unauthorized")
		c = startedCeremony(t, e.do("POST", "/cis/v1/auth/webauthn/register/start", access, map[string]any{}), "credential_creation_options")
		second := passkeytest.New(waOrigin)
		res = e.do("POST", "/cis/v1/auth/webauthn/register", access, map[string]any{
			"webauthn_encoded_result": encodedResult(t, second, c, true), "name": "Security key",
		})
		wantStatus(t, res, 200, "")
		if res.JSON(t)["user_id"] != userID || res.JSON(t)["new_user"] != false {
			t.Fatalf("self registration answer: %s", res.Body)
		}

		// The users API lists, renames and deletes them.
		res = e.do("GET", "/cis/v1/users/"+userID+"/webauthn", tok, nil)
		wantStatus(t, res, 200, "")
		list := res.JSON(t)["result"].([]any)
		if len(list) != 2 || list[1].(map[string]any)["name"] != "Security key" {
			t.Fatalf("passkeys: %s", res.Body)
		}
		firstID := list[0].(map[string]any)["credential_id"].(string)
		res = e.do("PUT", "/cis/v1/users/"+userID+"/webauthn/"+firstID, tok, map[string]any{"name": "Phone"})
		wantStatus(t, res, 200, "")
		if result(t, res)["name"] != "Phone" {
			t.Fatalf("rename answer: %s", res.Body)
		}
		wantStatus(t, e.do("DELETE", "/cis/v1/users/"+userID+"/webauthn/"+firstID, tok, nil), 204, "")
		wantStatus(t, e.do("DELETE", "/cis/v1/users/"+userID+"/webauthn/"+firstID, tok, nil), 404, "webauthn_credential_not_found")
		wantStatus(t, e.passkeyLogin(tok, "", a, nil), 400, "auth_invalid_credentials")

		// The remaining passkey logs in without a username, as a second factor of a session.
		res = e.passkeyLogin(tok, "", second, map[string]any{"session_id": login["session_id"]})
		wantStatus(t, res, 200, "")
		if res.JSON(t)["session_id"] != login["session_id"] {
			t.Fatalf("the passkey did not join the session: %s", res.Body)
		}
	})
}

func TestWebAuthnErrorsOverHTTP(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	start := map[string]any{"client_id": e.boot.ClientID}
	wantStatus(t, e.do("POST", "/cis/v1/auth/webauthn/authenticate/start", "", start), 403, "auth_login_preferences_missing")
	e.enableWebAuthn(e.boot.AppID, nil)
	wantStatus(t, e.do("POST", "/cis/v1/auth/webauthn/authenticate/start", "", map[string]any{"client_id": "nope"}), 400, "client_not_found")
	wantStatus(t, e.do("POST", "/cis/v1/auth/webauthn/authenticate/start", "", map[string]any{"client_id": e.boot.ClientID, "timeout": 5}), 400, "system_invalid_input")
	// From the internet the start never reveals whether a user exists; relayed by the
	// application's backend it answers as the application is configured.
	ghost := map[string]any{"client_id": e.boot.ClientID, "username": "ghost@example.com"}
	wantStatus(t, e.do("POST", "/cis/v1/auth/webauthn/authenticate/start", "", ghost), 200, "")
	wantStatus(t, e.do("POST", "/cis/v1/auth/webauthn/authenticate/start", tok, ghost), 404, "user_not_found")
	wantStatus(t, e.do("POST", "/cis/v1/auth/webauthn/authenticate/start", "bad-token", start), 401, "unauthorized")
	wantStatus(t, e.do("POST", "/cis/v1/auth/webauthn/authenticate", tok, map[string]any{"webauthn_encoded_result": "%%"}), 400, "system_invalid_input")
	wantStatus(t, e.do("POST", "/cis/v1/auth/webauthn/authenticate", "", map[string]any{"webauthn_encoded_result": "x"}), 401, "unauthorized")
	wantStatus(t, e.do("POST", "/cis/v1/auth/webauthn/external/register/start", tok, map[string]any{}), 400, "system_invalid_input")
	wantStatus(t, e.do("POST", "/cis/v1/auth/webauthn/register", "", map[string]any{}), 401, "unauthorized")
	wantStatus(t, e.do("GET", "/cis/v1/users/nobody1234/webauthn", tok, nil), 404, "user_not_found")

	// A bad preference is refused with every problem listed.
	res := e.do("PUT", "/cis/loginPreferences/"+e.boot.AppID+"/authMethods", e.adminToken(), map[string]any{
		"webauthn_api": map[string]any{"rpId": "https://x", "userVerification": "always"},
	})
	wantStatus(t, res, 400, "system_invalid_input")
	if msg, _ := res.JSON(t)["message"].([]any); len(msg) != 2 {
		t.Fatalf("problems: %s", res.Body)
	}

	// A registration from another origin is refused and says why.
	phish := passkeytest.New("https://evil.example.org")
	u := e.createUser(tok, "ph@example.com")
	res = e.registerPasskey(tok, map[string]any{"user_id": u}, nil, phish)
	wantStatus(t, res, 400, "auth_webauthn_registration_failed")
	if !strings.Contains(string(res.Body), "origin") {
		t.Fatalf("the refusal does not name the origin: %s", res.Body)
	}
}

func TestWebAuthnBrowserSupportOverHTTP(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.enableWebAuthn(e.boot.AppID, nil)

	// A page of the relying party may call the public start directly (CORS).
	req, _ := http.NewRequest("OPTIONS", e.url+"/cis/v1/auth/webauthn/authenticate/start", nil)
	req.Header.Set("Origin", waOrigin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	res := e.send(req)
	if res.Status != 204 || res.Header.Get("Access-Control-Allow-Origin") != waOrigin {
		t.Fatalf("preflight: %d %v", res.Status, res.Header)
	}
	for origin, allowed := range map[string]bool{waOrigin: true, "https://evil.example": false} {
		req, _ = http.NewRequest("POST", e.url+"/cis/v1/auth/webauthn/authenticate/start", strings.NewReader(`{"client_id":"`+e.boot.ClientID+`"}`))
		req.Header.Set("Origin", origin)
		req.Header.Set("Content-Type", "application/json")
		res = e.send(req)
		if res.Status != 200 || (res.Header.Get("Access-Control-Allow-Origin") == origin) != allowed {
			t.Fatalf("start from %s: %d, Access-Control-Allow-Origin %q", origin, res.Status, res.Header.Get("Access-Control-Allow-Origin"))
		}
	}

	// The script and the example page are served.
	for path, want := range map[string]string{
		"/cis/webauthn.js":           "text/javascript",
		"/cis/webauthn-example.html": "text/html",
	} {
		res := e.do("GET", path, "", nil)
		if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), want) || !strings.Contains(string(res.Body), "Latchkey") {
			t.Fatalf("GET %s: %d %s", path, res.Status, res.Header.Get("Content-Type"))
		}
		req, _ := http.NewRequest("GET", e.url+path, nil)
		req.Header.Set("If-None-Match", res.Header.Get("ETag"))
		if again := e.send(req); again.Status != 304 {
			t.Fatalf("GET %s with its ETag: %d, want 304", path, again.Status)
		}
	}
}
