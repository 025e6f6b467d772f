package clientip

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Origin returns the scheme and host a browser addressed the request to. They are the
// request's own (https when it came over TLS, and its Host header) unless its peer is a
// trusted proxy: then the proxy's X-Forwarded-Proto and X-Forwarded-Host, or the proto= and
// host= of its Forwarded element, say them. Only the value the nearest proxy wrote (the last
// one) is read, as it is the only one a client cannot have supplied.
func Origin(r *http.Request, trusted []netip.Prefix) (scheme, host string) {
	scheme, host = "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	peer, ok := parseHostPort(r.RemoteAddr)
	if !ok || !isTrusted(peer, trusted) {
		return scheme, host
	}
	if v := last(r.Header.Values("X-Forwarded-Proto"), ','); v != "" {
		scheme = strings.ToLower(v)
	}
	if v := last(r.Header.Values("X-Forwarded-Host"), ','); v != "" {
		host = v
	}
	if fwd := r.Header.Values("Forwarded"); len(fwd) > 0 {
		if elements, ok := splitQuoted(fwd[len(fwd)-1], ','); ok {
			pairs, _ := splitQuoted(elements[len(elements)-1], ';')
			for _, pair := range pairs {
				name, value, _ := strings.Cut(strings.TrimSpace(pair), "=")
				v, ok := unquote(value)
				switch {
				case !ok || v == "":
				case strings.EqualFold(name, "proto"):
					scheme = strings.ToLower(v)
				case strings.EqualFold(name, "host"):
					host = v
				}
			}
		}
	}
	return scheme, host
}

// SecureContext reports whether a browser treats the page as a secure context, and so keeps
// Secure cookies and offers WebAuthn: it was reached over HTTPS (directly or, as a trusted
// proxy says, through one), or at a loopback host, which browsers trust without TLS.
func SecureContext(r *http.Request, trusted []netip.Prefix) bool {
	scheme, host := Origin(r, trusted)
	if scheme == "https" {
		return true
	}
	h := host
	if hp, _, err := net.SplitHostPort(host); err == nil {
		h = hp
	}
	h = strings.Trim(h, "[]")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}

// last is the last comma-separated value of a header's lines, trimmed.
func last(lines []string, sep byte) string {
	if len(lines) == 0 {
		return ""
	}
	parts := strings.Split(lines[len(lines)-1], string(sep))
	return strings.TrimSpace(parts[len(parts)-1])
}
