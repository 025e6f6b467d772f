package model

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestClientAttributesAreChecked(t *testing.T) {
	var a ClientAttributes
	if err := json.Unmarshal([]byte(`{"ip_address":"2001:db8::1","user_agent":"Mozilla/5.0"}`), &a); err != nil || a.IPAddress != "2001:db8::1" {
		t.Fatalf("valid attributes refused: %v %+v", err, a)
	}
	for _, bad := range []string{
		`{"ip_address":"not-an-ip"}`,
		`{"ip_address":"1.2.3.4.5"}`,
		`{"user_agent":"` + strings.Repeat("x", MaxUserAgentLen+1) + `"}`,
		`{"ip_address":7}`,
	} {
		if err := json.Unmarshal([]byte(bad), &a); err == nil {
			t.Errorf("%.60s accepted", bad)
		}
	}
}

// An address is kept in one spelling, however the backend wrote it.
func TestClientAttributesCanonicalAddress(t *testing.T) {
	for in, want := range map[string]string{
		"::ffff:203.0.113.7":   "203.0.113.7",
		"::FFFF:CB00:7107":     "203.0.113.7",
		"fe80::1%eth0":         "fe80::1",
		"2001:DB8:0:0:0:0:0:1": "2001:db8::1",
		"203.0.113.7":          "203.0.113.7",
	} {
		var a ClientAttributes
		if err := json.Unmarshal([]byte(`{"ip_address":"`+in+`"}`), &a); err != nil || a.IPAddress != want {
			t.Errorf("%s: got %q, %v; want %q", in, a.IPAddress, err, want)
		}
	}
}
