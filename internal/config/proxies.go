package config

import (
	"fmt"
	"net/netip"
	"strings"
)

// TrustedProxyPrefixes parses TrustedProxies: each entry an IP address (a network of one) or a
// CIDR. A network that holds every address is refused: trusting every peer would let any
// client name its own address.
func (c *Config) TrustedProxyPrefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, raw := range strings.Split(c.TrustedProxies, ",") {
		entry := strings.TrimSpace(raw)
		if entry == "" {
			continue
		}
		var p netip.Prefix
		if a, err := netip.ParseAddr(entry); err == nil && a.Zone() == "" {
			a = a.Unmap()
			p = netip.PrefixFrom(a, a.BitLen())
		} else if p, err = netip.ParsePrefix(entry); err != nil {
			return nil, fmt.Errorf("trusted proxies: %q is not an IP address or CIDR", entry)
		}
		if p.Bits() == 0 {
			return nil, fmt.Errorf("trusted proxies: %q would trust every peer; name the proxies' own addresses or networks", entry)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
