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
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() ||
		netip.MustParsePrefix("100.64.0.0/10").Contains(ip) { // carrier-grade NAT
		return fmt.Errorf("webhook: refusing to connect to the internal address %s", ip)
	}
	return nil
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
