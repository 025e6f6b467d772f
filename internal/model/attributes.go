package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxUserAgentLen bounds the user agent a backend forwards. Attributes are kept with sessions
// and audit events, so an unbounded value would let a caller fill the database.
const MaxUserAgentLen = 512

// MaxDeviceIDLen is Mosaic's bound on device_id; MaxOrgIDLen bounds org_id, for which Mosaic
// documents none (its organization ids are far shorter).
const (
	MaxDeviceIDLen = 80
	MaxOrgIDLen    = 128
)

// DeviceID is the device_id of a request, at most MaxDeviceIDLen characters.
type DeviceID string

// UnmarshalJSON decodes a device_id and refuses one longer than Mosaic allows.
func (d *DeviceID) UnmarshalJSON(data []byte) error {
	v, err := boundedString(data, "device_id", MaxDeviceIDLen)
	*d = DeviceID(v)
	return err
}

// OrgID is the org_id of an authenticate call, at most MaxOrgIDLen characters.
type OrgID string

// UnmarshalJSON decodes an org_id and refuses an overlong one.
func (o *OrgID) UnmarshalJSON(data []byte) error {
	v, err := boundedString(data, "org_id", MaxOrgIDLen)
	*o = OrgID(v)
	return err
}

// boundedString decodes a JSON string (null is empty) of at most max characters, without
// control characters, naming field when it is not one.
func boundedString(data []byte, field string, max int) (string, error) {
	if string(data) == "null" {
		return "", nil
	}
	var v string
	if err := json.Unmarshal(data, &v); err != nil {
		return "", fmt.Errorf("%s must be a string", field)
	}
	if utf8.RuneCountInString(v) > max {
		return "", fmt.Errorf("%s must be at most %d characters", field, max)
	}
	if strings.ContainsFunc(v, unicode.IsControl) {
		return "", fmt.Errorf("%s must not contain control characters", field)
	}
	return v, nil
}

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
