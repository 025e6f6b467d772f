package clientip

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// maxForwardedHops bounds how many addresses of a forwarding header are read. A real chain
// has a handful; a longer one is treated as malformed.
const maxForwardedHops = 32

// Resolve returns the address a request came from. It is the socket's peer unless that
// peer is one of the trusted proxies; then it is read from the forwarding headers, walking from
// the right (the hop the peer itself added) past every trusted proxy: the first address that is
// not trusted is the client. Only hops appended by trusted proxies are believed, so a client
// cannot choose its address by sending the headers itself, as each proxy appends to whatever it
// received.
//
// X-Forwarded-For and Forwarded (RFC 7239) are both read. When a request carries both and they
// name different clients, one of them came from the client, unmodified by a proxy that writes
// only the other: nothing says which, so the peer's address is used. A header that cannot be
// read where the walk needs it (a hop that is no address, an obfuscated or "unknown" node, an
// element without for=, a chain longer than maxForwardedHops) also falls back to the peer: a
// request whose origin cannot be told counts against its proxy rather than against an address
// it may have chosen. When every hop is trusted, the leftmost one is the client.
func Resolve(r *http.Request, trusted []netip.Prefix) string {
	peer, ok := parseHostPort(r.RemoteAddr)
	if !ok {
		return socketAddress(r)
	}
	if !isTrusted(peer, trusted) {
		return peer.String()
	}
	var found []netip.Addr
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		hops, ok := splitXForwardedFor(xff)
		if !ok {
			return peer.String()
		}
		found = append(found, walk(hops, trusted, peer))
	}
	if fwd := r.Header.Values("Forwarded"); len(fwd) > 0 {
		hops, ok := splitForwarded(fwd)
		if !ok {
			return peer.String()
		}
		found = append(found, walk(hops, trusted, peer))
	}
	switch {
	case len(found) == 0:
		return peer.String()
	case len(found) == 2 && found[0] != found[1]:
		return peer.String()
	}
	return found[0].String()
}

// walk returns the client of a chain of hops (leftmost first) that the trusted peer received:
// the rightmost hop that is not a trusted proxy. An unreadable hop reached by the walk yields
// the peer.
func walk(hops []string, trusted []netip.Prefix, peer netip.Addr) netip.Addr {
	var last netip.Addr
	for i := len(hops) - 1; i >= 0; i-- {
		addr, ok := parseHop(hops[i])
		if !ok {
			return peer
		}
		if !isTrusted(addr, trusted) {
			return addr
		}
		last = addr
	}
	return last
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// splitXForwardedFor lists the hops of X-Forwarded-For lines, in order.
func splitXForwardedFor(lines []string) ([]string, bool) {
	var hops []string
	for _, line := range lines {
		for _, h := range strings.Split(line, ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	return hops, len(hops) > 0 && len(hops) <= maxForwardedHops
}

// splitForwarded lists the for= values of Forwarded lines (RFC 7239 section 4), in order. An
// element without exactly one for= parameter, or a line that does not parse, fails.
func splitForwarded(lines []string) ([]string, bool) {
	var hops []string
	for _, line := range lines {
		elements, ok := splitQuoted(line, ',')
		if !ok {
			return nil, false
		}
		for _, el := range elements {
			pairs, ok := splitQuoted(el, ';')
			if !ok {
				return nil, false
			}
			var forValue string
			n := 0
			for _, pair := range pairs {
				name, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if !ok || name == "" {
					return nil, false
				}
				if strings.EqualFold(name, "for") {
					forValue, n = value, n+1
				}
			}
			if n != 1 {
				return nil, false
			}
			v, ok := unquote(forValue)
			if !ok {
				return nil, false
			}
			hops = append(hops, v)
		}
	}
	return hops, len(hops) > 0 && len(hops) <= maxForwardedHops
}

// splitQuoted splits s at sep outside quoted strings; it fails on an unterminated quote.
func splitQuoted(s string, sep byte) ([]string, bool) {
	var parts []string
	quoted, escaped, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case escaped:
			escaped = false
		case quoted && c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case !quoted && c == sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	if quoted || escaped {
		return nil, false
	}
	return append(parts, s[start:]), true
}

// unquote returns a token or the content of a quoted string (with its escapes removed).
func unquote(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, `"`) {
		return v, !strings.Contains(v, `"`)
	}
	if len(v) < 2 || !strings.HasSuffix(v, `"`) {
		return "", false
	}
	var b strings.Builder
	escaped := false
	for _, c := range v[1 : len(v)-1] {
		if c == '\\' && !escaped {
			escaped = true
			continue
		}
		escaped = false
		b.WriteRune(c)
	}
	return b.String(), true
}

// parseHop reads one hop: an IPv4 or IPv6 address, bare or with a port ("192.0.2.1:443",
// "[2001:db8::1]:443", "[2001:db8::1]"). Obfuscated identifiers and "unknown" are not
// addresses.
func parseHop(h string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(h); err == nil && a.Zone() == "" {
		return a.Unmap(), true
	}
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		a, err := netip.ParseAddr(h[1 : len(h)-1])
		return a.Unmap(), err == nil && a.Is6() && a.Zone() == ""
	}
	return parseHostPort(h)
}

// parseHostPort reads "host:port" whose host is an IP address.
func parseHostPort(s string) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().WithZone("").Unmap(), true
}

// socketAddress is the peer's address without its port, as the connection gave it.
func socketAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
