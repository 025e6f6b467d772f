package clientip

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestResolveClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48")}
	cases := []struct {
		name, peer string
		xff, fwd   []string
		want       string
	}{
		{name: "no proxy", peer: "203.0.113.7:5000", want: "203.0.113.7"},
		{name: "untrusted peer's header ignored", peer: "203.0.113.7:5000", xff: []string{"198.51.100.1"}, want: "203.0.113.7"},
		{name: "untrusted peer's Forwarded ignored", peer: "203.0.113.7:5000", fwd: []string{"for=198.51.100.1"}, want: "203.0.113.7"},
		{name: "one trusted proxy", peer: "10.0.0.2:5000", xff: []string{"198.51.100.1"}, want: "198.51.100.1"},
		{name: "client's own prefix skipped", peer: "10.0.0.2:5000", xff: []string{"192.0.2.66, 198.51.100.1"}, want: "198.51.100.1"},
		{name: "two trusted proxies", peer: "10.0.0.2:5000", xff: []string{"198.51.100.1, 10.1.1.1"}, want: "198.51.100.1"},
		{name: "lines in order", peer: "10.0.0.2:5000", xff: []string{"192.0.2.66", "198.51.100.1, 10.1.1.1"}, want: "198.51.100.1"},
		{name: "hop with port", peer: "10.0.0.2:5000", xff: []string{"198.51.100.1:4711"}, want: "198.51.100.1"},
		{name: "IPv6 hop", peer: "10.0.0.2:5000", xff: []string{"[2001:db8::1]:443"}, want: "2001:db8::1"},
		{name: "mapped IPv4", peer: "[::ffff:10.0.0.2]:5000", xff: []string{"::ffff:198.51.100.1"}, want: "198.51.100.1"},
		{name: "trusted IPv6 proxy", peer: "[2001:db8:ffff::5]:5000", xff: []string{"198.51.100.1"}, want: "198.51.100.1"},
		{name: "all hops trusted", peer: "10.0.0.2:5000", xff: []string{"10.9.9.9, 10.1.1.1"}, want: "10.9.9.9"},
		{name: "malformed hop", peer: "10.0.0.2:5000", xff: []string{"198.51.100.1, nonsense"}, want: "10.0.0.2"},
		{name: "empty hop", peer: "10.0.0.2:5000", xff: []string{"198.51.100.1,,10.1.1.1"}, want: "10.0.0.2"},
		{name: "unknown", peer: "10.0.0.2:5000", xff: []string{"unknown"}, want: "10.0.0.2"},
		{name: "malformed beyond the client is not read", peer: "10.0.0.2:5000", xff: []string{"nonsense, 198.51.100.1"}, want: "198.51.100.1"},
		{name: "Forwarded", peer: "10.0.0.2:5000", fwd: []string{`for=198.51.100.1;proto=https, for=10.1.1.1`}, want: "198.51.100.1"},
		{name: "Forwarded IPv6 quoted with port", peer: "10.0.0.2:5000", fwd: []string{`For="[2001:db8:cafe::17]:4711"`}, want: "2001:db8:cafe::17"},
		{name: "Forwarded quoted separators", peer: "10.0.0.2:5000", fwd: []string{`for=198.51.100.1;by="a,b;c"`}, want: "198.51.100.1"},
		{name: "Forwarded obfuscated", peer: "10.0.0.2:5000", fwd: []string{`for=_hidden`}, want: "10.0.0.2"},
		{name: "Forwarded without for", peer: "10.0.0.2:5000", fwd: []string{`proto=https`}, want: "10.0.0.2"},
		{name: "Forwarded two for", peer: "10.0.0.2:5000", fwd: []string{`for=198.51.100.1;for=192.0.2.1`}, want: "10.0.0.2"},
		{name: "Forwarded unterminated quote", peer: "10.0.0.2:5000", fwd: []string{`for="198.51.100.1`}, want: "10.0.0.2"},
		{name: "headers agree", peer: "10.0.0.2:5000", xff: []string{"198.51.100.1"}, fwd: []string{"for=198.51.100.1"}, want: "198.51.100.1"},
		{name: "headers disagree", peer: "10.0.0.2:5000", xff: []string{"198.51.100.1"}, fwd: []string{"for=192.0.2.9"}, want: "10.0.0.2"},
		{name: "no trusted list", peer: "10.0.0.2:5000", xff: []string{"198.51.100.1"}, want: "10.0.0.2"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		for _, v := range c.fwd {
			r.Header.Add("Forwarded", v)
		}
		list := trusted
		if c.name == "no trusted list" {
			list = nil
		}
		if got := Resolve(r, list); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}

func TestResolveClientIPBoundsTheChain(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.2:5000"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	for range maxForwardedHops {
		r.Header.Add("X-Forwarded-For", "10.1.1.1")
	}
	if got := Resolve(r, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}); got != "10.0.0.2" {
		t.Errorf("a chain of %d hops resolved to %s", maxForwardedHops+1, got)
	}
}

// FuzzResolveClientIP checks that no header makes resolution fail: the answer is always the
// peer or an address that parses.
func FuzzResolveClientIP(f *testing.F) {
	f.Add("198.51.100.1, 10.1.1.1", `for="[2001:db8::1]:80";proto=https`)
	f.Add(`"`, `for=";,`)
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	f.Fuzz(func(t *testing.T, xff, fwd string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "10.0.0.2:5000"
		r.Header.Set("X-Forwarded-For", xff)
		r.Header.Set("Forwarded", fwd)
		got := Resolve(r, trusted)
		if _, err := netip.ParseAddr(got); err != nil {
			t.Fatalf("resolved %q", got)
		}
	})
}
