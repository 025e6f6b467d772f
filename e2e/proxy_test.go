package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
)

// loopbackProxies trusts the test client's own address, as a deployment trusts its load
// balancer: in these tests every request comes through "the proxy".
var loopbackProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// passkeyStartFrom starts a discoverable passkey login, the public route counted per client
// address, with the given forwarding headers.
func (e *env) passkeyStartFrom(headers map[string]string) response {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"client_id": e.boot.ClientID})
	req, err := http.NewRequest("POST", e.url+"/cis/v1/auth/webauthn/authenticate/start", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return e.send(req)
}

// adminChangeFrom makes an audited admin change with the given forwarding headers and returns
// the address its audit event recorded.
func (e *env) adminChangeFrom(admin string, headers map[string]string) string {
	e.t.Helper()
	created := e.do("POST", "/cis/v1/users", admin, map[string]any{"email": "audit-" + strings.ToLower(model.NewID()) + "@example.com"})
	wantStatus(e.t, created, 201, "")
	userID, _ := created.JSON(e.t)["result"].(map[string]any)["user_id"].(string)
	body, _ := json.Marshal(map[string]any{"name": map[string]any{"first_name": "Ada"}})
	req, err := http.NewRequest("PUT", e.url+"/cis/v1/users/"+userID, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+admin)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	wantStatus(e.t, e.send(req), 200, "")
	list := e.do("GET", "/cis/v1/audit?type=admin.change&page_limit=100", admin, nil)
	wantStatus(e.t, list, 200, "")
	for _, ev := range list.JSON(e.t)["result"].([]any) {
		m := ev.(map[string]any)
		if m["user_id"] == userID && m["method"] == "PUT /cis/v1/users/{user_id}" {
			ip, _ := m["ip_address"].(string)
			return ip
		}
	}
	e.t.Fatalf("no admin.change event for user %s: %s", userID, list.Body)
	return ""
}

// TestClientIPBehindTrustedProxy checks that behind a trusted proxy each client is counted and
// audited by its own address, read from the hop the proxy appended: per-IP limits are reached
// per real client, not by everyone behind the proxy together, and an address a client writes
// into the header itself is not believed.
func TestClientIPBehindTrustedProxy(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		o.trustedProxies = loopbackProxies
		e := newEnv(t, o)
		e.enableWebAuthn(e.boot.AppID, map[string]any{"rpId": waRPID, "rpWebOrigins": []string{waOrigin}, "startsPerIp": 2})
		alice := map[string]string{"X-Forwarded-For": "203.0.113.7"}
		for range 2 {
			wantStatus(t, e.passkeyStartFrom(alice), 200, "")
		}
		wantStatus(t, e.passkeyStartFrom(alice), 429, "")
		// Alice naming another address to the left of the one her proxy appended is still Alice.
		wantStatus(t, e.passkeyStartFrom(map[string]string{"X-Forwarded-For": "198.51.100.50, 203.0.113.7"}), 429, "")
		wantStatus(t, e.passkeyStartFrom(map[string]string{"Forwarded": `for=198.51.100.50, for="203.0.113.7:4711"`}), 429, "")
		// Other clients behind the same proxy have their own buckets, through two proxies too.
		wantStatus(t, e.passkeyStartFrom(map[string]string{"X-Forwarded-For": "198.51.100.9"}), 200, "")
		wantStatus(t, e.passkeyStartFrom(map[string]string{"X-Forwarded-For": "2001:db8::9, 127.0.0.9"}), 200, "")
		wantStatus(t, e.passkeyStartFrom(map[string]string{"Forwarded": "for=192.0.2.60;proto=https"}), 200, "")
		// A request without forwarding headers is the proxy's own.
		wantStatus(t, e.passkeyStartFrom(nil), 200, "")

		admin := e.adminToken()
		if ip := e.adminChangeFrom(admin, map[string]string{"X-Forwarded-For": "192.0.2.44"}); ip != "192.0.2.44" {
			t.Errorf("admin change behind the proxy audited from %q, want 192.0.2.44", ip)
		}
		// Headers that disagree, or a hop that is no address, leave the proxy's address.
		if ip := e.adminChangeFrom(admin, map[string]string{"X-Forwarded-For": "192.0.2.45", "Forwarded": "for=192.0.2.46"}); ip != "127.0.0.1" {
			t.Errorf("disagreeing headers audited as %q, want the peer 127.0.0.1", ip)
		}
		if ip := e.adminChangeFrom(admin, map[string]string{"X-Forwarded-For": "192.0.2.47, unknown"}); ip != "127.0.0.1" {
			t.Errorf("malformed header audited as %q, want the peer 127.0.0.1", ip)
		}
	})
}

// TestForwardedHeadersFromUntrustedPeerIgnored checks that a server with no trusted proxy
// believes no forwarding header: a client that sends a new X-Forwarded-For or Forwarded with
// each request still fills its own address's bucket and is audited by its socket address.
func TestForwardedHeadersFromUntrustedPeerIgnored(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		o.trustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} // not the test client
		e := newEnv(t, o)
		e.enableWebAuthn(e.boot.AppID, map[string]any{"rpId": waRPID, "rpWebOrigins": []string{waOrigin}, "startsPerIp": 2})
		wantStatus(t, e.passkeyStartFrom(map[string]string{"X-Forwarded-For": "203.0.113.1"}), 200, "")
		wantStatus(t, e.passkeyStartFrom(map[string]string{"Forwarded": "for=203.0.113.2"}), 200, "")
		wantStatus(t, e.passkeyStartFrom(map[string]string{"X-Forwarded-For": "203.0.113.3", "Forwarded": "for=203.0.113.3"}), 429, "")
		if ip := e.adminChangeFrom(e.adminToken(), map[string]string{"X-Forwarded-For": "192.0.2.44"}); ip != "127.0.0.1" {
			t.Errorf("spoofed header audited as %q, want the socket address 127.0.0.1", ip)
		}
	})
}
