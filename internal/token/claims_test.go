package token

import (
	"strings"
	"testing"
)

// mosaicClaims are the claim names Mosaic documents for its tokens: the claims its ID token
// reference lists (default and requestable), the values of a client's default_custom_claims,
// and the claims of its user and client access tokens.
var mosaicClaims = []string{
	// ID token, default claims.
	"sub", "tid", "aud", "exp", "iat", "iss", "auth_time", "amr", "acr", "webauthn",
	"webauthn_username", "new_user", "groups", "approval_data", "organization",
	// ID token, requestable claims.
	"fname", "mname", "lname", "roles", "role_values", "permissions", "email", "email_verified",
	"phone_number", "phone_number_verified", "username", "secondary_phone_numbers",
	"secondary_emails", "birthday", "address", "address_type", "street_address", "city",
	"country", "picture", "language", "created_at", "last_auth", "external_account_id",
	"external_user_id", "app_name", "custom_data", "custom_app_data", "custom_group_data",
	// default_custom_claims values not listed above.
	"ts_roles", "ts_permissions", "ai_actor",
	// Returned in the ID token under an organization context.
	"org_id",
	// Access tokens.
	"scope", "client_id", "app_id", "jti",
}

// Every claim Mosaic documents is either produced or refused with a reason: none is unknown,
// so none can be silently left out of a token.
func TestEveryMosaicClaimIsProducedOrRefused(t *testing.T) {
	for _, name := range mosaicClaims {
		switch Claim(name) {
		case ClaimAlways, ClaimOnRequest:
			if p := ClaimProblem(name); p != "" {
				t.Errorf("%s is produced but has a problem: %s", name, p)
			}
		case ClaimUnsupported:
			p := ClaimProblem(name)
			if !strings.Contains(p, `"`+name+`"`) || !strings.Contains(p, "cannot be requested: ") || unsupportedClaims[name] == "" {
				t.Errorf("%s is refused without naming it and saying why: %q", name, p)
			}
		default:
			t.Errorf("Mosaic documents %s, but the catalog does not know it", name)
		}
	}
}

// Claims a user's tokens do not carry are refused when asked for: the client roles, which a
// client's own access token carries.
func TestDeferredClaimsAreRefused(t *testing.T) {
	for _, name := range []string{"ts_roles", "ts_permissions"} {
		if Claim(name) != ClaimUnsupported {
			t.Errorf("%s: kind %v, want unsupported", name, Claim(name))
		}
	}
	for _, name := range []string{"groups", "custom_group_data", "organization", "org_id"} {
		if Claim(name) != ClaimOnRequest {
			t.Errorf("%s: kind %v, want produced on request", name, Claim(name))
		}
	}
	if got := UnsupportedClaims(); len(got) != len(unsupportedClaims) {
		t.Errorf("UnsupportedClaims lists %d names, want %d", len(got), len(unsupportedClaims))
	}
}

// A claim is in one category only, and every requestable claim is supported by discovery.
func TestClaimCatalogIsConsistent(t *testing.T) {
	seen := map[string]int{}
	for _, n := range alwaysClaims {
		seen[n]++
	}
	for _, n := range onRequestClaims {
		seen[n]++
	}
	for n := range unsupportedClaims {
		seen[n]++
	}
	for n, k := range seen {
		if k != 1 {
			t.Errorf("claim %s is in %d categories", n, k)
		}
	}
	supported := map[string]bool{}
	for _, n := range claimsSupported() {
		supported[n] = true
	}
	for _, n := range RequestableClaims() {
		if !supported[n] {
			t.Errorf("discovery does not list requestable claim %s", n)
		}
	}
	for n := range unsupportedClaims {
		if supported[n] {
			t.Errorf("discovery lists unsupported claim %s", n)
		}
	}
	if p := ClaimProblem(strings.Repeat("x", 500)); len(p) > 200 {
		t.Errorf("a long unknown name is quoted back whole: %d bytes", len(p))
	}
}
