// Package token owns Latchkey's JSON Web Tokens: each tenant's signing keys and their
// lifecycle, signing, verification, the published key sets (JWKS) and the OpenID Provider
// metadata document.
//
// Keys live in storage, so every node of a deployment signs and verifies with the same keys;
// their private halves are sealed under the master key (package secret). A Manager caches each
// tenant's parsed keys in memory, so neither signing nor verifying reads the database on the
// hot path.
//
// A key moves through three statuses. It is created validating: published in the JWKS but not
// yet used, so that relying parties learn of it before they meet a token it signed. Rotate
// makes it signing, disables the previous signing key (still published, so the tokens it
// signed keep verifying), and creates the next validating key. A disabled key is unpublished
// once Options.MaxTokenLifetime has passed since it was disabled, and deleted by a later
// Rotate.
//
// A tenant's SigningAlg applies to keys created after it is set. Changing it takes effect at
// the next Rotate: the waiting validating key of the old algorithm is dropped, and a fresh key
// of the new algorithm starts signing at once.
package token
