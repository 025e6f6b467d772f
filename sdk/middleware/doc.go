// Package middleware protects a resource server's HTTP handlers with the user access tokens
// Latchkey issues. A Verifier checks a bearer token the way a resource server must, without
// calling Latchkey per request:
//
//   - the signature, against the keys Latchkey publishes at /cis/oidc/jwks, which the
//     Verifier fetches once, keeps as long as the answer's max-age says, and fetches again when
//     a token names a key it does not hold (a rotation), at most once per RefreshInterval, so
//     that made-up key ids cannot make it flood the server;
//   - only the algorithms Latchkey signs with (RS256, ES256, EdDSA), and the key's own;
//   - iss, aud (the resource's URI, which a login asks for with "resource"), that the token is
//     a user access token (token_use "access": not an ID token, not a client's token), and,
//     when configured, its tenant (tid);
//   - exp, nbf and iat, allowing Leeway (60 seconds by default, as Latchkey allows) for clocks
//     that disagree;
//   - what a route requires: scopes, permissions (the permissions claim, from the user's
//     roles, present when the login asks for it), or role ids.
//
// A refused request is answered as RFC 6750 says: 401 with WWW-Authenticate error
// "invalid_token" for a missing or bad token, 403 "insufficient_scope" for a good token that
// lacks what the route requires. The handler reads the verified claims with ClaimsFrom.
//
// A signature check cannot see that a session ended or a client's secret was rotated since the
// token was signed; a route that must react at once should introspect the token too (see the
// client package).
package middleware
