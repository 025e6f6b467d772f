package model

import (
	"slices"
	"strings"
	"testing"
)

func TestWebAuthnPreferencesDefaults(t *testing.T) {
	w := LoginPreferences{}.Normalized().WebAuthn
	if w.RPID != "" || w.UserVerification != UVPreferred || w.AttestationType != AttestationNone ||
		!w.SyncedPasskeysAllowed() || w.AllowSyncedPasskeys == nil || w.LockoutDuration != DefaultWebAuthnLockoutDuration ||
		w.StartsPerIP != DefaultWebAuthnStartsPerIP || w.RPWebOrigins == nil || len(w.RPWebOrigins) != 0 {
		t.Fatalf("defaults: %+v", w)
	}
	// The defaults read back are valid to write back.
	if p := (LoginPreferences{WebAuthn: w}).Problems(); len(p) != 0 {
		t.Fatalf("normalised defaults have problems: %v", p)
	}
	w = LoginPreferences{WebAuthn: WebAuthnPreferences{RPID: "example.com"}}.Normalized().WebAuthn
	if !slices.Equal(w.RPWebOrigins, []string{"https://example.com"}) {
		t.Fatalf("default origins %v", w.RPWebOrigins)
	}
	off := false
	if (WebAuthnPreferences{AllowSyncedPasskeys: &off}).normalized().SyncedPasskeysAllowed() {
		t.Fatal("allowSyncedPasskeys false was overridden")
	}
}

func TestWebAuthnPreferencesProblems(t *testing.T) {
	good := WebAuthnPreferences{
		RPID: "example.com", RPWebOrigins: []string{"https://example.com", "https://app.example.com:8443"},
		UserVerification: UVRequired, AttestationType: AttestationDirect, EnforceAttestation: true,
		AAGUIDAllowList: []string{"08987058-CADC-4b81-b6e1-30de50dcbe96"},
	}
	if p := good.problems(); len(p) != 0 {
		t.Fatalf("valid settings have problems: %v", p)
	}
	if p := (WebAuthnPreferences{RPID: "localhost", RPWebOrigins: []string{"http://localhost:8080"}}).problems(); len(p) != 0 {
		t.Fatalf("localhost over http refused: %v", p)
	}
	bad := WebAuthnPreferences{
		RPID:               "https://Example.com",
		RPWebOrigins:       []string{"http://app.example.com", "https://evil.org", "https://example.com/login", "ftp://x"},
		UserVerification:   "always",
		AttestationType:    "none",
		EnforceAttestation: true,
		AAGUIDAllowList:    []string{"not-a-uuid"},
		AAGUIDBlockList:    []string{"08987058-cadc-4b81-b6e1-30de50dcbe96"},
		LockoutDuration:    -1,
		StartsPerIP:        100001,
	}
	p := bad.problems()
	for _, want := range []string{
		"rpId must be", "http is allowed only for localhost", "https://example.com/login", "ftp://x",
		"userVerification must be", "enforceAttestation needs", "cannot both be set", "not-a-uuid",
		"lockoutDuration", "startsPerIp",
	} {
		if !slices.ContainsFunc(p, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("no problem mentions %q: %v", want, p)
		}
	}
	hostCheck := (WebAuthnPreferences{RPID: "example.com", RPWebOrigins: []string{"https://evil.org", "https://notexample.com"}}).problems()
	if len(hostCheck) != 2 {
		t.Fatalf("origins outside the rpId: %v", hostCheck)
	}
	for _, id := range []string{"example.com", "a.b-c.example", "localhost", "x1.io"} {
		if !ValidRPID(id) {
			t.Errorf("%q refused as an rpId", id)
		}
	}
	for _, id := range []string{"", "Example.com", "example.com:443", "127.0.0.1", ".example.com", "ex ample.com", "-a.com"} {
		if ValidRPID(id) {
			t.Errorf("%q accepted as an rpId", id)
		}
	}
}
