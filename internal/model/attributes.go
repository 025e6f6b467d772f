package model

import (
	"encoding/json"
	"errors"
	"net/netip"
	"unicode/utf8"
)

// MaxUserAgentLen bounds the user agent a backend forwards. Attributes are kept with sessions
// and audit events, so an unbounded value would let a caller fill the database.
const MaxUserAgentLen = 512

// UnmarshalJSON decodes client attributes and rejects values no real device has: an IP
// address that does not parse, or a user agent longer than MaxUserAgentLen. The address is
// kept in its one canonical spelling (no zone, IPv4-mapped IPv6 as IPv4, lower case), so that
// limits counted per address cannot be dodged by writing one address many ways.
func (a *ClientAttributes) UnmarshalJSON(data []byte) error {
	type plain ClientAttributes // no methods: no recursion
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	if p.IPAddress != "" {
		addr, err := netip.ParseAddr(p.IPAddress)
		if err != nil {
			return errors.New("client_attributes.ip_address must be an IPv4 or IPv6 address")
		}
		p.IPAddress = addr.WithZone("").Unmap().String()
	}
	if utf8.RuneCountInString(p.UserAgent) > MaxUserAgentLen {
		return errors.New("client_attributes.user_agent must be at most 512 characters")
	}
	*a = ClientAttributes(p)
	return nil
}
