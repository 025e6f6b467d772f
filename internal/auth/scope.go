package auth

import (
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
)

// Scopes Latchkey grants. A login grants both: its answer carries an ID token (openid) and a
// refresh token (offline_access), so its access token says so; a refresh may narrow them.
const (
	ScopeOpenID        = "openid"
	ScopeOfflineAccess = "offline_access"
	// DefaultUserScope is the scope of a login's tokens.
	DefaultUserScope = ScopeOpenID + " " + ScopeOfflineAccess
	// DefaultClientScope is the scope of a client access token issued without a scope
	// parameter; Mosaic's client tokens carry the same.
	DefaultClientScope = DefaultUserScope
)

// supportedScopes are the scopes a token request may name, in the order a granted scope
// lists them.
var supportedScopes = []string{ScopeOpenID, ScopeOfflineAccess}

// ErrInvalidScope is RFC 6749's answer to a scope Latchkey cannot grant.
func errInvalidScope(format string, args ...any) *fault.Error {
	return fault.New(fault.Invalid, "invalid_scope", format, args...)
}

// ParseScope reads a token request's space-delimited scope parameter (RFC 6749 section 3.3)
// and returns it in canonical form: each scope once, in a fixed order. Empty asks for the
// default, which the caller picks. A scope Latchkey does not grant is refused (invalid_scope)
// rather than left out of the token.
func ParseScope(requested string) (string, error) {
	seen := map[string]bool{}
	for _, v := range strings.Fields(requested) {
		if !supported(v) {
			return "", errInvalidScope("scope %q is not supported; Latchkey grants %s", clip(v), strings.Join(supportedScopes, " and "))
		}
		seen[v] = true
	}
	var out []string
	for _, v := range supportedScopes {
		if seen[v] {
			out = append(out, v)
		}
	}
	return strings.Join(out, " "), nil
}

// NarrowScope returns the scope a refresh grants: the requested one, which must lie within
// the one granted at login (RFC 6749 section 6), or the granted one when none is requested.
func NarrowScope(granted, requested string) (string, error) {
	req, err := ParseScope(requested)
	if err != nil || req == "" {
		return granted, err
	}
	for _, v := range strings.Fields(req) {
		if !HasScope(granted, v) {
			return "", errInvalidScope("scope %q was not granted to this refresh token", v)
		}
	}
	return req, nil
}

// HasScope reports whether a space-delimited scope includes v.
func HasScope(scope, v string) bool {
	for _, s := range strings.Fields(scope) {
		if s == v {
			return true
		}
	}
	return false
}

func supported(v string) bool {
	for _, s := range supportedScopes {
		if s == v {
			return true
		}
	}
	return false
}
