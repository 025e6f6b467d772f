package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// chromiumPath is where the browser test expects Chromium; CI installs it there.
const chromiumPath = "/usr/bin/chromium"

// demoBackend is the smallest backend of a site using passkeys, as the example page expects:
// it serves the page and webauthn.js (fetched from Latchkey), and relays the page's four calls
// to Latchkey with its client token, keeping the tokens of a login to itself.
type demoBackend struct {
	t        *testing.T
	latchkey string
	clientID string
	token    string

	mu     sync.Mutex
	tokens map[string]any // of the last login
	log    []string       // every relayed call and its answer, for failure messages
}

func (d *demoBackend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method + " " + r.URL.Path {
	case "GET /cis/webauthn-example.html", "GET /cis/webauthn.js":
		d.relay(w, "GET", r.URL.Path, "", nil)
	case "POST /webauthn-demo/register/start":
		in := d.read(r)
		d.relay(w, "POST", "/cis/v1/auth/webauthn/external/register/start", d.token,
			map[string]any{"external_user_id": in["username"], "username": in["username"]})
	case "POST /webauthn-demo/register":
		d.relay(w, "POST", "/cis/v1/auth/webauthn/external/register", d.token,
			map[string]any{"webauthn_encoded_result": d.read(r)["webauthn_encoded_result"]})
	case "POST /webauthn-demo/login/start":
		// The backend vouches for the browser's address with its token.
		ip, _, _ := net.SplitHostPort(r.RemoteAddr)
		body := map[string]any{"client_id": d.clientID, "client_attributes": map[string]any{"ip_address": ip}}
		if u, _ := d.read(r)["username"].(string); u != "" {
			body["username"] = u
		}
		d.relay(w, "POST", "/cis/v1/auth/webauthn/authenticate/start", d.token, body)
	case "POST /webauthn-demo/login":
		status, data := d.call("POST", "/cis/v1/auth/webauthn/authenticate", d.token,
			map[string]any{"webauthn_encoded_result": d.read(r)["webauthn_encoded_result"]})
		if status != http.StatusOK {
			w.WriteHeader(status)
			_, _ = w.Write(data)
			return
		}
		var tokens map[string]any
		_ = json.Unmarshal(data, &tokens)
		d.mu.Lock()
		d.tokens = tokens
		d.mu.Unlock()
		// A real backend would start its own session here; the page learns only that it
		// worked.
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"signed_in":true}`))
	default:
		http.NotFound(w, r)
	}
}

func (d *demoBackend) read(r *http.Request) map[string]any {
	var m map[string]any
	_ = json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&m)
	return m
}

// call sends one request to Latchkey. It runs on the server's goroutines, so it reports
// failures in its answer rather than through the test.
func (d *demoBackend) call(method, path, bearer string, body any) (int, []byte) {
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, d.latchkey+path, rd)
	if err != nil {
		return http.StatusInternalServerError, []byte(`{"message":"bad request"}`)
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return http.StatusBadGateway, []byte(`{"message":"Latchkey unreachable"}`)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	d.mu.Lock()
	d.log = append(d.log, method+" "+path+" -> "+res.Status+" "+string(data))
	d.mu.Unlock()
	return res.StatusCode, data
}

func (d *demoBackend) relay(w http.ResponseWriter, method, path, bearer string, body any) {
	status, data := d.call(method, path, bearer, body)
	switch {
	case strings.HasSuffix(path, ".js"):
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case strings.HasSuffix(path, ".html"):
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	default:
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

func (d *demoBackend) lastTokens() map[string]any {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.tokens
}

func (d *demoBackend) calls() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return strings.Join(d.log, "\n")
}

// TestWebAuthnExamplePageInChromium drives the example page in headless Chromium with a
// virtual authenticator: it registers a passkey, then signs in with it without a username.
func TestWebAuthnExamplePageInChromium(t *testing.T) {
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
	// WebAuthn needs a secure context; http://localhost is one, and "localhost" the rpId.
	_, port, err := net.SplitHostPort(site.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://localhost:" + port
	e.enableWebAuthn(e.boot.AppID, map[string]any{"rpId": "localhost", "rpWebOrigins": []string{origin}, "userVerification": "required"})

	ctx := newChromium(t)
	step := func(what string, a chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, a); err != nil {
			t.Fatalf("%s: %v\nbackend calls:\n%s", what, err, demo.calls())
		}
	}
	step("open the example page", chromedp.Steps(chromedp.Navigate(origin+"/cis/webauthn-example.html"), chromedp.WaitVisible(chromedp.ID("register"))))
	enableUI := false
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{EnableUI: &enableUI}); err != nil {
		t.Fatal(err)
	}
	added, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true,
			HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
		},
	})
	if err != nil {
		t.Fatal(err)
	}

	step("register", chromedp.Steps(chromedp.SendKeys(chromedp.ID("username"), "ada"), chromedp.Click(chromedp.ID("register"))))
	if status := waitStatus(t, ctx, "Passkey registered", demo); !strings.HasPrefix(status, "Passkey registered for ada") {
		t.Fatalf("registration status %q\nbackend calls:\n%s", status, demo.calls())
	}
	creds, err := chromedp.Call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: added.AuthenticatorID})
	if err != nil {
		t.Fatal(err)
	}
	if len(creds.Credentials) != 1 || !creds.Credentials[0].IsResidentCredential || creds.Credentials[0].RpID != "localhost" {
		t.Fatalf("the authenticator holds %+v, want one resident credential for localhost", creds.Credentials)
	}

	// Sign in with the discoverable passkey: no username.
	step("sign in", chromedp.Steps(
		setField("username", ""),
		chromedp.Click(chromedp.ID("login")),
	))
	if status := waitStatus(t, ctx, "Signed in", demo); status != "Signed in." {
		t.Fatalf("sign-in status %q\nbackend calls:\n%s", status, demo.calls())
	}
	first := demo.lastTokens()

	// And with the username, where the options list the user's passkey; this time the script
	// serialises the credential itself, as it does in browsers without toJSON().
	step("sign in as ada", chromedp.Steps(
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[string](`PublicKeyCredential.prototype.toJSON = undefined, "removed"`)(ctx, tg)
			return err
		}),
		setField("username", "ada"), setField("status", ""), chromedp.Click(chromedp.ID("login")),
	))
	if status := waitStatus(t, ctx, "Signed in", demo); status != "Signed in." {
		t.Fatalf("sign-in status %q\nbackend calls:\n%s", status, demo.calls())
	}
	tokens := demo.lastTokens()
	if tokens["session_id"] == first["session_id"] {
		t.Fatal("the second sign-in returned the first one's session")
	}
	idToken, _ := tokens["id_token"].(string)
	if idToken == "" || tokens["access_token"] == "" || tokens["refresh_token"] == "" || tokens["session_id"] == "" {
		t.Fatalf("the login returned no tokens: %v", tokens)
	}
	claims := verifyIDToken(t, e, idToken, e.boot.ClientID)
	user := result(t, e.do("GET", "/cis/v1/users/external-user-id/ada", demo.token, nil))
	if claims["sub"] != user["user_id"] {
		t.Fatalf("signed in as %v, want ada (%v)", claims["sub"], user["user_id"])
	}
	if amr, _ := claims["amr"].([]any); len(amr) != 1 || amr[0] != "webauthn" {
		t.Fatalf("amr %v, want [webauthn]", claims["amr"])
	}
	if creds, err := chromedp.Call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: added.AuthenticatorID}); err != nil || creds.Credentials[0].SignCount < 1 {
		t.Fatalf("the authenticator's counter did not move: %+v %v", creds, err)
	}
}

// setField sets the value of an input, or the text of another element, by its id. (Typing
// cannot empty an input, and chromedp.Clear sets the attribute, not the value.)
func setField(id, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		expr := `(function (el, v) { if ("value" in el) el.value = v; else el.textContent = v; return "set"; })(document.getElementById(` +
			jsString(id) + `), ` + jsString(value) + `)`
		_, err := chromedp.Evaluate[string](expr)(ctx, tg)
		return err
	})
}

// waitStatus waits until the page's status starts with want or reports an error, and
// returns it.
func waitStatus(t *testing.T, ctx context.Context, want string, demo *demoBackend) string {
	t.Helper()
	pctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	expr := `(function () {
		var s = document.getElementById("status");
		if (s.className === "error" || s.textContent.indexOf(` + jsString(want) + `) === 0) return s.textContent;
		return "";
	})()`
	status, err := chromedp.Run(pctx, chromedp.Poll[string](expr, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(80*time.Second)))
	if err != nil {
		t.Fatalf("waiting for %q: %v\nbackend calls:\n%s", want, err, demo.calls())
	}
	return status
}

func jsString(s string) string {
	data, _ := json.Marshal(s)
	return string(data)
}

// newChromium starts headless Chromium with a fresh profile and returns its tab's context.
func newChromium(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first action starts the browser and must run without a deadline.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}
