package config

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestTrustedProxies(t *testing.T) {
	c, err := load(t, map[string]string{"LATCHKEY_TRUSTED_PROXIES": " 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32,::ffff:198.51.100.0/120,"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.TrustedProxyPrefixes()
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"),
		netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("198.51.100.0/24")}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("got %v, %v; want %v", got, err, want)
	}
	c, err = load(t, nil, "-trusted-proxies", "172.16.0.1")
	if got, _ := c.TrustedProxyPrefixes(); err != nil || len(got) != 1 || got[0].String() != "172.16.0.1/32" {
		t.Fatalf("flag: %v %v", got, err)
	}
	d := Default()
	if got, _ := d.TrustedProxyPrefixes(); len(got) != 0 {
		t.Fatalf("default trusts %v", got)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.internal", "0.0.0.0/0", "::/0", "fe80::1%eth0"} {
		_, err := load(t, map[string]string{"LATCHKEY_TRUSTED_PROXIES": "10.0.0.1," + bad})
		if err == nil || !IsConfigError(err) || !strings.Contains(err.Error(), "trusted proxies") {
			t.Errorf("%q accepted: %v", bad, err)
		}
	}
}
