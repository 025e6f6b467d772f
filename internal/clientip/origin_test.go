package clientip

import (
	"crypto/tls"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestOriginBelievesOnlyTrustedProxies(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	cases := []struct {
		name, peer string
		tls        bool
		headers    map[string]string
		scheme     string
		host       string
		secure     bool
	}{
		{name: "direct http", peer: "203.0.113.7:5000", scheme: "http", host: "auth.example.com"},
		{name: "direct tls", peer: "203.0.113.7:5000", tls: true, scheme: "https", host: "auth.example.com", secure: true},
		{name: "untrusted peer's headers ignored", peer: "203.0.113.7:5000",
			headers: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}, scheme: "http", host: "auth.example.com"},
		{name: "trusted proxy's X-Forwarded", peer: "10.0.0.2:5000",
			headers: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "login.example.com"}, scheme: "https", host: "login.example.com", secure: true},
		{name: "only the nearest proxy's value", peer: "10.0.0.2:5000",
			headers: map[string]string{"X-Forwarded-Proto": "https, http"}, scheme: "http", host: "auth.example.com"},
		{name: "trusted proxy's Forwarded", peer: "10.0.0.2:5000",
			headers: map[string]string{"Forwarded": `for=198.51.100.1;proto=https;host="login.example.com"`}, scheme: "https", host: "login.example.com", secure: true},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/admin", nil)
		r.Host, r.RemoteAddr = "auth.example.com", c.peer
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		}
		for k, v := range c.headers {
			r.Header.Set(k, v)
		}
		scheme, host := Origin(r, trusted)
		if scheme != c.scheme || host != c.host {
			t.Errorf("%s: origin %s://%s, want %s://%s", c.name, scheme, host, c.scheme, c.host)
		}
		if got := SecureContext(r, trusted); got != c.secure {
			t.Errorf("%s: secure context %v, want %v", c.name, got, c.secure)
		}
	}
}

func TestLoopbackIsASecureContext(t *testing.T) {
	for host, want := range map[string]bool{"localhost:8080": true, "127.0.0.1:8080": true, "[::1]:8080": true,
		"admin.localhost": true, "auth.example.com": false, "192.0.2.1:8080": false} {
		r := httptest.NewRequest("GET", "/admin", nil)
		r.Host = host
		if got := SecureContext(r, nil); got != want {
			t.Errorf("%s: %v, want %v", host, got, want)
		}
	}
}
