// Package auth owns end-user authentication and what it produces: the client-credentials
// grant, bearer-token checks for API callers, one-time-passcode login, backend sessions with
// their factors, and the ID, access and refresh tokens a login returns.
//
// It sees storage only through storage.Store and signs through the Signer interface; it imports
// neither net/http nor a database driver. Users are read and created through the same store, with
// identifiers normalised by package directory; applications and client secrets are checked by
// package tenancy through the ClientAuthenticator interface.
package auth
