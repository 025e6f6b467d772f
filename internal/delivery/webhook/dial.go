package webhook

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// publicOnly refuses connections to addresses a tenant's webhook must not reach: loopback,
// private, link-local (which includes cloud metadata services), unspecified and multicast
// ranges. The check runs on the address actually dialled, after name resolution, so a name
// that resolves (or later re-resolves) to an internal address is refused too.
func publicOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("webhook: unexpected address %q", address)
	}
	if internal(ip) {
		return fmt.Errorf("webhook: refusing to connect to the internal address %s", ip)
	}
	return nil
}

// reserved are special-purpose ranges that reach no public host: carrier-grade NAT, IETF
// protocol assignments, benchmarking, and the translation prefixes below.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
}

// internal reports whether ip is, or through an IPv6 translation prefix embeds, an address a
// webhook must not reach. NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses carry an IPv4
// address that a translating network delivers to, so that address is what is checked; the
// local-use NAT64 prefix (64:ff9b:1::/48) is internal whatever it carries.
func internal(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case netip.MustParsePrefix("64:ff9b:1::/48").Contains(ip):
			return true // local-use translation: an operator's own network
		case netip.MustParsePrefix("64:ff9b::/96").Contains(ip):
			return internal(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		case netip.MustParsePrefix("2002::/16").Contains(ip):
			return internal(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() {
		return true
	}
	for _, p := range reserved {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// tenantClient returns the HTTP client for tenant-configured webhooks: a short timeout, no
// redirects, and, unless allowInternal, no connections to internal addresses.
func tenantClient(timeout time.Duration, allowInternal bool) *http.Client {
	c := newClient(timeout)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if !allowInternal {
		dialer.Control = publicOnly
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // a proxy would dial on our behalf and bypass the address check
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, addr)
	}
	c.Transport = tr
	return c
}
