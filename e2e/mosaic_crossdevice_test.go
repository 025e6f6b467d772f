package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/passkey/passkeytest"
)

// These tests drive the cross-device passkey flows as an integration written for Mosaic does:
// plain HTTP with the JSON bodies of Mosaic's documented examples, the phone's browser
// answering with the encoded result Mosaic's browser SDK builds, and the desktop exchanging
// the session it polled for tokens.

const xdBase = "/cis/v1/auth/webauthn/cross-device"

// mosaicApproval is the approval_data of Mosaic's examples.
const mosaicApproval = `{"transaction_id":"eFII2y40uB9hQ98nXt3tc1IHkRt8GrRZiqZuRn_59wT","sum":"200"}`

// raw sends a JSON body written out as text.
func (e *env) raw(method, path, bearer, body string) response {
	e.t.Helper()
	return e.do(method, path, bearer, []byte(body))
}

// ticketBody is the body of the steps that name a flow by its ticket.
func ticketBody(ticket string) string {
	return fmt.Sprintf(`{"cross_device_ticket_id": %q}`, ticket)
}

// xdTicket returns the cross_device_ticket_id of an init's answer.
func xdTicket(t *testing.T, res response) string {
	t.Helper()
	wantStatus(t, res, 200, "")
	ticket, _ := res.JSON(t)["cross_device_ticket_id"].(string)
	if len(ticket) < 40 {
		t.Fatalf("init answered no usable cross_device_ticket_id: %s", res.Body)
	}
	return ticket
}

// xdStatus polls a flow's status as the access device does.
func (e *env) xdStatus(ticket string) response {
	e.t.Helper()
	return e.do("GET", xdBase+"/status?cross_device_ticket_id="+url.QueryEscape(ticket), "", nil)
}

// wantXDStatus checks a poll's status and whether it carried a session_id, which it returns.
func (e *env) wantXDStatus(ticket, status string, session bool) string {
	e.t.Helper()
	res := e.xdStatus(ticket)
	wantStatus(e.t, res, 200, "")
	body := res.JSON(e.t)
	sid, _ := body["session_id"].(string)
	if body["status"] != status || (sid != "") != session {
		e.t.Fatalf("status poll: got %s, want status %q with session_id %v", res.Body, status, session)
	}
	return sid
}

// mosaicEncodedResult runs the phone's authenticator on a ceremony and encodes its answer as
// Mosaic's browser SDK does: standard base64 of {webauthnSessionId, publicKeyCredential,
// userAgent}.
func mosaicEncodedResult(t *testing.T, a *passkeytest.Authenticator, c ceremony, register bool) string {
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
	data, err := json.Marshal(map[string]any{
		"webauthnSessionId": c.id, "publicKeyCredential": json.RawMessage(cred),
		"userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)",
	})
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(data)
}

// xdUser registers a passkey for a user with an email address and returns the user's id and
// the phone holding the passkey.
func (e *env) xdUser(token, externalID, email string) (string, *passkeytest.Authenticator) {
	e.t.Helper()
	phone := passkeytest.New(waOrigin)
	res := e.registerPasskey(token, map[string]any{"external_user_id": externalID},
		map[string]any{"external_user_id": externalID, "user_email": email}, phone)
	wantStatus(e.t, res, 200, "")
	return res.JSON(e.t)["user_id"].(string), phone
}

func TestMosaicCrossDeviceLogin(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.enableWebAuthn(e.boot.AppID, nil)
		userID, phone := e.xdUser(tok, "crm-1", "ada@example.com")

		// The desktop's browser begins the flow with the public client id, from one of the
		// application's web origins.
		req, err := http.NewRequest("POST", e.url+xdBase+"/authenticate/init", strings.NewReader(fmt.Sprintf(
			`{"client_id": %q, "username": "ada@example.com", "approval_data": %s}`, e.boot.ClientID, mosaicApproval)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", waOrigin)
		res := e.send(req)
		ticket := xdTicket(t, res)
		if res.Header.Get("Access-Control-Allow-Origin") != waOrigin {
			t.Fatalf("init answer is not readable by the application's page: %v", res.Header)
		}
		e.wantXDStatus(ticket, "pending", false)

		// The phone scans the QR code: it attaches itself and shows what it approves.
		res = e.raw("POST", xdBase+"/attach-device", "", ticketBody(ticket))
		wantStatus(t, res, 200, "")
		att := res.JSON(t)
		started, err := time.Parse(time.RFC3339Nano, fmt.Sprint(att["started_at"]))
		if att["status"] != "scanned" || err != nil || started.IsZero() {
			t.Fatalf("attach answer: %s", res.Body)
		}
		if a, _ := json.Marshal(att["approval_data"]); string(a) != `{"sum":"200","transaction_id":"eFII2y40uB9hQ98nXt3tc1IHkRt8GrRZiqZuRn_59wT"}` {
			t.Fatalf("attach answer's approval_data: %s", a)
		}
		// A second device cannot take the flow up.
		wantStatus(t, e.raw("POST", xdBase+"/attach-device", "", ticketBody(ticket)), 409, "cross_device_ticket_used")
		e.wantXDStatus(ticket, "scanned", false)

		// The phone starts the ceremony; a ticket starts one.
		c := startedCeremony(t, e.raw("POST", xdBase+"/authenticate/start", "", ticketBody(ticket)), "credential_request_options")
		var opts struct {
			Allow []struct{ ID string } `json:"allowCredentials"`
		}
		if json.Unmarshal(c.options, &opts) != nil || len(opts.Allow) != 1 {
			t.Fatalf("request options do not list the user's passkey: %s", c.options)
		}
		wantStatus(t, e.raw("POST", xdBase+"/authenticate/start", "", ticketBody(ticket)), 409, "cross_device_ticket_used")
		// Polling does not finish anything.
		e.wantXDStatus(ticket, "scanned", false)

		// The phone's backend finishes the login as any passkey login.
		res = e.raw("POST", "/cis/v1/auth/webauthn/authenticate", tok, fmt.Sprintf(
			`{"webauthn_encoded_result": %q}`, mosaicEncodedResult(t, phone, c, false)))
		wantStatus(t, res, 200, "")
		phoneLogin := res.JSON(t)
		claims := verifyIDToken(t, e, phoneLogin["id_token"].(string), e.boot.ClientID)
		if claims["sub"] != userID || claims["approval_data"] == nil {
			t.Fatalf("phone's ID token: %v", claims)
		}

		// The desktop's poll learns the session once, and its backend exchanges it for tokens.
		sid := e.wantXDStatus(ticket, "success", true)
		if sid != phoneLogin["session_id"] {
			t.Fatalf("polled session %q, want the login's %q", sid, phoneLogin["session_id"])
		}
		e.wantXDStatus(ticket, "success", false)
		res = e.raw("POST", "/cis/v1/auth/session/authenticate", tok, fmt.Sprintf(`{"session_id": %q}`, sid))
		wantStatus(t, res, 200, "")
		if desk := verifyIDToken(t, e, res.JSON(t)["id_token"].(string), e.boot.ClientID); desk["sub"] != userID {
			t.Fatalf("desktop's ID token: %v", desk)
		}

		// The flow has ended: nothing more starts, and attaching reads its status.
		wantStatus(t, e.raw("POST", xdBase+"/authenticate/start", "", ticketBody(ticket)), 400, "cross_device_ticket_ended")
		res = e.raw("POST", xdBase+"/attach-device", "", ticketBody(ticket))
		wantStatus(t, res, 200, "")
		if res.JSON(t)["status"] != "success" {
			t.Fatalf("attach after the end: %s", res.Body)
		}
	})
}

func TestMosaicCrossDeviceLoginRefusals(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	e.enableWebAuthn(e.boot.AppID, nil)
	_, phone := e.xdUser(tok, "crm-1", "ada@example.com")
	begin := func(username string) string {
		body := fmt.Sprintf(`{"client_id": %q}`, e.boot.ClientID)
		if username != "" {
			body = fmt.Sprintf(`{"client_id": %q, "username": %q}`, e.boot.ClientID, username)
		}
		return xdTicket(t, e.raw("POST", xdBase+"/authenticate/init", "", body))
	}
	started := func(ticket string) ceremony {
		return startedCeremony(t, e.raw("POST", xdBase+"/authenticate/start", "", ticketBody(ticket)), "credential_request_options")
	}
	finish := func(token string, c ceremony) response {
		return e.raw("POST", "/cis/v1/auth/webauthn/authenticate", token, fmt.Sprintf(
			`{"webauthn_encoded_result": %q}`, mosaicEncodedResult(t, phone, c, false)))
	}

	// Unknown tickets.
	{
		forged := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
		wantStatus(t, e.xdStatus(forged), 404, "cross_device_ticket_not_found")
		wantStatus(t, e.raw("POST", xdBase+"/attach-device", "", ticketBody(forged)), 404, "cross_device_ticket_not_found")
		wantStatus(t, e.raw("POST", xdBase+"/authenticate/start", "", ticketBody(forged)), 404, "cross_device_ticket_not_found")
		wantStatus(t, e.raw("POST", xdBase+"/abort", tok, ticketBody(forged)), 404, "cross_device_ticket_not_found")
		wantStatus(t, e.raw("POST", xdBase+"/authenticate/init", "", `{"client_id": "nobody"}`), 404, "client_not_found")
	}

	// A name that is nobody's answers alike and fails.
	{
		ticket := begin("nobody@example.com")
		c := started(ticket)
		var opts struct {
			Allow []struct{ ID string } `json:"allowCredentials"`
		}
		if json.Unmarshal(c.options, &opts) != nil || len(opts.Allow) != 1 {
			t.Fatalf("a decoy login should list one credential like a real one: %s", c.options)
		}
		// Only a passkey answering for any relying party and credential list can answer it,
		// and it is refused as a wrong passkey is.
		phone.AnyRelyingParty = true
		res := finish(tok, c)
		phone.AnyRelyingParty = false
		wantStatus(t, res, 400, "auth_invalid_credentials")
		e.wantXDStatus(ticket, "error", false)
	}

	// A discoverable passkey names the user.
	{
		ticket := begin("")
		wantStatus(t, finish(tok, started(ticket)), 200, "")
		e.wantXDStatus(ticket, "success", true)
	}

	// Only the flow's application finishes it.
	{
		ticket := begin("ada@example.com")
		c := started(ticket)
		_, other := e.secondApp("other")
		wantStatus(t, finish(other, c), 400, "auth_webauthn_session_invalid")
		e.wantXDStatus(ticket, "scanned", false)
		wantStatus(t, e.raw("POST", xdBase+"/abort", other, ticketBody(ticket)), 404, "cross_device_ticket_not_found")
		wantStatus(t, finish(tok, c), 200, "")
		e.wantXDStatus(ticket, "success", true)
	}

	// An aborted flow cannot finish.
	{
		ticket := begin("ada@example.com")
		wantStatus(t, e.raw("POST", xdBase+"/attach-device", "", ticketBody(ticket)), 200, "")
		c := started(ticket)
		res := e.raw("POST", xdBase+"/abort", tok, ticketBody(ticket))
		wantStatus(t, res, 200, "")
		if res.JSON(t)["status"] != "aborted" {
			t.Fatalf("abort answer: %s", res.Body)
		}
		wantStatus(t, e.raw("POST", xdBase+"/abort", tok, ticketBody(ticket)), 200, "")
		wantStatus(t, finish(tok, c), 400, "cross_device_ticket_ended")
		e.wantXDStatus(ticket, "aborted", false)
	}

	// A ticket times out.
	{
		ticket := begin("ada@example.com")
		waiting := begin("ada@example.com")
		c := started(waiting)
		e.clock.Advance(5*time.Minute + time.Second)
		e.wantXDStatus(ticket, "timeout", false)
		wantStatus(t, e.raw("POST", xdBase+"/authenticate/start", "", ticketBody(ticket)), 400, "cross_device_ticket_ended")
		wantStatus(t, e.raw("POST", xdBase+"/abort", tok, ticketBody(ticket)), 400, "cross_device_ticket_ended")
		// The ceremony started before the timeout expired with it.
		if res := finish(tok, c); res.Status != 400 {
			t.Fatalf("a ceremony of a timed-out flow finished: %d %s", res.Status, res.Body)
		}
		e.wantXDStatus(waiting, "timeout", false)
	}

	// A registration ticket starts no login.
	{
		ticket := xdTicket(t, e.raw("POST", xdBase+"/external/register/init", tok, `{"external_user_id": "crm-2", "username": "grace"}`))
		wantStatus(t, e.raw("POST", xdBase+"/authenticate/start", "", ticketBody(ticket)), 400, "system_invalid_input")
		wantStatus(t, e.raw("POST", xdBase+"/register/start", "", ticketBody(begin(""))), 400, "system_invalid_input")
	}
}

func TestMosaicCrossDeviceRegistration(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.enableWebAuthn(e.boot.AppID, nil)

		// A logged-in user on the desktop registers the phone's passkey.
		userID := e.createUser(tok, "ada@example.com")
		access := e.directLogin(tok, "ada@example.com", nil)["access_token"].(string)
		wantStatus(t, e.raw("POST", xdBase+"/register/init", tok, `{"username": "ada@example.com"}`), 401, "unauthorized")
		wantStatus(t, e.raw("POST", xdBase+"/register/init", access, `{}`), 400, "system_invalid_input")
		ticket := xdTicket(t, e.raw("POST", xdBase+"/register/init", access, `{"username": "ada@example.com"}`))
		wantStatus(t, e.raw("POST", xdBase+"/attach-device", "", ticketBody(ticket)), 200, "")
		c := startedCeremony(t, e.raw("POST", xdBase+"/register/start", "", ticketBody(ticket)), "credential_creation_options")
		var opts struct {
			User struct{ ID, Name string } `json:"user"`
		}
		if json.Unmarshal(c.options, &opts) != nil || opts.User.ID != base64.RawURLEncoding.EncodeToString([]byte(userID)) || opts.User.Name != "ada@example.com" {
			t.Fatalf("creation options are not for the logged-in user: %s", c.options)
		}
		phone := passkeytest.New(waOrigin)
		enc := mosaicEncodedResult(t, phone, c, true)
		// Another application's backend cannot finish it; the user's own token does.
		_, other := e.secondApp("other")
		wantStatus(t, e.raw("POST", "/cis/v1/auth/webauthn/external/register", other, fmt.Sprintf(`{"webauthn_encoded_result": %q}`, enc)), 400, "auth_webauthn_session_invalid")
		e.wantXDStatus(ticket, "scanned", false)
		res := e.raw("POST", "/cis/v1/auth/webauthn/register", access, fmt.Sprintf(`{"webauthn_encoded_result": %q}`, enc))
		wantStatus(t, res, 200, "")
		if res.JSON(t)["user_id"] != userID {
			t.Fatalf("registration answer: %s", res.Body)
		}
		e.wantXDStatus(ticket, "success", false)
		wantStatus(t, e.passkeyLogin(tok, "ada@example.com", phone, nil), 200, "")

		// A backend registers a passkey for a user of its own system that Latchkey does not
		// know yet.
		ticket = xdTicket(t, e.raw("POST", xdBase+"/external/register/init", tok, `{"external_user_id": "crm-9", "username": "grace"}`))
		c = startedCeremony(t, e.raw("POST", xdBase+"/register/start", "", ticketBody(ticket)), "credential_creation_options")
		wantStatus(t, e.raw("POST", xdBase+"/register/start", "", ticketBody(ticket)), 409, "cross_device_ticket_used")
		grace := passkeytest.New(waOrigin)
		res = e.raw("POST", "/cis/v1/auth/webauthn/external/register", tok, fmt.Sprintf(
			`{"webauthn_encoded_result": %q, "external_user_id": "crm-9"}`, mosaicEncodedResult(t, grace, c, true)))
		wantStatus(t, res, 200, "")
		if reg := res.JSON(t); reg["new_user"] != true || reg["webauthn_username"] != "grace" {
			t.Fatalf("external registration answer: %s", res.Body)
		}
		e.wantXDStatus(ticket, "success", false)
		wantStatus(t, e.passkeyLogin(tok, "crm-9", grace, nil), 200, "")

		// A failed registration ends its flow in error.
		ticket = xdTicket(t, e.raw("POST", xdBase+"/external/register/init", tok, `{"external_user_id": "crm-10", "username": "hal"}`))
		c = startedCeremony(t, e.raw("POST", xdBase+"/register/start", "", ticketBody(ticket)), "credential_creation_options")
		phish := passkeytest.New("https://phish.example")
		res = e.raw("POST", "/cis/v1/auth/webauthn/external/register", tok, fmt.Sprintf(
			`{"webauthn_encoded_result": %q}`, mosaicEncodedResult(t, phish, c, true)))
		wantStatus(t, res, 400, "auth_webauthn_registration_failed")
		e.wantXDStatus(ticket, "error", false)
	})
}
