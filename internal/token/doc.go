// Package token owns Latchkey's JSON Web Tokens: signing keys and their lifecycle, signing,
// verification, the published key set (JWKS), the OpenID Provider metadata document, and the
// claims catalog (claims.go), which says of every claim Mosaic documents whether Latchkey's
// tokens carry it or a request for it is refused.
//
// Tokens are signed with the deployment's keys, stored under the owner Deployment and shared
// by every tenant, unless a tenant has keys of its own (EnsureKeys, Rotate; ShareKeys gives
// them up). Creating a tenant therefore creates no key, and the JWKS holds the deployment's
// keys plus those of the tenants with their own, however many tenants share. A tenant's own
// key verifies only that tenant's tokens; the deployment's keys verify any tenant's.
//
// Keys live in storage, so every node of a deployment signs and verifies with the same keys;
// their private halves are sealed under the master key (package secret). A Manager holds all
// keys as one immutable snapshot, read with one query and kept for Options.CacheTTL (or until
// this node changes a key, or a token names a kid the snapshot lacks). Signing, verification
// and the JWKS document all come from the same snapshot, and the document is serialised once
// per snapshot whose keys changed: a node never signs with a key the document it serves does
// not list, and serving the document costs nothing per request.
//
// A key moves through three statuses. It is created validating: published in the JWKS but not
// yet used, so that relying parties learn of it before they meet a token it signed. Rotate
// (RotateDeployment for the shared keys) makes it signing, disables the previous signing key
// (still published, so the tokens it signed keep verifying), and creates the next validating
// key. A disabled key is unpublished once Options.MaxTokenLifetime has passed since it was
// disabled, and deleted by a later rotation.
//
// A tenant's SigningAlg applies to its own keys created after it is set. Changing it takes
// effect at the next Rotate: the waiting validating key of the old algorithm is dropped, and a
// fresh key of the new algorithm starts signing at once. RotateDeployment takes the algorithm
// of the shared keys as an argument, with the same effect.
package token
