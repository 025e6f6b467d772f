package token

import (
	"sort"
	"strings"
)

// Paths of the endpoints named in the discovery document, relative to the public base URL.
const (
	JWKSPath          = "/cis/oidc/jwks"
	TokenPath         = "/oidc/token"
	IntrospectionPath = "/oidc/token/introspection"
	RevocationPath    = "/oidc/token/revocation"
)

// claimsSupported lists the claims Latchkey's tokens may carry: those a backend may ask for
// (claims.go) and Latchkey's own bookkeeping claims.
func claimsSupported() []string {
	out := append(RequestableClaims(), "token_use", "client_epoch", "role")
	sort.Strings(out)
	return out
}

// Discovery returns the OpenID Provider metadata (OIDC Discovery 1.0, RFC 8414) with endpoint
// URLs under baseURL, the public URL the server is reached at (the issuer when empty).
//
// Latchkey serves backend flows only, so the document is honest about what is absent: there
// is no authorization endpoint and no response type is supported, which leaves
// response_types_supported empty. Relying-party libraries such as go-oidc need only issuer
// and jwks_uri to verify tokens.
func (m *Manager) Discovery(baseURL string) map[string]any {
	base := strings.TrimRight(baseURL, "/")
	if base == "" {
		base = strings.TrimRight(m.issuer, "/")
	}
	return map[string]any{
		"issuer":                 m.issuer,
		"jwks_uri":               base + JWKSPath,
		"token_endpoint":         base + TokenPath,
		"introspection_endpoint": base + IntrospectionPath,
		"revocation_endpoint":    base + RevocationPath,
		"introspection_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"revocation_endpoint_auth_methods_supported":    []string{"client_secret_basic", "client_secret_post"},
		"response_types_supported":                      []string{},
		"subject_types_supported":                       []string{"public"},
		"id_token_signing_alg_values_supported":         []string{"RS256", "ES256", "EdDSA"},
		"grant_types_supported":                         []string{"client_credentials", "refresh_token"},
		"token_endpoint_auth_methods_supported":         []string{"client_secret_basic", "client_secret_post"},
		"claims_parameter_supported":                    true,
		"claims_supported":                              claimsSupported(),
		"scopes_supported":                              []string{"openid", "offline_access"},
	}
}
