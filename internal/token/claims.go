package token

import (
	"fmt"
	"sort"
)

// The claims catalog: every claim name Mosaic documents for its ID and access tokens (its ID
// token reference, its user and client access token references and the enum of a client's
// default_custom_claims), sorted by what Latchkey does when a backend asks for it. A claim is
// produced or it is refused when asked for, never silently left out: an integration that
// relies on a claim learns at once that it has to wait for it.

// ClaimKind says what Latchkey does with a claim a backend names in a claims request or in a
// client's default_custom_claims.
type ClaimKind int

const (
	// ClaimUnknown is a name Mosaic does not document; asking for it is refused.
	ClaimUnknown ClaimKind = iota
	// ClaimAlways is carried by every token of its kind whether asked for or not; asking for
	// it changes nothing.
	ClaimAlways
	// ClaimOnRequest is added when asked for (or set as a client default), for a user who has
	// a value; a claim without a value (no phone number, say) is omitted, as Mosaic omits it.
	ClaimOnRequest
	// ClaimUnsupported is documented by Mosaic but not produced by Latchkey yet; asking for it
	// is refused with the reason.
	ClaimUnsupported
)

// alwaysClaims are the registered claims every ID and access token carries; asking for one
// changes nothing.
var alwaysClaims = []string{"iss", "sub", "aud", "exp", "iat", "jti", "auth_time", "amr", "tid", "sid"}

// onRequestClaims are the claims Latchkey produces when asked: the user's profile and custom
// data, and what the login was about (the application, the client, the granted scope, whether
// the login created the user, the transaction it approved, the organization it was to). Some of these are carried
// unasked by one of the two tokens (new_user by ID tokens, client_id, app_id, app_name and
// scope by access tokens, approval_data by the ID token of an approving login) and are
// added to the other when asked for.
var onRequestClaims = []string{
	"email", "email_verified", "phone_number", "phone_number_verified", "fname", "lname",
	"mname", "username", "external_user_id", "birthday", "language", "picture", "city",
	"country", "street_address", "address_type", "address", "secondary_emails",
	"secondary_phone_numbers", "created_at", "last_auth", "custom_data", "custom_app_data",
	"app_name", "app_id", "client_id", "scope", "new_user", "approval_data",
	"roles", "role_values", "permissions", "groups", "custom_group_data", "organization", "org_id", "external_account_id",
}

// Reasons an unsupported claim is refused.
const (
	reasonRoles   = "client roles (ts_roles and ts_permissions) describe a client and are carried by its client access token, not by a user's tokens; a user's roles are in roles, role_values and permissions"
	reasonPasskey = "passkey details are not put in tokens yet"
	reasonAIActor = "AI agent identities are not supported"
	reasonNoACR   = "backend authentication satisfies no ACR values"
)

// unsupportedClaims are the claims Mosaic documents that Latchkey does not produce yet, each
// with the reason given to a backend that asks for it. This is the one list to change when one
// of them is switched on: move it to onRequestClaims and teach auth's userClaim to compute it.
var unsupportedClaims = map[string]string{
	"ts_roles":          reasonRoles,
	"ts_permissions":    reasonRoles,
	"webauthn":          reasonPasskey,
	"webauthn_username": reasonPasskey,
	"ai_actor":          reasonAIActor,
	"acr":               reasonNoACR,
}

var claimKinds = func() map[string]ClaimKind {
	m := map[string]ClaimKind{}
	for _, n := range alwaysClaims {
		m[n] = ClaimAlways
	}
	for _, n := range onRequestClaims {
		m[n] = ClaimOnRequest
	}
	for n := range unsupportedClaims {
		m[n] = ClaimUnsupported
	}
	return m
}()

// Claim reports what Latchkey does with a requested claim name.
func Claim(name string) ClaimKind { return claimKinds[name] }

// ClaimProblem returns why a backend may not ask for the claim name, or "" when it may. The
// text names the claim and, for one Mosaic documents, says that Latchkey does not produce it
// yet.
func ClaimProblem(name string) string {
	switch Claim(name) {
	case ClaimAlways, ClaimOnRequest:
		return ""
	case ClaimUnsupported:
		return fmt.Sprintf("claim %q cannot be requested: %s", name, unsupportedClaims[name])
	default:
		return fmt.Sprintf("claim %q is not a claim Latchkey's tokens carry", clipName(name))
	}
}

// RequestableClaims returns, sorted, the claim names a backend may ask for.
func RequestableClaims() []string {
	out := make([]string, 0, len(alwaysClaims)+len(onRequestClaims))
	out = append(append(out, alwaysClaims...), onRequestClaims...)
	sort.Strings(out)
	return out
}

// UnsupportedClaims returns, sorted, the claim names Mosaic documents that are refused.
func UnsupportedClaims() []string {
	out := make([]string, 0, len(unsupportedClaims))
	for n := range unsupportedClaims {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// clipName shortens a caller's claim name quoted back in a message.
func clipName(s string) string {
	const max = 64
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}
