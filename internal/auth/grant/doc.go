// Package grant is the OAuth side of Latchkey's tokens: the client-credentials grant (client
// and admin access tokens), refresh-token rotation with reuse detection and a grace period for
// concurrent refreshes, RFC 7662 introspection and RFC 7009 revocation. Tokens are signed by
// the core's signer; refresh tokens are stored hashed.
package grant
