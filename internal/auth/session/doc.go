// Package session is Mosaic's backend session operations: authenticate with a session (a new
// set of tokens for the session's user, in the calling application), logout, and a user's
// sessions listed or revoked by a backend.
package session
