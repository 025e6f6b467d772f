package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// phoneScript is what a page on the authenticating device runs for a cross-device flow: it
// calls Latchkey's public steps directly (across origins, so CORS must allow it), runs the
// ceremony with webauthn.js, and hands the encoded result to the site's backend to finish.
const phoneScript = `(async function (latchkey, ticket, kind) {
	async function post(path, body) {
		const r = await fetch(latchkey + "/cis/v1/auth/webauthn/cross-device/" + path, {
			method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
		const j = await r.json();
		if (!r.ok) throw new Error(path + " " + r.status + " " + JSON.stringify(j));
		return j;
	}
	const attached = await post("attach-device", {cross_device_ticket_id: ticket});
	const start = await post(kind + "/start", {cross_device_ticket_id: ticket});
	const result = kind === "register" ? await Latchkey.register(start) : await Latchkey.authenticate(start);
	const finish = await fetch(kind === "register" ? "/webauthn-demo/register" : "/webauthn-demo/login",
		{method: "POST", body: JSON.stringify({webauthn_encoded_result: result})});
	return attached.status + " " + finish.status;
})(%s, %s, %s)`

// TestWebAuthnCrossDeviceInChromium runs both cross-device flows with headless Chromium as the
// authenticating device (a phone) and the test as the access device (a desktop): a backend
// registers the phone's passkey for a user of its own, then the desktop signs in with it.
func TestWebAuthnCrossDeviceInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium is required for the browser test in CI, but %s is missing: %v", chromiumPath, err)
		}
		t.Skipf("Chromium is not installed at %s (apt-get install chromium); skipping the browser test", chromiumPath)
	}
	e := newEnv(t, envOptions{})
	demo := &demoBackend{t: t, latchkey: e.url, clientID: e.boot.ClientID, token: e.appToken()}
	site := httptest.NewServer(demo)
	t.Cleanup(site.Close)
	_, port, err := net.SplitHostPort(site.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://localhost:" + port
	e.enableWebAuthn(e.boot.AppID, map[string]any{"rpId": "localhost", "rpWebOrigins": []string{origin}, "userVerification": "required"})

	ctx := newChromium(t)
	if err := chromedp.Do(ctx, chromedp.Steps(chromedp.Navigate(origin+"/cis/webauthn-example.html"), chromedp.WaitVisible(chromedp.ID("register")))); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	enableUI := false
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{EnableUI: &enableUI}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true,
			HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
		},
	}); err != nil {
		t.Fatal(err)
	}
	phone := func(ticket, kind string) {
		t.Helper()
		pctx, cancel := context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
		out, err := chromedp.Run(pctx, chromedp.Evaluate[string](fmt.Sprintf(phoneScript, jsString(e.url), jsString(ticket), jsString(kind)), chromedp.EvalAwaitPromise))
		if err != nil || out != "scanned 200" {
			t.Fatalf("the phone's %s: %q, %v\nbackend calls:\n%s", kind, out, err, demo.calls())
		}
	}

	// The backend begins the registration of a passkey for a user of its own system.
	ticket := xdTicket(t, e.raw("POST", xdBase+"/external/register/init", demo.token, `{"external_user_id": "ada", "username": "ada"}`))
	e.wantXDStatus(ticket, "pending", false)
	phone(ticket, "register")
	e.wantXDStatus(ticket, "success", false)
	user := result(t, e.do("GET", "/cis/v1/users/external-user-id/ada", demo.token, nil))

	// The desktop begins a login; the phone answers it with that passkey.
	ticket = xdTicket(t, e.raw("POST", xdBase+"/authenticate/init", "", fmt.Sprintf(`{"client_id": %q, "username": "ada"}`, e.boot.ClientID)))
	phone(ticket, "authenticate")
	sid := e.wantXDStatus(ticket, "success", true)
	res := e.raw("POST", "/cis/v1/auth/session/authenticate", demo.token, fmt.Sprintf(`{"session_id": %q}`, sid))
	wantStatus(t, res, 200, "")
	claims := verifyIDToken(t, e, res.JSON(t)["id_token"].(string), e.boot.ClientID)
	if claims["sub"] != user["user_id"] || !strings.Contains(fmt.Sprint(claims["amr"]), "webauthn") {
		t.Fatalf("the desktop signed in as %v (amr %v), want ada (%v) by passkey", claims["sub"], claims["amr"], user["user_id"])
	}
}
