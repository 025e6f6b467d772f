package config

import (
	"strings"
	"testing"
)

// One setting pins the issuer: an integration that checks Mosaic's iss works with
// LATCHKEY_ISSUER alone, and without it the issuer is the public URL.
func TestIssuer(t *testing.T) {
	c, err := load(t, map[string]string{"LATCHKEY_PUBLIC_URL": "https://auth.example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.TokenIssuer(); got != "https://auth.example.com" {
		t.Errorf("issuer without LATCHKEY_ISSUER: %q, want the public URL", got)
	}
	c, err = load(t, map[string]string{"LATCHKEY_ISSUER": "https://userid.security"})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.TokenIssuer(); got != "https://userid.security" {
		t.Errorf("LATCHKEY_ISSUER: %q", got)
	}
	c, err = load(t, nil, "-issuer", "https://eu.userid.security")
	if err != nil || c.TokenIssuer() != "https://eu.userid.security" {
		t.Errorf("--issuer: %q, %v", c.TokenIssuer(), err)
	}
	for _, bad := range []string{"userid.security", "ftp://userid.security", "https://userid.security?x=1",
		"https://userid.security#f", "https://u:p@userid.security"} {
		if _, err := load(t, map[string]string{"LATCHKEY_ISSUER": bad}); err == nil || !strings.Contains(err.Error(), "issuer must be") {
			t.Errorf("issuer %q: %v, want refused", bad, err)
		}
	}
	_, err = load(t, map[string]string{"LATCHKEY_MODE": "production", "LATCHKEY_ISSUER": "http://userid.security"})
	if err == nil || !strings.Contains(err.Error(), "issuer must use https in production") {
		t.Errorf("http issuer in production: %v", err)
	}
}
